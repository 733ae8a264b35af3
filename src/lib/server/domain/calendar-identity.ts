/**
 * A meeting's identity in calendars, and which calendar document each party gets when.
 *
 * A calendar app keeps one event per UID and applies a document only if it is newer: a higher
 * SEQUENCE, or the same SEQUENCE with a later DTSTAMP (RFC 5546 §2.1.5). A reschedule creates
 * a successor booking, so the successor keeps its predecessor's UID and continues its sequence;
 * the old time then moves in every calendar instead of staying beside the new one.
 *
 * Sequences of one booking with base `s` (`sequence`, absent = 0):
 * - a tentative REQUEST (a moved meeting waiting for the host's confirmation): `s`;
 * - the confirmed REQUEST: `s + 1` after such a tentative one, else `s`;
 * - the CANCEL: `s + 2`, newer than anything this booking sent;
 * - a successor starts at `s + 2` (its predecessor never sends a CANCEL: it was moved).
 */
import type { BookingRecord, CalendarProviderKind, MailKind } from "./model/records.ts";

type Identity = Pick<BookingRecord, "id" | "icalUid" | "sequence" | "calendarIssued" | "history">;

export function meetingUid(b: Pick<BookingRecord, "id" | "icalUid">, hostname: string): string {
  return b.icalUid ?? `${b.id}@${hostname}`;
}

/** Whether some calendar may hold this meeting: it or a predecessor was confirmed. */
export function calendarMayHold(b: Identity): boolean {
  return b.calendarIssued === true || b.history.some((h) => h.status === "CONFIRMED");
}

/** A moved meeting that waits for confirmation is shown in calendars as tentative. */
function sentTentative(b: Identity): boolean {
  return b.calendarIssued === true && b.history[0].status === "PENDING";
}

export type CalendarDoc = {
  method: "REQUEST" | "CANCEL";
  status: "CONFIRMED" | "TENTATIVE" | "CANCELLED";
  sequence: number;
};

/** The document for a booking in the state named, or null when no calendar needs one. */
export function calendarDoc(
  b: Identity,
  state: "pending" | "confirmed" | "ended",
): CalendarDoc | null {
  const s = b.sequence ?? 0;
  if (state === "pending") {
    return sentTentative(b) ? { method: "REQUEST", status: "TENTATIVE", sequence: s } : null;
  }
  if (state === "confirmed") {
    return { method: "REQUEST", status: "CONFIRMED", sequence: s + (sentTentative(b) ? 1 : 0) };
  }
  return calendarMayHold(b) ? { method: "CANCEL", status: "CANCELLED", sequence: s + 2 } : null;
}

/** A seated time's meeting in calendars: one UID per meeting, whatever its seats. */
export function seatedMeetingUid(meetingId: string, hostname: string): string {
  return `${meetingId}@${hostname}`;
}

/**
 * The document a seat's host-side mail carries for its meeting (docs/decisions/040-seats.md,
 * amended): a host without a writeback calendar gets the seated time as one event under the
 * meeting's UID — its confirmed seats attending — updated by each seat's mail, never one event
 * per seat. A seat confirmed, or a confirmed seat leaving while others stay, sends the meeting
 * as it stands (REQUEST); the last confirmed seat leaving ends it (CANCEL). A seat never
 * confirmed was never in it: nothing.
 *
 * SEQUENCE: every write that changes a meeting's seats adds an entry to the history of one of
 * its seats (taken, confirmed, cancelled, expired, moved away), and a seat's own SEQUENCE only
 * grows (a new video link), so their sum over every seat the meeting ever had only grows with
 * each change — also when the time's ledger, whose change count the writeback uses, is gone
 * with the last seat. A mail read later is never older than one read before, whichever seat's
 * mail leaves first; two read at the same state carry the same meeting.
 */
export function seatedMeetingDoc(
  seat: BookingRecord,
  /** Every seat booking of the seat's event type at its start, in any state. */
  seatsAtTime: readonly BookingRecord[],
): { doc: CalendarDoc; confirmed: BookingRecord[] } | null {
  if (!seat.seat || !calendarMayHold(seat)) return null;
  const meetingId = seat.seat.meetingId;
  const seats = seatsAtTime.filter((x) => x.seat?.meetingId === meetingId);
  const confirmed = seats.filter((x) => x.status === "CONFIRMED");
  const sequence = seats.reduce((n, x) => n + x.history.length + (x.sequence ?? 0), 0);
  return {
    doc: confirmed.length
      ? { method: "REQUEST", status: "CONFIRMED", sequence }
      : { method: "CANCEL", status: "CANCELLED", sequence },
    confirmed,
  };
}

/** Identity fields of a reschedule successor of `pred`. */
export function successorIdentity(
  pred: BookingRecord,
  hostname: string,
): Pick<BookingRecord, "icalUid" | "sequence" | "calendarIssued"> {
  return {
    icalUid: meetingUid(pred, hostname),
    // Above everything the predecessor sent: its confirmation (at most +1), and, when it was
    // cancelled before this (the host asked for a new time), its CANCEL (+2) — an equal
    // SEQUENCE left the calendar to pick between the two by DTSTAMP, often the same second.
    sequence: (pred.sequence ?? 0) + (pred.status === "CANCELLED" ? 3 : 2),
    calendarIssued: calendarMayHold(pred),
  };
}

/** Mails to the host (or a team member) about a booking, as opposed to the guest's. */
const HOST_SIDE_MAILS: ReadonlySet<MailKind> = new Set<MailKind>([
  "host_request",
  "host_confirmed_copy",
  "host_booked",
  "host_cancelled",
  "host_expired",
  "host_seat_moved",
  "host_meeting_cancelled",
  "reminder_host",
  "member_request",
  "host_declined",
]);

/**
 * Whether a booking mail is the host's (or a team member's): read in their language and zone,
 * and any invitation in it is their calendar's entry — in their words, linking their dashboard,
 * never the guest's own page (whose link cancels or moves the booking without signing in).
 */
export function isHostSideMail(kind: MailKind): boolean {
  return HOST_SIDE_MAILS.has(kind);
}

/**
 * Whether a booking mail carries the meeting's calendar document (.ics), given where Invito
 * writes the reader's meetings (`writeback`: the provider of their writeback calendar, or null).
 * One meeting must be one event in each calendar (docs/decisions/031-one-meeting-one-invitation.md):
 * CalDAV resources and Google events carry the meeting's UID, so the .ics and the written event
 * are one meeting. Microsoft Graph cannot take a UID (`iCalUId` is read-only), so an .ics in the
 * host's mail would be a second meeting in their mailbox: the written event is the host's copy.
 * The guest's mails always carry it (the guest is no attendee of any written event).
 */
export function mailCarriesInvitation(
  kind: MailKind,
  writeback: CalendarProviderKind | null,
  /**
   * A seat of a seated meeting: the host's calendar holds the meeting once, under the meeting's
   * UID (docs/decisions/040-seats.md) — the written event where Invito writes their bookings,
   * else the meeting's invitation in each seat's mail (`seatedMeetingDoc`), never one per seat.
   */
  seat = false,
): boolean {
  if (HOST_SIDE_MAILS.has(kind) && seat) return writeback === null;
  return !(HOST_SIDE_MAILS.has(kind) && writeback === "microsoft");
}
