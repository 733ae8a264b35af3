/**
 * Insight counts on their way to KV (services/insights-count.ts), in one set shared by every copy
 * of this module: server.ts imports src/, the SvelteKit build has its own copy, and shutdown (in
 * server.ts) must wait for the counts the build's copy started before it closes KV. A module of
 * its own so that server.ts does not load the counting code's whole graph a second time.
 */
const KEY = Symbol.for("invito.insightsInFlight");
const inFlight: Set<Promise<void>> =
  ((globalThis as { [KEY]?: Set<Promise<void>> })[KEY] ??= new Set());

/** Keeps `p` (which never rejects) in the set until it settles. */
export function trackCount(p: Promise<void>): Promise<void> {
  inFlight.add(p);
  return p.finally(() => inFlight.delete(p));
}

const SHARED = Symbol.for("invito.insightsPauses");
type Pauses = { wakers: Set<() => void>; settling: number };
const pauses: Pauses = ((globalThis as { [SHARED]?: Pauses })[SHARED] ??= {
  wakers: new Set(),
  settling: 0,
});

/**
 * Waits `ms`, or less when `settleCounts` runs meanwhile: the pause of a writer that paces its
 * writes (services/insights-count.ts), which a test, a job or shutdown must not sit through.
 */
export function pauseUnlessSettling(ms: number): Promise<void> {
  if (pauses.settling > 0) return Promise.resolve();
  return new Promise((done) => {
    const wake = () => {
      clearTimeout(timer);
      pauses.wakers.delete(wake);
      done();
    };
    const timer = setTimeout(wake, ms);
    pauses.wakers.add(wake);
  });
}

/** Waits until every count started so far is written (or dropped). For tests and shutdown. */
export async function settleCounts(): Promise<void> {
  pauses.settling++;
  try {
    while (inFlight.size > 0) {
      for (const wake of [...pauses.wakers]) wake();
      await Promise.all([...inFlight]);
    }
  } finally {
    pauses.settling--;
  }
}
