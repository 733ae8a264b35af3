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

function setBaseline(h: Headers, pathname: string, opts: { https?: boolean }) {
  h.set("x-content-type-options", "nosniff");
  if (opts.https) h.set("strict-transport-security", HSTS);
  if (!h.has("referrer-policy")) h.set("referrer-policy", "strict-origin-when-cross-origin");
  // embed.js is loaded by other sites; everything else static is only ours.
  if (!pathname.startsWith("/widget/") && !h.has("x-frame-options")) {
    h.set("x-frame-options", "DENY");
    if (!h.has("content-security-policy")) {
      h.set("content-security-policy", "frame-ancestors 'none'");
    }
  }
}
