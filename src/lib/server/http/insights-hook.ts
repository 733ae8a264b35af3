/**
 * Counts the booking page funnel (arrived, found free times, picked a time) after the page has been
 * answered, whether it was rendered, reused from the page cache or sent as data for a client-side
 * navigation. Nothing is stored about the guest: the Referer, user agent and cookie header are
 * only looked at to classify this one request (see `pageStepsOf`).
 */
import type { Handle } from "@sveltejs/kit";
import { pageStepsOf } from "../domain/insights.ts";
import { countPageSteps } from "../services/insights-count.ts";

const ROUTES = new Set(["/calendar/[username]/[slug]", "/widget/[username]/[slug]"]);
const SESSION_COOKIE = /(^|;\s*)(__Secure-)?authjs\.session-token=/;

export const countBookingPages: Handle = async ({ event, resolve }) => {
  const res = await resolve(event);
  if (event.request.method !== "GET" || res.status !== 200) return res;
  if (!ROUTES.has(event.route.id ?? "")) return res;
  const page = event.locals.slotPage;
  if (!page?.ok) return res;
  const h = event.request.headers;
  const slot = event.url.searchParams.get("slot");
  const steps = pageStepsOf({
    isDataRequest: event.isDataRequest,
    url: event.url,
    referer: h.get("referer"),
    userAgent: h.get("user-agent"),
    purpose: h.get("sec-purpose") ?? h.get("purpose"),
    signedIn: SESSION_COOKIE.test(h.get("cookie") ?? ""),
    daySlots: page.slots.length,
    chosen: !!slot && page.slots.some((s) => s.start === slot),
  });
  if (steps.length) {
    const params = event.params as { username: string; slug: string };
    void countPageSteps(event.locals.app, {
      username: params.username.toLowerCase(),
      slug: params.slug.toLowerCase(),
    }, steps);
  }
  return res;
};
