/**
 * Time held for something not yet a booking (issue 28: a meeting poll's "reserve times"): one
 * person's interval, claimed like a booking's (no overlap with live time, external calendars
 * respected) and written as a busy entry that stops blocking at `untilMs` — so it frees itself at
 * expiry without a write. The entry carries the id the booking will have if this time is chosen:
 * that booking's own commit then treats it as its own and replaces it with its firm entry.
 * Releasing removes the entry (freeing time needs no check).
 */
import type { BusyEntryRecord } from "../model/records.ts";
import type { KvLimits } from "../kv-budget.ts";
import { Draft } from "./draft.ts";
import { busyKeys, claimTime, orClear } from "./busy.ts";
import type { Change, PlanResult, Snapshot } from "./types.ts";

export function planHoldTime(
  s: Snapshot,
  change: Extract<Change, { kind: "hold_time" }>,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const { holdId, personId, startMs, endMs, untilMs, eventTypeId } = change;
  if (!(startMs < endMs) || untilMs <= nowMs) return { ok: false, reason: "expired" };
  const d = new Draft(s.keyOf);
  const iv = { startMs, endMs };
  const refused = claimTime(d, s, personId, iv, new Set([holdId]), nowMs, "slot_taken");
  if (refused) return { ok: false, reason: refused };
  const value: BusyEntryRecord = {
    v: 1,
    bookingId: holdId,
    startMs,
    endMs,
    holdUntilMs: untilMs,
    eventTypeId,
  };
  const entries = busyKeys(personId, value);
  for (const k of entries) d.set(k, value);
  const result = d.finish("hold_time", {
    booking: null,
    probe: {
      key: d.key(entries[0]),
      landed: (v) => (v as BusyEntryRecord | null)?.bookingId === holdId,
    },
  }, limits);
  return orClear(result, s, [{ personId, iv }], nowMs, limits);
}

export function planReleaseTime(
  s: Snapshot,
  change: Extract<Change, { kind: "release_time" }>,
  limits: KvLimits,
): PlanResult {
  const d = new Draft(s.keyOf);
  const entries = busyKeys(change.personId, {
    startMs: change.startMs,
    endMs: change.endMs,
    bookingId: change.holdId,
  });
  d.deleteAll(entries);
  return d.finish("release_time", {
    booking: null,
    probe: { key: d.key(entries[0]), landed: (v) => v === null },
  }, limits);
}
