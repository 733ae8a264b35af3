/**
 * Bookings and the entries that guard them (docs/decisions/002-booking-engine.md): reads by
 * booking, host and period, and the upkeep of the guard entries. The engine's two store steps are
 * beside this file: `readSnapshot` (booking-snapshot.ts) and `commitPlan` (booking-commit.ts).
 */
import { type BookingId, keys, type PersonId, type UserId } from "./keys.ts";
import type {
  BookingRecord,
  BookingTokenRecord,
  BusyEntryRecord,
  CapEntryRecord,
  FenceRecord,
  GuestHoldRecord,
  OutboxRecord,
} from "../domain/model/records.ts";
import { enqueue } from "./outbox.ts";
import { utcDay } from "../domain/booking.ts";
import { guestKey, type Key } from "../domain/booking-engine/index.ts";
import { type Interval, overlaps } from "../domain/interval.ts";
import { list } from "./booking-snapshot.ts";
import { getValues } from "./kv.ts";

export async function listBusyEntries(
  kv: Deno.Kv,
  personId: PersonId,
  fromMs: number,
  toMs: number,
  nowMs: number,
  /** A booking being rescheduled does not block its own new time. */
  excludeBookingId?: string,
): Promise<BusyEntryRecord[]> {
  const out: BusyEntryRecord[] = [];
  if (toMs <= fromMs) return out;
  const seen = new Set<string>(excludeBookingId ? [excludeBookingId] : []);
  const range = { startMs: fromMs, endMs: toMs };
  for await (
    const e of kv.list<BusyEntryRecord>({
      start: keys.busyFrom(personId, utcDay(fromMs)),
      end: keys.busyFrom(personId, utcDay(toMs - 1) + "\uffff"),
    })
  ) {
    const x = e.value;
    if (seen.has(x.bookingId) || !overlaps(x, range)) continue;
    if (x.holdUntilMs !== null && x.holdUntilMs <= nowMs) continue;
    seen.add(x.bookingId);
    out.push(x);
  }
  return out;
}

/** The busy intervals of `listBusyEntries`, for showing slots. */
export async function listBusy(
  kv: Deno.Kv,
  personId: PersonId,
  fromMs: number,
  toMs: number,
  nowMs: number,
  excludeBookingId?: string,
): Promise<Interval[]> {
  return (await listBusyEntries(kv, personId, fromMs, toMs, nowMs, excludeBookingId)).map((x) => ({
    startMs: x.startMs,
    endMs: x.endMs,
  }));
}

/**
 * Removes a guest's pending-request entries with a host and their fence (their keys carry the
 * address: erasing the guest removes them). One write that checks the fence, so an entry added
 * meanwhile is never left without its fence. Removing them only frees the guest's count.
 */
export async function dropGuestHolds(kv: Deno.Kv, hostId: UserId, email: string): Promise<void> {
  const key = guestKey(email);
  for (let attempt = 0; attempt < 5; attempt++) {
    const fence = await kv.get<FenceRecord>(keys.guestHoldFence(hostId, key));
    const entries = await list<GuestHoldRecord>(kv, { prefix: keys.guestHoldPrefix(hostId, key) });
    if (!fence.versionstamp && entries.length === 0) return;
    // A guest holds a handful of live requests; stale ones go with their decisions.
    const op = kv.atomic().check(fence).delete(fence.key);
    for (const e of entries.slice(0, 900)) op.delete(e.key as Deno.KvKey);
    if ((await op.commit()).ok && entries.length <= 900) return;
  }
}

/**
 * Removes everything the booking engine keeps for a host nobody can book any more (a purged
 * account): their busy entries and fences, the cap entries and fences of their event types, and
 * their guests' pending-request entries and fences. Blind deletes in batches well within remote
 * KV's limits; a booking that was still live would lose its guard, so only closed accounts
 * (whose meetings ahead were cancelled through the engine) come here. Returns the keys deleted.
 */
export async function purgeHostEngineKeys(
  kv: Deno.Kv,
  hostId: UserId,
  eventTypeIds: Iterable<string>,
): Promise<number> {
  const prefixes: Key[] = [
    keys.bookingBySeriesHostPrefix(hostId),
    keys.busyPrefix(hostId),
    keys.busyFencePrefix(hostId),
    keys.guestHoldHostPrefix(hostId),
    keys.guestHoldFenceHostPrefix(hostId),
  ];
  for (const id of new Set(eventTypeIds)) {
    prefixes.push(keys.capEntryPrefix(id), keys.capFencePrefix(id), keys.seatLedgerPrefix(id));
  }
  let deleted = 0;
  for (const prefix of prefixes) {
    let batch: Deno.KvKey[] = [];
    const flush = async () => {
      const op = kv.atomic();
      for (const k of batch) op.delete(k);
      await op.commit();
      deleted += batch.length;
      batch = [];
    };
    for await (const e of kv.list({ prefix: prefix as Deno.KvKey })) {
      batch.push(e.key);
      if (batch.length === 500) await flush();
    }
    if (batch.length) await flush();
  }
  return deleted;
}

/** Live bookings of an event type per period key in [fromKey, toKey] (host-zone dates / ISO weeks). */
export async function countCapEntries(
  kv: Deno.Kv,
  eventTypeId: string,
  period: "day" | "week",
  fromKey: string,
  toKey: string,
  nowMs: number,
  excludeBookingId?: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (
    const e of kv.list<CapEntryRecord>({
      start: keys.capEntryPeriod(eventTypeId, period, fromKey),
      end: keys.capEntryPeriod(eventTypeId, period, toKey + "\uffff"),
    })
  ) {
    if (e.value.holdUntilMs !== null && e.value.holdUntilMs <= nowMs) continue;
    if (e.value.bookingId === excludeBookingId) continue;
    const k = String(e.key[3]);
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** A recurring series' occurrences, in time order (those whose records exist). */
export async function listSeriesBookings(
  kv: Deno.Kv,
  hostId: UserId,
  seriesId: string,
): Promise<BookingRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: keys.bookingBySeriesPrefix(hostId, seriesId) })) {
    ids.push(e.value);
  }
  // In time, not by number: a date moved past another keeps its number.
  return (await getBookings(kv, ids)).sort((x, y) => x.startMs - y.startMs);
}

export async function getBookingEntry(
  kv: Deno.Kv,
  id: BookingId,
): Promise<Deno.KvEntryMaybe<BookingRecord>> {
  return await kv.get<BookingRecord>(keys.booking(id));
}

export async function getBooking(kv: Deno.Kv, id: BookingId): Promise<BookingRecord | null> {
  return (await kv.get<BookingRecord>(keys.booking(id))).value;
}

/** Bookings by id (missing ones left out), in their order. */
export async function getBookings(
  kv: Deno.Kv,
  ids: readonly BookingId[],
): Promise<BookingRecord[]> {
  return await getValues<BookingRecord>(kv, ids.map((id) => keys.booking(id)));
}

export async function getTokenRecord(
  kv: Deno.Kv,
  tokenHash: string,
): Promise<BookingTokenRecord | null> {
  return (await kv.get<BookingTokenRecord>(keys.bookingToken(tokenHash))).value;
}

/** A host's bookings by start time, optionally from an instant on (and before another). */
export async function listHostBookings(
  kv: Deno.Kv,
  hostId: UserId,
  opts: { fromMs?: number; toMs?: number; limit?: number; reverse?: boolean } = {},
): Promise<BookingRecord[]> {
  const prefix = keys.bookingByHostStartPrefix(hostId);
  const selector: Deno.KvListSelector = opts.toMs !== undefined
    // Before `toMs` (exclusive): a start and an end key, both inside the host's prefix.
    ? {
      start: opts.fromMs === undefined ? prefix : keys.bookingByHostStartFrom(hostId, opts.fromMs),
      end: keys.bookingByHostStartFrom(hostId, opts.toMs),
    }
    : opts.fromMs === undefined
    ? { prefix }
    : { prefix, start: keys.bookingByHostStartFrom(hostId, opts.fromMs) };
  const ids: string[] = [];
  for await (const e of kv.list<string>(selector, { limit: opts.limit, reverse: opts.reverse })) {
    ids.push(e.value);
  }
  return await getBookings(kv, ids);
}

/** PENDING bookings whose hold ended at or before `nowMs`, oldest first. */
export async function listExpiredHolds(
  kv: Deno.Kv,
  nowMs: number,
  limit: number,
): Promise<BookingId[]> {
  const ids: BookingId[] = [];
  for await (
    const e of kv.list<string>({
      start: keys.bookingPendingByExpiryPrefix(),
      end: keys.bookingPendingByExpiryUntil(nowMs + 1),
    }, { limit })
  ) ids.push(e.value);
  return ids;
}

/** Removes index entries for a booking that is no longer pending (stale entries only). */
export async function dropExpiryIndex(kv: Deno.Kv, upToMs: number, id: BookingId): Promise<void> {
  for await (
    const e of kv.list<string>({
      start: keys.bookingPendingByExpiryPrefix(),
      end: keys.bookingPendingByExpiryUntil(upToMs + 1),
    })
  ) {
    if (e.value === id) await kv.delete(e.key);
  }
}

/** Coordinators whose deadline passed at or before `untilMs`, oldest first. */
export async function listStaleCoordinators(
  kv: Deno.Kv,
  untilMs: number,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({
      start: keys.coordinatorByUntilPrefix(),
      end: keys.coordinatorByUntilEnd(untilMs + 1),
    }, { limit })
  ) ids.push(e.value);
  return ids;
}

/**
 * Stores the video link a calendar provider made for a booking (issue 27), one SEQUENCE higher so
 * calendars take the invitation that carries it as an update, and queues `jobs` (the updated
 * invitation mails) in the same write. Checked against the record it read: a change that won the
 * race is read again (bounded). Returns the stored booking, or null when it is gone or already
 * has this link.
 */
export async function setMeetingLink(
  kv: Deno.Kv,
  id: BookingId,
  joinUrl: string,
  jobs: (b: BookingRecord) => OutboxRecord[],
): Promise<BookingRecord | null> {
  for (let i = 0; i < 10; i++) {
    const entry = await kv.get<BookingRecord>(keys.booking(id));
    const b = entry.value;
    if (!b?.location || b.location.value === joinUrl) return null;
    const next: BookingRecord = {
      ...b,
      location: { kind: b.location.kind, value: joinUrl },
      sequence: (b.sequence ?? 0) + 1,
    };
    const op = kv.atomic().check(entry).set(keys.booking(id), next);
    for (const job of jobs(next)) enqueue(op, job);
    if ((await op.commit()).ok) return next;
  }
  return null;
}
