/**
 * A new booking: one person's (create), or a round-robin booking for the member the rotation
 * picks (assign; the pick is shared with a round-robin reschedule).
 */
import type { BookerPostRecord, BookingRecord, TeamRecord } from "../model/records.ts";
import { BOOKER_POST_TTL_MS, decideBookerPost } from "../repeat-post.ts";
import type { KvLimits } from "../kv-budget.ts";
import {
  advanceRotation,
  type Candidate,
  rotationOrder,
  type RotationRecord,
  transferRotation,
} from "../team-rotation.ts";
import { sideEffects } from "./effects.ts";
import { Draft } from "./draft.ts";
import {
  block,
  guardOf,
  newBookingProbe,
  personsOf,
  writeExtras,
  writeNewBooking,
} from "./core.ts";
import { claimTime, orClear, writeBusy } from "./busy.ts";
import { claimCaps, claimGuestHold } from "./caps.ts";
import type {
  Assignment,
  Change,
  EngineRules,
  PlanResult,
  Refusal,
  Snapshot,
  Versioned,
} from "./types.ts";

export function planCreate(
  s: Snapshot,
  change: Extract<Change, { kind: "create" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const b = change.booking;
  // Several people's time cannot be guarded in one write: the coordinator protocol does that.
  if (personsOf(b).length !== 1 || b.coordinatorId) return { ok: false, reason: "not_supported" };
  const d = new Draft(s.keyOf);
  const self = new Set([b.id]);
  const refused = claimTime(d, s, personsOf(b)[0], block(b), self, nowMs, "slot_taken") ??
    claimCaps(d, s, b, rules.eventType, self, nowMs) ??
    claimGuestHold(d, s, b, self, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  // The id is a fresh ULID: no check; an unknown outcome is settled by reading it back.
  writeNewBooking(d, b);
  writeBusy(d, b);
  writeExtras(d, change.extra, change.rotation);
  d.job(...sideEffects(null, b, nowMs));
  const probe = newBookingProbe(d, b);
  const result = d.finish("create", {
    booking: b,
    probe: change.heldId ? { key: probe.key, landed: probe.landed } : probe,
  }, limits);
  return orClear(result, s, [{ personId: personsOf(b)[0], iv: block(b) }], nowMs, limits);
}

export type Chosen = { d: Draft; booking: BookingRecord; candidate: Candidate };

/**
 * Picks the member of a round-robin booking: current members among the candidates, in rotation
 * order (`prefer` first), the first whose time is free. The draft returned has claimed that
 * member's time and checks the team record; the rotation is written by `writeRotation`. A
 * member whose calendar cannot be read is not free (fail closed). With nobody free: "held" when
 * someone's time is being taken by a multi-person booking right now (the runner waits for it),
 * "calendar_unavailable" when nobody's calendar could be read, else "slot_taken".
 */
export function chooseMember(
  s: Snapshot,
  a: Assignment,
  template: BookingRecord,
  ignore: ReadonlySet<string>,
  nowMs: number,
): { ok: true; chosen: Chosen } | { ok: false; reason: Refusal } {
  const roster = guardOf<TeamRecord>(s, a.rosterKey);
  const members = new Set((roster.value?.members ?? []).map((m) => m.userId));
  const candidates = a.candidates.filter((c) =>
    a.only !== undefined ? c.personId === a.only : members.has(c.personId)
  );
  const rotation = guardOf<RotationRecord>(s, a.rotationKey);
  const order = rotationOrder(rotation.value, candidates);
  const preferred = order.findIndex((c) => c.personId === a.prefer);
  if (preferred > 0) order.unshift(...order.splice(preferred, 1));
  let held = false;
  let unreadable = 0;
  for (const candidate of order) {
    const booking = { ...template, hostId: candidate.personId, personIds: [candidate.personId] };
    const d = new Draft(s.keyOf);
    d.check(roster);
    const refused = claimTime(
      d,
      s,
      candidate.personId,
      block(booking),
      ignore,
      nowMs,
      "slot_taken",
    );
    if (!refused) return { ok: true, chosen: { d, booking, candidate } };
    if (refused === "held") held = true;
    if (refused === "calendar_unavailable") unreadable++;
  }
  if (held) return { ok: false, reason: "held" };
  if (order.length > 0 && unreadable === order.length) {
    return { ok: false, reason: "calendar_unavailable" };
  }
  return { ok: false, reason: "slot_taken" };
}

/** The rotation after the pick, checked at the versionstamp read (unchanged: nothing written). */
export function writeRotation(
  d: Draft,
  s: Snapshot,
  a: Assignment,
  chosen: Candidate,
  /** A reschedule: the member the booking had (given back their share when it moves). */
  from?: Candidate,
) {
  if (chosen.personId === a.prefer) return;
  const rotation = guardOf<RotationRecord>(s, a.rotationKey);
  // Members as the commit checks them: one removed since the service read is not taking part.
  const members = new Set(
    (guardOf<TeamRecord>(s, a.rosterKey).value?.members ?? []).map((m) => m.userId),
  );
  const takingPart = a.takingPart.filter((id) => members.has(id));
  const next = from
    ? transferRotation(rotation.value, a.candidates, from, chosen, takingPart)
    : advanceRotation(rotation.value, a.candidates, chosen, takingPart);
  d.check(rotation);
  d.set(rotation.key, next satisfies RotationRecord);
}

export function planAssign(
  s: Snapshot,
  change: Extract<Change, { kind: "assign" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const self = new Set([change.booking.id]);
  // The same browser's identical post booked this time already: answered with that booking
  // (another member may be free, and would have been booked — two meetings for one guest).
  const post = s.primary as Versioned<BookerPostRecord> | null;
  const earlier = post?.value
    ? guardOf<BookingRecord>(s, { kind: "booking", id: post.value.bookingId }).value
    : null;
  const decided = post ? decideBookerPost(change.booking, earlier, nowMs) : null;
  if (decided === "repeated") return { ok: false, reason: "repeated" };
  const picked = chooseMember(s, change.assign, change.booking, self, nowMs);
  if (!picked.ok) return picked;
  const { d, booking: b, candidate } = picked.chosen;
  const refused = claimCaps(d, s, b, rules.eventType, self, nowMs) ??
    claimGuestHold(d, s, b, self, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  // The guard, checked as read: of identical posts at once, one books; the others read again.
  if (post && decided) {
    d.check(post);
    d.set(post.key, decided.book, BOOKER_POST_TTL_MS);
  }
  writeRotation(d, s, change.assign, candidate);
  writeNewBooking(d, b);
  writeBusy(d, b);
  writeExtras(d, change.extra);
  d.job(...sideEffects(null, b, nowMs));
  const result = d.finish("assign", {
    booking: b,
    probe: newBookingProbe(d, b),
  }, limits);
  return orClear(result, s, [{ personId: b.hostId, iv: block(b) }], nowMs, limits);
}
