/**
 * Seats per time (docs/decisions/040-seats.md): the rules of a seated event type, pure. The
 * engine's seat module (booking-engine/seat.ts) decides with these; the page shows what they say.
 */
import type { BookingRecord, SeatLedgerRecord, SeatSettings, SeatTuple } from "./model/records.ts";
import { SEATS_MAX, SEATS_MIN } from "../../shared/seats.ts";

export { SEATS_MAX, SEATS_MIN };

/** A seat as the engine reads it (stored as a `SeatTuple`). */
export type Seat = { id: string; g: string; h: number | null };
export const seatOf = ([id, g, h]: SeatTuple): Seat => ({ id, g, h });
export const tupleOf = (x: Seat): SeatTuple => [x.id, x.g, x.h];

/** An event type's seats, when it offers them (a number in range; anything else: none). */
export function seatsOf(et: { seats?: SeatSettings | null }): SeatSettings | null {
  const s = et.seats;
  if (!s || !Number.isInteger(s.perTime) || s.perTime < SEATS_MIN || s.perTime > SEATS_MAX) {
    return null;
  }
  return s;
}

/**
 * A guest's tag in a ledger: a 53-bit hash of the address (lower case), so that 500 seats fit a
 * 64 KiB value whatever the addresses' length. Two addresses sharing a tag (about 1 in 10^13 per
 * pair) would be told that one of them already holds a seat: never that a seat is free twice.
 */
export function guestTag(email: string): string {
  const text = email.toLowerCase();
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * The tag of a seat whose guest was erased (ADR 022): the hash of an address is the address to
 * anyone who hashes a guess, so it goes too. No guest's tag equals it (tags are base 36), so the
 * seat still counts and nobody is taken for its guest.
 */
export const ERASED_GUEST_TAG = "-";

/**
 * Whether a booking is a seat of a collective time (ADR 040): it leaves its time through that
 * time's ledger and its meeting's coordinator, never as a plain team booking (whose retirement
 * drops its members' time and coordinator, which its meeting's other seats still hold). Its move
 * joins the new time's meeting, or starts it by the team protocol (services/team-seats.ts).
 */
export const isCollectiveSeat = (b: Pick<BookingRecord, "seat" | "personIds">): boolean =>
  !!b.seat && !!b.personIds;

/** The seats of a ledger that still hold at `nowMs` (firm, or pending within their hold). */
export function liveSeats(ledger: SeatLedgerRecord | null, nowMs: number): Seat[] {
  return ledger ? ledger.seats.map(seatOf).filter((x) => x.h === null || x.h > nowMs) : [];
}

/**
 * Whether a seat blocking `block` joins the meeting a ledger keeps: the seats of one time share
 * one meeting, so a seat of another length or buffers (an event type offering several lengths, or
 * one whose host changed them after the first seat) is none of its seats. The engine refuses it
 * as taken, and the page does not offer that time at that length.
 */
export function joinsMeeting(
  ledger: Pick<SeatLedgerRecord, "blockStartMs" | "blockEndMs">,
  block: { startMs: number; endMs: number },
): boolean {
  return ledger.blockStartMs === block.startMs && ledger.blockEndMs === block.endMs;
}

/** Seats still free at a time: the event type's number less the live seats of its ledger. */
export function seatsLeft(
  perTime: number,
  ledger: SeatLedgerRecord | null,
  nowMs: number,
): number {
  return Math.max(0, perTime - liveSeats(ledger, nowMs).length);
}

/**
 * How long a seated time blocks its host: firm while any seat is firm, else until the last
 * pending seat's hold ends. Null seats: the time is free.
 */
export function meetingHold(seats: Seat[]): number | null | undefined {
  if (seats.length === 0) return undefined;
  if (seats.some((x) => x.h === null)) return null;
  return Math.max(...seats.map((x) => x.h!));
}

/** How full an event type's seated times were (insights): over the times with a live seat. */
export type SeatFill = {
  /** Seated times with at least one live seat. */
  times: number;
  seatsTaken: number;
  /** times × seats per time */
  seatsOffered: number;
  /** Times with every seat taken. */
  fullTimes: number;
  /** The mean of each time's taken / seats per time, in percent (one decimal); 0 without times. */
  averageFillPct: number;
};

export function seatFill(
  ledgers: readonly SeatLedgerRecord[],
  perTime: number,
  nowMs: number,
): SeatFill {
  let times = 0, seatsTaken = 0, fullTimes = 0, fillSum = 0;
  for (const l of ledgers) {
    const taken = Math.min(perTime, liveSeats(l, nowMs).length);
    if (taken === 0) continue;
    times++;
    seatsTaken += taken;
    if (taken >= perTime) fullTimes++;
    fillSum += taken / perTime;
  }
  return {
    times,
    seatsTaken,
    seatsOffered: times * perTime,
    fullTimes,
    averageFillPct: times ? Math.round((fillSum / times) * 1000) / 10 : 0,
  };
}

/**
 * The host cancels a whole seated meeting (ADR 040, amended 2026-11-27): its ledger closed so no
 * seat joins it while its seats are cancelled one by one. Null: that meeting holds no time here
 * any more (the ledger is gone, or another meeting's). A closed ledger stays as it is.
 */
export function closedLedger(
  ledger: SeatLedgerRecord | null,
  meetingId: string,
  nowMs: number,
): SeatLedgerRecord | null {
  if (!ledger || ledger.meetingId !== meetingId) return null;
  return ledger.closed
    ? ledger
    : { ...ledger, closed: { atMs: nowMs, seats: liveSeats(ledger, nowMs).length } };
}

/**
 * The order a meeting's seats are cancelled in: pending ones first, the confirmed last, so the
 * write that ends the meeting is, while one is left, a seat the host's calendar holds (it sends
 * the meeting's CANCEL).
 */
export function cancelOrder(seats: readonly Seat[]): Seat[] {
  return [...seats.filter((x) => x.h !== null), ...seats.filter((x) => x.h === null)];
}
