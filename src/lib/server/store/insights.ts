/**
 * Insights counters: Deno.KvU64 values changed only by `sum` mutations, which need no check and
 * so never conflict — concurrent writers (requests, jobs, processes) all land, in any order. A
 * decrement is a sum of its two's complement (sums wrap modulo 2^64, documented KV behaviour);
 * readers take the value as a signed 64-bit integer.
 */
import { keys } from "./keys.ts";
import type { BookingRecord, InsightsProblemRecord } from "./records.ts";
import type { CountDelta, Family } from "../domain/insights.ts";

/** Sums per atomic write: far below remote KV's 1,000 mutations and 800 KiB (keys are short). */
export const SUMS_PER_WRITE = 500;
const WRAP = 1n << 64n;

export type OwnedDelta = CountDelta & { ownerId: string };

/** Adds the deltas, netting repeats of one key; one atomic write per SUMS_PER_WRITE keys. */
export async function addCounts(kv: Deno.Kv, deltas: OwnedDelta[]): Promise<void> {
  const net = new Map<string, { key: Deno.KvKey; n: number }>();
  for (const d of deltas) {
    const key = keys.insights(d.ownerId, d.family, d.day, d.eventTypeId, d.metric);
    const id = JSON.stringify(key);
    const cur = net.get(id);
    if (cur) cur.n += d.n;
    else net.set(id, { key, n: d.n });
  }
  const sums = [...net.values()].filter((s) => s.n !== 0);
  for (let i = 0; i < sums.length; i += SUMS_PER_WRITE) {
    const op = kv.atomic();
    for (const { key, n } of sums.slice(i, i + SUMS_PER_WRITE)) {
      op.sum(key, n > 0 ? BigInt(n) : WRAP + BigInt(n));
    }
    await op.commit();
  }
}

export type CountRow = { day: string; eventTypeId: string; metric: string; n: number };

/** Every counter of one family of an owner from `fromDay` to `toDay` (inclusive), one range scan. */
export async function readCounts(
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
      day: e.key[3] as string,
      eventTypeId: e.key[4] as string,
      metric: e.key[5] as string,
      n,
    });
  }
  return out;
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

/** Booking id → host id, for the given bookings (10 per read). */
export async function hostsOfBookings(kv: Deno.Kv, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<BookingRecord[]>(
      ids.slice(i, i + 10).map((id) => keys.booking(id)),
    );
    for (const g of got) if (g.value) out.set(g.value.id, g.value.hostId);
  }
  return out;
}
