/**
 * Scheduled backups (INVITO_BACKUP_DIR, INVITO_BACKUP_INTERVAL, INVITO_BACKUP_KEEP): whichever
 * process holds the "backup" lease writes a new file when the last one is older than the interval
 * (the time of the last one is kept in KV, so several processes do not each take one), then keeps
 * only the newest INVITO_BACKUP_KEEP files of that folder.
 */
import { join } from "node:path";
import type { App } from "../app.ts";
import { keys } from "../store/keys.ts";
import { type BackupResult, backupStore } from "../store/backup.ts";

export type LastBackupRecord = { v: 1; atMs: number; file: string; entries: number };

const NAME = /^invito-\d{8}T\d{6}Z\.backup\.gz$/;

export function backupFileName(nowMs: number): string {
  return `invito-${new Date(nowMs).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z.backup.gz`;
}

/** Takes a backup if one is due; returns it, or null when none was due or backups are off. */
export async function takeScheduledBackup(app: App, nowMs: number): Promise<BackupResult | null> {
  const { dir, intervalMs, keep } = app.config.backup;
  if (!dir) return null;
  const last = await app.kv.get<LastBackupRecord>(keys.meta("last_backup"));
  if (last.value && nowMs - last.value.atMs < intervalMs) return null;
  await Deno.mkdir(dir, { recursive: true });
  const result = await backupStore(app.kv, app.config.dbPath, join(dir, backupFileName(nowMs)));
  await app.kv.set(
    keys.meta("last_backup"),
    {
      v: 1,
      atMs: nowMs,
      file: result.path,
      entries: result.entries,
    } satisfies LastBackupRecord,
  );
  await pruneBackups(dir, keep);
  return result;
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
