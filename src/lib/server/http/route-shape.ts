/**
 * What a request is, read the way SvelteKit reads it. Decisions about a request (rate limits,
 * body limits, sign-in checks, embed policy) must never look at the raw `url.pathname` or
 * `url.search`: SvelteKit routes on the percent-decoded path and runs the action named by the
 * decoded query key, so `/%63alendar/demo/x?%2Fbook` is the booking action of a booking page.
 * Inside SvelteKit the route id (`event.route.id`) and `actionName` say it exactly; before
 * SvelteKit (server.ts) and for Auth.js's own paths, which have no route, `canonicalPath` gives
 * the one decoded spelling to classify.
 */

/** A character outside lower-case path text (a `%`, a capital, anything not ASCII) or `//`. */
const NOT_CANONICAL = /[^a-z0-9/._~!$&'()*+,;=:@-]|\/\//;

/** The path fully percent-decoded and lower-cased; the raw path when it does not decode. */
export function canonicalPath(pathname: string): string {
  // Nothing to decode, lower or merge: most paths are already their one spelling.
  if (!NOT_CANONICAL.test(pathname)) return pathname;
  let path = pathname;
  // Decoding twice catches "%2563" (a literal "%63" after one pass); SvelteKit decodes once, so
  // this errs toward classifying more requests, never fewer.
  for (let i = 0; i < 2; i++) {
    try {
      const next = decodeURIComponent(path);
      if (next === path) break;
      path = next;
    } catch {
      break;
    }
  }
  return path.toLowerCase().replace(/\/{2,}/g, "/");
}

/**
 * The JSON API and the MCP endpoint beside it, however their paths are spelled: one body policy
 * (100 KB) and problem+json refusals for both.
 */
export function isApiPath(pathname: string): boolean {
  const path = canonicalPath(pathname);
  return path === "/api" || path.startsWith("/api/") || path === "/mcp";
}

/**
 * The one spelling of an Auth.js path: `/auth/{action}` or `/auth/{action}/{provider}`, lower
 * case, no empty, dot or encoded segment, no trailing slash.
 */
const AUTH_PLAIN = /^\/auth\/[a-z-]{1,40}(?:\/[a-z0-9-]{1,40})?$/;

/** The path with every spelling taken away: decoded, lower-cased, dot segments resolved. */
function resolvedPath(pathname: string): string {
  const out: string[] = [];
  for (const seg of canonicalPath(pathname).replaceAll("\\", "/").split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return "/" + out.join("/");
}

/**
 * Auth.js's own endpoints have no SvelteKit route, and Auth.js reads a path loosely: it skips
 * empty segments, so `/auth/callback/email/` and `/auth//callback//email` are its email callback
 * too (issue 22: a trailing slash walked past the sign-in gate). Rather than copy its parser, only
 * the one plain spelling reaches it: a path that resolves under /auth but is spelled any other
 * way (a trailing or doubled slash, `%2F`, another case, dot segments, a SvelteKit suffix) is
 * `"refused"`, so the gate that compares the plain path judges the route Auth.js will serve.
 * null: not an Auth.js path in any spelling.
 */
export function authPath(pathname: string): { path: string } | "refused" | null {
  const resolved = resolvedPath(pathname);
  if (resolved !== "/auth" && !resolved.startsWith("/auth/")) return null;
  return AUTH_PLAIN.test(pathname) ? { path: pathname } : "refused";
}

/**
 * The form action SvelteKit runs for a POST: the first query key that starts with "/", decoded
 * (`?/book`, `?%2Fbook`, `?x=1&/book`). null when none is named (the route's default action).
 */
export function actionName(url: URL): string | null {
  for (const [key] of url.searchParams) {
    if (key.startsWith("/")) return key.slice(1);
  }
  return null;
}

/** Route params longer than this never name anything (usernames ≤ 40, slugs ≤ 60, tokens ≤ 64). */
export const MAX_PARAM_LENGTH = 200;

/** Whether every param of the matched route is short enough to be looked up. */
export function paramsInBounds(params: Record<string, string | undefined>): boolean {
  return Object.values(params).every((v) => v === undefined || v.length <= MAX_PARAM_LENGTH);
}
