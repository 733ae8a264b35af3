import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { manageState, rescheduleSlots } from "$lib/server/services/guest-manage.ts";
import { rescheduleByGuest } from "$lib/server/services/decide-booking.ts";
import { pageZone } from "$lib/server/http/booking-page.ts";
import { langFromUrl } from "$lib/server/http/page-language.ts";
import { formatDuration, parseClock } from "$lib/shared/format.ts";
import { refusalKey } from "$lib/shared/refusals.ts";

/** Refusals about the new time; the others are explained by what blocks the booking. */
const BOOKING_REASONS = new Set([
  "slot_taken",
  "slot_unavailable",
  "cap_reached",
  "too_many_pending",
  "calendar_unavailable",
  "already_seated",
  "seats_full",
  "same_time",
  // A move this booking cannot make (a team too large to move a seat in one write): the host can.
  "not_supported",
]);
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";

export const load: PageServerLoad = async ({ locals, params, url, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const q = url.searchParams;
  // One clock on the page: the address's, else the one the guest booked with (never a guess
  // from the browser's language: the guest chose theirs).
  // One zone on the page too: the picker's (the address's, else the booking's), which the
  // booking's own time above it is told in as well.
  const zone = pageZone(q, locals.app.now(), locals.locale);
  const state = await manageState(locals.app, params.token, locals.locale, {
    clock: parseClock(q.get("clock")),
    forMove: true,
    timeZone: zone.timeZone,
  });
  if (!state.ok) error(404, locals.t.t("errors.link_invalid"));
  const slots = state.blocked ? null : await rescheduleSlots(locals.app, state, {
    timeZone: state.view.when.timeZone,
    month: q.get("month"),
    date: q.get("date"),
    clock: state.clock,
    locale: locals.locale,
  });
  const page = slots && slots.ok ? slots : null;
  const host = state.view.teamName ?? state.view.hostName;
  // A one-off link's booking with none of its host's other times free: said, with the ways on.
  const noneLeft = slots && !slots.ok && slots.reason === "none_left"
    ? locals.t.t("manage.offered_none", { host, email: state.hostEmail })
    : null;
  const slot = q.get("slot");
  // Their own time is shown, never chosen: a move there would be refused as same_time. An
  // address naming it (typed, an old tab) opens the day, without "that time was taken".
  const own = page?.slots.find((s) => s.current)?.start ?? null;
  const chosen = page && slot && slot !== own && page.slots.some((s) => s.start === slot)
    ? slot
    : null;
  return {
    token: params.token,
    view: state.view,
    blocked: state.blocked ?? (page || noneLeft ? null : locals.t.t("manage.type_gone")),
    noneLeft,
    hostEmail: state.hostEmail,
    // Only the times the host offered: the page says so, and how many are left.
    offeredOnly: page && page.offeredLeft !== null
      ? locals.t.t("manage.offered_only", { host, count: page.offeredLeft })
      : null,
    page: page
      ? {
        ...page,
        // The event type's address is never handed out through a booking's own link.
        eventType: { ...page.eventType, slug: "" },
        tzFromUrl: zone.fromUrl,
        // The guest's clock is known (the booking's): the page keeps it and never re-guesses.
        clockFromUrl: true,
        langFromUrl: langFromUrl(url, locals.locale),
        zoneNotice: zone.notice,
        // The language follows the booking, not the event type's page setting.
        languageFixed: false,
        chosen,
        slotWasTaken: !!slot && !chosen && slot !== own,
        ttlText: formatDuration(locals.app.config.bookingTtlMs, locals.locale),
        fillToken: "",
      }
      : null,
  };
};

export const actions: Actions = {
  default: async ({ locals, params, request, setHeaders }) => {
    const form = await request.formData();
    const start = String(form.get("start") ?? "");
    // The zone the page showed the times in: the moved booking is the guest's in it.
    const timeZone = String(form.get("tz") ?? "");
    const res = await rescheduleByGuest(locals.app, params.token, start, { timeZone });
    if (res.ok) redirect(303, `/booking/${res.guestToken}?moved=1`);
    if (res.reason === "not_found") error(404, locals.t.t("errors.link_invalid"));
    if (res.reason === "busy") {
      retryLater(setHeaders);
      return fail(BUSY_STATUS, {
        reason: locals.t.t(refusalKey("busy")),
        errors: {},
        values: {},
      });
    }
    const state = await manageState(locals.app, params.token, locals.locale, { forMove: true });
    const blocked = state.ok ? state.blocked : null;
    return fail(409, {
      reason: BOOKING_REASONS.has(res.reason)
        ? locals.t.t(refusalKey(res.reason))
        : blocked ?? locals.t.t("manage.cannot_move"),
      errors: {},
      values: {},
    });
  },
};
