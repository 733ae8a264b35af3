/**
 * The booking invariant checked on a store after a race: no two live bookings (PENDING within
 * its hold, or CONFIRMED) of one person overlap, blocked time (buffers) included, for every
 * person a booking blocks (a collective booking's `personIds`). Seats of one meeting share their
 * time by design and are not an overlap.
 */
import { keys } from "../../src/lib/server/store/keys.ts";
import { isLiveBooking } from "../../src/lib/server/domain/booking.ts";
import { overlaps } from "../../src/lib/server/domain/interval.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";

export async function allBookings(kv: Deno.Kv): Promise<BookingRecord[]> {
  const out: BookingRecord[] = [];
  for await (const e of kv.list<BookingRecord>({ prefix: keys.bookingPrefix() })) out.push(e.value);
  return out;
}

/** Every overlapping pair of one person's live bookings, as `person: id × id` (none: `[]`). */
export function liveOverlaps(bookings: BookingRecord[], nowMs: number): string[] {
  const byPerson = new Map<string, BookingRecord[]>();
  for (const b of bookings) {
    if (!isLiveBooking(b, nowMs)) continue;
    for (const p of b.personIds ?? [b.hostId]) byPerson.set(p, [...(byPerson.get(p) ?? []), b]);
  }
  const out: string[] = [];
  for (const [p, list] of byPerson) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [x, y] = [list[i], list[j]];
        if (x.seat && y.seat && x.seat.meetingId === y.seat.meetingId) continue;
        if (
          overlaps(
            { startMs: x.blockStartMs, endMs: x.blockEndMs },
            { startMs: y.blockStartMs, endMs: y.blockEndMs },
          )
        ) out.push(`${p}: ${x.id} × ${y.id}`);
      }
    }
  }
  return out;
}

/** `liveOverlaps` of everything in the store. */
export async function overlapsIn(kv: Deno.Kv, nowMs: number): Promise<string[]> {
  return liveOverlaps(await allBookings(kv), nowMs);
}
