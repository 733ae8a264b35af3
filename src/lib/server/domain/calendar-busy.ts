/**
 * What a host's external calendars say about a range, decided from the cache alone (pure: the
 * clock and the staleness limit come in as data). A calendar whose cache is too old, was never
 * read, or does not reach far enough makes that part of the range *unknown*: no slot is offered
 * there, because an unreadable calendar must never count as empty (fail closed).
 */
import { type Interval, mergeIntervals, overlaps } from "./interval.ts";

/**
 * Whether a calendar an account lists counts as busy time from the start. Listed when the host
 * connects the account: yes, never offer a slot the host's calendar shows as taken, unless the
 * provider says it is not the account's own (`checkByDefault`: Google's and Microsoft's shared
 * and subscribed calendars). Found on the server later: not until the host says so.
 */
export function checkedWhenListed(
  c: { checkByDefault?: boolean },
  when: "connected" | "found_later",
): boolean {
  return when === "connected" ? (c.checkByDefault ?? true) : false;
}

export type CalendarCacheState = {
  calendarId: string;
  /** null: never synced (or its conflict check was just turned on) */
  gen: string | null;
  syncedAtMs: number | null;
  /** the range the cached windows are complete for */
  fromMs: number;
  toMs: number;
  /** the account lost its authorization: the cache counts for nothing, however fresh */
  failClosed?: boolean;
};

export type CalendarBusyDecision = {
  /** busy time from calendars, merged */
  busy: Interval[];
  /** times the cache cannot vouch for, within [max(from, now), to), merged */
  unknown: Interval[];
};

/** Whether a calendar's cache may be trusted at `nowMs` (else its time is unknown: fail closed). */
export function isCacheFresh(
  h: Pick<CalendarCacheState, "gen" | "syncedAtMs" | "failClosed">,
  nowMs: number,
  staleAfterMs: number,
): boolean {
  return h.gen !== null && h.syncedAtMs !== null && !h.failClosed &&
    nowMs - h.syncedAtMs <= staleAfterMs;
}

export function decideCalendarBusy(
  heads: readonly CalendarCacheState[],
  windows: readonly (Interval & { calendarId: string })[],
  q: { fromMs: number; toMs: number; nowMs: number; staleAfterMs: number },
): CalendarBusyDecision {
  const lo = Math.max(q.fromMs, q.nowMs);
  const hi = q.toMs;
  const unknown: Interval[] = [];
  const current = new Set<string>();
  for (const h of heads) {
    if (!isCacheFresh(h, q.nowMs, q.staleAfterMs)) {
      unknown.push({ startMs: lo, endMs: hi });
      continue;
    }
    current.add(h.calendarId);
    if (h.fromMs > lo) unknown.push({ startMs: lo, endMs: Math.min(h.fromMs, hi) });
    if (h.toMs < hi) unknown.push({ startMs: Math.max(h.toMs, lo), endMs: hi });
  }
  return {
    busy: mergeIntervals(
      windows.filter((w) =>
        current.has(w.calendarId) && overlaps(w, { startMs: q.fromMs, endMs: q.toMs })
      ),
    ),
    unknown: mergeIntervals(unknown),
  };
}
