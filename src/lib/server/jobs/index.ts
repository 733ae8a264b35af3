/**
 * Registers the background jobs once per process. Every job runs under a KV lease, because
 * each process of a scaled-out deployment registers the same crons. Besides the minute crons,
 * a write that queues mail nudges the outbox so mail leaves within a second, not a minute, and
 * after every drain a timer wakes the outbox when its next job falls due (a webhook retried 5 s
 * after a failure, or at its Retry-After), so nothing waits for the next minute.
 */
import type { App } from "../app.ts";
import { acquireLease, claimTick, releaseLease } from "../store/leases.ts";
import { nextDueMs } from "../store/outbox.ts";
import { deliverOutbox } from "./deliver-outbox.ts";
import { expireHolds } from "./expire-holds.ts";
import { cronScheduleFor, syncCalendars } from "./sync-calendars.ts";
import { registerWriteback } from "./writeback.ts";
import {
  cronTicked,
  isStopping,
  mayStartJobs,
  onShutdown,
  registerCron,
  stopSignal,
  track,
} from "../ops/lifecycle.ts";
import { releaseLeasesOf } from "../store/leases.ts";
import { logLine } from "../ops/log.ts";
import { recordJob } from "../ops/metrics.ts";
import { takeScheduledBackup } from "../services/backups.ts";
import { purgeClosedAccounts } from "../services/account-closing.ts";
import { backfillInsights } from "./backfill-insights.ts";
import { releaseStaleHolds } from "./release-holds.ts";

const STARTED = Symbol.for("invito.jobs");
const LEASE_MS = 90_000;

/** Runs `fn` only if this process holds the job's lease; returns null when another does. */
export async function withLease<T>(
  app: App,
  name: string,
  fn: () => Promise<T>,
): Promise<T | null> {
  if (!(await acquireLease(app.kv, name, app.instanceId, LEASE_MS, app.now()))) return null;
  try {
    return await fn();
  } finally {
    await releaseLease(app.kv, name, app.instanceId);
  }
}

let draining: Promise<unknown> | null = null;
let again = false;

/** Beyond this the minute cron comes first (and sets the timer again). */
const WAKE_HORIZON_MS = 65_000;
/** A job due now but not taken (another process holds the lease): look again this soon. */
const WAKE_MIN_MS = 250;
let wake: { atMs: number; timer: ReturnType<typeof setTimeout> } | null = null;

/** Sets the timer that drains the outbox when its next job falls due (never before). */
export async function scheduleOutboxWake(app: App): Promise<void> {
  if (app.config.disableCron || !mayStartJobs()) return;
  const dueMs = await nextDueMs(app.kv);
  if (dueMs === null) return;
  const nowMs = app.now();
  const atMs = Math.max(dueMs, nowMs + WAKE_MIN_MS);
  if (atMs - nowMs > WAKE_HORIZON_MS) return;
  if (wake && wake.atMs <= atMs) return;
  if (wake) clearTimeout(wake.timer);
  // The job is taken only once `dueMs <= now`: a timer that fires early finds nothing and sets
  // itself again, so a retry never goes out before its time.
  const timer = setTimeout(() => {
    wake = null;
    nudgeOutbox(app);
  }, atMs - nowMs);
  // Never what keeps the process alive (a shutdown cancels it anyway).
  Deno.unrefTimer(timer as unknown as number);
  wake = { atMs, timer };
}

/** For tests: settles when the drain running now (if any) has ended. */
export async function outboxDrained(): Promise<void> {
  await draining;
}

function cancelOutboxWake(): void {
  if (wake) clearTimeout(wake.timer);
  wake = null;
}

/** Drain the outbox soon, in this process. Coalesces bursts into one run plus one follow-up. */
export function nudgeOutbox(app: App): void {
  if (app.config.disableCron || !mayStartJobs()) return;
  if (draining) {
    again = true;
    return;
  }
  draining = track((async () => {
    try {
      for (;;) {
        again = false;
        try {
          await withLease(app, "outbox", () => deliverOutbox(app, app.now()));
        } catch (err) {
          console.error("[outbox] drain failed:", err);
        }
        if (again && mayStartJobs()) continue;
        await scheduleOutboxWake(app).catch((err) => console.error("[outbox] wake:", err));
        // A nudge while the wake-up was looked for (its read may predate that job) is one more
        // round: a job queued then waited for the minute cron before.
        if (!again || !mayStartJobs()) break;
      }
    } finally {
      // Cleared in the same step as the last look at `again` (not in a later `.finally`): a
      // nudge between the two would be lost.
      draining = null;
    }
  })());
}

export function startJobs(app: App): void {
  // Even without crons (tests, a separate worker) a drained writeback job must really write.
  registerWriteback();
  const g = globalThis as { [STARTED]?: boolean };
  if (g[STARTED] || app.config.disableCron) return;
  g[STARTED] = true;
  app.kickOutbox = () => nudgeOutbox(app);
  // At shutdown (after running jobs settled): hand every lease this process holds back at once,
  // so another process need not wait for them to expire.
  onShutdown("release-leases", () => releaseLeasesOf(app.kv, app.instanceId));
  // A shutdown begins with one last drain: mail that is due goes out before the process exits.
  stopSignal().addEventListener("abort", () => {
    cancelOutboxWake();
    nudgeOutbox(app);
  }, { once: true });
  /**
   * One run: skipped while stopping, tracked for shutdown, logged and counted. A cron's run
   * (`intervalMs` given) first claims its tick, so that across processes each tick runs once;
   * a run at start (no interval) only takes the lease.
   */
  const guard = (name: string, fn: () => Promise<unknown>) => (intervalMs?: number) => {
    if (isStopping()) return Promise.resolve();
    const nowMs = app.now();
    cronTicked(name, nowMs);
    const tick = intervalMs === undefined ? undefined : Math.floor(nowMs / intervalMs);
    return track((async () => {
      const started = performance.now();
      let outcome = "done";
      try {
        if (
          intervalMs !== undefined &&
          !(await claimTick(app.kv, name, app.instanceId, intervalMs, nowMs))
        ) {
          outcome = "ran_elsewhere";
        } else if ((await withLease(app, name, fn)) === null) outcome = "leased_elsewhere";
      } catch (err) {
        outcome = "error";
        console.error(`[cron ${name}]`, err);
      }
      const seconds = (performance.now() - started) / 1000;
      recordJob(`cron_${name}`, outcome, seconds);
      logLine(outcome === "error" ? "error" : "info", "cron", {
        job: name,
        outcome,
        ms: Math.round(seconds * 1000),
        ...(tick === undefined ? {} : { tick }),
      });
    })());
  };
  const cron = (
    name: string,
    schedule: string,
    intervalMs: number,
    fn: (intervalMs: number) => Promise<unknown>,
  ) => {
    registerCron(name, intervalMs, app.now());
    Deno.cron(`invito-${name}`, schedule, { signal: stopSignal() }, async () => {
      await fn(intervalMs);
    });
  };
  cron("outbox", "* * * * *", 60_000, async (intervalMs) => {
    await guard("outbox", () => deliverOutbox(app, app.now()))(intervalMs);
    await scheduleOutboxWake(app).catch((err) => console.error("[outbox] wake:", err));
  });
  cron("expire", "* * * * *", 60_000, async (intervalMs) => {
    await guard("expire", () => expireHolds(app, app.now()))(intervalMs);
    nudgeOutbox(app);
  });
  cron(
    "team-holds",
    "* * * * *",
    60_000,
    guard("team-holds", () => releaseStaleHolds(app, app.now())),
  );
  const syncCalendarsNow = guard("caldav-sync", () => syncCalendars(app, app.now()));
  cron(
    "caldav-sync",
    cronScheduleFor(app.config.syncIntervalMs),
    app.config.syncIntervalMs,
    syncCalendarsNow,
  );
  cron(
    "purge-accounts",
    "17 * * * *",
    3_600_000,
    guard("purge-accounts", () => purgeClosedAccounts(app, app.now())),
  );
  if (app.config.backup.dir) {
    // Checked every minute; a backup is taken when the last one (by any process) is too old.
    const backupNow = guard("backup", () => takeScheduledBackup(app, app.now()));
    cron("backup", "* * * * *", 60_000, backupNow);
    void backupNow();
  }
  // Insights: bookings made before counting began are counted once (returns at once when done).
  const backfill = guard("insights-backfill", () => backfillInsights(app, app.now()));
  cron("insights-backfill", "*/10 * * * *", 600_000, backfill);
  void backfill();
  // Mail queued before a restart goes out now rather than at the next minute.
  nudgeOutbox(app);
  // A restarted server refreshes calendars at once: a cache left from before may be too old to trust.
  void syncCalendarsNow();
}
