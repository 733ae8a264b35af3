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
import type { Change, EngineRules, PlanResult, Snapshot } from "./types.ts";

/** Why a booking ended when its host asked the guest to pick another time. */
export const RESCHEDULE_REQUESTED = "reschedule_requested";

/** Whether a booking waits for its guest to pick a new time (asked by the host, not yet picked). */
export function awaitsNewTime(b: BookingRecord): boolean {
  return b.status === "CANCELLED" && b.endReason === RESCHEDULE_REQUESTED && !b.rescheduledToId;
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
  if (old.rescheduledToId) return { ok: false, reason: "moved" };
  if (!awaitsNewTime(old)) return { ok: false, reason: "cancelled" };
  // The cancellation deleted the provider's meeting: the new time gets a fresh one. Told apart in
  // insights from a move: the guest picked a new time because the host asked.
  const kept = successorRecord(old, change, rules, nowMs);
  const successor: BookingRecord = {
    ...kept,
    location: newProviderMeeting(kept.location),
    origin: "rebook",
  };
  const linked: BookingRecord = { ...old, rescheduledToId: successor.id };
  const d = new Draft(s.keyOf);
  const self = new Set([successor.id]);
  const refused =
    claimTime(d, s, personsOf(successor)[0], block(successor), self, nowMs, "slot_taken") ??
      claimCaps(d, s, successor, rules.eventType, self, nowMs) ??
      claimGuestHold(d, s, successor, self, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  // Checked at the versionstamp read: a second pick through the same link finds it linked.
  writeUpdatedBooking(d, current, linked);
  writeNewBooking(d, successor);
  writeBusy(d, successor);
  writeExtras(d, change.extra);
  // The old booking's mails and calendar removal went out when the host asked.
  d.job(...sideEffects(null, successor, nowMs));
  const result = d.finish("rebook", {
    booking: successor,
    retired: linked,
    probe: {
      key: d.key({ kind: "booking", id: successor.id }),
      landed: bookingExists(successor.id),
    },
  }, limits);
  return orClear(
    result,
    s,
    [{ personId: personsOf(successor)[0], iv: block(successor) }],
    nowMs,
    limits,
  );
}
