/**
 * Static files are answered by the adapter before SvelteKit's hooks run, so they would miss
 * the security headers the hooks add. This fills in the ones every response must carry; answers
 * server.ts makes itself (403, 413, 408) go through it too.
 */

/** One year; no includeSubDomains (other hosts of the operator's domain are theirs to decide). */
export const HSTS = "max-age=31536000";

export function staticHeaders(
  pathname: string,
  res: Response,
  opts: { https?: boolean } = {},
): Response {
  const complete = res.headers.has("content-security-policy") &&
    res.headers.has("x-content-type-options") &&
    (!opts.https || res.headers.has("strict-transport-security"));
  if (complete) return res;
  try {
    setBaseline(res.headers, pathname, opts);
    return res;
  } catch {
    // Some responses have immutable headers; copy them.
    const copy = new Response(res.body, res);
    setBaseline(copy.headers, pathname, opts);
    return copy;
  }
}

/**
 * The security headers of an answer without a policy of its own: a refusal, a static file, the
 * JSON API. Nobody's to frame, links nowhere worth a Referer.
 */
export const NO_POLICY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": "frame-ancestors 'none'",
  "x-frame-options": "DENY",
};

function setBaseline(h: Headers, pathname: string, opts: { https?: boolean }) {
  h.set("x-content-type-options", NO_POLICY_HEADERS["x-content-type-options"]);
  if (opts.https) h.set("strict-transport-security", HSTS);
  // Pages decide their own (hooks.server.ts, from the route: no-referrer on token pages). What
  // comes here has no route to decide by — a refusal of a token page's post, a static file —
  // and links nowhere worth a Referer: none is sent.
  if (!h.has("referrer-policy")) h.set("referrer-policy", NO_POLICY_HEADERS["referrer-policy"]);
  // The widget's pages say themselves which sites may frame them (hooks.server.ts); an answer
  // without a policy of its own (a static file, a refusal, an error) is nobody's to frame.
  if (!h.has("content-security-policy")) {
    h.set("content-security-policy", NO_POLICY_HEADERS["content-security-policy"]);
    if (!h.has("x-frame-options")) h.set("x-frame-options", NO_POLICY_HEADERS["x-frame-options"]);
  }
  if (!pathname.startsWith("/widget/") && !h.has("x-frame-options")) {
    h.set("x-frame-options", NO_POLICY_HEADERS["x-frame-options"]);
  }
}
