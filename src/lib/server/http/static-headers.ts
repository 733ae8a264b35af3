/**
 * Static files are answered by the adapter before SvelteKit's hooks run, so they would miss
 * the security headers the hooks add. This fills in the ones every response must carry.
 */
export function staticHeaders(pathname: string, res: Response): Response {
  if (res.headers.has("content-security-policy") && res.headers.has("x-content-type-options")) {
    return res;
  }
  try {
    setBaseline(res.headers, pathname);
    return res;
  } catch {
    // Some responses have immutable headers; copy them.
    const copy = new Response(res.body, res);
    setBaseline(copy.headers, pathname);
    return copy;
  }
}

function setBaseline(h: Headers, pathname: string) {
  h.set("x-content-type-options", "nosniff");
  if (!h.has("referrer-policy")) h.set("referrer-policy", "strict-origin-when-cross-origin");
  // embed.js is loaded by other sites; everything else static is only ours.
  if (!pathname.startsWith("/widget/") && !h.has("x-frame-options")) {
    h.set("x-frame-options", "DENY");
    if (!h.has("content-security-policy")) {
      h.set("content-security-policy", "frame-ancestors 'none'");
    }
  }
}
