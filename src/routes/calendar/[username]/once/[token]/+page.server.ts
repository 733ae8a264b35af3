import type { Actions, PageServerLoad } from "./$types";
import { fail, redirect } from "@sveltejs/kit";
import { bookAction, guestClock, guestZone } from "$lib/server/http/booking-page.ts";
import { getSlotPage } from "$lib/server/services/public-calendar.ts";
import { bookWithSingleUseLink, openSingleUseLink } from "$lib/server/services/single-use-links.ts";
import { fillToken } from "$lib/server/services/anti-spam.ts";
import { formatDuration, parseClock } from "$lib/shared/format.ts";

// A single-use link's page: the event type's booking page, reached by the token alone. The URL
// never names the event type, so a link to a secret type does not give its reusable address away.
export const load: PageServerLoad = async (event) => {
  const { locals, params, url } = event;
  event.setHeaders({
    "x-robots-tag": "noindex",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  });
  const open = await openSingleUseLink(locals.app, params.token);
  if (!open.ok) return { spent: open.reason, hostName: null };
  const q = url.searchParams;
  const zone = guestZone(q.get("tz"), locals.app.now(), locals.locale);
  const page = await getSlotPage(locals.app, {
    locale: locals.locale,
    clock: guestClock(url, event.request.headers.get("accept-language")),
    username: open.host.username,
    slug: open.eventType.slug,
    timeZone: zone.timeZone,
    month: q.get("month"),
    date: q.get("date"),
    duration: q.get("duration"),
  });
  if (!page.ok) {
    if (page.reason === "not_found") return { spent: "not_found" as const, hostName: null };
    redirect(303, url.pathname);
  }
  const slot = q.get("slot");
  const chosen = slot && page.slots.some((s) => s.start === slot) ? slot : null;
  return {
    ...page,
    eventType: { ...page.eventType, slug: "" },
    spent: null,
    hostName: page.host.name,
    fixedEmail: open.link.guestEmail,
    tzFromUrl: q.has("tz"),
    clockFromUrl: parseClock(q.get("clock")) !== null,
    chosen,
    slotWasTaken: !!slot && !chosen,
    ttlText: formatDuration(locals.app.config.bookingTtlMs, locals.locale),
    langFromUrl: q.has("lang") && !page.languageFixed,
    zoneNotice: zone.notice,
    fillToken: await fillToken(locals.app),
  };
};

export const actions: Actions = {
  book: async (event) => {
    const res = await bookAction(
      event,
      (input) => bookWithSingleUseLink(event.locals.app, event.params.token, input),
    );
    // A spent link shows its calm page instead of the form.
    const refused = (res as { data?: { refused?: string } })?.data?.refused;
    if (refused === "link_used") return fail(410, { spent: "used" as const });
    if (refused === "link_expired") return fail(410, { spent: "expired" as const });
    if (refused === "link_not_found") return fail(410, { spent: "not_found" as const });
    return res;
  },
};
