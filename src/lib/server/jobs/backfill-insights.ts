/**
 * Counts the bookings made before insights counting began, once, so a host who upgrades sees
 * their history at once: each booking's creation and every change in its history up to then,
 * through the same `bookingDeltas` as live counting. Page views and deliveries were never
 * recorded and stay uncounted.
 *
 * Resumable and exact: each step commits its counts together with its progress in one atomic
 * write checked against the progress it read, so a crash or a second runner never counts a
 * booking twice. Changes after counting began are left to the live counts (sums commute).
 */
import type { App } from "../app.ts";
import {
  BACKFILL_SUMS,
  commitBackfillStep,
  ensureCountingSince,
  getBackfill,
  listBookingsAfter,
  type OwnedDelta,
} from "../store/insights.ts";
import type { BookingRecord } from "../store/records.ts";
import { bookingDeltas, type BookingFacts, zonedDay } from "../domain/insights.ts";

/** Live counting may lag a booking by seconds; older than this before counting began: ours. */
const MARGIN_MS = 60_000;
const PAGE = 100;

/** What a booking's history up to `beforeMs` adds to the counters. */
export function historyDeltas(b: BookingRecord, beforeMs: number): OwnedDelta[] {
  if (b.createdAtMs >= beforeMs || b.history.length === 0) return [];
  const zone = b.hostTimeZone;
  const out: OwnedDelta[] = [];
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

export async function backfillInsights(
  app: App,
  nowMs: number,
  budgetMs = 20_000,
): Promise<{ counted: number; done: boolean }> {
  const started = Date.now();
  const since = await ensureCountingSince(app.kv, nowMs);
  let counted = 0;
  while (Date.now() - started < budgetMs) {
    const progress = await getBackfill(app.kv);
    const state = progress.value ?? { v: 1, after: null, done: false, counted: 0 };
    if (state.done) return { counted, done: true };
    const page = await listBookingsAfter(app.kv, state.after, PAGE);
    // As many bookings as fit one write; at least one (a booking's history is small).
    const deltas: OwnedDelta[] = [];
    let last: string | null = state.after;
    let n = 0;
    for (const b of page) {
      const more = historyDeltas(b, since - MARGIN_MS);
      if (n > 0 && deltas.length + more.length > BACKFILL_SUMS) break;
      deltas.push(...more);
      last = b.id;
      if (more.length) n++;
    }
    const done = page.length < PAGE && last === (page[page.length - 1]?.id ?? state.after);
    const ok = await commitBackfillStep(app.kv, progress, deltas, {
      v: 1,
      after: last,
      done,
      counted: state.counted + n,
    }, app.now());
    if (!ok) continue; // another runner moved on: read its progress
    counted += n;
    if (done) return { counted, done: true };
  }
  return { counted, done: false };
}
