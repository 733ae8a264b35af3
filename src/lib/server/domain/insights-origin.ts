/**
 * Insights by origin, pure (issue 28): how each booking came — a guest on the booking page or
 * through the API, a single-use or one-off link, a poll's pick, the host booking for a guest, a
 * move by the host or by the guest, the guest's new time after the host asked for one, or an
 * admin's hand-over. Counted once per booking made (a move's successor included), on the day it
 * was made, as an `ev` metric.
 */
import type { BookingOrigin } from "./model/records.ts";
import type { CountDelta } from "./insights.ts";
import { originOf } from "./booking-origin.ts";

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
