import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { manageState, rescheduleSlots } from "$lib/server/services/guest-manage.ts";
import { rescheduleByGuest } from "$lib/server/services/decide-booking.ts";
import { describeDuration } from "$lib/server/config.ts";
import { guestClock } from "$lib/server/http/booking-page.ts";
import { parseClock } from "$lib/shared/format.ts";
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

const REASONS: Record<string, string> = {
  slot_taken: "That time was just taken — please pick another.",
  slot_unavailable: "That time is not available — please pick another.",
  cap_reached: "That day is fully booked — please pick another day.",
  too_many_pending: "You have too many requests waiting with this host.",
  calendar_unavailable: "Booking is temporarily unavailable — please try again a little later.",
  busy: "Many people are booking right now — please try again in a moment.",
};

export const actions: Actions = {
  default: async ({ locals, params, request, setHeaders }) => {
    const start = String((await request.formData()).get("start") ?? "");
    const res = await rescheduleByGuest(locals.app, params.token, start);
    if (res.ok) redirect(303, `/booking/${res.guestToken}?moved=1`);
    if (res.reason === "not_found") error(404, "This booking link is not valid.");
    if (res.reason === "busy") {
      retryLater(setHeaders);
      return fail(BUSY_STATUS, { reason: REASONS.busy, errors: {}, values: {} });
    }
    const state = await manageState(locals.app, params.token);
    const blocked = state.ok ? state.blocked : null;
    return fail(409, {
      reason: REASONS[res.reason] ?? blocked ?? "This booking can no longer be moved.",
      errors: {},
      values: {},
    });
  },
};
