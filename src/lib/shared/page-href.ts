/**
 * Links to the page a reader is on, with some choices changed (language, clock, zone). The page
 * may be a form's answer at the form's address (`?/book&date=…`, a post without JavaScript
 * refused): SvelteKit's action key (any key starting with "/") is left out, or every such link
 * would carry `?%2Fbook=` into the next address.
 */
export function pageHref(url: URL, set: Record<string, string | null>): string {
  const q = new URLSearchParams(url.search);
  for (const k of [...q.keys()]) if (k.startsWith("/")) q.delete(k);
  for (const [k, v] of Object.entries(set)) {
    if (v === null) q.delete(k);
    else q.set(k, v);
  }
  return q.size ? `${url.pathname}?${q}` : url.pathname;
}
