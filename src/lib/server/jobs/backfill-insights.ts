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
import { historyDeltas, ownersOf } from "../domain/insights-history.ts";
import { getUser } from "../store/users.ts";
import type { UserId } from "../store/keys.ts";
import { withChain } from "../services/insights-count.ts";

/** Live counting may lag a booking by seconds; older than this before counting began: ours. */
const MARGIN_MS = 60_000;
const PAGE = 100;

export async function backfillInsights(
  app: App,
  nowMs: number,
  budgetMs = 20_000,
): Promise<{ counted: number; done: boolean }> {
  const started = Date.now();
  const since = await ensureCountingSince(app.kv, nowMs);
  let counted = 0;
  const zones = new Map<string, string | null>();
  const zoneOf = async (id: string) => {
    if (!zones.has(id)) zones.set(id, (await getUser(app.kv, id as UserId))?.timeZone ?? null);
  };
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
      // A team booking's members count on their own days, as live counting does.
      if (b.teamId) { for (const id of ownersOf(b)) await zoneOf(id); }
      const more = historyDeltas(
        await withChain(app.kv, b),
        since - MARGIN_MS,
        (id) => zones.get(id) ?? undefined,
      );
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
