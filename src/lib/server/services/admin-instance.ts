/**
 * The admin's view of the instance (issue 32): the mail server answering a test, the outbox by
 * kind, calendars failing closed by person, backups, version, store schema and configuration.
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import type { CalendarBusyHeadRecord } from "../domain/model/calendar-records.ts";
import { isCacheFresh } from "../domain/calendar-busy.ts";
import { describeConfig } from "../config.ts";
import { keys } from "../store/keys.ts";
import { getUsers } from "../store/teams.ts";
import { SCHEMA } from "../store/migrate.ts";
import { STALE_AFTER_INTERVALS } from "./calendar-busy.ts";
import { outboxStats } from "./ops-status.ts";
import {
  type BackupFile,
  lastBackupResult,
  listBackupFiles,
  recordBackupResult,
  takeBackupNow,
} from "./backups.ts";
import { type BackupResultRecord, listBackupResults } from "../store/backup-results.ts";
import { BackupError, backupStore, pendingRestore, restoreStore } from "../store/backup.ts";
import { recordAudit } from "./audit.ts";
import { translator } from "../i18n.ts";
import type { AuditSaid } from "../domain/model/audit-records.ts";
import { join, resolve } from "node:path";

let version: string | null = null;

/** The running version, from package.json beside the server (read once). */
export async function appVersion(): Promise<string> {
  if (version !== null) return version;
  try {
    const pkg = JSON.parse(await Deno.readTextFile("package.json")) as { version?: unknown };
    version = typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    version = "unknown";
  }
  return version;
}

export type FailingCalendars = { username: string; name: string; calendars: number }[];

const SCAN_LIMIT = 20_000;

/** Calendars whose busy time cannot be trusted (counted as busy), by person. */
export async function failingCalendarsByUser(app: App): Promise<FailingCalendars> {
  const nowMs = app.now();
  const staleAfterMs = STALE_AFTER_INTERVALS * app.config.syncIntervalMs;
  const byHost = new Map<string, number>();
  for await (
    const e of app.kv.list<CalendarBusyHeadRecord>({ prefix: keys.calendarBusyHeadAll() }, {
      limit: SCAN_LIMIT,
    })
  ) {
    if (isCacheFresh(e.value, nowMs, staleAfterMs)) continue;
    const host = String(e.key[1]);
    byHost.set(host, (byHost.get(host) ?? 0) + 1);
  }
  const users = await getUsers(app.kv, [...byHost.keys()]);
  return users.map((u) => ({ username: u.username, name: u.name, calendars: byHost.get(u.id)! }))
    .sort((a, b) => b.calendars - a.calendars || a.username.localeCompare(b.username));
}

export async function instanceOverview(app: App) {
  const nowMs = app.now();
  const [outbox, failing, backups, results, lastBackup, schema, ver] = await Promise.all([
    outboxStats(app, nowMs),
    failingCalendarsByUser(app),
    listBackupFiles(app),
    listBackupResults(app.kv, BACKUP_ROWS),
    lastBackupResult(app),
    app.kv.get<{ version?: number }>(keys.meta("schema")),
    appVersion(),
  ]);
  // A backup the command line wrote lies wherever it named: each listed file is looked for.
  const present = new Set<string>();
  for (const r of results) if (r.ok && await fileExists(r.detail)) present.add(r.detail);
  return {
    version: ver,
    schema: { stored: schema.value?.version ?? 1, code: SCHEMA },
    mailMode: app.mailer.mode,
    outbox,
    failing,
    backups: {
      dir: app.config.backup.dir,
      rows: backupRows(backups, results, app.config.backup.dir, present),
      last: lastBackup,
    },
    config: describeConfig(app.config),
  };
}

export type MailTestResult =
  /** `logged`: no mail server is set, the mail went to the server's log (there is no answer). */
  | { ok: true; logged: true }
  | { ok: true; logged: false; response: string }
  | { ok: false; reason: "failed"; kind: string; detail: string };

/** A short mail to `to` through the configured server; the server's answer is shown as is. */
export async function sendTestMail(
  app: App,
  admin: UserRecord | null,
  to: string,
): Promise<MailTestResult> {
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  const t = translator(admin?.locale);
  const res = await app.mailer.send({
    to,
    subject: t.t("admin.test_mail_subject"),
    text: t.t("admin.test_mail_text", { base }) + "\n",
  });
  await recordAudit(app, {
    kind: "admin_mail_test",
    actor: admin ?? { id: null, label: "cli" },
    target: { id: null, label: to },
    said: res.ok
      ? { code: "mail_sent", values: {} }
      : { code: "mail_failed", values: { kind: res.error.kind } },
  });
  if (res.ok && app.mailer.mode === "log") return { ok: true, logged: true };
  // A server that accepted with no words: its message id is all there is to show.
  if (res.ok) return { ok: true, logged: false, response: res.response || res.messageId };
  return { ok: false, reason: "failed", kind: res.error.kind, detail: res.error.detail };
}

/**
 * A backup into INVITO_BACKUP_DIR now (the admin's button, `invito backup`), audited done or
 * failed with its cause. Without a folder nothing is attempted, and nothing audited.
 */
export async function backupNow(app: App, admin: UserRecord | null) {
  const r = await takeBackupNow(app, app.now(), admin ? "admin" : "cli");
  if (!r.ok && r.reason === "no_dir") return r;
  await recordAudit(app, {
    kind: "admin_backup",
    actor: admin ?? { id: null, label: "cli" },
    ...(r.ok ? { target: { id: null, label: r.file } } : {}),
    said: r.ok
      ? { code: "backup_done", values: { n: r.result.entries ?? 0 } }
      : { code: "backup_failed", values: { cause: r.detail } },
  });
  return r;
}

/** How many backups the instance page lists. */
const BACKUP_ROWS = 10;

export type BackupRow = {
  atMs: number | null;
  /** null: a file of the folder whose outcome was not kept (taken before outcomes were). */
  ok: boolean | null;
  sizeBytes: number | null;
  entries: number | null;
  /** The file's full path (in INVITO_BACKUP_DIR, or where the command line wrote it). */
  file: string | null;
  /** For a failure, what went wrong. */
  detail: string | null;
  /** The file is still there (older ones are pruned, others may be moved or deleted). */
  present: boolean;
};

/**
 * The last backups, newest first, each with its outcome: every kept outcome (a failure has no
 * file), and the files of INVITO_BACKUP_DIR (`dir`) that have none. `present`: the paths of kept
 * outcomes whose file is still there.
 */
export function backupRows(
  files: BackupFile[],
  results: BackupResultRecord[],
  dir: string | null,
  present: ReadonlySet<string>,
): BackupRow[] {
  const rows: BackupRow[] = results.map((r) => ({
    atMs: r.atMs,
    ok: r.ok,
    sizeBytes: r.sizeBytes,
    entries: r.entries,
    // An outcome that worked keeps the file's path as its detail.
    file: r.ok ? r.detail : null,
    detail: r.ok ? null : r.detail,
    present: r.ok && present.has(r.detail),
  }));
  const known = new Set(results.map((r) => (r.ok ? r.detail : null)));
  for (const f of files) {
    const path = dir === null ? f.name : join(dir, f.name);
    if (known.has(path)) continue;
    rows.push({
      atMs: f.atMs,
      ok: null,
      sizeBytes: f.sizeBytes,
      entries: null,
      file: path,
      detail: null,
      present: true,
    });
  }
  return rows.sort((a, b) => (b.atMs ?? 0) - (a.atMs ?? 0)).slice(0, BACKUP_ROWS);
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

export type FileBackupResult =
  | { ok: true; file: string; entries: number; sizeBytes: number; sha256: string }
  | { ok: false; reason: "exists" | "failed"; detail: string };

/**
 * A backup into a file the command line names (not INVITO_BACKUP_DIR): never over an existing
 * file. Its outcome is kept for the instance page and audited (actor: the command line).
 */
export async function backupToFile(app: App, named: string): Promise<FileBackupResult> {
  const atMs = app.now();
  // Kept as a full path: the instance page looks for it from the server's own folder.
  const file = resolve(named);
  try {
    await Deno.lstat(file);
    return { ok: false, reason: "exists", detail: `${file} exists` };
  } catch { /* a new file, as it should be */ }
  let out: FileBackupResult;
  try {
    const r = await backupStore(app.kv, app.config.dbPath, file);
    const sizeBytes = (await Deno.stat(file)).size;
    out = { ok: true, file, entries: r.entries, sizeBytes, sha256: r.sha256 };
  } catch (err) {
    const detail = (err instanceof BackupError ? err.message : String(err)).slice(0, 300);
    out = { ok: false, reason: "failed", detail };
  }
  await recordBackupResult(app, {
    v: 1,
    atMs,
    ok: out.ok,
    detail: out.ok ? file : out.detail,
    entries: out.ok ? out.entries : null,
    sizeBytes: out.ok ? out.sizeBytes : null,
  }, "cli");
  await recordAudit(app, {
    kind: "admin_backup",
    actor: { id: null, label: "cli" },
    target: { id: null, label: file },
    said: out.ok
      ? { code: "backup_done", values: { n: out.entries } }
      : { code: "backup_failed", values: { cause: out.detail } },
  });
  return out;
}

export type RestoreOutcome =
  | { ok: true; restored: number; skipped: number; resumed: boolean }
  | { ok: false; detail: string };

/**
 * Restores a backup file into this store (the command line; the server is stopped or the store
 * is remote). Audited in the store it restored into, done or refused, so the restored log says a
 * restore happened — except into a store an interrupted restore left incomplete.
 */
export async function restoreFromFile(
  app: App,
  file: string,
  opts: { force: boolean },
): Promise<RestoreOutcome> {
  const audit = (said: AuditSaid) =>
    recordAudit(app, {
      kind: "admin_restore",
      actor: { id: null, label: "cli" },
      target: { id: null, label: file },
      said,
    });
  try {
    const r = await restoreStore(app.kv, file, { force: opts.force, nowMs: app.now() });
    await audit({
      code: "restore_done",
      values: {
        n: r.restored,
        resumed: r.resumed ? "yes" : "no",
        forced: opts.force ? "yes" : "no",
      },
    });
    return { ok: true, restored: r.restored, skipped: r.skipped, resumed: r.resumed };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    // Not into a store a restore left incomplete: finishing it reads the store back against
    // the file, and one more entry would fail that check.
    if (!(await pendingRestore(app.kv).catch(() => null))) {
      await audit({
        code: err instanceof BackupError ? "restore_refused" : "restore_failed",
        values: { cause: detail },
      });
    }
    // A refusal (the file, a store that holds data) is an answer; anything else is a failure.
    if (!(err instanceof BackupError)) throw err;
    return { ok: false, detail };
  }
}
