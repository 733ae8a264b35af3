/**
 * A booking's whole history as counter changes: its creation and every change up to an instant,
 * each on the host-zone day it happened, through the same `bookingDeltas` as live counting. The
 * backfill counts bookings from before counting began with it, and an import counts the bookings
 * it brings (their history happened elsewhere), each booking also once by how it came. Pure.
 */
import type { BookingRecord } from "./model/records.ts";
import { bookingDeltas, type BookingFacts, type CountDelta, zonedDay } from "./insights.ts";
import { originDelta } from "./insights-origin.ts";

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
    const day = zonedDay(atMs, zone);
    for (const d of bookingDeltas(prev, next, day)) out.push({ ...d, ownerId: b.hostId });
    // Made: counted once by how it came, as live counting does.
    if (i === 0) out.push({ ...originDelta(b, day), ownerId: b.hostId });
    prev = next;
  }
  return out;
}
