/**
 * One read for a crowd (issue 26): requests that need the same read at the same moment — the
 * losers of one slot looking at its person's day, their refusals looking up the newest bookings
 * at that time — join the read that has not begun yet instead of each making their own. A read
 * is joined only before it begins, so it begins after whatever each request that shares it has
 * already seen (the commit that woke it, the booking that refused it), and sees that too.
 */

/** Reads by what they read, each with the requests that joined it so far. */
export type JoinedReads<I, O> = Map<string, { items: I[]; read: Promise<O[]> }>;

/**
 * The microtasks a read waits before it begins. Not a timer: the requests one event wakes (a
 * signal, a refusal) reach here at about the same depth of promise reactions, so a few hops let
 * every one of them join; a timer's first tick came after the crowd's own turns, each one read
 * long, had outrun it on a busy box (50 waiting bookings each read on their own).
 */
const JOIN_HOPS = 4;

/**
 * `item`'s share of the read `id` names: joins the read not begun yet, or starts one that
 * `run` makes for every item joined by then (its answers in the items' order).
 */
export function joinRead<I, O>(
  reads: JoinedReads<I, O>,
  id: string,
  item: I,
  run: (items: I[]) => Promise<O[]>,
): Promise<O> {
  let joined = reads.get(id);
  if (!joined) {
    const items: I[] = [];
    joined = {
      items,
      read: (async () => {
        for (let hop = 0; hop < JOIN_HOPS; hop++) await null;
        reads.delete(id);
        return await run(items);
      })(),
    };
    reads.set(id, joined);
  }
  const i = joined.items.push(item) - 1;
  return joined.read.then((answers) => answers[i]);
}
