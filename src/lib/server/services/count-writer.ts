/**
 * The insights counts' paced writer (services/insights-count.ts makes the counts): pending
 * counts per store, netted as they arrive and written one batch at a time.
 */
import type { App } from "../app.ts";
import { addCounts, ensureCountingSince, type OwnedDelta } from "../store/insights.ts";
import { keys } from "../store/keys.ts";
import { pauseUnlessSettling, trackCount } from "../ops/counts-in-flight.ts";

/**
 * While counts keep coming, a write starts at most every WRITE_EVERY_MS: a burst's counts of one
 * host and day net into one sum per counter, so a thousand bookings a second cost the store one
 * write of a few hundred sums a second instead of a write of ~5 sums per booking next to every
 * booking's commit (issue 26: the counts were 40 % of the writer's commits and a quarter of its
 * mutations under a burst of form posts). A count after a quiet second is written at once;
 * `settleCounts` (tests, jobs, shutdown) writes what is waiting without the pause.
 */
type Batch = {
  sums: Map<string, OwnedDelta>;
  waiting: number;
  done: Promise<void>;
  resolve: () => void;
};
type Writer = {
  next: Batch | null;
  running: boolean;
  now: () => number;
  since: boolean;
  /** When the last write started (monotonic clock: pacing, not a domain time). */
  lastWriteAt: number;
  /** The store was closed for good on purpose (`forgetCounts`). */
  forgotten: boolean;
};
const writers = new WeakMap<Deno.Kv, Writer>();
/** The writers an app started, whichever store it counted into (`forgetCounts`). */
const startedBy = new WeakMap<App, Writer[]>();
/** Apps whose stores were closed for good (`forgetCounts`); a count still on its way comes later. */
const forgotten = new WeakSet<App>();
const WRITE_EVERY_MS = 1_000;
/** A KV that cannot keep up: beyond this many waiting deltas, new counts are dropped. */
const MAX_WAITING = 100_000;

export function write(app: App, deltas: OwnedDelta[]): Promise<void> {
  if (deltas.length === 0) return Promise.resolve();
  const kv = app.kv;
  let w = writers.get(kv);
  if (!w) {
    writers.set(
      kv,
      w = {
        next: null,
        running: false,
        now: app.now,
        since: false,
        lastWriteAt: -Infinity,
        forgotten: forgotten.has(app),
      },
    );
    const started = startedBy.get(app);
    if (started) started.push(w);
    else startedBy.set(app, [w]);
  }
  if (w.forgotten) return Promise.resolve();
  if (!w.next) {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    w.next = { sums: new Map(), waiting: 0, done, resolve };
    void trackCount(done);
  }
  const batch = w.next;
  if (batch.waiting + deltas.length > MAX_WAITING) {
    console.warn(`[insights] ${deltas.length} count(s) dropped: the store is not keeping up`);
    return Promise.resolve();
  }
  batch.waiting += deltas.length;
  for (const d of deltas) {
    const id = `${d.ownerId}\u0000${d.family}\u0000${d.day}\u0000${d.eventTypeId}\u0000${d.metric}`;
    const cur = batch.sums.get(id);
    if (cur) cur.n += d.n;
    else batch.sums.set(id, { ...d });
  }
  if (!w.running) void drain(kv, w);
  // Queued: the caller goes on (a job delivering mails one after another must not wait out the
  // pause); `settleCounts` waits for the write.
  return Promise.resolve();
}

/**
 * An app's store closed for good on purpose, where nobody settles its counts first (a test's
 * end; a shutdown settles them instead, server.ts): counts still waiting for the stores the app
 * counted into go with it (its own, or one a test put in its place), and a write under way when
 * it closed fails without a word. A store that closes under the counts otherwise is still
 * reported, count by count: that would be a bug.
 */
export function forgetCounts(app: App): void {
  forgotten.add(app);
  for (const w of startedBy.get(app) ?? []) {
    w.forgotten = true;
    const batch = w.next;
    w.next = null;
    batch?.resolve();
  }
}

/** Whether `forgetCounts` was called for the app. */
export function countsForgotten(app: App): boolean {
  return forgotten.has(app);
}

async function drain(kv: Deno.Kv, w: Writer): Promise<void> {
  w.running = true;
  try {
    // Counts made in the same turn of the event loop join this first write.
    await Promise.resolve();
    while (w.next) {
      const pause = w.lastWriteAt + WRITE_EVERY_MS - performance.now();
      if (pause > 0) await pauseUnlessSettling(pause);
      // Forgotten meanwhile (`forgetCounts`): nothing left to write.
      const batch = w.next;
      if (!batch) break;
      w.next = null;
      w.lastWriteAt = performance.now();
      try {
        // Counting has begun before this process's first count lands (the backfill's boundary).
        // So has counting requests from booking pages apart (the funnel's, since this version).
        if (!w.since) {
          await ensureCountingSince(kv, w.now());
          await ensureCountingSince(kv, w.now(), keys.insightsPageRequestsSince());
          w.since = true;
        }
        await addCounts(kv, [...batch.sums.values()], w.now());
      } catch (err) {
        if (!w.forgotten) {
          console.warn(`[insights] ${batch.waiting} count(s) dropped:`, errorText(err));
        }
      }
      batch.resolve();
    }
  } finally {
    w.running = false;
  }
}

/** What a dropped count is logged with. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
