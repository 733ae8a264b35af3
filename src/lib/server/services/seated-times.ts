/**
 * A seated time as its host sees it (docs/decisions/040-seats.md): the meeting, its seats per
 * time and the live seats with their guests — one answer for the dashboard's row of a seated
 * time and the API's attendee list, read from the time's ledger (its live seats) and their
 * bookings.
 */
import type { App } from "../app.ts";
import type { BookingRecord, EventTypeRecord } from "../domain/model/records.ts";
import { liveSeats, seatsOf } from "../domain/seats.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { getSeatLedger } from "../store/seats.ts";
import { getBookings, listHostBookings } from "../store/bookings.ts";
import { getEventType } from "../store/event-types.ts";
import type { HostBookingRow } from "./host-bookings.ts";

export type SeatedTime = {
  meetingId: string;
  eventTypeId: string;
  startMs: number;
  /** Seats per time (null: the event type no longer offers seats). */
  capacity: number | null;
  /** The live seats (pending within their hold, or confirmed), in the order they were taken. */
  attendees: BookingRecord[];
};

/**
 * The live seats of the meeting `seat` belongs to. A seat whose meeting is over (its ledger gone
 * or another meeting's) has none but, when it is itself live, its own.
 */
export async function seatedTimeOf(
  app: App,
  seat: BookingRecord,
  et: EventTypeRecord | null,
): Promise<SeatedTime> {
  const nowMs = app.now();
  const meetingId = seat.seat!.meetingId;
  const ledger = await getSeatLedger(app.kv, seat.eventTypeId, seat.startMs);
  const ids = ledger && ledger.meetingId === meetingId
    ? liveSeats(ledger, nowMs).map((x) => x.id)
    : [];
  const attendees = (await getBookings(app.kv, ids)).filter((b) => isLiveBooking(b, nowMs));
  return {
    meetingId,
    eventTypeId: seat.eventTypeId,
    startMs: seat.startMs,
    capacity: et ? seatsOf(et)?.perTime ?? null : null,
    attendees,
  };
}

/**
 * Every seat of `seat`'s event type at its start, in any state (cancelled and moved ones too):
 * what the host's mailed invitation of its meeting is derived from (domain/calendar-identity.ts
 * `seatedMeetingDoc`). Read from the host's bookings at that instant, not the ledger, which
 * lists only live seats and is gone once the last one leaves.
 */
export async function seatsAtTime(app: App, seat: BookingRecord): Promise<BookingRecord[]> {
  const there = await listHostBookings(app.kv, seat.hostId, {
    fromMs: seat.startMs,
    toMs: seat.startMs + 1,
  });
  return there.filter((b) => b.seat && b.eventTypeId === seat.eventTypeId);
}

/** A seated time in the host's booking list: one row with its seats (issue 25). */
export type SeatedTimeRow = {
  meetingId: string;
  eventTitle: string;
  startMs: number;
  /** Waiting while a seat waits for the host, upcoming while one is confirmed ahead, else past. */
  group: HostBookingRow["group"];
  hostWhen: HostBookingRow["hostWhen"];
  /** Seats per time (null: the event type no longer offers seats, or is gone). */
  capacity: number | null;
  /** Live seats (pending or confirmed). */
  taken: number;
  /** Every listed seat of the time, in the order they were booked, with what the viewer may do. */
  attendees: Pick<
    HostBookingRow,
    "id" | "guestName" | "guestEmail" | "state" | "canDecide" | "canCancel" | "group"
  >[];
};

/**
 * A host's list with each seated time's seats folded into one row: the rows that are no seat,
 * and the seated times (in the list's order of their first seat).
 */
export async function foldSeatedRows(
  app: App,
  rows: HostBookingRow[],
): Promise<{ rows: HostBookingRow[]; seated: SeatedTimeRow[] }> {
  const plain: HostBookingRow[] = [];
  const byMeeting = new Map<string, HostBookingRow[]>();
  for (const r of rows) {
    if (!r.seat) {
      plain.push(r);
      continue;
    }
    const list = byMeeting.get(r.seat.meetingId) ?? [];
    list.push(r);
    byMeeting.set(r.seat.meetingId, list);
  }
  const types = new Map<string, EventTypeRecord | null>();
  const seated: SeatedTimeRow[] = [];
  for (const [meetingId, seats] of byMeeting) {
    const first = seats[0];
    const k = `${first.seat!.ownerId}/${first.seat!.eventTypeId}`;
    if (!types.has(k)) {
      types.set(k, await getEventType(app.kv, first.seat!.ownerId, first.seat!.eventTypeId));
    }
    const et = types.get(k)!;
    const ordered = [...seats].sort((a, b) => a.id.localeCompare(b.id));
    // Seats taken are the time's, from its ledger: the rows are what the list shows (a filter,
    // a search), and "1 of 5" under "Cancelled" read as a time with four seats free.
    const ledger = await getSeatLedger(app.kv, first.seat!.eventTypeId, first.startMs);
    const taken = ledger && ledger.meetingId === meetingId
      ? liveSeats(ledger, app.now()).length
      : ordered.filter((x) => x.state === "pending" || x.state === "confirmed").length;
    seated.push({
      meetingId,
      eventTitle: first.eventTitle,
      startMs: first.startMs,
      group: seats.some((x) => x.group === "pending")
        ? "pending"
        : seats.some((x) => x.group === "upcoming")
        ? "upcoming"
        : "past",
      hostWhen: first.hostWhen,
      capacity: et ? seatsOf(et)?.perTime ?? null : null,
      taken,
      attendees: ordered.map((x) => ({
        id: x.id,
        guestName: x.guestName,
        guestEmail: x.guestEmail,
        state: x.state,
        canDecide: x.canDecide,
        canCancel: x.canCancel,
        group: x.group,
      })),
    });
  }
  return { rows: plain, seated };
}
