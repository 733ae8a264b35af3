/**
 * Bookings and the host ledgers that guard them. Every write here is one atomic operation
 * that checks the versionstamps of everything its decision was based on.
 */
import { keys, type BookingId, type UserId } from "./keys.ts";
import type {
  BookingRecord,
  BookingTokenRecord,
  GuestHoldsRecord,
  LedgerEntry,
  LedgerRecord,
  OutboxRecord,
} from "./records.ts";
import { enqueue } from "./outbox.ts";
import { isLive, utcDay, utcDaysTouched } from "../domain/booking.ts";
import { MAX_CHECKS } from "./kv.ts";

export type LedgerRead = { days: string[]; entries: Deno.KvEntryMaybe<LedgerRecord>[]; map: Map<string, LedgerEntry[]> };

export async function readLedgers(kv: Deno.Kv, hostId: UserId, startMs: number, endMs: number): Promise<LedgerRead> {
  const days = utcDaysTouched(startMs, endMs);
  // A booking is at most 720 min plus buffers, so it touches at most a few days (getMany takes 10).
  if (days.length > 5) throw new RangeError("interval spans too many days");
  const entries = await kv.getMany<LedgerRecord[]>(days.map((d) => keys.hostDay(hostId, d)));
  const map = new Map<string, LedgerEntry[]>();
  days.forEach((d, i) => map.set(d, entries[i].value?.entries ?? []));
  return { days, entries, map };
}

/** Live blocked intervals of a host that intersect [fromMs, toMs), from the ledgers (one range scan). */
export async function listBusy(
  kv: Deno.Kv,
  hostId: UserId,
  fromMs: number,
  toMs: number,
  nowMs: number,
): Promise<{ startMs: number; endMs: number }[]> {
  const out: { startMs: number; endMs: number }[] = [];
  const seen = new Set<string>();
  const iter = kv.list<LedgerRecord>({
    start: keys.hostDay(hostId, utcDay(fromMs)),
    end: keys.hostDay(hostId, utcDay(toMs - 1) + "\uffff"),
  });
  for await (const e of iter) {
    for (const x of e.value.entries) {
      if (!isLive(x, nowMs) || x.endMs <= fromMs || x.startMs >= toMs || seen.has(x.bookingId)) continue;
      seen.add(x.bookingId);
      out.push({ startMs: x.startMs, endMs: x.endMs });
    }
  }
  return out;
}

function writeLedgers(op: Deno.AtomicOperation, hostId: UserId, read: LedgerRead, next: Map<string, LedgerEntry[]>) {
  read.days.forEach((day, i) => {
    op.check(read.entries[i]);
    const entries = next.get(day) ?? [];
    if (entries.length === 0) op.delete(keys.hostDay(hostId, day));
    else op.set(keys.hostDay(hostId, day), { v: 1, entries } satisfies LedgerRecord);
  });
}

export type GuestHoldsWrite = { entry: Deno.KvEntryMaybe<GuestHoldsRecord>; next: GuestHoldsRecord };

export async function readGuestHolds(kv: Deno.Kv, hostId: UserId, email: string): Promise<Deno.KvEntryMaybe<GuestHoldsRecord>> {
  return await kv.get<GuestHoldsRecord>(keys.guestHolds(hostId, email.toLowerCase()));
}

function writeGuestHolds(op: Deno.AtomicOperation, w: GuestHoldsWrite | undefined): number {
  if (!w) return 0;
  op.check(w.entry);
  if (w.next.holds.length === 0) op.delete(w.entry.key);
  else op.set(w.entry.key, w.next);
  return 1;
}

export type NewBookingWrite = {
  guestHolds?: GuestHoldsWrite;
  booking: BookingRecord;
  tokens: { hash: string; record: BookingTokenRecord }[];
  ledgers: LedgerRead;
  nextLedgers: Map<string, LedgerEntry[]>;
  outbox: OutboxRecord[];
};

export async function insertBooking(kv: Deno.Kv, w: NewBookingWrite): Promise<boolean> {
  const b = w.booking;
  const op = kv.atomic().check({ key: keys.booking(b.id), versionstamp: null });
  writeLedgers(op, b.hostId, w.ledgers, w.nextLedgers);
  op.set(keys.booking(b.id), b).set(keys.bookingByHostStart(b.hostId, b.startMs, b.id), b.id);
  if (b.status === "PENDING" && b.reservedUntilMs !== null) op.set(keys.bookingPendingByExpiry(b.reservedUntilMs, b.id), b.id);
  for (const t of w.tokens) op.set(keys.bookingToken(t.hash), t.record);
  for (const job of w.outbox) enqueue(op, job);
  assertChecks(1 + w.ledgers.days.length + writeGuestHolds(op, w.guestHolds));
  try {
    return (await op.commit()).ok;
  } catch (err) {
    // Unknown outcome on remote KV: the booking key tells whether this write landed.
    if (err instanceof TypeError) throw err;
    const after = await kv.get<BookingRecord>(keys.booking(b.id));
    if (after.value) return true;
    throw err;
  }
}

export type TransitionWrite = {
  guestHolds?: GuestHoldsWrite;
  current: Deno.KvEntry<BookingRecord>;
  next: BookingRecord;
  ledgers: LedgerRead;
  nextLedgers: Map<string, LedgerEntry[]>;
  outbox: OutboxRecord[];
};

export async function updateBookingStatus(kv: Deno.Kv, w: TransitionWrite): Promise<boolean> {
  const cur = w.current.value;
  const op = kv.atomic().check(w.current).set(keys.booking(cur.id), w.next);
  writeLedgers(op, cur.hostId, w.ledgers, w.nextLedgers);
  if (cur.status === "PENDING" && cur.reservedUntilMs !== null && w.next.status !== "PENDING") {
    op.delete(keys.bookingPendingByExpiry(cur.reservedUntilMs, cur.id));
  }
  for (const job of w.outbox) enqueue(op, job);
  assertChecks(1 + w.ledgers.days.length + writeGuestHolds(op, w.guestHolds));
  try {
    return (await op.commit()).ok;
  } catch (err) {
    if (err instanceof TypeError) throw err;
    const after = await kv.get<BookingRecord>(keys.booking(cur.id));
    if (after.value && after.value.status === w.next.status && after.versionstamp !== w.current.versionstamp) return true;
    throw err;
  }
}

function assertChecks(n: number) {
  if (n > MAX_CHECKS) throw new Error(`atomic operation would carry ${n} checks`);
}

export async function getBookingEntry(kv: Deno.Kv, id: BookingId): Promise<Deno.KvEntryMaybe<BookingRecord>> {
  return await kv.get<BookingRecord>(keys.booking(id));
}

export async function getBooking(kv: Deno.Kv, id: BookingId): Promise<BookingRecord | null> {
  return (await kv.get<BookingRecord>(keys.booking(id))).value;
}

export async function getTokenRecord(kv: Deno.Kv, tokenHash: string): Promise<BookingTokenRecord | null> {
  return (await kv.get<BookingTokenRecord>(keys.bookingToken(tokenHash))).value;
}

/** A host's bookings by start time, optionally from an instant on. */
export async function listHostBookings(
  kv: Deno.Kv,
  hostId: UserId,
  opts: { fromMs?: number; limit?: number; reverse?: boolean } = {},
): Promise<BookingRecord[]> {
  const selector = opts.fromMs === undefined
    ? { prefix: keys.bookingByHostStartPrefix(hostId) }
    : { prefix: keys.bookingByHostStartPrefix(hostId), start: keys.bookingByHostStartFrom(hostId, opts.fromMs) };
  const ids: string[] = [];
  for await (const e of kv.list<string>(selector, { limit: opts.limit, reverse: opts.reverse })) ids.push(e.value);
  const out: BookingRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<BookingRecord[]>(ids.slice(i, i + 10).map((id) => keys.booking(id)));
    for (const g of got) if (g.value) out.push(g.value);
  }
  return out;
}

/** PENDING bookings whose hold ended at or before `nowMs`, oldest first. */
export async function listExpiredHolds(kv: Deno.Kv, nowMs: number, limit: number): Promise<BookingId[]> {
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
    const e of kv.list<string>({ start: keys.bookingPendingByExpiryPrefix(), end: keys.bookingPendingByExpiryUntil(upToMs + 1) })
  ) {
    if (e.value === id) await kv.delete(e.key);
  }
}
