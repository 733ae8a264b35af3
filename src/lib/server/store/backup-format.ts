/**
 * The backup file: gzip-compressed JSON lines. A header names the format and its version, then
 * one line per KV entry `[key, value]` in key order, then a trailer with the entry count, counts
 * per top-level prefix and the SHA-256 of the entry lines. Values keep their KV types through a
 * small tagged encoding (Date, bytes, bigint, KvU64, Map, Set, undefined), so a restore writes
 * back exactly what was read. A file that lacks its trailer, whose checksum or counts disagree,
 * that fails to decompress or that a newer Invito wrote is refused before anything is written.
 */
import { createHash, type Hash } from "node:crypto";

export const BACKUP_FORMAT = "invito-backup";
export const BACKUP_VERSION = 1;

export type BackupHeader = {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  /** how consistency was obtained: a SQLite snapshot, or two identical scans of remote KV */
  method: "sqlite-snapshot" | "verified-scan" | "scan";
};
export type BackupTrailer = {
  end: true;
  entries: number;
  counts: Record<string, number>;
  sha256: string;
};

export class BackupError extends Error {}

// ---- values ------------------------------------------------------------------------------------

const b64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** A KV value or key part as JSON, types kept by `$`-tags; throws on a type KV cannot hold. */
export function encodeValue(v: unknown): unknown {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") {
    if (Object.is(v, -0)) return { $num: "-0" };
    return Number.isFinite(v) ? v : { $num: String(v) };
  }
  if (v === undefined) return { $undef: 1 };
  if (typeof v === "bigint") return { $bigint: v.toString() };
  if (v instanceof Deno.KvU64) return { $u64: v.value.toString() };
  if (v instanceof Date) return { $date: v.getTime() };
  if (v instanceof Uint8Array) return { $bytes: b64(v) };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [encodeValue(k), encodeValue(x)]) };
  if (v instanceof Set) return { $set: [...v].map(encodeValue) };
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    let tagged = false;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k.startsWith("$")) tagged = true;
      out[k] = encodeValue(x);
    }
    return tagged ? { $obj: out } : out;
  }
  throw new BackupError(`cannot back up a value of type ${Object.prototype.toString.call(v)}`);
}

export function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const o = v as Record<string, unknown>;
  const keysOf = Object.keys(o);
  if (keysOf.length === 1 && keysOf[0].startsWith("$")) {
    const t = keysOf[0], x = o[t];
    switch (t) {
      case "$num":
        return x === "-0" ? -0 : Number(x);
      case "$undef":
        return undefined;
      case "$bigint":
        return BigInt(x as string);
      case "$u64":
        return new Deno.KvU64(BigInt(x as string));
      case "$date":
        return new Date(x as number);
      case "$bytes":
        return unb64(x as string);
      case "$map":
        return new Map(
          (x as [unknown, unknown][]).map(([k, y]) => [decodeValue(k), decodeValue(y)]),
        );
      case "$set":
        return new Set((x as unknown[]).map(decodeValue));
      case "$obj": {
        const out: Record<string, unknown> = {};
        for (const [k, y] of Object.entries(x as Record<string, unknown>)) out[k] = decodeValue(y);
        return out;
      }
    }
    throw new BackupError(`unknown value tag ${t}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, y] of Object.entries(o)) out[k] = decodeValue(y);
  return out;
}

const KEY_PART = (p: unknown): p is Deno.KvKeyPart =>
  typeof p === "string" || typeof p === "number" || typeof p === "bigint" ||
  typeof p === "boolean" || p instanceof Uint8Array;

export function decodeKey(raw: unknown): Deno.KvKey {
  if (!Array.isArray(raw) || raw.length === 0) throw new BackupError("an entry has no key");
  const key = raw.map(decodeValue);
  if (!key.every(KEY_PART)) throw new BackupError("an entry's key has a part KV cannot hold");
  return key as Deno.KvKey;
}

/** The line of one entry; the same bytes for the same key and value, so checksums compare. */
export function entryLine(key: Deno.KvKey, value: unknown): string {
  return JSON.stringify([encodeValue([...key]), encodeValue(value)]);
}

export const prefixOf = (key: Deno.KvKey) => String(key[0]);

// ---- writing -----------------------------------------------------------------------------------

/** Counts and checksum over entry lines, as the trailer states them. */
export class EntryDigest {
  entries = 0;
  counts: Record<string, number> = {};
  #hash: Hash = createHash("sha256");
  add(line: string, key: Deno.KvKey) {
    this.#hash.update(line + "\n");
    this.entries++;
    const p = prefixOf(key);
    this.counts[p] = (this.counts[p] ?? 0) + 1;
  }
  hex(): string {
    return this.#hash.digest("hex");
  }
}

/**
 * Writes `entries` to `path` as a backup: into a temporary file beside it, fsync, then rename,
 * so `path` is either the whole backup or untouched.
 */
export async function writeBackupFile(
  path: string,
  method: BackupHeader["method"],
  entries: AsyncIterable<{ key: Deno.KvKey; value: unknown }>,
  /** Asked before the file takes its name; false discards it (the scan was not consistent). */
  keep: () => Promise<boolean> = () => Promise.resolve(true),
): Promise<BackupTrailer | null> {
  const tmp = `${path}.partial-${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
  const gzip = new CompressionStream("gzip");
  const piping = gzip.readable.pipeTo(file.writable);
  const writer = gzip.writable.getWriter();
  const enc = new TextEncoder();
  const digest = new EntryDigest();
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length) await writer.write(enc.encode(pending.join("")));
    pending = [];
  };
  try {
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      method,
    };
    pending.push(JSON.stringify(header) + "\n");
    for await (const e of entries) {
      const line = entryLine(e.key, e.value);
      digest.add(line, e.key);
      pending.push(line + "\n");
      if (pending.length >= 500) await flush();
    }
    const trailer: BackupTrailer = {
      end: true,
      entries: digest.entries,
      counts: digest.counts,
      sha256: digest.hex(),
    };
    pending.push(JSON.stringify(trailer) + "\n");
    await flush();
    await writer.close();
    await piping;
    const sync = await Deno.open(tmp, { read: true });
    try {
      await sync.sync();
    } finally {
      sync.close();
    }
    if (!(await keep())) {
      await Deno.remove(tmp);
      return null;
    }
    await Deno.rename(tmp, path);
    return trailer;
  } catch (err) {
    await writer.abort(err).catch(() => {});
    await piping.catch(() => {});
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

// ---- reading -----------------------------------------------------------------------------------

/** Lines of a gzip file; a decompression failure becomes a BackupError that says so. */
async function* lines(path: string): AsyncGenerator<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw new BackupError(
      `cannot open ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let rest = "";
  try {
    const text = file.readable.pipeThrough(new DecompressionStream("gzip")).pipeThrough(
      new TextDecoderStream("utf-8", { fatal: true }),
    );
    for await (const chunk of text) {
      rest += chunk;
      // Walk the buffer by index and cut it once per chunk (not once per line).
      let from = 0;
      for (let i = rest.indexOf("\n"); i >= 0; i = rest.indexOf("\n", from)) {
        yield rest.slice(from, i);
        from = i + 1;
      }
      rest = rest.slice(from);
      if (rest.length > 8 * 1024 * 1024) throw new BackupError("a line is longer than 8 MiB");
    }
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(
      `the file is not a complete gzip backup (truncated or corrupt: ${
        err instanceof Error ? err.message : String(err)
      })`,
    );
  }
  if (rest) yield rest;
}

/**
 * Reads and checks a whole backup, calling `onEntry` for each entry in order. Throws BackupError
 * (with a message for the operator) on anything wrong; then `onEntry` may have seen a prefix of
 * the entries, so callers that write do a checking pass first.
 */
export async function readBackupFile(
  path: string,
  onEntry?: (
    key: Deno.KvKey,
    value: unknown,
    index: number,
    line: string,
  ) => Promise<void> | void,
): Promise<{ header: BackupHeader; trailer: BackupTrailer }> {
  let header: BackupHeader | null = null;
  let trailer: BackupTrailer | null = null;
  const digest = new EntryDigest();
  for await (const line of lines(path)) {
    if (trailer) {
      if (line.trim() === "") continue;
      throw new BackupError("there is data after the end marker");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new BackupError(
        header ? `entry ${digest.entries + 1} is not valid JSON` : "this is not an Invito backup",
      );
    }
    if (!header) {
      const h = parsed as Partial<BackupHeader>;
      if (!h || typeof h !== "object" || h.format !== BACKUP_FORMAT) {
        throw new BackupError("this is not an Invito backup (no Invito header)");
      }
      if (typeof h.version !== "number" || h.version > BACKUP_VERSION) {
        throw new BackupError(
          `this backup was made by a newer Invito (format version ${h.version}); this one reads version ${BACKUP_VERSION}. Upgrade Invito to restore it.`,
        );
      }
      header = h as BackupHeader;
      continue;
    }
    if (!Array.isArray(parsed)) {
      const t = parsed as Partial<BackupTrailer>;
      if (t && typeof t === "object" && t.end === true) {
        trailer = t as BackupTrailer;
        continue;
      }
      throw new BackupError(`entry ${digest.entries + 1} is malformed`);
    }
    if (parsed.length !== 2) throw new BackupError(`entry ${digest.entries + 1} is malformed`);
    const key = decodeKey(parsed[0]);
    const value = decodeValue(parsed[1]);
    digest.add(line, key);
    await onEntry?.(key, value, digest.entries - 1, line);
  }
  if (!header) throw new BackupError("the file is empty");
  if (!trailer) {
    throw new BackupError(
      `the backup is truncated: ${digest.entries} entries and no end marker`,
    );
  }
  if (trailer.entries !== digest.entries) {
    throw new BackupError(
      `the backup says ${trailer.entries} entries but holds ${digest.entries}`,
    );
  }
  if (trailer.sha256 !== digest.hex()) {
    throw new BackupError("the backup's checksum does not match its contents (corrupt)");
  }
  for (const [p, n] of Object.entries(digest.counts)) {
    if (trailer.counts?.[p] !== n) {
      throw new BackupError(`the backup's count for "${p}" does not match its contents`);
    }
  }
  return { header, trailer };
}
