/**
 * A booking's whole history as counter changes: its creation and every change up to an instant,
 * each on the host-zone day it happened, through the same `bookingDeltas` as live counting. The
 * backfill counts bookings from before counting began with it, and an import counts the bookings
 * it brings (their history happened elsewhere), each booking also once by how it came. Pure.
 */
import type { BookingRecord } from "./model/records.ts";
import { bookingDeltas, type BookingFacts, type CountDelta } from "./insights.ts";
import { zonedDay } from "./zone-days.ts";
import { originDelta } from "./insights-origin.ts";

/**
 * Whose counters a booking changes: a team booking counts for every member it belongs to (the
 * round-robin assignee, each attendee of a collective one), any other booking for its host.
 */
export function ownersOf(b: Pick<BookingRecord, "hostId" | "teamId" | "personIds">): string[] {
  return b.teamId ? (b.personIds ?? [b.hostId]) : [b.hostId];
}

/**
 * What a booking's history up to `beforeMs` adds to the counters, for each of its people
 * (`ownersOf`). Its events fall on the days of the zone it recorded; a team booking's (which
 * records the team's zone) on each member's own days, as live counting counts them: `zoneOf`
 * gives a member's zone (the booking's when it does not know it).
 */
export function historyDeltas(
  b: BookingRecord & { chainConfirmed?: boolean },
  beforeMs: number,
  zoneOf: (personId: string) => string | undefined = () => undefined,
): (CountDelta & { ownerId: string })[] {
  if (b.createdAtMs >= beforeMs || b.history.length === 0) return [];
  const out: (CountDelta & { ownerId: string })[] = [];
  for (const ownerId of ownersOf(b)) {
    const zone = (b.teamId ? zoneOf(ownerId) : undefined) ?? b.hostTimeZone;
    out.push(...ownHistoryDeltas(b, beforeMs, ownerId, zone));
  }
  return out;
}

function ownHistoryDeltas(
  b: BookingRecord & { chainConfirmed?: boolean },
  beforeMs: number,
  ownerId: string,
  zone: string,
): (CountDelta & { ownerId: string })[] {
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
    for (const d of bookingDeltas(prev, next, day)) out.push({ ...d, ownerId });
    // Made: counted once by how it came, as live counting does.
    if (i === 0) out.push({ ...originDelta(b, day), ownerId });
    prev = next;
  }
  return out;
}
