/**
 * Scheduled backups (INVITO_BACKUP_DIR, INVITO_BACKUP_INTERVAL, INVITO_BACKUP_KEEP): whichever
 * process holds the "backup" lease writes a new file when the last one is older than the interval
 * (the time of the last one is kept in KV, so several processes do not each take one), then keeps
 * only the newest INVITO_BACKUP_KEEP files of that folder.
 */
import { basename, join } from "node:path";
import type { App } from "../app.ts";
import { keys } from "../store/keys.ts";
import { backupStore } from "../store/backup.ts";
import { type BackupResultRecord, insertBackupResult } from "../store/backup-results.ts";
import { newId } from "../store/users.ts";

export type LastBackupRecord = { v: 1; atMs: number; file: string; entries: number };

const NAME = /^invito-\d{8}T\d{6}Z\.backup\.gz$/;

export function backupFileName(nowMs: number): string {
  return `invito-${new Date(nowMs).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z.backup.gz`;
}

/**
 * Takes a backup if one is due; returns its outcome, or null when none was due or backups are
 * off. The outcome is recorded for the admin page like a backup taken by hand; a failure also
 * throws, so the job's log and metrics see it.
 */
export async function takeScheduledBackup(
  app: App,
  nowMs: number,
): Promise<LastBackupResult | null> {
  const { dir, intervalMs } = app.config.backup;
  if (!dir) return null;
  const last = await app.kv.get<LastBackupRecord>(keys.meta("last_backup"));
  if (last.value && nowMs - last.value.atMs < intervalMs) return null;
  const r = await takeBackupNow(app, nowMs, "schedule");
  if (!r.ok) throw new Error(`scheduled backup failed: ${r.detail}`);
  return r.result;
}

/** Deletes all but the newest `keep` backup files (ours only: by name) in `dir`. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile && NAME.test(e.name)) names.push(e.name);
  names.sort();
  const gone = names.slice(0, Math.max(0, names.length - keep));
  for (const n of gone) await Deno.remove(join(dir, n)).catch(() => {});
  return gone;
}

export type BackupFile = { name: string; sizeBytes: number; atMs: number | null };
export type LastBackupResult = {
  v: 1;
  atMs: number;
  ok: boolean;
  detail: string;
  entries: number | null;
  sizeBytes: number | null;
};

/** The backup files in INVITO_BACKUP_DIR, newest first (ours only: by name). */
export async function listBackupFiles(app: App): Promise<BackupFile[]> {
  const dir = app.config.backup.dir;
  if (!dir) return [];
  const out: BackupFile[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !NAME.test(e.name)) continue;
      const st = await Deno.stat(join(dir, e.name));
      out.push({ name: e.name, sizeBytes: st.size, atMs: st.mtime?.getTime() ?? null });
    }
  } catch {
    return [];
  }
  return out.sort((a, b) => b.name.localeCompare(a.name));
}

export async function lastBackupResult(app: App): Promise<LastBackupResult | null> {
  return (await app.kv.get<LastBackupResult>(keys.meta("last_backup_result"))).value;
}

/**
 * A backup now (the admin's button, `invito backup`): into INVITO_BACKUP_DIR under the scheduled
 * name, counted as the last backup (so the schedule waits a full interval), then the folder is
 * pruned. The outcome, success or failure, is kept for the admin page.
 */
export async function takeBackupNow(
  app: App,
  nowMs: number = app.now(),
  by: BackupResultRecord["by"] = "admin",
): Promise<
  /** `file`: the new file's path; `sha256`: the file's checksum (as `backup FILE` prints it). */
  | { ok: true; result: LastBackupResult; file: string; sha256: string }
  | { ok: false; reason: "no_dir" | "failed"; detail: string }
> {
  const { dir, keep } = app.config.backup;
  if (!dir) return { ok: false, reason: "no_dir", detail: "" };
  let result: LastBackupResult;
  let sha256 = "";
  try {
    // The folder holds copies of the whole store: only our user may enter it.
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    // Names have whole seconds: a second backup within one never replaces the first.
    let nameMs = nowMs;
    while (await exists(join(dir, backupFileName(nameMs)))) nameMs += 1_000;
    const r = await backupStore(app.kv, app.config.dbPath, join(dir, backupFileName(nameMs)));
    const size = (await Deno.stat(r.path)).size;
    sha256 = r.sha256;
    await app.kv.set(
      keys.meta("last_backup"),
      { v: 1, atMs: nowMs, file: r.path, entries: r.entries } satisfies LastBackupRecord,
    );
    await pruneBackups(dir, keep);
    result = { v: 1, atMs: nowMs, ok: true, detail: r.path, entries: r.entries, sizeBytes: size };
  } catch (err) {
    const detail = (err instanceof Error ? err.message : String(err)).slice(0, 300);
    result = { v: 1, atMs: nowMs, ok: false, detail, entries: null, sizeBytes: null };
  }
  await app.kv.set(keys.meta("last_backup_result"), result);
  await recordBackupResult(app, result, by);
  return result.ok
    ? { ok: true, result, file: result.detail, sha256 }
    : { ok: false, reason: "failed", detail: result.detail };
}

/** Keeps one backup's outcome for the admin's list (a failure to keep it never fails the backup). */
export async function recordBackupResult(
  app: App,
  result: LastBackupResult,
  by: BackupResultRecord["by"],
): Promise<void> {
  await insertBackupResult(app.kv, {
    ...result,
    id: newId(result.atMs),
    file: result.ok ? basename(result.detail) : null,
    by,
  }).catch((err) => console.error("[backup] result not kept:", err));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
