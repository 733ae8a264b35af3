import type { Actions, PageServerLoad } from "./$types";
import { error, fail, redirect } from "@sveltejs/kit";
import { bookAction, pageZone } from "$lib/server/http/booking-page.ts";
import { guestClock, langFromUrl } from "$lib/server/http/page-language.ts";
import { getSlotPage } from "$lib/server/services/slot-page.ts";
import { bookWithSingleUseLink, openSingleUseLink } from "$lib/server/services/single-use-links.ts";
import { fillToken } from "$lib/server/services/anti-spam.ts";
import { oneOffSlotPage } from "$lib/server/services/one-off-links.ts";
import { seriesPreview } from "$lib/server/services/book-series.ts";
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
  const open = await openSingleUseLink(locals.app, params.username, params.token);
  // Unknown tokens, and tokens under another person's name, are not pages.
  if (!open.ok && open.reason === "not_found") error(404, locals.t.t("once.not_found_body"));
  if (!open.ok) return { spent: open.reason, hostName: null };
  const q = url.searchParams;
  const zone = pageZone(q, locals.app.now(), locals.locale);
  const clock = guestClock(url, event.request.headers.get("accept-language"), locals.locale);
  // A one-off link offers only the times its host picked, those still free.
  const page = open.link.offeredStarts
    ? await oneOffSlotPage(locals.app, open.link, open.host.username, open.eventType.slug, {
      locale: locals.locale,
      clock,
      timeZone: zone.timeZone ?? open.host.timeZone,
      month: q.get("month"),
      date: q.get("date"),
    })
    : await getSlotPage(locals.app, {
      locale: locals.locale,
      clock,
      username: open.host.username,
      slug: open.eventType.slug,
      timeZone: zone.timeZone,
      month: q.get("month"),
      date: q.get("date"),
      duration: q.get("duration"),
    });
  if (!page.ok) {
    if (page.reason === "not_found") return { spent: "not_found" as const, hostName: null };
    if (page.reason === "none_left") return { spent: "none_left" as const, hostName: null };
    redirect(303, url.pathname);
  }
  const slot = q.get("slot");
  const chosen = slot && page.slots.some((s) => s.start === slot) ? slot : null;
  // A repeating event type: the link books its series, listed like on the booking page.
  const series = chosen
    ? await seriesPreview(locals.app, {
      username: open.host.username,
      slug: open.eventType.slug,
      start: chosen,
      durationMin: page.durationMin,
    })
    : null;
  return {
    series,
    ...page,
    eventType: { ...page.eventType, slug: "" },
    spent: null,
    hostName: page.host.name,
    /** A one-off link's note from the host. */
    hostNote: open.link.note ?? "",
    fixedEmail: open.link.guestEmail,
    tzFromUrl: zone.fromUrl,
    clockFromUrl: parseClock(q.get("clock")) !== null,
    chosen,
    slotWasTaken: !!slot && !chosen,
    ttlText: formatDuration(locals.app.config.bookingTtlMs, locals.locale),
    langFromUrl: langFromUrl(url, locals.locale) && !page.languageFixed,
    zoneNotice: zone.notice,
    fillToken: await fillToken(locals.app),
  };
};

export const actions: Actions = {
  book: async (event) => {
    const { username, token } = event.params;
    const open = await openSingleUseLink(event.locals.app, username, token);
    if (!open.ok && open.reason === "not_found") return fail(404, { spent: "not_found" as const });
    const res = await bookAction(
      event,
      (input) => bookWithSingleUseLink(event.locals.app, username, token, input),
    );
    // A spent link shows its calm page instead of the form.
    const refused = (res as { data?: { refused?: string } })?.data?.refused;
    if (refused === "link_used") return fail(410, { spent: "used" as const });
    if (refused === "link_expired") return fail(410, { spent: "expired" as const });
    if (refused === "link_not_found") return fail(404, { spent: "not_found" as const });
    return res;
  },
};
