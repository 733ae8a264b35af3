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
import type { BookingRecord } from "../store/records.ts";

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

/** Identity fields of a reschedule successor of `pred`. */
export function successorIdentity(
  pred: BookingRecord,
  hostname: string,
): Pick<BookingRecord, "icalUid" | "sequence" | "calendarIssued"> {
  return {
    icalUid: meetingUid(pred, hostname),
    sequence: (pred.sequence ?? 0) + 2,
    calendarIssued: calendarMayHold(pred),
  };
}
