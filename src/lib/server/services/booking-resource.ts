/**
 * A booking as programs see it: the JSON API's representation, which is also the `data.booking`
 * of every webhook. Instants are ISO-8601 UTC; the guest's wall time is given with its offset.
 */
import type { App } from "../app.ts";
import type { BookingRecord, EventTypeRecord } from "../store/records.ts";
import { getEventType } from "../store/event-types.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { bookingLinks } from "./booking-links.ts";
import { Temporal } from "../domain/temporal.ts";

export type BookingResource = {
  id: string;
  status: BookingRecord["status"];
  /** PENDING past its hold reads "expired" even before the expiry job ran. */
  state: "pending" | "confirmed" | "rejected" | "expired" | "cancelled";
  eventType: { id: string; slug: string | null; title: string };
  start: string;
  end: string;
  durationMin: number;
  /** The start as the guest's wall time, with offset and zone. */
  guestStart: string;
  hostTimeZone: string;
  guest: { name: string; email: string; timeZone: string; note: string };
  answers: { questionId: string; label: string; value: string }[];
  location: { kind: string; value: string } | null;
  createdAt: string;
  decidedAt: string | null;
  /** A pending request holds its time until then. */
  holdUntil: string | null;
  endReason: string | null;
  cancelReason: string | null;
  rescheduledFromId: string | null;
  rescheduledToId: string | null;
  /** Only in the answer to the guest who booked: their own links to view, cancel, reschedule. */
  links?: { manage: string; cancel: string; reschedule: string; ics: string };
};

/** "2026-11-23T08:00:00Z": instants as the booking page and the slots endpoint write them. */
export const isoInstant = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const iso = isoInstant;

export function bookingState(b: BookingRecord, nowMs: number): BookingResource["state"] {
  if (b.status === "PENDING") return isLiveBooking(b, nowMs) ? "pending" : "expired";
  if (b.status === "CONFIRMED") return "confirmed";
  if (b.status === "REJECTED") return "rejected";
  return b.endReason === "expired" ? "expired" : "cancelled";
}

export async function bookingResource(
  app: App,
  b: BookingRecord,
  opts: { guestLinks?: boolean; eventType?: EventTypeRecord | null } = {},
): Promise<BookingResource> {
  const et = opts.eventType !== undefined
    ? opts.eventType
    : await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  const out: BookingResource = {
    id: b.id,
    status: b.status,
    state: bookingState(b, app.now()),
    eventType: { id: b.eventTypeId, slug: et?.slug ?? null, title: b.eventTitle },
    start: iso(b.startMs),
    end: iso(b.endMs),
    durationMin: b.durationMin,
    guestStart: Temporal.Instant.fromEpochMilliseconds(b.startMs)
      .toZonedDateTimeISO(b.guestTimeZone).toString({ smallestUnit: "second" }),
    hostTimeZone: b.hostTimeZone,
    guest: {
      name: b.guestName,
      email: b.guestEmail,
      timeZone: b.guestTimeZone,
      note: b.guestNote,
    },
    answers: (b.answers ?? []).map((a) => ({
      questionId: a.questionId,
      label: a.label,
      value: a.value,
    })),
    location: b.location && b.location.kind !== "none"
      ? { kind: b.location.kind, value: b.location.value }
      : null,
    createdAt: iso(b.createdAtMs),
    decidedAt: b.decidedAtMs === null ? null : iso(b.decidedAtMs),
    holdUntil: b.status === "PENDING" && b.reservedUntilMs !== null ? iso(b.reservedUntilMs) : null,
    endReason: b.endReason,
    cancelReason: b.cancelReason ?? null,
    rescheduledFromId: b.rescheduledFromId ?? null,
    rescheduledToId: b.rescheduledToId ?? null,
  };
  if (opts.guestLinks) {
    const links = await bookingLinks(app, b);
    out.links = {
      manage: links.guest,
      cancel: links.cancel,
      reschedule: links.reschedule,
      ics: links.ics,
    };
  }
  return out;
}
