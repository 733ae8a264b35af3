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

/** Waits until every count started so far is written (or dropped). For tests and shutdown. */
export async function settleCounts(): Promise<void> {
  while (inFlight.size > 0) await Promise.all([...inFlight]);
}
