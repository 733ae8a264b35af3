/**
 * A host's (or a team's) bookings by start time, a page at a time, for the JSON API's lists:
 * resumes after the last (start, id) it returned, so pages stay stable while bookings are added.
 * A cursor at or past `toMs` (or `fromMs` past it) names an empty range: no bookings, the list
 * is exhausted.
 */
import { keys, type TeamId, type UserId } from "./keys.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import { getBookings } from "./bookings.ts";

export type BookingScan = {
  after?: [number, string];
  fromMs?: number;
  toMs?: number;
  scanLimit: number;
};
export type BookingScanPage = {
  bookings: BookingRecord[];
  last: [number, string] | null;
  exhausted: boolean;
};

export async function listHostBookingsAfter(
  kv: Deno.Kv,
  hostId: UserId,
  opts: BookingScan,
): Promise<BookingScanPage> {
  return await listByStartAfter(kv, {
    prefix: keys.bookingByHostStartPrefix(hostId),
    at: (startMs, id) => keys.bookingByHostStart(hostId, startMs, id),
    from: (startMs) => keys.bookingByHostStartFrom(hostId, startMs),
  }, opts);
}

/** A team's bookings by start time (its index holds them all, whoever hosts each). */
export async function listTeamBookingsAfter(
  kv: Deno.Kv,
  teamId: TeamId,
  opts: BookingScan,
): Promise<BookingScanPage> {
  return await listByStartAfter(kv, {
    prefix: keys.teamBookingPrefix(teamId),
    at: (startMs, id) => keys.teamBooking(teamId, startMs, id),
    from: (startMs) => keys.teamBookingFrom(teamId, startMs),
  }, opts);
}

/** One index of bookings by (start, id) under `prefix`: its keys' third part is the start. */
async function listByStartAfter(
  kv: Deno.Kv,
  index: {
    prefix: Deno.KvKey;
    at: (startMs: number, id: string) => Deno.KvKey;
    from: (startMs: number) => Deno.KvKey;
  },
  opts: BookingScan,
): Promise<BookingScanPage> {
  const prefix = index.prefix;
  // Resume after the cursor, unless `from` lies beyond it (a cursor of a wider list).
  const after = opts.after && (opts.fromMs === undefined || opts.after[0] >= opts.fromMs)
    ? opts.after
    : undefined;
  const lowMs = after ? after[0] : opts.fromMs;
  // Nothing starts at or after the start and before `to` (Deno KV refuses a start past the end).
  if (lowMs !== undefined && opts.toMs !== undefined && lowMs >= opts.toMs) {
    return { bookings: [], last: null, exhausted: true };
  }
  const start = after
    ? index.at(after[0], after[1])
    : opts.fromMs !== undefined
    ? index.from(opts.fromMs)
    : undefined;
  const end = opts.toMs !== undefined ? index.from(opts.toMs) : undefined;
  const selector = start && end
    ? { start, end }
    : start
    ? { prefix, start }
    : end
    ? { prefix, end }
    : { prefix };
  const ids: { startMs: number; id: string }[] = [];
  let exhausted = true;
  for await (const e of kv.list<string>(selector, { limit: opts.scanLimit + 1 })) {
    const startMs = e.key[2] as number;
    const id = e.value;
    if (after && startMs === after[0] && id === after[1]) continue;
    if (ids.length === opts.scanLimit) {
      exhausted = false;
      break;
    }
    ids.push({ startMs, id });
  }
  const bookings = await getBookings(kv, ids.map((x) => x.id));
  const lastId = ids.at(-1);
  return { bookings, last: lastId ? [lastId.startMs, lastId.id] : null, exhausted };
}

/** Bookings of a host that start exactly at `startMs` (a reschedule or a new booking's slot). */
export async function listHostBookingsAt(
  kv: Deno.Kv,
  hostId: UserId,
  startMs: number,
): Promise<BookingRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: keys.bookingByHostStartFrom(hostId, startMs) })) {
    ids.push(e.value);
    if (ids.length >= 10) break;
  }
  return await getBookings(kv, ids);
}

/**
 * The newest bookings (at most ten: one read of their records) that start exactly at `startMs`
 * in a host's list or a team's: a booking just made is among them, however many older ones
 * were cancelled at that time (`listHostBookingsAt` takes the oldest ten).
 */
export async function listNewestBookingsAt(
  kv: Deno.Kv,
  list: { hostId: UserId } | { teamId: TeamId },
  startMs: number,
): Promise<BookingRecord[]> {
  const prefix = "teamId" in list
    ? keys.teamBookingFrom(list.teamId, startMs)
    : keys.bookingByHostStartFrom(list.hostId, startMs);
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix }, { reverse: true, limit: 10 })) {
    ids.push(e.value);
  }
  return await getBookings(kv, ids);
}
