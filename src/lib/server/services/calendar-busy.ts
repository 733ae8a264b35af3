/**
 * The busy time a host's conflict calendars add to a range, and the part of the range they
 * cannot vouch for (fail closed), from the KV cache only: no network on a guest's request.
 */
import type { App } from "../app.ts";
import type { UserId } from "../store/keys.ts";
import { listHeads, readBusyCache } from "../store/calendar-busy.ts";
import { cachedRead } from "../store/settings-cache.ts";
import { type CalendarBusyDecision, decideCalendarBusy } from "../domain/calendar-busy.ts";

/** A calendar cache older than this many sync intervals counts as unknown. */
export const STALE_AFTER_INTERVALS = 2;

export async function calendarBusy(
  app: App,
  hostId: UserId,
  fromMs: number,
  toMs: number,
  nowMs: number,
): Promise<CalendarBusyDecision> {
  // Most hosts check no calendar for conflicts: that fact comes from the 1-second settings copy
  // (a calendar connected a moment ago counts within a second, like a settings change); when
  // they do, its cache state is read fresh.
  const checks = await cachedRead(
    app.kv,
    `conflict-calendars:${hostId}`,
    async () => (await listHeads(app.kv, hostId)).length > 0,
  );
  if (!checks) return { busy: [], unknown: [] };
  const { heads, windows } = await readBusyCache(app.kv, hostId, fromMs, toMs);
  if (heads.length === 0) return { busy: [], unknown: [] };
  return decideCalendarBusy(heads, windows, {
    fromMs,
    toMs,
    nowMs,
    staleAfterMs: STALE_AFTER_INTERVALS * app.config.syncIntervalMs,
  });
}
