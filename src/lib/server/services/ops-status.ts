/**
 * What an operator watches: the outbox (depth and age per job kind, stuck or not), calendar sync
 * (age and fail-closed state per provider), crons, and whether KV answers. Read on demand by
 * /readyz and by the /metrics scrape; nothing here runs between requests.
 */
import type { App } from "../app.ts";
import { keys } from "../store/keys.ts";
import type { CalendarBusyHeadRecord, OutboxRecord } from "../domain/model/records.ts";
import { isCacheFresh } from "../domain/calendar-busy.ts";
import { STALE_AFTER_INTERVALS } from "./calendar-busy.ts";
import { jobKind } from "../store/outbox.ts";
import { cronStates, isStopping } from "../ops/lifecycle.ts";
import { setCalendarGauges, setOutboxGauges } from "../ops/metrics.ts";
import { countHeldDeliveries } from "../store/webhooks.ts";
import { pendingRestore } from "../store/backup.ts";

/** A scan stops here; the figures then say "at least" (a store this backed up is not ready anyway). */
const SCAN_LIMIT = 20_000;
/** A job due longer ago than this means no process is draining the outbox. */
export const OUTBOX_STUCK_MS = 10 * 60_000;
/** A cron that has not ticked for this many intervals (plus a minute) is dead. */
const CRON_LATE_INTERVALS = 2;

export type OutboxStats = {
  kinds: Record<string, { depth: number; oldestAgeS: number; overdueS: number }>;
  failed: number;
  /** Jobs that failed for good, by kind (as `kinds` names them). */
  failedKinds: Record<string, number>;
  /** Webhook deliveries held while their host is suspended (no jobs until a reactivation). */
  held: number;
  /** how long the most overdue job has been due */
  maxOverdueMs: number;
  truncated: boolean;
};

export async function outboxStats(app: App, nowMs: number): Promise<OutboxStats> {
  const kinds: OutboxStats["kinds"] = {};
  let maxOverdueMs = 0, n = 0;
  for await (
    const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() }, { limit: SCAN_LIMIT })
  ) {
    n++;
    const job = e.value;
    const k = kinds[jobKind(job)] ??= { depth: 0, oldestAgeS: 0, overdueS: 0 };
    k.depth++;
    k.oldestAgeS = Math.max(k.oldestAgeS, (nowMs - job.createdAtMs) / 1000);
    // A claimed job is being worked on; its due time is the claim's end, not lateness.
    const overdue = job.claimedBy === null ? nowMs - job.dueMs : 0;
    k.overdueS = Math.max(k.overdueS, overdue / 1000);
    maxOverdueMs = Math.max(maxOverdueMs, overdue);
  }
  let failed = 0;
  const failedKinds: Record<string, number> = {};
  for await (
    const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxFailedPrefix() }, {
      limit: SCAN_LIMIT,
    })
  ) {
    failed++;
    const kind = jobKind(e.value);
    failedKinds[kind] = (failedKinds[kind] ?? 0) + 1;
  }
  // Held deliveries are no queued jobs (webhook-held.ts), but an operator should see them.
  const held = await countHeldDeliveries(app.kv, SCAN_LIMIT);
  return { kinds, failed, failedKinds, held, maxOverdueMs, truncated: n >= SCAN_LIMIT };
}

export type CalendarSyncStats = Record<
  string,
  { calendars: number; failClosed: number; maxSyncAgeS: number }
>;

export async function calendarSyncStats(app: App, nowMs: number): Promise<CalendarSyncStats> {
  const out: CalendarSyncStats = {};
  const staleAfterMs = STALE_AFTER_INTERVALS * app.config.syncIntervalMs;
  for await (
    const e of app.kv.list<CalendarBusyHeadRecord & { provider?: string }>({
      prefix: keys.calendarBusyHeadAll(),
    }, { limit: SCAN_LIMIT })
  ) {
    const head = e.value;
    const p = out[head.provider ?? "caldav"] ??= { calendars: 0, failClosed: 0, maxSyncAgeS: 0 };
    p.calendars++;
    if (!isCacheFresh(head, nowMs, staleAfterMs)) p.failClosed++;
    // A calendar never read has no age; it shows in the fail-closed count.
    if (head.syncedAtMs !== null) {
      p.maxSyncAgeS = Math.max(p.maxSyncAgeS, Math.max(0, nowMs - head.syncedAtMs) / 1000);
    }
  }
  return out;
}

export type Check = { ok: boolean; detail: string };
export type Readiness = { ready: boolean; checks: Record<string, Check> };

/** For orchestrators: may this process take traffic? KV answers, crons tick, outbox drains. */
export async function readiness(app: App, nowMs: number): Promise<Readiness> {
  const checks: Record<string, Check> = {};
  if (isStopping()) checks.process = { ok: false, detail: "shutting down" };
  checks.kv = await kvCheck(app);
  if (app.config.disableCron) {
    checks.crons = { ok: true, detail: "disabled in this process (INVITO_DISABLE_CRON)" };
  } else {
    const late = cronStates().filter((c) => {
      const since = c.lastTickMs ?? c.registeredAtMs;
      return nowMs - since > CRON_LATE_INTERVALS * c.intervalMs + 60_000;
    });
    const states = cronStates();
    checks.crons = states.length === 0
      ? { ok: false, detail: "not started" }
      : late.length
      ? { ok: false, detail: `not ticking: ${late.map((c) => c.name).join(", ")}` }
      : { ok: true, detail: `${states.length} ticking` };
  }
  if (checks.kv.ok) {
    const restore = await pendingRestore(app.kv);
    if (restore) {
      checks.restore = {
        ok: false,
        detail:
          `a restore stopped after ${restore.written} of ${restore.entries} entries; run it again with the same file`,
      };
    }
    try {
      const o = await outboxStats(app, nowMs);
      checks.outbox = o.maxOverdueMs > OUTBOX_STUCK_MS
        ? { ok: false, detail: `a job has been due for ${Math.round(o.maxOverdueMs / 60_000)} min` }
        : { ok: true, detail: `${Object.values(o.kinds).reduce((n, k) => n + k.depth, 0)} queued` };
    } catch (err) {
      checks.outbox = { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

/** For /healthz: one read of KV; throws when the database does not answer. */
export async function pingDatabase(app: App): Promise<void> {
  await app.kv.get(keys.meta("health"));
}

async function kvCheck(app: App): Promise<Check> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const ok = await Promise.race([
      app.kv.get(keys.meta("health")).then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), 2_000))),
    ]);
    return ok ? { ok: true, detail: "reachable" } : { ok: false, detail: "no answer within 2 s" };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Fills the store gauges of /metrics (called by the scrape, so KV is read only when asked). */
export async function collectStoreMetrics(app: App, nowMs: number): Promise<void> {
  const [outbox, calendars] = await Promise.all([
    outboxStats(app, nowMs),
    calendarSyncStats(app, nowMs),
  ]);
  setOutboxGauges(outbox.kinds, outbox.failed, outbox.held);
  setCalendarGauges(calendars);
}
