/**
 * The CalDAV sync job: every account whose interval is up, under the "caldav-sync" lease.
 * Deno.cron ticks at most once a minute, so the schedule is derived from INVITO_SYNC_INTERVAL
 * where cron can say it ("*\/15 * * * *"), else every minute; each account is synced when its
 * own interval is up, so "sync now" and restarts keep every account on its own beat.
 */
import type { App } from "../app.ts";
import { syncDueAccounts } from "../services/sync-calendars.ts";

export async function syncCalendars(
  app: App,
  nowMs: number,
): Promise<{ synced: number; failed: number; skipped: number }> {
  return await syncDueAccounts(app, nowMs);
}

/** A cron schedule that ticks at least as often as `intervalMs` (minimum granularity 1 minute). */
export function cronScheduleFor(intervalMs: number): string {
  const minutes = intervalMs / 60_000;
  if (Number.isInteger(minutes) && minutes >= 1 && minutes < 60 && 60 % minutes === 0) {
    return minutes === 1 ? "* * * * *" : `*/${minutes} * * * *`;
  }
  const hours = intervalMs / 3_600_000;
  if (Number.isInteger(hours) && hours >= 1 && hours <= 24 && 24 % hours === 0) {
    return hours === 24 ? "0 0 * * *" : hours === 1 ? "0 * * * *" : `0 */${hours} * * *`;
  }
  return "* * * * *";
}
