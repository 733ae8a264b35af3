/**
 * Insights counters: Deno.KvU64 values changed only by `sum` mutations, which need no check and
 * so never conflict — concurrent writers (requests, jobs, processes) all land, in any order. A
 * decrement is a sum of its two's complement (sums wrap modulo 2^64, documented KV behaviour);
 * readers take the value as a signed 64-bit integer.
 *
 * Days more than two days back hardly ever change (a meeting cancelled after the fact, a count
 * that was in flight at midnight), so readers keep them in a per-process copy. Any write to such
 * a day also bumps the owner's epoch, in the same atomic write; a reader reads the epoch before
 * anything else and drops its copy when the epoch moved. The copy is therefore never stale, in
 * this process or behind another one sharing the KV.
 */
import { keys } from "./keys.ts";
import { commitOnce } from "./kv.ts";
import { getBookings } from "./bookings.ts";
import type {
  BookingRecord,
  InsightsBackfillRecord,
  InsightsProblemRecord,
} from "../domain/model/records.ts";
import type { CountDelta, Family } from "../domain/insights.ts";

/**
 * Sums per atomic write, within remote KV's 1,000 mutations by construction: each sum may bump
 * its host's epoch too (when every sum is another host's), and the write carries its receipt
 * (`commitOnce`): 499 + 499 + 1. Its bytes stay far below 800 KiB (keys are short).
 */
export const SUMS_PER_WRITE = 499;
const WRAP = 1n << 64n;
const DAY_MS = 86_400_000;

export type OwnedDelta = CountDelta & { ownerId: string };

const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Readers copy days before this: the UTC date two days ago (no zone's today is that old). */
export const copyBefore = (nowMs: number) => utcDate(nowMs - 2 * DAY_MS);
/** Writers bump the epoch for days before this: a day more than readers copy, for clock skew. */
const bumpBefore = (nowMs: number) => utcDate(nowMs - DAY_MS);

/**
 * Adds the deltas, netting repeats of one key; one atomic write per SUMS_PER_WRITE keys, each
 * carrying the epoch bump of the owners whose old days it changes.
 */
export async function addCounts(kv: Deno.Kv, deltas: OwnedDelta[], nowMs: number): Promise<void> {
  const sums = netted(deltas);
  const old = bumpBefore(nowMs);
  for (let i = 0; i < sums.length; i += SUMS_PER_WRITE) {
    const op = kv.atomic();
    const bumped = new Set<string>();
    for (const { key, owner, day, n } of sums.slice(i, i + SUMS_PER_WRITE)) {
      op.sum(key, n > 0 ? BigInt(n) : WRAP + BigInt(n));
      if (day < old && !bumped.has(owner)) {
        bumped.add(owner);
        op.sum(keys.insightsEpoch(owner), 1n);
      }
    }
    // Sums have nothing to check: a receipt keeps a resent write from adding twice.
    if (!(await commitOnce(kv, op)).ok) {
      throw new Error("a count write's answer broke; not written");
    }
  }
}

/** One sum per key: repeats of a key added up, zeros left out. */
function netted(deltas: OwnedDelta[]) {
  const net = new Map<string, { key: Deno.KvKey; owner: string; day: string; n: number }>();
  for (const d of deltas) {
    const key = keys.insights(d.ownerId, d.family, d.day, d.eventTypeId, d.metric);
    const id = JSON.stringify(key);
    const cur = net.get(id);
    if (cur) cur.n += d.n;
    else net.set(id, { key, owner: d.ownerId, day: d.day, n: d.n });
  }
  return [...net.values()].filter((s) => s.n !== 0);
}

/**
 * When counting began, set once by the first process that counts (or backfills). Bookings made
 * more than a minute before it were never counted live; the backfill counts them.
 */
export async function ensureCountingSince(
  kv: Deno.Kv,
  nowMs: number,
  /** Another kind of count's beginning: routing forms' (`insightsRoutingSince`). */
  key: Deno.KvKey = keys.insightsSince(),
): Promise<number> {
  const cur = await kv.get<number>(key);
  if (cur.value !== null) return cur.value;
  const res = await kv.atomic().check(cur).set(key, nowMs).commit();
  if (res.ok) return nowMs;
  return (await kv.get<number>(key)).value ?? nowMs;
}

/** When booking-page requests began to be counted apart (`EV.submittedOnPage`); null before. */
export async function getPageRequestsSince(kv: Deno.Kv): Promise<number | null> {
  return (await kv.get<number>(keys.insightsPageRequestsSince())).value;
}

/** When routing forms began to be counted per day; null before the first count. */
export async function getRoutingCountsSince(kv: Deno.Kv): Promise<number | null> {
  return (await kv.get<number>(keys.insightsRoutingSince())).value;
}

export async function getBackfill(
  kv: Deno.Kv,
): Promise<Deno.KvEntryMaybe<InsightsBackfillRecord>> {
  return await kv.get<InsightsBackfillRecord>(keys.insightsBackfill());
}

/**
 * Most sums one backfill write may carry: with an epoch bump per sum at most (every sum another
 * host's) and its progress, 499 + 499 + 1 mutations, within remote KV's 1,000 by construction.
 */
export const BACKFILL_SUMS = 499;

/**
 * One step of the backfill: its counts and its progress in a single atomic write, checked
 * against the progress it started from, so a step is counted exactly once.
 */
export async function commitBackfillStep(
  kv: Deno.Kv,
  from: Deno.KvEntryMaybe<InsightsBackfillRecord>,
  deltas: OwnedDelta[],
  next: InsightsBackfillRecord,
  nowMs: number,
): Promise<boolean> {
  const op = kv.atomic().check(from).set(keys.insightsBackfill(), next);
  const net = netted(deltas);
  if (net.length > BACKFILL_SUMS) throw new RangeError("backfill step too large");
  const old = bumpBefore(nowMs);
  const bumped = new Set<string>();
  for (const { key, owner, day, n } of net) {
    op.sum(key, n > 0 ? BigInt(n) : WRAP + BigInt(n));
    if (day < old && !bumped.has(owner)) {
      bumped.add(owner);
      op.sum(keys.insightsEpoch(owner), 1n);
    }
  }
  return (await op.commit()).ok;
}

/** Bookings in id order after `afterId`, `limit` at a time (for the backfill). */
export async function listBookingsAfter(
  kv: Deno.Kv,
  afterId: string | null,
  limit: number,
): Promise<BookingRecord[]> {
  const out: BookingRecord[] = [];
  // Ids are ULIDs: "" sorts before every one, U+FFFF after.
  const start = keys.booking(afterId === null ? "" : afterId + "\u0000");
  for await (
    const e of kv.list<BookingRecord>({ start, end: keys.booking("\uffff") }, { limit })
  ) out.push(e.value);
  return out;
}

export type CountRow = { day: string; eventTypeId: string; metric: string; n: number };

/** One family of an owner's counters over a span of days, with the days it covers. */
type Span = { from: string; to: string; rows: CountRow[] };
type Copy = { epoch: bigint; spans: Partial<Record<Family, Span>>; size: number };

/** Rows kept in copies across owners; the least recently read owner goes first. */
const MAX_COPIED_ROWS = 150_000;
const copies = new WeakMap<Deno.Kv, Map<string, Copy>>();
/** Day, event type and metric strings repeat across rows: one string each keeps copies small. */
const interned = new Map<string, string>();
const intern = (s: string) => {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size < 50_000) interned.set(s, s);
  return s;
};

/**
 * A reader of one owner's counters, consistent with the owner's epoch at the time it was opened:
 * open it once per page and read each family through it.
 */
export async function openCounts(kv: Deno.Kv, ownerId: string, nowMs: number) {
  const epoch = (await kv.get<Deno.KvU64>(keys.insightsEpoch(ownerId))).value?.value ?? 0n;
  let byOwner = copies.get(kv);
  if (!byOwner) copies.set(kv, byOwner = new Map());
  let copy = byOwner.get(ownerId);
  if (!copy || copy.epoch !== epoch) {
    copy = { epoch, spans: {}, size: 0 };
  }
  byOwner.delete(ownerId); // re-inserted last: most recently read
  byOwner.set(ownerId, copy);
  const own = copy;
  const limit = copyBefore(nowMs);

  return {
    /** Every counter of `family` from `fromDay` to `toDay` (inclusive). */
    async read(family: Family, fromDay: string, toDay: string): Promise<CountRow[]> {
      const out: CountRow[] = [];
      const lastCopyable = toDay < limit ? toDay : dayBefore(limit);
      if (fromDay <= lastCopyable) {
        let span = own.spans[family];
        if (!span || span.from > fromDay || span.to < lastCopyable) {
          // Read the stretch asked for, joined with the copied one when the two touch.
          const touches = !!span && span.from <= dayAfter(lastCopyable) &&
            span.to >= dayBefore(fromDay);
          const from = touches && span!.from < fromDay ? span!.from : fromDay;
          const to = touches && span!.to > lastCopyable ? span!.to : lastCopyable;
          const rows = await scan(kv, ownerId, family, from, to);
          own.size += rows.length - (span?.rows.length ?? 0);
          span = own.spans[family] = { from, to, rows };
          trim(byOwner!, ownerId);
        }
        for (const r of span.rows) if (r.day >= fromDay && r.day <= lastCopyable) out.push(r);
      }
      if (toDay >= limit) {
        out.push(...await scan(kv, ownerId, family, fromDay < limit ? limit : fromDay, toDay));
      }
      return out;
    },
  };
}

function trim(byOwner: Map<string, Copy>, keep: string) {
  let total = 0;
  for (const c of byOwner.values()) total += c.size;
  for (const [owner, c] of byOwner) {
    if (total <= MAX_COPIED_ROWS) break;
    if (owner === keep) continue;
    total -= c.size;
    byOwner.delete(owner);
  }
}

const dayShift = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const dayBefore = (day: string) => dayShift(day, -1);
const dayAfter = (day: string) => dayShift(day, 1);

/** Every counter of one family of an owner from `fromDay` to `toDay` (inclusive), one range scan. */
async function scan(
  kv: Deno.Kv,
  ownerId: string,
  family: Family,
  fromDay: string,
  toDay: string,
): Promise<CountRow[]> {
  const out: CountRow[] = [];
  const iter = kv.list<Deno.KvU64>({
    start: keys.insightsFrom(ownerId, family, fromDay),
    // Days are fixed-width ISO dates: every key of `toDay` sorts before `toDay` + U+FFFF.
    end: keys.insightsFrom(ownerId, family, toDay + "\uffff"),
  }, { batchSize: 1000 });
  for await (const e of iter) {
    const n = Number(BigInt.asIntN(64, e.value.value));
    if (n === 0) continue;
    out.push({
      day: intern(e.key[3] as string),
      eventTypeId: intern(e.key[4] as string),
      metric: intern(e.key[5] as string),
      n,
    });
  }
  return out;
}

/** The same counters read straight from KV, without the copy (tests compare the two). */
export function readCounts(
  kv: Deno.Kv,
  ownerId: string,
  family: Family,
  fromDay: string,
  toDay: string,
): Promise<CountRow[]> {
  return scan(kv, ownerId, family, fromDay, toDay);
}

/** Last writer wins: a plain set, no check (a problem report must never fail its job). */
export async function putProblem(
  kv: Deno.Kv,
  ownerId: string,
  rec: InsightsProblemRecord,
): Promise<void> {
  await kv.set(keys.insightsProblem(ownerId, rec.channel), rec);
}

export async function listProblems(kv: Deno.Kv, ownerId: string): Promise<InsightsProblemRecord[]> {
  const out: InsightsProblemRecord[] = [];
  for await (
    const e of kv.list<InsightsProblemRecord>({ prefix: keys.insightsProblemPrefix(ownerId) })
  ) out.push(e.value);
  return out;
}

/** Booking id → host id, for the given bookings. */
export async function hostsOfBookings(kv: Deno.Kv, ids: string[]): Promise<Map<string, string>> {
  return new Map((await getBookings(kv, ids)).map((b) => [b.id, b.hostId]));
}
