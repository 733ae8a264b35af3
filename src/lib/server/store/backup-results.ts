/**
 * Each backup's outcome (issue 32: "the last backups with sizes and results"), by time: one
 * entry per backup taken — scheduled, by the admin's button or the command line — ok or failed.
 * Entries expire (their expiry is not security-relevant: only a list for the admin).
 */
import { keys } from "./keys.ts";

export const BACKUP_RESULT_KEEP_MS = 180 * 86_400_000;

export type BackupResultRecord = {
  v: 1;
  id: string;
  atMs: number;
  ok: boolean;
  /** The file's path when it worked; what went wrong when not. */
  detail: string;
  entries: number | null;
  sizeBytes: number | null;
  /** The file's name (its folder is INVITO_BACKUP_DIR, or where the command line wrote it). */
  file: string | null;
  by: "schedule" | "admin" | "cli";
};

export async function insertBackupResult(kv: Deno.Kv, rec: BackupResultRecord): Promise<void> {
  await kv.set(keys.backupResult(rec.atMs, rec.id), rec, { expireIn: BACKUP_RESULT_KEEP_MS });
}

/** Newest first. */
export async function listBackupResults(kv: Deno.Kv, limit: number): Promise<BackupResultRecord[]> {
  const out: BackupResultRecord[] = [];
  for await (
    const e of kv.list<BackupResultRecord>({ prefix: keys.backupResultPrefix() }, {
      reverse: true,
      limit,
    })
  ) out.push(e.value);
  return out;
}
