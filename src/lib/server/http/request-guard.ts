/**
 * Runs in server.ts before SvelteKit. Two things about where a request comes from:
 *
 * - Token pages send `Referrer-Policy: no-referrer` so their URLs never leak; browsers then send
 *   `Origin: null` on that page's own form POST, which SvelteKit's origin check would refuse.
 *   `Sec-Fetch-Site` (set by the browser, not settable by scripts) tells us it is same-origin,
 *   so the real origin is filled in and SvelteKit's check still runs on every form action.
 * - A second layer against cross-site forgery: a state-changing request the browser marks
 *   `Sec-Fetch-Site: cross-site` is refused outright (the widget posts same-origin inside its
 *   iframe, so it is unaffected).
 */
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type GuardDecision = { action: "pass" } | { action: "fix-origin" } | {
  action: "forbid";
  reason: string;
};

export function guardRequest(method: string, headers: Headers, pathname: string): GuardDecision {
  if (!UNSAFE.has(method)) return { action: "pass" };
  const site = headers.get("sec-fetch-site");
  // The IdP may post back to Auth.js callbacks (form_post); Auth.js checks state itself.
  if (site === "cross-site" && !pathname.startsWith("/auth/callback/")) {
    return { action: "forbid", reason: "Cross-site requests cannot change anything here." };
  }
  if (headers.get("origin") === "null" && site === "same-origin") return { action: "fix-origin" };
  return { action: "pass" };
}
