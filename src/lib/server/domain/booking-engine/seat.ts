/**
 * Seats per time (docs/decisions/040-seats.md): several guests share one meeting, each with a
 * booking of their own. One ledger record per seated time (`seatLedger`) lists the live seats and
 * is the guard of every seat write, checked by versionstamp: one check whatever the number of
 * seats, so M seats and K simultaneous guests give exactly min(K, M) seats. The host's time is
 * one busy entry per meeting (`bookingId` = the meeting's id): claimed like any booking's by the
 * seat that finds the ledger without live seats (fences checked), kept while a seat holds, and
 * removed with the last one.
 */
import type { BookingRecord, SeatLedgerRecord } from "../model/records.ts";
import type { KvLimits } from "../kv-budget.ts";
import { guestTag, joinsMeeting, liveSeats, seatsOf, tupleOf } from "../seats.ts";
import { isOwnTime } from "../booking.ts";
import { hostsOf, type PlannedJob, sideEffects } from "./effects.ts";
import { Draft } from "./draft.ts";
import {
  block,
  bookingExists,
  bookingOf,
  decideOn,
  guardOf,
  guestHoldOf,
  newBookingProbe,
  writeExtras,
  writeNewBooking,
  writeUpdatedBooking,
} from "./core.ts";
import { busyKeys, claimTime, listedOn, orClear } from "./busy.ts";
import { capEntryKeys, claimCaps, claimGuestHold } from "./caps.ts";
import { finishTransition, firmCaps, nextOf } from "./transition.ts";
import type { Change, EngineRules, PlanResult, Refusal, Snapshot } from "./types.ts";
import { finishReschedule, retiredRecord, successorRecord } from "./reschedule.ts";
import { guardMeeting, ledgerOf, seatRoom, writeMeetingBusy } from "./seat-ledger.ts";
import { joinSeat } from "./team-seat.ts";
import { finishRebook, rebookRefusal } from "./rebook.ts";

export { ledgerOf };

/**
 * Takes a seat for `draft` in its time's ledger (checked) and claims the host's time for the
 * meeting: the booking as seated, or why not. `ignore`: bookings whose caps and guest holds this
 * write frees (the booking itself; a moved seat's predecessor); `freed`: a meeting whose busy
 * time this write removes (a moved seat's old meeting it was the last of).
 */
function takeSeat(
  d: Draft,
  s: Snapshot,
  draft: BookingRecord,
  perTime: number,
  freshMeetingId: string,
  rules: EngineRules,
  nowMs: number,
  ignore: ReadonlySet<string>,
  freed: string | null,
  /** A collective time's later seat: the meeting's coordinator (see `joinSeat`). */
  join?: string,
): { ok: true; booking: BookingRecord; roomLeft?: true } | { ok: false; reason: Refusal } {
  if (draft.personIds && join) return joinSeat(d, s, draft, perTime, join, rules, nowMs, ignore);
  if (draft.personIds || draft.coordinatorId) return { ok: false, reason: "not_supported" };
  const read = guardOf<SeatLedgerRecord>(s, ledgerOf(draft));
  const ledger = read.value;
  const live = liveSeats(ledger, nowMs).filter((x) => !ignore.has(x.id));
  const tag = guestTag(draft.guestEmail);
  // A meeting its host is cancelling takes no seat; once its last seat is gone (or lapsed) the
  // time is free, and a seat there starts a new meeting.
  if (ledger?.closed && live.length > 0) return { ok: false, reason: "slot_taken" };
  const kept = ledger?.closed ? null : ledger;
  if (live.some((x) => x.g === tag)) return { ok: false, reason: "already_seated" };
  if (live.length >= perTime) return { ok: false, reason: "seats_full" };
  // Seats of one time share one meeting: a seat of another length or buffers is refused as
  // taken, never made a second meeting beside it.
  if (live.length > 0 && !joinsMeeting(ledger!, block(draft))) {
    return { ok: false, reason: "slot_taken" };
  }
  const meetingId = kept?.meetingId ?? freshMeetingId;
  // One time, one meeting, one room: a Jitsi seat takes the time's room.
  const { booking: b, room } = seatRoom(kept, { ...draft, seat: { meetingId } });
  d.check(read);
  const mine = new Set([meetingId, ...(freed ? [freed] : [])]);
  const refused = claimTime(d, s, b.hostId, block(b), mine, nowMs, "slot_taken") ??
    claimCaps(d, s, b, rules.eventType, ignore, nowMs) ??
    claimGuestHold(d, s, b, ignore, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  const next: SeatLedgerRecord = {
    v: 1,
    meetingId,
    eventTypeId: b.eventTypeId,
    hostId: b.hostId,
    startMs: b.startMs,
    blockStartMs: b.blockStartMs,
    blockEndMs: b.blockEndMs,
    seats: [],
    ...(room ? { room } : {}),
  };
  const seats = [...live, {
    id: b.id,
    g: tag,
    h: b.status === "PENDING" ? b.reservedUntilMs : null,
  }];
  d.set(
    read.key,
    { ...next, seats: seats.map(tupleOf), seq: (ledger?.seq ?? 0) + 1 } satisfies SeatLedgerRecord,
  );
  writeMeetingBusy(d, next, seats, ledger);
  return { ok: true, booking: b, ...(seats.length < perTime ? { roomLeft: true as const } : {}) };
}

/**
 * A seat leaves its time: its cap entries and guest hold go, and its place in the ledger. When
 * no live seat remains (this was the last, or the others' holds ran out), the ledger goes and so
 * does the host's time; the ledger is checked either way, so a seat taken meanwhile is never
 * left without them. Returns the meeting whose busy time this write removes, if any.
 */
export function leaveSeat(d: Draft, s: Snapshot, b: BookingRecord, nowMs: number): string | null {
  d.deleteAll(capEntryKeys(b));
  if (b.status === "PENDING") d.delete(guestHoldOf(b));
  const read = guardOf<SeatLedgerRecord>(s, ledgerOf(b));
  const ledger = read.value;
  const meetingId = b.seat!.meetingId;
  if (!ledger || ledger.meetingId !== meetingId) return null;
  const live = liveSeats(ledger, nowMs);
  const seats = live.filter((x) => x.id !== b.id);
  // A collective time's meeting: its coordinator follows the seats (released with the last).
  if (ledger.coordinatorId && seats.length !== live.length) {
    guardMeeting(d, s, ledger.coordinatorId, seats, nowMs);
  }
  if (seats.length === 0) {
    d.check(read);
    d.delete(read.key);
    writeMeetingBusy(d, ledger, seats);
    return meetingId;
  }
  if (seats.length !== live.length) {
    d.check(read);
    d.set(
      read.key,
      {
        ...ledger,
        seats: seats.map(tupleOf),
        seq: (ledger.seq ?? 0) + 1,
      } satisfies SeatLedgerRecord,
    );
    // The meeting's time follows the seats left (a firm seat gone: the others' holds); its
    // rewrite also gives the host a new busy revision, so pages count the seats left anew.
    writeMeetingBusy(d, ledger, seats);
  }
  return null;
}

/** A guest takes a seat: a new booking, and its place in the time's ledger. */
export function planSeat(
  s: Snapshot,
  change: Extract<Change, { kind: "seat" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const d = new Draft(s.keyOf);
  const self = new Set([change.booking.id]);
  const taken = takeSeat(
    d,
    s,
    change.booking,
    change.perTime,
    change.meetingId,
    rules,
    nowMs,
    self,
    null,
    change.coordinatorId,
  );
  if (!taken.ok) return taken;
  const b = taken.booking;
  writeNewBooking(d, b);
  writeExtras(d, change.extra);
  d.job(...sideEffects(null, b, nowMs));
  const result = d.finish("seat", {
    booking: b,
    probe: newBookingProbe(d, b),
    ...(taken.roomLeft ? { roomLeft: true as const } : {}),
  }, limits);
  return orClear(result, s, [{ personId: b.hostId, iv: block(b) }], nowMs, limits);
}

/**
 * An imported seat (services/import-bookings.ts) that still holds time takes its place in its
 * time's ledger here like a new seat (joining the meeting here when there is one), under its own
 * id (checked absent); history is recorded as a plain import.
 */
export function planSeatImport(
  s: Snapshot,
  change: Extract<Change, { kind: "import" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const draft = change.booking;
  if (s.primary?.value) return { ok: false, reason: "conflict" };
  const d = new Draft(s.keyOf);
  d.check({ key: d.key({ kind: "booking", id: draft.id }), versionstamp: null });
  // A cap never concerned the past.
  const capped = rules.eventType && draft.endMs <= nowMs
    ? { ...rules, eventType: { ...rules.eventType, maxPerDay: null, maxPerWeek: null } }
    : rules;
  const taken = takeSeat(
    d,
    s,
    draft,
    change.perTime ?? Infinity,
    draft.seat?.meetingId ?? draft.id,
    capped,
    nowMs,
    new Set([draft.id]),
    null,
  );
  if (!taken.ok) return taken;
  const b = taken.booking;
  writeNewBooking(d, b);
  const result = d.finish("import", {
    booking: b,
    probe: { key: d.key({ kind: "booking", id: b.id }), landed: bookingExists(b.id) },
  }, limits);
  return orClear(result, s, [{ personId: b.hostId, iv: block(b) }], nowMs, limits);
}

/**
 * A seat moves to another time of its event type: it leaves its old time's ledger and takes a
 * seat in the new one's, in one write (old booking 1 + two ledgers + host days ≤ 2 + capped
 * periods ≤ 2 + guest fence 1 = 8 checks). The host's old meeting is written again without it.
 *
 * A collective time's seat (ADR 040, amended) moves here only to a time with a meeting
 * (`change.join`): it leaves its ledger and its meeting's coordinator and joins the new time's
 * by that ledger and coordinator (`joinSeat`) — old booking 1 + two ledgers + two coordinators +
 * capped periods ≤ 2 + guest fence 1 = 8 checks, whatever the number of members. To an empty
 * time it is the new meeting's first seat: a team commit (team.ts) that retires it.
 */
export function planSeatReschedule(
  s: Snapshot,
  change: Extract<Change, { kind: "reschedule" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const decided = decideOn(s, change, "cancel", rules, nowMs);
  if (!decided.ok) {
    // A seat already moved says so as "cancelled" (its guest's link then shows the new one).
    const moved = bookingOf(s, change.hostId)?.value.endReason === "rescheduled";
    return {
      ok: false,
      reason: moved && decided.reason !== "not_found" ? "cancelled" : decided.reason,
    };
  }
  const { current } = decided;
  const old = current.value;
  const seats = seatsOf(change.successor.eventType);
  // A seat moves to a seat: an event type no longer seated takes no moved seats. A collective
  // time's seat joins a meeting here; its move to an empty time is a team commit.
  if (!seats || change.assign || !!old.personIds !== !!change.join) {
    return { ok: false, reason: "not_supported" };
  }
  const draft = movedSeatRecord(old, change, rules, nowMs);
  if (isOwnTime(old, draft)) return { ok: false, reason: "same_time" };
  // Another length at its own start: the same time's ledger, where it holds a seat already.
  if (draft.startMs === old.startMs) return { ok: false, reason: "already_seated" };
  const retired = retiredRecord(old, change, draft.id, nowMs);
  const d = new Draft(s.keyOf);
  writeUpdatedBooking(d, current, retired);
  const freed = leaveSeat(d, s, old, nowMs);
  const taken = takeSeat(
    d,
    s,
    draft,
    seats.perTime,
    draft.id,
    rules,
    nowMs,
    new Set([old.id, draft.id]),
    freed,
    change.join?.coordinatorId,
  );
  if (!taken.ok) return taken;
  const successor = taken.booking;
  writeNewBooking(d, successor);
  writeExtras(d, change.extra);
  d.job(
    ...sideEffects(old, retired, nowMs),
    ...seatMovedJobs(old, nowMs),
    ...sideEffects(null, successor, nowMs),
  );
  // A joined meeting's members are held by it (its coordinator checked), not by their days.
  const claims = change.join ? [] : [{ personId: successor.hostId, iv: block(successor) }];
  return finishReschedule(d, s, successor, retired, claims, nowMs, limits);
}

/**
 * A moved seat's successor (moved, or picked when asked): a collective time's attends with the
 * members read at the new time (`joinSeat`). Another time is another meeting: a Jitsi seat takes
 * the new time's room or the fresh one the service drew (seatRoom), never the one it left.
 */
export function movedSeatRecord(
  old: BookingRecord,
  change: Extract<Change, { kind: "reschedule" | "rebook" }>,
  rules: EngineRules,
  nowMs: number,
): BookingRecord {
  const kept = successorRecord(old, change, rules, nowMs);
  const fresh = change.successor.location;
  const room = kept.location?.kind === "jitsi" && fresh?.kind === "jitsi"
    ? { ...kept, location: fresh }
    : kept;
  return change.join ? { ...room, personIds: [...change.join.personIds].sort() } : room;
}

/**
 * The old meeting loses a moved seat's guest (a moved booking's own effects write only the new):
 * in the calendar of its host — every member's, for a collective time — and by mail for one
 * without a calendar (the mail is skipped for one with: the written event is their copy, and the
 * successor's mail says the guest moved). A pending seat was never in the meeting.
 */
export function seatMovedJobs(old: BookingRecord, nowMs: number): PlannedJob[] {
  if (old.status !== "CONFIRMED") return [];
  return hostsOf(old).flatMap((personId) => {
    const who = personId ? { personId } : {};
    return [
      { payload: { kind: "writeback", op: "put", bookingId: old.id, ...who }, dueMs: nowMs },
      {
        payload: { kind: "booking_mail", mail: "host_seat_moved", bookingId: old.id, ...who },
        dueMs: nowMs,
      },
    ];
  });
}

/**
 * A seat's guest picks a new time after the host asked them to (rebook.ts): the seat left its
 * time when the host cancelled it, so its successor takes a seat in the new time's ledger like a
 * new guest's (joining the meeting there is), and the cancelled booking is linked to it in the
 * same write — old booking 1 + ledger 1 + host days ≤ 2 + capped periods ≤ 2 + guest fence 1 = 7
 * checks, whatever the number of seats. A collective time's seat joins a meeting here
 * (`change.join`, `joinSeat`): old booking 1 + ledger 1 + coordinator 1 + capped periods ≤ 2 +
 * guest fence 1 = 6, whatever the number of members; its pick of an empty time is a team commit.
 */
export function planSeatRebook(
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
  const seats = seatsOf(change.successor.eventType);
  // A collective time's seat joins a meeting here; its first seat needs every member's time
  // taken first (team protocol).
  if (!seats || !!old.personIds !== !!change.join) return { ok: false, reason: "not_supported" };
  const draft = movedSeatRecord(old, change, rules, nowMs);
  const d = new Draft(s.keyOf);
  const taken = takeSeat(
    d,
    s,
    draft,
    seats.perTime,
    draft.id,
    rules,
    nowMs,
    new Set([draft.id]),
    null,
    change.join?.coordinatorId,
  );
  if (!taken.ok) return taken;
  const successor = taken.booking;
  const result = finishRebook(d, current, successor, change, nowMs, limits);
  // A joined meeting's members are held by it (its coordinator checked), not by their days.
  const claims = change.join ? [] : [{ personId: successor.hostId, iv: block(successor) }];
  return orClear(result, s, claims, nowMs, limits);
}

/**
 * A seat's confirm, reject, cancel or expiry. Confirming firms the seat (the ledger checked, the
 * host's time checked like an addition: "expired" when the seat or the meeting's time is gone);
 * the others take the seat out of the ledger (checked, so a count never passes the seats), and
 * the last seat to go frees the host's time.
 */
export function planSeatTransition(
  s: Snapshot,
  change: Extract<Change, { kind: "transition" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const decided = decideOn(s, change, change.action, rules, nowMs);
  if (!decided.ok) return decided;
  const { current, t } = decided;
  const b = current.value;
  const next = nextOf(b, change, t, nowMs);
  const d = new Draft(s.keyOf);
  writeUpdatedBooking(d, current, next);
  let emptied = false;
  const read = guardOf<SeatLedgerRecord>(s, ledgerOf(b));
  const ledger = read.value;
  const live = liveSeats(ledger, nowMs);
  const mine = live.some((x) => x.id === b.id);
  const meetingId = b.seat!.meetingId;
  // A meeting its host is cancelling: no seat of it is confirmed any more.
  if (next.status === "CONFIRMED" && ledger?.closed) return { ok: false, reason: "cancelled" };
  if (next.status === "CONFIRMED" && ledger?.coordinatorId) {
    // A collective time's seat: the meeting's coordinator still holds every member's time.
    if (!mine || ledger.meetingId !== meetingId) return { ok: false, reason: "expired" };
    const seats = live.map((x) => x.id === b.id ? { ...x, h: null } : x);
    if (!guardMeeting(d, s, ledger.coordinatorId, seats, nowMs)) {
      return { ok: false, reason: "expired" };
    }
    const refused = firmCaps(d, s, b, rules);
    if (refused) return { ok: false, reason: refused };
    d.check(read);
    d.set(
      read.key,
      {
        ...ledger,
        seats: seats.map(tupleOf),
        seq: (ledger.seq ?? 0) + 1,
      } satisfies SeatLedgerRecord,
    );
    writeMeetingBusy(d, ledger, seats);
  } else if (next.status === "CONFIRMED") {
    if (!mine || ledger!.meetingId !== meetingId) return { ok: false, reason: "expired" };
    const listed = s.busy.find((x) => x.personId === b.hostId)?.entries ?? [];
    const days = busyKeys(b.hostId, { ...block(b), bookingId: meetingId });
    for (const k of days) {
      if (k.kind !== "busy") continue;
      const there = listed.some((e) =>
        e.value?.bookingId === meetingId && listedOn(s, b.hostId, k.day, e)
      );
      if (!there) return { ok: false, reason: "expired" };
    }
    const refused = claimTime(d, s, b.hostId, block(b), new Set([meetingId]), nowMs, "expired") ??
      firmCaps(d, s, b, rules);
    if (refused) return { ok: false, reason: refused };
    d.check(read);
    const seats = live.map((x) => x.id === b.id ? { ...x, h: null } : x);
    d.set(
      read.key,
      {
        ...ledger!,
        seats: seats.map(tupleOf),
        seq: (ledger?.seq ?? 0) + 1,
      } satisfies SeatLedgerRecord,
    );
    writeMeetingBusy(d, ledger!, seats);
  } else if (leaveSeat(d, s, b, nowMs)) {
    // The last seat of a meeting its host cancels: the host's calendar and mail, once.
    if (change.meeting) d.job(...meetingCancelledJobs(b, nowMs, change.pressedBy));
    // A guest's own cancel that took the last seat out: the host hears the meeting is empty.
    emptied = next.endReason === "cancelled_by_guest";
  }
  const claims = next.status === "CONFIRMED" ? [{ personId: b.hostId, iv: block(b) }] : [];
  return finishTransition(d, s, current, next, change, claims, nowMs, limits, emptied);
}

/**
 * The host's side of a seated meeting its host cancelled, queued by the write that takes its last
 * seat out (their per-seat ones are left out: transition.ts): their calendar, written as it now
 * stands (gone), and their mail — a collective time's for each member (`personId`).
 */
function meetingCancelledJobs(b: BookingRecord, nowMs: number, by?: string): PlannedJob[] {
  return hostsOf(b).flatMap((personId) => {
    const who = personId ? { personId } : {};
    return [
      { payload: { kind: "writeback", op: "put", bookingId: b.id, ...who }, dueMs: nowMs },
      {
        payload: {
          kind: "booking_mail",
          mail: "host_meeting_cancelled",
          bookingId: b.id,
          ...who,
          ...(by ? { by } : {}),
        },
        dueMs: nowMs,
      },
    ];
  });
}
