/**
 * A consistent copy of the whole store, and its restore (docs/decisions/021-backups.md).
 *
 * - Local KV file: SQLite's online backup copies the database as of one read transaction while
 *   the server keeps writing (WAL readers do not block writers); the copy is read through Deno KV.
 * - Remote KV (or ":memory:"): two scans; the backup is kept only if the second finds every key
 *   with the same versionstamp as the first, otherwise it is retried and finally refused.
 *
 * Restore checks the whole file first, then writes in bounded batches, each with a progress
 * marker in the same atomic write; an interrupted restore resumes from the marker, and the store
 * counts as incomplete (not ready) until the last batch and the verification are done.
 */
import { backup as sqliteBackup, DatabaseSync } from "node:sqlite";
import { serialize } from "node:v8";
import { keys } from "./keys.ts";
import { commitOrReread } from "./kv.ts";
import { isRemoteKv } from "../config.ts";
import { restoredLife } from "./restore-expiry.ts";
import {
  BackupError,
  type BackupHeader,
  type BackupTrailer,
  EntryDigest,
  entryLine,
  readBackupFile,
  writeBackupFile,
} from "./backup-format.ts";

export { BackupError };

/**
 * Entries a restore leaves out: a lease, a rate-limit window, a running process or a commit's
 * receipt (which only answers the process that made the commit) belongs to the old processes.
 */
export const NOT_RESTORED = new Set([
  "lease",
  "cron_tick",
  "rate_limit",
  "rate_limit_count",
  "process",
  "commit_receipt",
  // A booking post's guard lives a form's lifetime (expireIn), which a restore would not keep.
  "booker_post",
]);
const RESTORE_MARKER = keys.meta("restore");
/**
 * What was done to this instance, not its data: the audit log and the backups' outcomes. A store
 * holding only these counts as empty for a restore, which replaces them with the backup's.
 */
const INSTANCE_LOGS = [keys.auditPrefix(), keys.backupResultPrefix()];
const isInstanceLog = (key: Deno.KvKey) =>
  INSTANCE_LOGS.some((prefix) => prefix.every((p, i) => key[i] === p));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const isMarker = (key: Deno.KvKey) =>
  key.length === RESTORE_MARKER.length && key.every((p, i) => p === RESTORE_MARKER[i]);

export type RestoreMarker = {
  v: 1;
  sha256: string;
  entries: number;
  /** entries of the file (in file order) already written */
  written: number;
  startedAtMs: number;
  /**
   * The instant the restore judges which records had ended from (store/restore-expiry.ts), kept
   * for a resume: judged again later, a record that ended in between would be in the store but
   * not in the count the read-back compares with.
   */
  livesFromMs?: number;
  /**
   * A fresh id per write of the marker: a write whose answer was lost (remote KV) is settled by
   * reading whether the marker carries it (ADR 038), never taken for a second restore.
   */
  attempt?: string;
};

/**
 * What is wrong with `path` as a backup to read (the command line asks before it opens the
 * store), or null: missing, or a folder.
 */
export async function backupFileProblem(path: string): Promise<string | null> {
  try {
    if ((await Deno.stat(path)).isDirectory) {
      return `${path} is a folder; name the backup file in it`;
    }
    return null;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return `there is no file ${path}; name a file that \`backup FILE\` made`;
    }
    return null; // the reading says what is wrong
  }
}

/**
 * What is wrong with `path` as a new backup file, or null: a folder, an existing file, or a
 * folder that does not exist.
 */
export async function newBackupFileProblem(
  path: string,
): Promise<{ reason: "exists" | "failed"; detail: string } | null> {
  try {
    const info = await Deno.lstat(path);
    return info.isDirectory
      ? { reason: "exists", detail: `${path} is a folder; name a new file in it` }
      : { reason: "exists", detail: `${path} exists; choose a new file name` };
  } catch { /* a new file, as it should be */ }
  const dir = path.replace(/[/\\]+[^/\\]*$/, "");
  if (!dir || dir === path) return null;
  try {
    if (!(await Deno.stat(dir)).isDirectory) {
      return { reason: "failed", detail: `${dir} is not a folder; choose another path` };
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return {
        reason: "failed",
        detail:
          `the folder ${dir} does not exist; create it first, or name a file in a folder that exists`,
      };
    }
  }
  return null;
}

export function isLocalFile(dbPath: string): boolean {
  return dbPath !== ":memory:" && !isRemoteKv(dbPath);
}

async function* allEntries(kv: Deno.Kv): AsyncGenerator<{ key: Deno.KvKey; value: unknown }> {
  for await (const e of kv.list({ prefix: [] }, { batchSize: 500 })) {
    if (!isMarker(e.key)) yield { key: e.key, value: e.value };
  }
}

async function versionDigest(kv: Deno.Kv): Promise<string> {
  const d = new EntryDigest();
  for await (const e of kv.list({ prefix: [] }, { batchSize: 1000 })) {
    if (!isMarker(e.key)) d.add(JSON.stringify([entryLine(e.key, null), e.versionstamp]), e.key);
  }
  return d.hex();
}

export type BackupResult = BackupTrailer & { method: BackupHeader["method"]; path: string };

/** Writes a consistent backup of the store behind `kv` (at `dbPath`) to `path`. */
export async function backupStore(
  kv: Deno.Kv,
  dbPath: string,
  path: string,
  opts: { attempts?: number } = {},
): Promise<BackupResult> {
  if (isLocalFile(dbPath)) {
    const snapshot = `${path}.snapshot-${crypto.randomUUID().slice(0, 8)}`;
    try {
      // The copy holds the whole store: it exists 0600 before SQLite writes to it, and SQLite
      // gives its -journal, -wal and -shm files the database file's mode (whatever the umask).
      await Deno.writeFile(snapshot, new Uint8Array(), { createNew: true, mode: 0o600 });
      await Deno.chmod(snapshot, 0o600);
      const db = new DatabaseSync(dbPath, { readOnly: true });
      try {
        // SQLite's online backup, all pages in one step: one read transaction, so the copy is the
        // database as of one commit. (VACUUM INTO needs ATTACH, which Deno allows only with -A.)
        await sqliteBackup(db, snapshot, { rate: -1 });
      } finally {
        db.close();
      }
      const snap = await Deno.openKv(snapshot);
      try {
        const trailer = await writeBackupFile(path, "sqlite-snapshot", allEntries(snap));
        return { ...trailer!, method: "sqlite-snapshot", path };
      } finally {
        snap.close();
      }
    } finally {
      for (const f of [snapshot, `${snapshot}-wal`, `${snapshot}-shm`, `${snapshot}-journal`]) {
        await Deno.remove(f).catch(() => {});
      }
    }
  }
  const attempts = opts.attempts ?? 3;
  for (let i = 0; i < attempts; i++) {
    const before = await versionDigest(kv);
    const trailer = await writeBackupFile(
      path,
      "verified-scan",
      allEntries(kv),
      async () => (await versionDigest(kv)) === before,
    );
    if (trailer) return { ...trailer, method: "verified-scan", path };
  }
  throw new BackupError(
    `the store changed during each of ${attempts} scans, so no consistent copy could be made. ` +
      "On remote KV, back up when writes pause, or use the KV server's own snapshots.",
  );
}

/**
 * Limits of one restore write, inside remote KV's 1,000 mutations and 800 KiB (the marker is one
 * more mutation). Sizes are measured as KV stores them: the value V8-serialised, the key at most
 * twice its JSON length (a UTF-16 string).
 */
const BATCH_MUTATIONS = 900;
const BATCH_BYTES = 600 * 1024;
const entryBytes = (key: Deno.KvKey, value: unknown) =>
  serialize(value).length + 2 * JSON.stringify(key, bigintSafe).length;
const MAX_KEY_BYTES = 2048;
const MAX_VALUE_BYTES = 64 * 1024;

export type RestoreResult = {
  entries: number;
  restored: number;
  skipped: number;
  counts: Record<string, number>;
  resumed: boolean;
};

/**
 * Restores `path` into the store behind `kv`. Refuses a store with data unless `force` (which
 * deletes everything first); resumes an interrupted restore of the same file. A store that holds
 * only its own logs (`INSTANCE_LOGS`: what a refused restore, a test mail or a backup of a new
 * instance leave) counts as empty, and the restore replaces them too: the store becomes the
 * backup's copy, as the read-back checks, and the restore's own audit entry comes after it.
 */
export async function restoreStore(
  kv: Deno.Kv,
  path: string,
  opts: { force?: boolean; nowMs: number; progress?: (written: number, total: number) => void },
): Promise<RestoreResult> {
  // 1. The whole file is checked before anything is written. Records that had already ended
  // are left out, and the ones that end later are written to end (store/restore-expiry.ts).
  const expected = new EntryDigest();
  let skipped = 0;
  const livesFromMs = (await kv.get<RestoreMarker>(RESTORE_MARKER)).value?.livesFromMs ??
    opts.nowMs;
  const lifeOf = () => {
    const seen = new Map<unknown, number>();
    return (key: Deno.KvKey, value: unknown) => restoredLife(key, value, livesFromMs, seen);
  };
  const checkedLife = lifeOf();
  const checked = await readBackupFile(path, (key, value, index, line) => {
    const keyBytes = new TextEncoder().encode(JSON.stringify(key, bigintSafe)).length;
    if (keyBytes > MAX_KEY_BYTES) throw new BackupError(`entry ${index + 1}: key too large`);
    // KV stores values V8-serialised; measuring the same way refuses what a write would refuse.
    if (serialize(value).length > MAX_VALUE_BYTES) {
      throw new BackupError(`entry ${index + 1}: value larger than KV allows (64 KiB)`);
    }
    if (NOT_RESTORED.has(String(key[0])) || isMarker(key)) skipped++;
    else if (checkedLife(key, value).kind === "ended") skipped++;
    else expected.add(line, key);
  });
  const { trailer } = checked;

  // 2. Empty store, or the interrupted restore of this very file.
  const marker = await kv.get<RestoreMarker>(RESTORE_MARKER);
  const resumed = marker.value?.sha256 === trailer.sha256;
  if (!resumed) {
    // The instance's own logs are not data: a new instance's refused restore or test mail does
    // not make its store "not empty". Every entry is looked at, so data behind a long log counts.
    let present = 0;
    let logs = 0;
    for await (const e of kv.list({ prefix: [] }, { batchSize: 1000 })) {
      if (isMarker(e.key)) continue;
      if (isInstanceLog(e.key)) logs++;
      else if (++present === 1000) break;
    }
    if (present > 0 && !opts.force) {
      throw new BackupError(
        `the store is not empty (${present === 1000 ? "1000+ keys" : plural(present, "key")}` +
          "): restore only into an empty store, or pass --force to delete everything in it first",
      );
    }
    if (marker.value && !opts.force) {
      throw new BackupError(
        "another backup's restore was interrupted in this store; finish it with that file, or pass --force",
      );
    }
    // The store becomes the backup's copy, logs included (the restore's own entry follows).
    if (present > 0 || logs > 0 || marker.value) await wipe(kv);
  }
  let written = resumed ? marker.value!.written : 0;
  if (!resumed) {
    const m: RestoreMarker = {
      v: 1,
      sha256: trailer.sha256,
      entries: trailer.entries,
      written: 0,
      startedAtMs: opts.nowMs,
      livesFromMs,
      attempt: crypto.randomUUID(),
    };
    const res = await commitOrReread(
      kv.atomic().check({ key: RESTORE_MARKER, versionstamp: null }).set(RESTORE_MARKER, m),
      () => markerHas(kv, m),
    );
    if (!res.ok) throw new BackupError("another restore started at the same time");
  }

  // 3. Bounded batches, each carrying the progress marker.
  let batch: { key: Deno.KvKey; value: unknown; expireIn?: number }[] = [];
  let bytes = 0;
  let lastIndex = written - 1;
  const flush = async () => {
    const cur = await kv.get<RestoreMarker>(RESTORE_MARKER);
    if (cur.value?.sha256 !== trailer.sha256) {
      throw new BackupError("the restore marker changed under us (a second restore?)");
    }
    const op = kv.atomic().check(cur);
    for (const e of batch) {
      op.set(e.key, e.value, e.expireIn === undefined ? undefined : { expireIn: e.expireIn });
    }
    const next: RestoreMarker = {
      ...cur.value,
      written: lastIndex + 1,
      attempt: crypto.randomUUID(),
    };
    const res = await commitOrReread(op.set(RESTORE_MARKER, next), () => markerHas(kv, next));
    if (!res.ok) {
      throw new BackupError(
        "a batch was not written (the connection failed, or a second restore changed the marker); run the same restore again to resume",
      );
    }
    written = lastIndex + 1;
    opts.progress?.(written, trailer.entries);
    batch = [];
    bytes = 0;
  };
  const writtenLife = lifeOf();
  await readBackupFile(path, async (key, value, index) => {
    // Every entry is looked at, also the ones a resumed restore wrote before: later ones' lives
    // may depend on them.
    const life = NOT_RESTORED.has(String(key[0])) || isMarker(key) ? null : writtenLife(key, value);
    if (index < written) return;
    if (life && life.kind !== "ended") {
      const size = entryBytes(key, value);
      // The marker after a flush covers entries up to the previous one; this one goes next.
      if (batch.length + 1 > BATCH_MUTATIONS || bytes + size > BATCH_BYTES) await flush();
      batch.push({ key, value, expireIn: life.kind === "expire" ? life.inMs : undefined });
      bytes += size;
    }
    lastIndex = index;
  });
  lastIndex = trailer.entries - 1;
  await flush();

  // 4. Read back: same entries, same bytes.
  const actual = new EntryDigest();
  for await (const e of allEntries(kv)) actual.add(entryLine(e.key, e.value), e.key);
  if (actual.entries !== expected.entries || actual.hex() !== expected.hex()) {
    throw new BackupError(
      `verification failed: the store holds ${actual.entries} entries, the backup ${expected.entries}; the restore marker stays so the server reports the store as incomplete`,
    );
  }
  await kv.delete(RESTORE_MARKER);
  return {
    entries: trailer.entries,
    restored: expected.entries,
    skipped,
    counts: expected.counts,
    resumed,
  };
}

/** Whether the restore marker is the one this write set (`attempt`). */
async function markerHas(kv: Deno.Kv, m: RestoreMarker): Promise<boolean> {
  return (await kv.get<RestoreMarker>(RESTORE_MARKER)).value?.attempt === m.attempt;
}

/** An interrupted restore, if any: the store is incomplete until it is finished. */
export async function pendingRestore(kv: Deno.Kv): Promise<RestoreMarker | null> {
  return (await kv.get<RestoreMarker>(RESTORE_MARKER)).value;
}

async function wipe(kv: Deno.Kv) {
  let keysBatch: Deno.KvKey[] = [];
  const flush = async () => {
    const op = kv.atomic();
    for (const k of keysBatch) op.delete(k);
    await op.commit();
    keysBatch = [];
  };
  for await (const e of kv.list({ prefix: [] }, { batchSize: 500 })) {
    keysBatch.push(e.key);
    if (keysBatch.length >= BATCH_MUTATIONS) await flush();
  }
  if (keysBatch.length) await flush();
}

function bigintSafe(_k: string, v: unknown) {
  return typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? [...v] : v;
}
