/**
 * Runs in server.ts before SvelteKit: where a state-changing request comes from.
 *
 * SvelteKit's own check refuses a cross-origin POST only for the three form content types; a
 * bodiless `fetch(…, { method: "POST", mode: "no-cors" })` from any site carries none of them and
 * used to reach Auth.js's sign-out (issue 10, #10). So every unsafe request, whatever its content
 * type and path, must come from our own origin as far as the browser says:
 *
 * - `Sec-Fetch-Site` (set by the browser, not settable by scripts) must be `same-origin` or
 *   `none` (the person typed it); `same-site` and `cross-site` are refused. The widget posts
 *   same-origin inside its iframe, so it is unaffected.
 * - An `Origin` header, when present, must be ours. Browsers send one on every cross-origin POST;
 *   clients without one (curl, server-to-server calls with their own credentials) carry no
 *   visitor's cookies and pass on to the route's own checks.
 * - Token pages send `Referrer-Policy: no-referrer`, so browsers send `Origin: null` on that
 *   page's own form POST. Only with `Sec-Fetch-Site: same-origin` is the real origin filled in
 *   (SvelteKit's check still runs); any other `Origin: null` (a sandboxed frame elsewhere) is
 *   refused.
 *
 * The one exception is the IdP's return to `/auth/callback/oidc`, which may be a cross-site
 * form_post; Auth.js checks its state, PKCE and nonce. The email callback gets no exception: a
 * magic link is completed only by a POST from our own verify page (login CSRF, #4).
 */
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type GuardDecision = { action: "pass" } | { action: "fix-origin" } | {
  action: "forbid";
  reason: string;
};

const FORBID: GuardDecision = {
  action: "forbid",
  reason: "Cross-site requests cannot change anything here.",
};

/** `pathname` as received (Auth.js matches its callback on the raw path, so we do too). */
export function guardRequest(
  method: string,
  headers: Headers,
  pathname: string,
  ownOrigin?: string,
): GuardDecision {
  if (!UNSAFE.has(method.toUpperCase())) return { action: "pass" };
  if (pathname === "/auth/callback/oidc") return { action: "pass" };
  const site = headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return FORBID;
  const origin = headers.get("origin");
  if (origin === "null") return site === "same-origin" ? { action: "fix-origin" } : FORBID;
  if (origin !== null && ownOrigin !== undefined && origin !== ownOrigin) return FORBID;
  return { action: "pass" };
}
