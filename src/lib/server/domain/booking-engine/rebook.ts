/**
 * A guest picks a new time after the host asked them to (issue 28, "request reschedule"): the
 * host cancelled the booking with `endReason: "reschedule_requested"`, freeing its time; the
 * guest's own link then books a successor from it — their name, address and answers kept, the
 * same meeting in calendars (same UID, a higher SEQUENCE) — once. The cancelled booking is
 * checked at the versionstamp read and linked to its successor in the same write, so the link
 * used many times at once yields exactly one booking.
 */
import type { BookingRecord } from "../model/records.ts";
import type { KvLimits } from "../kv-budget.ts";
import { sideEffects } from "./effects.ts";
import { Draft } from "./draft.ts";
import {
  block,
  bookingExists,
  bookingOf,
  personsOf,
  writeExtras,
  writeNewBooking,
  writeUpdatedBooking,
} from "./core.ts";
import { claimTime, orClear, writeBusy } from "./busy.ts";
import { claimCaps, claimGuestHold } from "./caps.ts";
import { successorRecord } from "./reschedule.ts";
import { newProviderMeeting } from "../locations.ts";
import type { Change, EngineRules, PlanResult, Snapshot, Versioned } from "./types.ts";

/** Why a booking ended when its host asked the guest to pick another time. */
export const RESCHEDULE_REQUESTED = "reschedule_requested";

/** Whether a booking waits for its guest to pick a new time (asked by the host, not yet picked). */
export function awaitsNewTime(b: BookingRecord): boolean {
  return b.status === "CANCELLED" && b.endReason === RESCHEDULE_REQUESTED && !b.rescheduledToId;
}

/** Why a guest's pick of a new time cannot take this booking's place, or null when it can. */
export function rebookRefusal(old: BookingRecord): "moved" | "cancelled" | null {
  if (old.rescheduledToId) return "moved";
  return awaitsNewTime(old) ? null : "cancelled";
}

/**
 * A rebook's writes once its new time is taken: the old booking linked to its successor (checked
 * at the versionstamp read: a second pick through the same link finds it linked), the successor,
 * the change's extras and the successor's mails. The old booking's mails and calendar removal
 * went out when the host asked.
 */
export function finishRebook(
  d: Draft,
  current: Versioned<BookingRecord> & { value: BookingRecord },
  successor: BookingRecord,
  change: Extract<Change, { kind: "rebook" }>,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const linked: BookingRecord = { ...current.value, rescheduledToId: successor.id };
  writeUpdatedBooking(d, current, linked);
  writeNewBooking(d, successor);
  writeExtras(d, change.extra);
  d.job(...sideEffects(null, successor, nowMs));
  return d.finish("rebook", {
    booking: successor,
    retired: linked,
    probe: {
      key: d.key({ kind: "booking", id: successor.id }),
      landed: bookingExists(successor.id),
    },
  }, limits);
}

export function planRebook(
  s: Snapshot,
  change: Extract<Change, { kind: "rebook" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const current = bookingOf(s, change.hostId);
  if (!current) return { ok: false, reason: "not_found" };
  const old = current.value;
  const refusal = rebookRefusal(old);
  if (refusal) return { ok: false, reason: refusal };
  // The cancellation deleted the provider's meeting: the new time gets a fresh one. Told apart in
  // insights from a move: the guest picked a new time because the host asked.
  const kept = successorRecord(old, change, rules, nowMs);
  const successor: BookingRecord = {
    ...kept,
    location: newProviderMeeting(kept.location),
    origin: "rebook",
  };
  const d = new Draft(s.keyOf);
  const self = new Set([successor.id]);
  const refused =
    claimTime(d, s, personsOf(successor)[0], block(successor), self, nowMs, "slot_taken") ??
      claimCaps(d, s, successor, rules.eventType, self, nowMs) ??
      claimGuestHold(d, s, successor, self, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  writeBusy(d, successor);
  const result = finishRebook(d, current, successor, change, nowMs, limits);
  return orClear(
    result,
    s,
    [{ personId: personsOf(successor)[0], iv: block(successor) }],
    nowMs,
    limits,
  );
}
