/**
 * Bookings and the host ledgers that guard them. Every write here is one atomic operation
 * that checks the versionstamps of everything its decision was based on.
 */
import { type BookingId, keys, type UserId } from "./keys.ts";
import type {
  BookingRecord,
  BookingTokenRecord,
  CapCounterRecord,
  GuestHoldsRecord,
  LedgerEntry,
  LedgerRecord,
  OutboxRecord,
} from "./records.ts";
import { enqueue } from "./outbox.ts";
import { isLive, utcDay, utcDaysTouched } from "../domain/booking.ts";
import { MAX_CHECKS } from "./kv.ts";

export type LedgerRead = {
  days: string[];
  entries: Deno.KvEntryMaybe<LedgerRecord>[];
  map: Map<string, LedgerEntry[]>;
};

export async function readLedgers(
  kv: Deno.Kv,
  hostId: UserId,
  startMs: number,
  endMs: number,
): Promise<LedgerRead> {
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
  /** A booking being rescheduled does not block its own new time. */
  excludeBookingId?: string,
): Promise<{ startMs: number; endMs: number }[]> {
  const out: { startMs: number; endMs: number }[] = [];
  const seen = new Set<string>(excludeBookingId ? [excludeBookingId] : []);
  const iter = kv.list<LedgerRecord>({
    start: keys.hostDay(hostId, utcDay(fromMs)),
    end: keys.hostDay(hostId, utcDay(toMs - 1) + "\uffff"),
  });
  for await (const e of iter) {
    for (const x of e.value.entries) {
      if (!isLive(x, nowMs) || x.endMs <= fromMs || x.startMs >= toMs || seen.has(x.bookingId)) {
        continue;
      }
      seen.add(x.bookingId);
      out.push({ startMs: x.startMs, endMs: x.endMs });
    }
  }
  return out;
}

/** Live ledger entries of a host that intersect [fromMs, toMs), each once, with its booking id. */
export async function listBusyEntries(
  kv: Deno.Kv,
  hostId: UserId,
  fromMs: number,
  toMs: number,
  nowMs: number,
): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  const seen = new Set<string>();
  for await (
    const e of kv.list<LedgerRecord>({
      start: keys.hostDay(hostId, utcDay(fromMs)),
      end: keys.hostDay(hostId, utcDay(toMs - 1) + "\uffff"),
    })
  ) {
    for (const x of e.value.entries) {
      if (!isLive(x, nowMs) || x.endMs <= fromMs || x.startMs >= toMs || seen.has(x.bookingId)) {
        continue;
      }
      seen.add(x.bookingId);
      out.push(x);
    }
  }
  return out;
}

/** Bookings by id (missing ones left out), ten per read. */
export async function getBookings(
  kv: Deno.Kv,
  ids: readonly BookingId[],
): Promise<BookingRecord[]> {
  const out: BookingRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<BookingRecord[]>(
      ids.slice(i, i + 10).map((id) => keys.booking(id)),
    );
    for (const g of got) if (g.value) out.push(g.value);
  }
  return out;
}

function writeLedgers(
  op: Deno.AtomicOperation,
  hostId: UserId,
  read: LedgerRead,
  next: Map<string, LedgerEntry[]>,
) {
  read.days.forEach((day, i) => {
    op.check(read.entries[i]);
    const entries = next.get(day) ?? [];
    if (entries.length === 0) op.delete(keys.hostDay(hostId, day));
    else op.set(keys.hostDay(hostId, day), { v: 1, entries } satisfies LedgerRecord);
  });
}

/**
 * A write that depends on a value read earlier: checked by versionstamp, then replaced (or
 * deleted when `next` is null). Used for the per-guest hold list and the per-day/week caps.
 */
export type GuardedWrite = { entry: Deno.KvEntryMaybe<unknown>; next: unknown | null };

export async function readGuestHolds(
  kv: Deno.Kv,
  hostId: UserId,
  email: string,
): Promise<Deno.KvEntryMaybe<GuestHoldsRecord>> {
  return await kv.get<GuestHoldsRecord>(keys.guestHolds(hostId, email.toLowerCase()));
}

export async function readCapCounters(
  kv: Deno.Kv,
  eventTypeId: string,
  day: string,
  week: string,
): Promise<[Deno.KvEntryMaybe<CapCounterRecord>, Deno.KvEntryMaybe<CapCounterRecord>]> {
  const [d, w] = await kv.getMany<[CapCounterRecord, CapCounterRecord]>([
    keys.eventTypeCap(eventTypeId, "day", day),
    keys.eventTypeCap(eventTypeId, "week", week),
  ]);
  return [d, w];
}

/** Cap counters of an event type whose period key lies in [from, to] (host-zone dates / ISO weeks). */
export async function listCapCounters(
  kv: Deno.Kv,
  eventTypeId: string,
  period: "day" | "week",
  from: string,
  to: string,
): Promise<Map<string, CapCounterRecord>> {
  const out = new Map<string, CapCounterRecord>();
  for await (
    const e of kv.list<CapCounterRecord>({
      start: keys.eventTypeCap(eventTypeId, period, from),
      end: keys.eventTypeCap(eventTypeId, period, to + "\uffff"),
    })
  ) out.set(String(e.key[3]), e.value);
  return out;
}

/** Reads the ledgers of the given UTC days (one read per day, at most 10 per call). */
export async function readLedgerDays(
  kv: Deno.Kv,
  hostId: UserId,
  days: string[],
): Promise<LedgerRead> {
  const unique = [...new Set(days)].sort();
  if (unique.length > 8) throw new RangeError("too many ledger days");
  const entries = await kv.getMany<LedgerRecord[]>(unique.map((d) => keys.hostDay(hostId, d)));
  const map = new Map<string, LedgerEntry[]>();
  unique.forEach((d, i) => map.set(d, entries[i].value?.entries ?? []));
  return { days: unique, entries, map };
}

/**
 * What a new booking is decided on, in one read: the host's ledgers of the UTC days it touches
 * and the guest's list of pending holds with that host.
 */
export async function readBookingGuards(
  kv: Deno.Kv,
  hostId: UserId,
  days: string[],
  guestEmail: string,
): Promise<{ ledgers: LedgerRead; guestHolds: Deno.KvEntryMaybe<GuestHoldsRecord> }> {
  const unique = [...new Set(days)].sort();
  if (unique.length > 8) throw new RangeError("too many ledger days");
  const got = await kv.getMany<unknown[]>([
    ...unique.map((d) => keys.hostDay(hostId, d)),
    keys.guestHolds(hostId, guestEmail.toLowerCase()),
  ]);
  const entries = got.slice(0, unique.length) as Deno.KvEntryMaybe<LedgerRecord>[];
  const map = new Map<string, LedgerEntry[]>();
  unique.forEach((d, i) => map.set(d, entries[i].value?.entries ?? []));
  return {
    ledgers: { days: unique, entries, map },
    guestHolds: got[unique.length] as Deno.KvEntryMaybe<GuestHoldsRecord>,
  };
}

/**
 * Everything one booking decision writes, committed at once: bookings created (checked absent)
 * or updated (checked unchanged), ledgers, guarded counters, tokens, indexes and outbox jobs.
 */
export type BookingChange = {
  hostId: UserId;
  created: BookingRecord[];
  updated: { current: Deno.KvEntry<BookingRecord>; next: BookingRecord }[];
  ledgers: LedgerRead;
  nextLedgers: Map<string, LedgerEntry[]>;
  guarded?: GuardedWrite[];
  tokens?: { hash: string; record: BookingTokenRecord }[];
  outbox: OutboxRecord[];
  /** Caller-supplied writes that ride in the same commit (e.g. an Idempotency-Key record). */
  extra?: ExtraWrite[];
};

/**
 * A write a caller adds to a booking change so it lands (or not) with it. `expectAbsent` makes
 * the whole commit depend on the key not existing yet: a second change under the same
 * Idempotency-Key cannot commit, whatever raced or crashed before it.
 */
export type ExtraWrite = {
  key: Deno.KvKey;
  value: unknown;
  expectAbsent?: boolean;
  expireInMs?: number;
};

/** Whether a commit failed because an `expectAbsent` extra key exists now (the change was made). */
export async function extraTaken(kv: Deno.Kv, extra: ExtraWrite[] | undefined): Promise<boolean> {
  const keysToCheck = (extra ?? []).filter((x) => x.expectAbsent).map((x) => x.key);
  if (keysToCheck.length === 0) return false;
  const got = await kv.getMany(keysToCheck);
  return got.some((e) => e.versionstamp !== null);
}

export async function commitBookingChange(kv: Deno.Kv, c: BookingChange): Promise<boolean> {
  const op = kv.atomic();
  let checks = 0;
  for (const b of c.created) {
    op.check({ key: keys.booking(b.id), versionstamp: null });
    checks++;
    op.set(keys.booking(b.id), b).set(keys.bookingByHostStart(b.hostId, b.startMs, b.id), b.id);
    if (b.status === "PENDING" && b.reservedUntilMs !== null) {
      op.set(keys.bookingPendingByExpiry(b.reservedUntilMs, b.id), b.id);
    }
  }
  for (const { current, next } of c.updated) {
    const cur = current.value;
    op.check(current).set(keys.booking(cur.id), next);
    checks++;
    if (cur.status === "PENDING" && cur.reservedUntilMs !== null && next.status !== "PENDING") {
      op.delete(keys.bookingPendingByExpiry(cur.reservedUntilMs, cur.id));
    }
  }
  writeLedgers(op, c.hostId, c.ledgers, c.nextLedgers);
  checks += c.ledgers.days.length;
  const seen = new Set<string>();
  for (const g of c.guarded ?? []) {
    const id = JSON.stringify(g.entry.key);
    if (seen.has(id)) throw new Error(`guarded write twice for ${id}`);
    seen.add(id);
    op.check(g.entry);
    checks++;
    if (g.next === null) op.delete(g.entry.key);
    else op.set(g.entry.key, g.next);
  }
  for (const t of c.tokens ?? []) op.set(keys.bookingToken(t.hash), t.record);
  for (const job of c.outbox) enqueue(op, job);
  for (const x of c.extra ?? []) {
    if (x.expectAbsent) {
      op.check({ key: x.key, versionstamp: null });
      checks++;
    }
    op.set(x.key, x.value, x.expireInMs ? { expireIn: x.expireInMs } : undefined);
  }
  assertChecks(checks);
  try {
    return (await op.commit()).ok;
  } catch (err) {
    // Unknown outcome on remote KV: re-read whether this write landed instead of retrying it.
    if (err instanceof TypeError) throw err;
    const probe = c.created[0]
      ? await kv.get<BookingRecord>(keys.booking(c.created[0].id))
      : await kv.get<BookingRecord>(keys.booking(c.updated[0].current.value.id));
    if (
      c.created[0]
        ? probe.value !== null
        : probe.versionstamp !== c.updated[0].current.versionstamp &&
          probe.value?.status === c.updated[0].next.status
    ) return true;
    throw err;
  }
}

function assertChecks(n: number) {
  if (n > MAX_CHECKS) throw new Error(`atomic operation would carry ${n} checks`);
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

export async function getTokenRecord(
  kv: Deno.Kv,
  tokenHash: string,
): Promise<BookingTokenRecord | null> {
  return (await kv.get<BookingTokenRecord>(keys.bookingToken(tokenHash))).value;
}

/** A host's bookings by start time, optionally from an instant on. */
export async function listHostBookings(
  kv: Deno.Kv,
  hostId: UserId,
  opts: { fromMs?: number; limit?: number; reverse?: boolean } = {},
): Promise<BookingRecord[]> {
  const selector = opts.fromMs === undefined ? { prefix: keys.bookingByHostStartPrefix(hostId) } : {
    prefix: keys.bookingByHostStartPrefix(hostId),
    start: keys.bookingByHostStartFrom(hostId, opts.fromMs),
  };
  const ids: string[] = [];
  for await (const e of kv.list<string>(selector, { limit: opts.limit, reverse: opts.reverse })) {
    ids.push(e.value);
  }
  const out: BookingRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<BookingRecord[]>(
      ids.slice(i, i + 10).map((id) => keys.booking(id)),
    );
    for (const g of got) if (g.value) out.push(g.value);
  }
  return out;
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
