/**
 * Multi-person bookings (docs/decisions/016-teams.md): the coordinator is opened, each person's
 * time is held in canonical order, the booking commits checking the coordinator alone, and a
 * failed or crashed one is released.
 */
import type {
  BookingRecord,
  BusyEntryRecord,
  CoordinatorRecord,
  SeatLedgerRecord,
  TeamRecord,
} from "../model/records.ts";
import { isCollectiveSeat, liveSeats, seatOf } from "../seats.ts";
import { firstSeatLedger, ledgerOf, writeMeetingBusy } from "./seat-ledger.ts";
import { leaveSeat, seatMovedJobs } from "./seat.ts";
import { rebookRefusal } from "./rebook.ts";
import type { KvLimits } from "../kv-budget.ts";
import { decideTransition, isOwnTime, nextStep } from "../booking.ts";
import { withinCutoff } from "../event-rules.ts";
import { handoverEffects, sideEffects } from "./effects.ts";
import { Draft } from "./draft.ts";
import {
  bookingExists,
  guardOf,
  personsOf,
  writeExtras,
  writeNewBooking,
  writeUpdatedBooking,
} from "./core.ts";
import { busyKeys, claimTime, memberKeys, orClear, writeBusy } from "./busy.ts";
import { claimCaps, claimGuestHold, dropHoldings, holdOf } from "./caps.ts";
import {
  type Change,
  type EngineRules,
  MAX_TEAM,
  type PlanResult,
  type Snapshot,
  type Versioned,
} from "./types.ts";

/** Step 1: the coordinator record, written first. */
export function planOpen(
  s: Snapshot,
  change: Extract<Change, { kind: "open" }>,
  limits: KvLimits,
): PlanResult {
  const d = new Draft(s.keyOf);
  const c = change.coordinator;
  d.set({ kind: "coordinator", id: c.id }, c);
  d.set({ kind: "coordinatorByUntil", untilMs: c.untilMs, id: c.id }, c.id);
  return d.finish("open", {
    booking: null,
    coordinator: c,
    probe: { key: d.key({ kind: "coordinator", id: c.id }), landed: (v) => v !== null },
  }, limits);
}

export function planHold(
  s: Snapshot,
  change: Extract<Change, { kind: "hold" }>,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const cv = s.primary as Versioned<CoordinatorRecord> | null;
  const c = cv?.value;
  if (!cv || !c || c.state !== "holding" || c.untilMs <= nowMs) {
    return { ok: false, reason: "expired" };
  }
  if (!c.personIds.includes(change.personId)) return { ok: false, reason: "not_found" };
  const d = new Draft(s.keyOf);
  // Unchanged, but it must still be holding when this lands (the cleanup job may abandon it).
  d.check(cv);
  const iv = { startMs: c.startMs, endMs: c.endMs };
  // A collective reschedule: the booking being moved does not block its own new time (it is
  // retired in the final commit, which checks it is still live).
  const ignore = new Set([c.bookingId]);
  // A collective time's seat moving: only its meeting's time, when it is that meeting's last
  // seat (freed by the same commit, which refuses unless it is: `planTeamCommit`); the seat's
  // own id may be its meeting's, which goes on with the other seats.
  if (c.frees !== undefined) {
    if (c.frees) ignore.add(c.frees);
  } else if (c.replaces) ignore.add(c.replaces);
  const refused = claimTime(d, s, change.personId, iv, ignore, nowMs, "slot_taken");
  if (refused) return { ok: false, reason: refused };
  const entry: BusyEntryRecord = {
    v: 1,
    bookingId: c.bookingId,
    startMs: c.startMs,
    endMs: c.endMs,
    holdUntilMs: c.untilMs,
    eventTypeId: c.eventTypeId,
    coordinatorId: c.id,
  };
  for (const k of busyKeys(change.personId, entry)) d.set(k, entry);
  const probeKey = d.key(busyKeys(change.personId, entry)[0]);
  const result = d.finish("hold", {
    booking: null,
    coordinator: c,
    probe: {
      key: probeKey,
      landed: (v) => (v as BusyEntryRecord | null)?.coordinatorId === c.id,
    },
  }, limits);
  return orClear(result, s, [{ personId: change.personId, iv }], nowMs, limits);
}

export function planTeamCommit(
  s: Snapshot,
  change: Extract<Change, { kind: "commit" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const cv = s.primary as Versioned<CoordinatorRecord> | null;
  const c = cv?.value;
  let b = change.booking;
  if (!cv || !c || c.state !== "holding" || c.untilMs <= nowMs) {
    return { ok: false, reason: "expired" };
  }
  if (
    c.bookingId !== b.id || c.startMs !== b.blockStartMs || c.endMs !== b.blockEndMs ||
    JSON.stringify(c.personIds) !== JSON.stringify(personsOf(b)) || b.coordinatorId !== c.id
  ) return { ok: false, reason: "not_found" };
  if (c.personIds.length > MAX_TEAM) return { ok: false, reason: "too_large" };
  if ((c.replaces ?? null) !== (change.retire?.bookingId ?? null)) {
    return { ok: false, reason: "not_found" };
  }
  const d = new Draft(s.keyOf);
  if (change.rosterKey) {
    // Every person must still be a member: a removal that landed first stops the booking.
    const roster = guardOf<TeamRecord>(s, change.rosterKey);
    const members = new Set((roster.value?.members ?? []).map((m) => m.userId));
    if (!c.personIds.every((p) => members.has(p))) return { ok: false, reason: "slot_taken" };
    d.check(roster);
  }
  const self = new Set([b.id]);
  let retired: BookingRecord | null = null;
  let old: BookingRecord | null = null;
  const current = change.retire
    ? guardOf<BookingRecord>(s, { kind: "booking", id: change.retire.bookingId })
    : null;
  if (change.retire) {
    old = current!.value;
    if (!old || (change.retire.hostId !== undefined && old.hostId !== change.retire.hostId)) {
      return { ok: false, reason: "not_found" };
    }
  }
  if (old && change.retire?.rebook) {
    // The host asked this seat's guest for a new time: the seat left its meeting then, so the
    // pick only links it (checked, so the link books once) and starts this time's meeting.
    const refusal = rebookRefusal(old);
    if (refusal) return { ok: false, reason: refusal };
    if (
      !isCollectiveSeat(old) || change.retire.seat || !change.seat || c.frees !== null ||
      old.eventTypeId !== b.eventTypeId
    ) return { ok: false, reason: "not_supported" };
    retired = { ...old, rescheduledToId: b.id };
    writeUpdatedBooking(d, current as Versioned<BookingRecord>, retired);
  } else if (old && change.retire) {
    const r = change.retire;
    // A collective time's seat leaves through its time's ledger and coordinator, never as a
    // plain booking, and only for a seat at the new time (the scope read them as named).
    if (isCollectiveSeat(old) !== !!r.seat || (r.seat && (!change.seat || c.frees === undefined))) {
      return { ok: false, reason: "not_supported" };
    }
    if (
      r.seat &&
      (r.seat.startMs !== old.startMs || r.seat.coordinatorId !== old.coordinatorId ||
        old.eventTypeId !== b.eventTypeId)
    ) return { ok: false, reason: "not_found" };
    const t = decideTransition(old, "cancel", nowMs);
    if (!t.ok) {
      return { ok: false, reason: t.reason };
    }
    if (isOwnTime(old, b)) return { ok: false, reason: "same_time" };
    if (
      r.enforceCutoff && rules.eventType &&
      withinCutoff(old.startMs, rules.eventType.cancelCutoffHours, nowMs)
    ) return { ok: false, reason: "too_late" };
    const step = nextStep(old, "CANCELLED", r.by, nowMs);
    retired = {
      ...old,
      status: "CANCELLED",
      reservedUntilMs: null,
      decidedAtMs: step.atMs,
      endReason: "rescheduled",
      rescheduledToId: b.id,
      ...(r.reason ? { cancelReason: r.reason } : {}),
      history: step.history,
    };
    self.add(old.id);
    writeUpdatedBooking(d, current as Versioned<BookingRecord>, retired);
    if (r.seat) {
      // The seat leaves its ledger and its meeting's coordinator (the last one frees every
      // member's time there); held over that meeting's time, the commit needs it freed.
      const freed = leaveSeat(d, s, old, nowMs);
      if (c.frees && freed !== c.frees) return { ok: false, reason: "slot_taken" };
    } else {
      dropHoldings(d, old);
      if (old.coordinatorId) d.delete({ kind: "coordinator", id: old.coordinatorId });
    }
  }
  const refused = claimCaps(d, s, change.booking, rules.eventType, self, nowMs) ??
    claimGuestHold(d, s, change.booking, self, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  const committed: CoordinatorRecord = { ...c, state: "committed", holdUntilMs: holdOf(b) };
  d.check(cv);
  d.set(cv.key, committed);
  d.delete({ kind: "coordinatorByUntil", untilMs: c.untilMs, id: c.id });
  if (change.seat) {
    // The first seat of a collective seated time (ADR 040): the members' holds become the
    // meeting's (its id this seat's), and the time's ledger starts with this seat; a time with
    // a live seat is joined instead (seat.ts `joinSeat`).
    const read = guardOf<SeatLedgerRecord>(s, ledgerOf(b));
    if (liveSeats(read.value, nowMs).length > 0) return { ok: false, reason: "slot_taken" };
    b = { ...b, seat: { meetingId: b.id } };
    const ledger = firstSeatLedger(b, c.id, c.personIds, read.value);
    d.check(read);
    d.set(read.key, ledger);
    // A ledger whose seats all lapsed is replaced: its meeting's entries go with it.
    writeMeetingBusy(d, ledger, ledger.seats.map(seatOf), read.value);
  } else {
    // Every member's hold becomes the booking's own (no fence: the coordinator guards them).
    writeBusy(d, b, c.id);
  }
  writeNewBooking(d, b);
  writeExtras(d, change.extra, change.rotation);
  if (old && retired && !change.retire?.rebook) {
    // A seat's old meeting goes on with its members: each has it written again without the
    // guest (seat.ts), where a plain booking's leaving members hear it left their calendar.
    d.job(
      ...sideEffects(old, retired, nowMs),
      ...(old.seat ? seatMovedJobs(old, nowMs) : handoverEffects(old, b, nowMs)),
    );
  }
  d.job(...sideEffects(null, b, nowMs));
  return d.finish("commit", {
    booking: b,
    ...(retired ? { retired } : {}),
    coordinator: committed,
    probe: { key: d.key({ kind: "booking", id: b.id }), landed: bookingExists(b.id) },
  }, limits);
}

/** How long an abandoned coordinator is kept (readers treat a missing one as abandoned). */
export const ABANDONED_KEEP_MS = 24 * 3_600_000;

export function planRelease(
  s: Snapshot,
  change: Extract<Change, { kind: "release" }>,
  limits: KvLimits,
): PlanResult {
  const cv = s.primary as Versioned<CoordinatorRecord> | null;
  const c = cv?.value;
  const d = new Draft(s.keyOf);
  if (!cv || !c || c.state === "committed" || c.state === "released") {
    // Nothing held: a committed booking's time is released by its own transitions.
    if (c && (c.state === "committed" || c.state === "released")) {
      d.delete({ kind: "coordinatorByUntil", untilMs: c.untilMs, id: c.id });
    }
    return d.finish("release", {
      booking: null,
      probe: { key: d.key({ kind: "coordinator", id: change.coordinatorId }), landed: () => true },
    }, limits);
  }
  if (c.state === "holding") {
    d.check(cv);
    d.set(cv.key, { ...c, state: "abandoned" } satisfies CoordinatorRecord, ABANDONED_KEEP_MS);
  }
  d.deleteAll(memberKeys(c));
  d.delete({ kind: "coordinatorByUntil", untilMs: c.untilMs, id: c.id });
  return d.finish("release", {
    booking: null,
    coordinator: { ...c, state: "abandoned" },
    probe: {
      key: cv.key,
      // Ours or another releaser's (the same outcome); "committed" means the release lost.
      landed: (v) => (v as CoordinatorRecord | null)?.state === "abandoned",
    },
  }, limits);
}
