/**
 * What the page cache (page-cache.ts) and the refused-post templates (refusal-pages.ts) share:
 * which routes are booking pages, how a signed-in request is told apart, the caches' bounds and
 * the CSP nonce a kept page gets afresh for each answer.
 */
import { readsParam } from "$lib/shared/page-href.ts";

export const ROUTES = new Set([
  "/calendar/[username]/[slug]",
  "/widget/[username]/[slug]",
  "/team/[team]/[slug]",
  "/widget/team/[team]/[slug]",
]);
/**
 * The part of a booking page's query its answer depends on, as asked: the parameters the page
 * reads (values, repeats and order untouched: the load reads them as they come) and SvelteKit's
 * own (`x-sveltekit-invalidated` makes a data request another answer). Ad links carry a click id
 * of their own per visitor (`fbclid`, `gclid`); keyed by the whole query, every such visitor
 * rendered the page again and pushed a kept page out.
 */
export function pageQueryKey(url: URL): string {
  const q = new URLSearchParams();
  for (const [k, v] of url.searchParams) {
    if (readsParam(k) || k.startsWith("x-sveltekit-")) q.append(k, v);
  }
  return q.size ? `?${q}` : "";
}

export const SESSION_COOKIE = /(^|;\s*)(__Secure-)?authjs\.session-token=/;
export const MAX_ENTRIES = 200;
export const MAX_BYTES = 16 * 1024 * 1024;

export const NONCE = /'nonce-([^']+)'/;

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
