/**
 * The query strings of a booking page's links (every day, every time, the month arrows). What
 * every link of the page carries is built once per page, and each link puts its own parameters
 * in between: once per link was a top item of a cold render's allocations (issue 26).
 */
export type LinkQuery = { head: string; tail: string; tailKeys: ReadonlySet<string> };

/**
 * `head` comes before a link's own parameters, `tail` (and the raw `extra`) after them; a name
 * the tail has too keeps the tail's value, as when the whole query was set in that order.
 */
export function linkQuery(
  head: Iterable<[string, string]>,
  tail: Iterable<[string, string]>,
  extra = "",
): LinkQuery {
  const h = new URLSearchParams();
  for (const [k, v] of head) h.set(k, v);
  const t = new URLSearchParams();
  for (const [k, v] of tail) t.set(k, v);
  const tailText = `${t}${extra ? `&${extra}` : ""}`;
  return { head: `${h}`, tail: tailText ? `&${tailText}` : "", tailKeys: new Set(t.keys()) };
}

/** One link's query: the page's head, the link's own parameters (empty ones left out), the tail. */
export function queryFor(q: LinkQuery, params: Record<string, string | null>): string {
  const own = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v && !q.tailKeys.has(k)) own.set(k, v);
  const ownText = `${own}`;
  return `${q.head}${ownText ? `&${ownText}` : ""}${q.tail}`;
}
