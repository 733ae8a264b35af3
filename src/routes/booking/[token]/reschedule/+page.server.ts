import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { manageState, rescheduleSlots } from "$lib/server/services/guest-manage.ts";
import { rescheduleByGuest } from "$lib/server/services/decide-booking.ts";
import { countRescheduled } from "$lib/server/services/insights-count.ts";
import { describeDuration } from "$lib/server/config.ts";
import { guestClock } from "$lib/server/http/booking-page.ts";
import { parseClock } from "$lib/shared/format.ts";
import { refusalText } from "$lib/shared/refusals.ts";

/** Refusals about the new time; the others are explained by what blocks the booking. */
const BOOKING_REASONS = new Set([
  "slot_taken",
  "slot_unavailable",
  "cap_reached",
  "too_many_pending",
  "calendar_unavailable",
]);
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";

export const load: PageServerLoad = async ({ locals, params, url, setHeaders, request }) => {
  setHeaders({ "cache-control": "no-store" });
  const state = await manageState(locals.app, params.token);
  if (!state.ok) error(404, "This booking link is not valid.");
  const q = url.searchParams;
  const slots = state.blocked ? null : await rescheduleSlots(locals.app, state, {
    timeZone: q.get("tz") ?? state.view.when.timeZone,
    month: q.get("month"),
    date: q.get("date"),
    clock: guestClock(url, request.headers.get("accept-language")),
  });
  if (slots && !slots.ok && slots.reason === "bad_date") error(400, slots.message);
  const page = slots && slots.ok ? slots : null;
  const slot = q.get("slot");
  const chosen = page && slot && page.slots.some((s) => s.start === slot) ? slot : null;
  return {
    token: params.token,
    view: state.view,
    blocked: state.blocked ??
      (page ? null : "This kind of meeting can no longer be booked. Please write to the host."),
    page: page
      ? {
        ...page,
        // The event type's address is never handed out through a booking's own link.
        eventType: { ...page.eventType, slug: "" },
        tzFromUrl: q.has("tz"),
        clockFromUrl: parseClock(q.get("clock")) !== null,
        chosen,
        slotWasTaken: !!slot && !chosen,
        ttlText: describeDuration(locals.app.config.bookingTtlMs),
        fillToken: "",
      }
      : null,
  };
};

export const actions: Actions = {
  default: async ({ locals, params, request, setHeaders }) => {
    const start = String((await request.formData()).get("start") ?? "");
    const res = await rescheduleByGuest(locals.app, params.token, start);
    if (res.ok) void countRescheduled(locals.app, res.booking);
    if (res.ok) redirect(303, `/booking/${res.guestToken}?moved=1`);
    if (res.reason === "not_found") error(404, "This booking link is not valid.");
    if (res.reason === "busy") {
      retryLater(setHeaders);
      return fail(BUSY_STATUS, { reason: refusalText("busy"), errors: {}, values: {} });
    }
    const state = await manageState(locals.app, params.token);
    const blocked = state.ok ? state.blocked : null;
    return fail(409, {
      reason: BOOKING_REASONS.has(res.reason)
        ? refusalText(res.reason)
        : blocked ?? "This booking can no longer be moved.",
      errors: {},
      values: {},
    });
  },
};
