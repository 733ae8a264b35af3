/**
 * The busy time a host's conflict calendars add to a range, and the part of the range they
 * cannot vouch for (fail closed), from the KV cache only: no network on a guest's request.
 */
import type { App } from "../app.ts";
import type { UserId } from "../store/keys.ts";
import { readBusyCache } from "../store/calendars.ts";
import {
  type CalendarBusyDecision,
  decideCalendarBusy,
  meetsAny,
} from "../domain/calendar-busy.ts";

/** A calendar cache older than this many sync intervals counts as unknown. */
export const STALE_AFTER_INTERVALS = 2;

export async function calendarBusy(
  app: App,
  hostId: UserId,
  fromMs: number,
  toMs: number,
  nowMs: number,
): Promise<CalendarBusyDecision> {
  const { heads, windows } = await readBusyCache(app.kv, hostId, fromMs, toMs);
  if (heads.length === 0) return { busy: [], unknown: [] };
  return decideCalendarBusy(heads, windows, {
    fromMs,
    toMs,
    nowMs,
    staleAfterMs: STALE_AFTER_INTERVALS * app.config.syncIntervalMs,
  });
}

/**
 * The host's external calendars, checked right before a booking commits: busy there means the
 * time is taken; a calendar that could not be read for too long makes it unknown (fail closed).
 */
export async function calendarConflict(
  app: App,
  hostId: string,
  block: { startMs: number; endMs: number },
  nowMs: number,
): Promise<"calendar_unavailable" | "slot_taken" | null> {
  const cal = await calendarBusy(app, hostId, block.startMs, block.endMs, nowMs);
  if (meetsAny(block, cal.unknown)) return "calendar_unavailable";
  if (meetsAny(block, cal.busy)) return "slot_taken";
  return null;
}
