/**
 * Insights by origin, pure (issue 28): how each booking came — a guest on the booking page or
 * through the API, a single-use or one-off link, a poll's pick, the host booking for a guest, a
 * move by the host or by the guest, the guest's new time after the host asked for one, or an
 * admin's hand-over. Counted once per booking made (a move's successor included), on the day it
 * was made, as an `ev` metric.
 */
import type { BookingOrigin, BookingRecord } from "./model/records.ts";
import type { CountDelta } from "./insights.ts";

/** In the order the insights chart lists them. */
export const ORIGINS = [
  "guest",
  "api",
  "link",
  "poll",
  "for_guest",
  "host_move",
  "guest_move",
  "rebook",
  "handover",
] as const satisfies readonly BookingOrigin[];

/** `ev` metric prefix: "by.guest", "by.poll", … */
export const ORIGIN_METRIC = "by.";

/**
 * How a booking came: what it recorded (a poll's pick, a new time after the host asked), else
 * what its other fields tell — a successor was moved by whoever made it; a booking through a
 * single-use link came by that link; one the host made was booked for the guest.
 */
export function originOf(
  b: Pick<BookingRecord, "origin" | "rescheduledFromId" | "singleUseLinkId"> & {
    history: readonly { by: string }[];
  },
): BookingOrigin {
  if (b.origin) return b.origin;
  const byHost = b.history[0]?.by === "host";
  if (b.rescheduledFromId) return byHost ? "host_move" : "guest_move";
  if (byHost) return "for_guest";
  return b.singleUseLinkId ? "link" : "guest";
}

/** What a booking made adds to the origin counts, on the host-zone `day` it was made. */
export function originDelta(
  b: Parameters<typeof originOf>[0] & { eventTypeId: string },
  day: string,
): CountDelta {
  return {
    family: "ev",
    day,
    eventTypeId: b.eventTypeId,
    metric: ORIGIN_METRIC + originOf(b),
    n: 1,
  };
}
