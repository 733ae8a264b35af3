/**
 * What the page cache (page-cache.ts) and the refused-post templates (refusal-pages.ts) share:
 * which routes are booking pages, how a signed-in request is told apart, the caches' bounds and
 * the CSP nonce a kept page gets afresh for each answer.
 */
export const ROUTES = new Set([
  "/calendar/[username]/[slug]",
  "/widget/[username]/[slug]",
  "/team/[team]/[slug]",
  "/widget/team/[team]/[slug]",
]);
export const SESSION_COOKIE = /(^|;\s*)(__Secure-)?authjs\.session-token=/;
export const MAX_ENTRIES = 200;
export const MAX_BYTES = 16 * 1024 * 1024;

export const NONCE = /'nonce-([^']+)'/;

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
