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
import { lastBackupResult, listBackupFiles, takeBackupNow } from "./backups.ts";
import { recordAudit } from "./audit.ts";
import { translator } from "../i18n.ts";

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
  const [outbox, failing, backups, lastBackup, schema, ver] = await Promise.all([
    outboxStats(app, nowMs),
    failingCalendarsByUser(app),
    listBackupFiles(app),
    lastBackupResult(app),
    app.kv.get<{ version?: number }>(keys.meta("schema")),
    appVersion(),
  ]);
  return {
    version: ver,
    schema: { stored: schema.value?.version ?? 1, code: SCHEMA },
    mailMode: app.mailer.mode,
    outbox,
    failing,
    backups: { dir: app.config.backup.dir, files: backups.slice(0, 10), last: lastBackup },
    config: describeConfig(app.config),
  };
}

export type MailTestResult =
  | { ok: true; response: string }
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
    detail: res.ok ? "sent" : `failed: ${res.error.kind}`,
  });
  if (res.ok) return { ok: true, response: res.response || `accepted (${res.messageId})` };
  return { ok: false, reason: "failed", kind: res.error.kind, detail: res.error.detail };
}

export async function backupNow(app: App, admin: UserRecord | null) {
  const r = await takeBackupNow(app);
  await recordAudit(app, {
    kind: "admin_backup",
    actor: admin ?? { id: null, label: "cli" },
    detail: r.ok ? `${r.result.entries} entries` : `failed: ${r.reason}`,
  });
  return r;
}
