/**
 * A seated time's ledger and its meeting's busy time (docs/decisions/040-seats.md), shared by the
 * seat changes (seat.ts), a collective time's later seats (team-seat.ts) and the first seat's
 * team commit (team.ts).
 */
import type {
  BookingRecord,
  BusyEntryRecord,
  CoordinatorRecord,
  SeatLedgerRecord,
} from "../model/records.ts";
import { guestTag, meetingHold, type Seat } from "../seats.ts";
import type { Entry } from "../model/entries.ts";
import type { Draft } from "./draft.ts";
import { busyKeys, coordinatorMap } from "./busy.ts";
import type { Snapshot } from "./types.ts";

/**
 * A seated time is one meeting with one Jitsi room (docs/decisions/042-meeting-locations.md): a
 * seat whose place is Jitsi takes the room the ledger keeps, or — the time's first Jitsi seat —
 * brings its own freshly drawn one, which the ledger then keeps (`room`).
 */
export function seatRoom(
  ledger: SeatLedgerRecord | null,
  b: BookingRecord,
): { booking: BookingRecord; room?: string } {
  const mine = b.location?.kind === "jitsi" ? b.location.value : undefined;
  const room = ledger?.room ?? mine;
  if (!room) return { booking: b };
  return {
    booking: mine ? { ...b, location: { kind: "jitsi", value: room } } : b,
    room,
  };
}

export const ledgerOf = (b: Pick<BookingRecord, "eventTypeId" | "startMs">): Entry => ({
  kind: "seatLedger",
  eventTypeId: b.eventTypeId,
  startMs: b.startMs,
});

/** Where a ledger's meeting is stored as busy time: each person's entry per UTC day. */
function meetingKeys(ledger: SeatLedgerRecord): Entry[] {
  const iv = {
    startMs: ledger.blockStartMs,
    endMs: ledger.blockEndMs,
    bookingId: ledger.meetingId,
  };
  return (ledger.personIds ?? [ledger.hostId]).flatMap((p) => busyKeys(p, iv));
}

/**
 * The meeting's busy entry of a seated time — the host's, or every member's of a collective
 * one — derived from the ledger alone and written by every write that changes the ledger's seats:
 * firm while a seat is firm, else until the last pending seat's hold; none without seats.
 * Shortening it needs no check (it only frees time: the seats it lists are a subset of those the
 * entry was written for, so its hold never grows). `previous`: the ledger this one replaces
 * (its seats all lapsed), whose entries go first — the host may have changed the length or
 * buffers meanwhile, or a collective time's first seat names a new meeting — so a replaced
 * meeting never leaves a block under keys nothing derives any more.
 */
export function writeMeetingBusy(
  d: Draft,
  ledger: SeatLedgerRecord,
  seats: Seat[],
  previous?: SeatLedgerRecord | null,
) {
  if (previous) d.deleteAll(meetingKeys(previous));
  const hold = meetingHold(seats);
  const ks = meetingKeys(ledger);
  if (hold === undefined) {
    d.deleteAll(ks);
    return;
  }
  const value: BusyEntryRecord = {
    v: 1,
    bookingId: ledger.meetingId,
    startMs: ledger.blockStartMs,
    endMs: ledger.blockEndMs,
    holdUntilMs: hold,
    eventTypeId: ledger.eventTypeId,
    seated: true,
    ...(ledger.coordinatorId ? { coordinatorId: ledger.coordinatorId } : {}),
  };
  for (const k of ks) d.set(k, value);
}

/**
 * A collective seated time's coordinator (ADR 040), checked and given the meeting's hold (firm
 * while a seat is firm, else the last pending seat's; `released` once no seat is left): a writer
 * taking the meeting's expired hold over checks it too, so the two never both land. Null when
 * the meeting's time was given up (released, abandoned or gone).
 */
export function guardMeeting(
  d: Draft,
  s: Snapshot,
  coordinatorId: string,
  seats: Seat[],
  nowMs: number,
): true | null {
  const cv = coordinatorMap(s).get(coordinatorId);
  const c = cv?.value;
  if (!cv || !c || c.state !== "committed") return null;
  d.check(cv);
  const hold = meetingHold(seats);
  d.set(
    cv.key,
    (hold === undefined
      ? { ...c, state: "released", holdUntilMs: nowMs }
      : { ...c, holdUntilMs: hold }) satisfies CoordinatorRecord,
  );
  return true;
}

/**
 * The ledger of the first seat of a collective seated time, written by its team commit
 * (team.ts): the members and the coordinator that took their time, and the seat.
 */
export function firstSeatLedger(
  b: BookingRecord,
  coordinatorId: string,
  personIds: string[],
  previous: SeatLedgerRecord | null,
): SeatLedgerRecord {
  return {
    v: 1,
    meetingId: b.id,
    eventTypeId: b.eventTypeId,
    hostId: b.hostId,
    startMs: b.startMs,
    blockStartMs: b.blockStartMs,
    blockEndMs: b.blockEndMs,
    seats: [[b.id, guestTag(b.guestEmail), b.status === "PENDING" ? b.reservedUntilMs : null]],
    seq: (previous?.seq ?? 0) + 1,
    personIds,
    coordinatorId,
    // A new meeting: the first seat's own room is the time's (seatRoom).
    ...(b.location?.kind === "jitsi" ? { room: b.location.value } : {}),
  };
}
