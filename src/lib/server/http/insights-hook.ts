/**
 * Counts the booking page funnel (arrived, found free times, picked a time) after the page has been
 * answered, whether it was rendered, reused from the page cache (in SvelteKit or before it, see
 * http/page-cache.ts) or sent as data for a client-side navigation. Nothing is stored about the
 * guest: the Referer, user agent and cookie header are only looked at to classify this one
 * request (see `pageStepsOf`).
 */
import type { Handle } from "@sveltejs/kit";
import type { App } from "../app.ts";
import { pageStepsOf } from "../domain/insights.ts";
import { countPageSteps } from "../services/insights-count.ts";
import type { SlotPage } from "../services/slot-page.ts";

const ROUTES = new Set(["/calendar/[username]/[slug]", "/widget/[username]/[slug]"]);
const SESSION_COOKIE = /(^|;\s*)(__Secure-)?authjs\.session-token=/;

/** One answered booking page view (status 200), counted in one place for every way it is answered. */
export type PageView = {
  routeId: string | null;
  params: Record<string, string>;
  url: URL;
  headers: Headers;
  isDataRequest: boolean;
  page: SlotPage | undefined;
};

export function countPageView(app: App, v: PageView): void {
  if (!ROUTES.has(v.routeId ?? "")) return;
  const page = v.page;
  if (!page?.ok) return;
  const h = v.headers;
  const slot = v.url.searchParams.get("slot");
  const steps = pageStepsOf({
    isDataRequest: v.isDataRequest,
    url: v.url,
    referer: h.get("referer"),
    userAgent: h.get("user-agent"),
    purpose: h.get("sec-purpose") ?? h.get("purpose"),
    signedIn: SESSION_COOKIE.test(h.get("cookie") ?? ""),
    daySlots: page.slots.length,
    chosen: !!slot && page.slots.some((s) => s.start === slot),
  });
  if (steps.length) {
    void countPageSteps(app, {
      username: v.params.username.toLowerCase(),
      slug: v.params.slug.toLowerCase(),
    }, steps);
  }
}

export const countBookingPages: Handle = async ({ event, resolve }) => {
  const res = await resolve(event);
  if (event.request.method !== "GET" || res.status !== 200) return res;
  countPageView(event.locals.app, {
    routeId: event.route.id,
    params: event.params as Record<string, string>,
    url: event.url,
    headers: event.request.headers,
    isDataRequest: event.isDataRequest,
    page: event.locals.slotPage,
  });
  return res;
};
