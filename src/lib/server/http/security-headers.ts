/**
 * Headers every response carries. Nothing outside /widget/* may be framed; the widget may be
 * framed by the sites its host allows. Token pages (confirm, reject, a guest's booking) never
 * leak their URL through Referer.
 */
import type { Handle } from "@sveltejs/kit";
import { frameAncestorsForPath } from "../services/embed.ts";

export function isTokenPath(path: string): boolean {
  return /^\/(booking|widget\/booking|signin\/verify)(\/|$)/.test(path);
}

export function isWidgetPath(path: string): boolean {
  return path === "/widget" || path.startsWith("/widget/");
}

export const securityHeaders: Handle = async ({ event, resolve }) => {
  const res = await resolve(event);
  const path = event.url.pathname;
  const widget = isWidgetPath(path);
  const ancestors = widget ? await frameAncestorsForPath(event.locals.app, path) : "'none'";
  try {
    const h = res.headers;
    h.set("x-content-type-options", "nosniff");
    h.set("referrer-policy", isTokenPath(path) ? "no-referrer" : "strict-origin-when-cross-origin");
    if (widget) {
      h.delete("x-frame-options");
    } else {
      h.set("x-frame-options", "DENY");
      h.set("cross-origin-opener-policy", "same-origin");
    }
    let csp = h.get("content-security-policy") ??
      "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    csp = csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${ancestors}`);
    const oidc = event.locals.app?.config.oidc;
    if (oidc && !widget) {
      // The OIDC sign-in form redirects to the issuer; Chromium applies form-action to that redirect.
      csp = csp.replace("form-action 'self'", `form-action 'self' ${new URL(oidc.issuer).origin}`);
    }
    // "Connect Google Calendar" / "Connect Microsoft 365" post to us, and we redirect to the
    // provider's consent page: form-action must allow that origin (calendars page only).
    if (event.url.pathname.startsWith("/dashboard/calendars")) {
      const cfg = event.locals.app?.config;
      for (const p of [cfg?.google, cfg?.microsoft]) {
        if (p) {
          csp = csp.replace(
            "form-action 'self'",
            `form-action 'self' ${new URL(p.authUrl).origin}`,
          );
        }
      }
    }
    h.set("content-security-policy", csp);
  } catch {
    // Responses with immutable headers are left as they are.
  }
  return res;
};
