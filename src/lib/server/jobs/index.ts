/**
 * Registers the background jobs once per process. Every job runs under a KV lease, because
 * each process of a scaled-out deployment registers the same crons. Besides the minute crons,
 * a write that queues mail nudges the outbox so mail leaves within a second, not a minute.
 */
import type { App } from "../app.ts";
import { acquireLease, releaseLease } from "../store/leases.ts";
import { deliverOutbox } from "./deliver-outbox.ts";
import { expireHolds } from "./expire-holds.ts";
import { cronScheduleFor, syncCalendars } from "./sync-calendars.ts";
import { registerWriteback } from "./writeback.ts";
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

/** Drain the outbox soon, in this process. Coalesces bursts into one run plus one follow-up. */
export function nudgeOutbox(app: App): void {
  if (app.config.disableCron) return;
  if (draining) {
    again = true;
    return;
  }
  draining = (async () => {
    do {
      again = false;
      try {
        await withLease(app, "outbox", () => deliverOutbox(app, app.now()));
      } catch (err) {
        console.error("[outbox] drain failed:", err);
      }
    } while (again);
  })().finally(() => (draining = null));
}

export function startJobs(app: App): void {
  // Even without crons (tests, a separate worker) a drained writeback job must really write.
  registerWriteback();
  const g = globalThis as { [STARTED]?: boolean };
  if (g[STARTED] || app.config.disableCron) return;
  g[STARTED] = true;
  app.kickOutbox = () => nudgeOutbox(app);
  const guard = (name: string, fn: () => Promise<unknown>) => async () => {
    try {
      await withLease(app, name, fn);
    } catch (err) {
      console.error(`[cron ${name}]`, err);
    }
  };
  Deno.cron("invito-outbox", "* * * * *", guard("outbox", () => deliverOutbox(app, app.now())));
  Deno.cron("invito-expire", "* * * * *", async () => {
    await guard("expire", () => expireHolds(app, app.now()))();
    nudgeOutbox(app);
  });
  Deno.cron(
    "invito-team-holds",
    "* * * * *",
    guard("team-holds", () => releaseStaleHolds(app, app.now())),
  );
  const syncCalendarsNow = guard("caldav-sync", () => syncCalendars(app, app.now()));
  Deno.cron("invito-caldav-sync", cronScheduleFor(app.config.syncIntervalMs), syncCalendarsNow);
  // Mail queued before a restart goes out now rather than at the next minute.
  nudgeOutbox(app);
  // A restarted server refreshes calendars at once: a cache left from before may be too old to trust.
  void syncCalendarsNow();
}
