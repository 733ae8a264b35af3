/**
 * Headers every response carries. Nothing outside /widget/* may be framed; token pages
 * (confirm, reject, cancel, reschedule) never leak their URL through Referer.
 */
import type { Handle } from "@sveltejs/kit";

export function isTokenPath(path: string): boolean {
  return /^\/(booking|signin\/verify)(\/|$)/.test(path);
}

export const securityHeaders: Handle = async ({ event, resolve }) => {
  const res = await resolve(event);
  const path = event.url.pathname;
  const h = res.headers;
  try {
    h.set("x-content-type-options", "nosniff");
    h.set("referrer-policy", isTokenPath(path) ? "no-referrer" : "strict-origin-when-cross-origin");
    if (!path.startsWith("/widget/")) {
      h.set("x-frame-options", "DENY");
      h.set("cross-origin-opener-policy", "same-origin");
    }
    const csp = h.get("content-security-policy");
    const oidc = event.locals.app?.config.oidc;
    if (csp && oidc) {
      // The OIDC sign-in form redirects to the issuer; Chromium applies form-action to that redirect.
      h.set("content-security-policy", csp.replace("form-action 'self'", `form-action 'self' ${new URL(oidc.issuer).origin}`));
    }
    if (!csp) {
      h.set("content-security-policy", "frame-ancestors 'none'; object-src 'none'; base-uri 'self'");
    }
  } catch {
    // Responses with immutable headers (fetch passthrough) are left as they are.
  }
  return res;
};
