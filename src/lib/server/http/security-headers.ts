/**
 * Headers every response carries. Nothing outside the widget may be framed; the widget may be
 * framed by the sites its host allows. Token pages (confirm, reject, a guest's booking, the
 * sign-in link) never leak their URL through Referer. Pages for a signed-in host, token pages and
 * Auth.js's answers are never kept by a cache. With an https public URL, browsers are told to
 * stay on https (HSTS).
 *
 * Every decision follows the route SvelteKit resolved, not the raw path: `/%77idget/…` is the
 * widget and `/%62ooking/T` a token page (issue 10, #5).
 */
import type { Handle } from "@sveltejs/kit";
import { frameAncestorsForWidget } from "../services/embed.ts";
import { canonicalPath } from "./route-shape.ts";
import { HSTS } from "./static-headers.ts";

/**
 * Pages whose URL holds a secret: every route with a `[token]` segment (a guest's booking and its
 * confirm, reject, cancel and reschedule pages, the widget's booking page, a team invitation, a
 * single-use link, the calendar feed) and the sign-in link's verify page (token in the query).
 * Decided from the route, so a new token page is covered by naming its param `token`.
 */
export function isTokenRoute(routeId: string | null): boolean {
  return routeId !== null &&
    (/\/\[token\](\/|$|\.)/.test(routeId) || /^\/signin\/verify(\/|$)/.test(routeId));
}

export function isWidgetRoute(routeId: string | null): boolean {
  return routeId !== null && (routeId === "/widget" || routeId.startsWith("/widget/"));
}

/** Answers that are someone's and no one else's: never stored by a shared or browser cache. */
function isPrivate(routeId: string | null, path: string, signedIn: boolean): boolean {
  return signedIn || isTokenRoute(routeId) || routeId?.startsWith("/dashboard") === true ||
    routeId === "/signin" || path.startsWith("/auth/");
}

export const securityHeaders: Handle = async ({ event, resolve }) => {
  const res = await resolve(event);
  const routeId = event.route.id;
  const app = event.locals.app;
  const widget = isWidgetRoute(routeId);
  const ancestors = widget
    ? await frameAncestorsForWidget(app, routeId, event.params as Record<string, string>)
    : "'none'";
  try {
    const h = res.headers;
    h.set("x-content-type-options", "nosniff");
    h.set(
      "referrer-policy",
      isTokenRoute(routeId) ? "no-referrer" : "strict-origin-when-cross-origin",
    );
    if (widget && ancestors !== "'none'") {
      h.delete("x-frame-options");
    } else {
      h.set("x-frame-options", "DENY");
      h.set("cross-origin-opener-policy", "same-origin");
    }
    let csp = h.get("content-security-policy") ??
      "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    csp = csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${ancestors}`);
    const oidc = app?.config.oidc;
    if (oidc && !widget) {
      // The OIDC sign-in form redirects to the issuer; Chromium applies form-action to that redirect.
      csp = csp.replace("form-action 'self'", `form-action 'self' ${new URL(oidc.issuer).origin}`);
    }
    // A booking page whose event type has a thank-you page elsewhere: its form is answered with
    // a redirect there, which Chromium checks against form-action (ADR 046). The slot page is the
    // one this response shows (read by the load, or by the page cache on a hit).
    const slotPage = event.locals.slotPage;
    if (!widget && slotPage?.ok && slotPage.eventType.thankYouOrigin) {
      csp = csp.replace(
        "form-action 'self'",
        `form-action 'self' ${slotPage.eventType.thankYouOrigin}`,
      );
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
    if (app?.config.baseUrl.protocol === "https:") h.set("strict-transport-security", HSTS);
    if (isPrivate(routeId, canonicalPath(event.url.pathname), event.locals.user != null)) {
      h.set("cache-control", "private, no-store");
    }
  } catch {
    // Responses with immutable headers are left as they are.
  }
  return res;
};
