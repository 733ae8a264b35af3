/**
 * Insight counts on their way to KV (services/insights-count.ts), in one state shared by every
 * copy of this module: server.ts imports src/, the SvelteKit build has its own copy, and
 * shutdown (in server.ts) must wait for the counts the build's copy started before it closes
 * KV. A module of its own so that server.ts does not load the counting code's whole graph a
 * second time.
 */
const KEY = Symbol.for("invito.insightsInFlight");
/** The counts under way, the paced writers' pauses, and how many `settleCounts` are running. */
type Shared = { inFlight: Set<Promise<void>>; wakers: Set<() => void>; settling: number };
const shared: Shared = ((globalThis as { [KEY]?: Shared })[KEY] ??= {
  inFlight: new Set(),
  wakers: new Set(),
  settling: 0,
});
const { inFlight } = shared;

/** Keeps `p` (which never rejects) in the set until it settles. */
export function trackCount(p: Promise<void>): Promise<void> {
  inFlight.add(p);
  return p.finally(() => inFlight.delete(p));
}

/**
 * Waits `ms`, or less when `settleCounts` runs meanwhile: the pause of a writer that paces its
 * writes (services/insights-count.ts), which a test, a job or shutdown must not sit through.
 */
export function pauseUnlessSettling(ms: number): Promise<void> {
  if (shared.settling > 0) return Promise.resolve();
  return new Promise((done) => {
    const wake = () => {
      clearTimeout(timer);
      shared.wakers.delete(wake);
      done();
    };
    const timer = setTimeout(wake, ms);
    shared.wakers.add(wake);
  });
}

/** Waits until every count started so far is written (or dropped). For tests and shutdown. */
export async function settleCounts(): Promise<void> {
  shared.settling++;
  try {
    while (inFlight.size > 0) {
      for (const wake of [...shared.wakers]) wake();
      await Promise.all([...inFlight]);
    }
  } finally {
    shared.settling--;
  }
}
