/**
 * A booking's whole history as counter changes: its creation and every change up to an instant,
 * each on the host-zone day it happened, through the same `bookingDeltas` as live counting. The
 * backfill counts bookings from before counting began with it, and an import counts the bookings
 * it brings (their history happened elsewhere). Pure.
 */
import type { BookingRecord } from "./model/records.ts";
import { bookingDeltas, type BookingFacts, type CountDelta, zonedDay } from "./insights.ts";

/** What a booking's history up to `beforeMs` adds to the counters. */
export function historyDeltas(
  b: BookingRecord & { chainConfirmed?: boolean },
  beforeMs: number,
): (CountDelta & { ownerId: string })[] {
  if (b.createdAtMs >= beforeMs || b.history.length === 0) return [];
  const zone = b.hostTimeZone;
  const out: (CountDelta & { ownerId: string })[] = [];
  const facts = (i: number): BookingFacts => {
    const status = b.history[i].status;
    // Ending states are final: only the last entry can be one, and the record says why.
    const ended = status === "REJECTED" || status === "CANCELLED";
    return { ...b, status, endReason: ended ? b.endReason : null };
  };
  let prev: BookingFacts | null = null;
  for (let i = 0; i < b.history.length; i++) {
    const atMs = i === 0 ? b.createdAtMs : b.history[i].atMs;
    if (atMs >= beforeMs) break;
    const next = facts(i);
    for (const d of bookingDeltas(prev, next, zonedDay(atMs, zone))) {
      out.push({ ...d, ownerId: b.hostId });
    }
    prev = next;
  }
  return out;
}
