/**
 * The language of each response, decided once per request before any load runs (so layouts,
 * pages, form errors and error pages agree):
 *
 * - booking pages and the widget (a host's or a team's): the event type's fixed language, else
 *   `?lang=`, else the browser's languages;
 * - a guest's booking link pages: `?lang=`, else the language they booked in;
 * - the host's confirm/reject link pages: the host's profile language;
 * - everything else: `?lang=`, else the signed-in host's profile language, else the browser's.
 *
 * `?lang=en-XA` (the pseudo-locale, for tests) wins everywhere; the API reference is English.
 */
import type { Handle, RequestEvent } from "@sveltejs/kit";
import { canonicalLocale, languageOf, negotiateLocale, PSEUDO_LOCALE } from "../../shared/i18n.ts";
import { withChosenLanguage } from "../../shared/page-href.ts";
import { translator } from "../i18n.ts";
import { eventTypeLanguage, hostLocale } from "../services/booking-reads.ts";
import { bookingForToken } from "../services/booking-links.ts";
import { requestPageRevision } from "../services/page-revision.ts";
import type { TokenPurpose } from "../domain/model/records.ts";
import { escapeHtml } from "../util/html.ts";

const BOOKING_PAGES = new Set([
  "/calendar/[username]/[slug]",
  "/widget/[username]/[slug]",
  "/team/[team]/[slug]",
  "/widget/team/[team]/[slug]",
]);
const GUEST_TOKEN_PAGES = new Set([
  "/booking/[token]",
  "/booking/[token]/cancel",
  "/booking/[token]/reschedule",
  "/booking/[token]/invite.ics",
  "/widget/booking/[token]",
]);
const ENGLISH_ONLY = new Set(["/docs/api", "/docs/embed"]);
const HOST_TOKEN_PAGES: Record<string, TokenPurpose> = {
  "/booking/[token]/confirm": "confirm",
  "/booking/[token]/reject": "reject",
};

/**
 * The event type's fixed page language, if the host set one. A page view reads the page's
 * revision first (the one read the page cache then keys the page by): a change another process
 * committed drops the settings copy before the language is taken from it, so a kept page is
 * never filed under a newer revision in the language the host had before (ADR 039).
 */
export async function fixedLanguage(
  event: { locals: Pick<App.Locals, "app">; request: Request },
  owner: { username: string } | { team: string },
  slug: string,
): Promise<string | null> {
  if (event.request.method === "GET") {
    await requestPageRevision(event.locals.app, event.request, owner);
  }
  return await eventTypeLanguage(event.locals.app, owner, slug);
}

/** What the language of an answer is decided from (a SvelteKit event, or server.ts's request). */
export type LocaleAsk = Pick<RequestEvent, "url" | "request" | "params"> & {
  route: { id: string | null };
  locals: Pick<App.Locals, "app" | "user">;
};

export async function resolveLocale(event: LocaleAsk): Promise<string> {
  const asked = event.url.searchParams.get("lang");
  const acceptLanguage = event.request.headers.get("accept-language");
  const route = event.route.id ?? "";
  const params = event.params as Record<string, string>;
  const app = event.locals.app;
  if (asked === PSEUDO_LOCALE) return PSEUDO_LOCALE;
  // Developer reference pages are written in English only (ADR 015): their `lang` says so.
  if (ENGLISH_ONLY.has(route)) return "en";

  if (BOOKING_PAGES.has(route)) {
    // A host's page is by `username`, a team's by `team` (the page cache reads the same way).
    const owner = "team" in params ? { team: params.team } : { username: params.username };
    const fixed = await fixedLanguage(event, owner, params.slug);
    return negotiateLocale({ chosen: [fixed, asked], acceptLanguage });
  }
  if (GUEST_TOKEN_PAGES.has(route) || HOST_TOKEN_PAGES[route]) {
    const purpose = HOST_TOKEN_PAGES[route] ?? "guest";
    const booking = await bookingForToken(app, params.token, purpose);
    let stored = booking?.guestLocale ?? null;
    if (booking && purpose !== "guest") {
      stored = await hostLocale(app, booking.hostId);
    }
    return negotiateLocale({ chosen: [asked], stored, acceptLanguage });
  }
  return negotiateLocale({
    chosen: [asked],
    stored: event.locals.user?.locale ?? null,
    acceptLanguage,
  });
}

/**
 * Fills `<html lang>` (first in the chain, so error pages from any later hook get it too):
 * the locale the `locale` hook chose, English if none was chosen yet. A guest page's `<html>`
 * also says what its zone and clock were guessed to be, and from what (`locals.guessed`, for
 * app.html's script: the zone's offsets over a year, a language that writes the guessed clock).
 *
 * Every page's scripts are named in the head script's `data-preloads`, not in the `Link`
 * header, which is SvelteKit's only place for them outside prerendering (ADR 056, amendment of
 * 2026-11-28): the head script preloads them as it runs. A guest a guessed page sends elsewhere
 * fetches none (a header's preloads start as the headers arrive, and ~28 of them were stopped
 * on a phone's link the next page waits on); on any page the stylesheet's request starts
 * before the scripts', and a phone paints ~70–90 ms sooner, hydrating as soon. The stylesheet
 * is in every page's header, a guessed one's too (amendment of 2026-11-30): a guest sent on
 * lets it finish, and the next page takes it from the cache.
 */
export const htmlLang: Handle = ({ event, resolve }) => {
  const held: string[] = [];
  return resolve(event, {
    // Scripts are held for the head script; the stylesheet stays in the header and is a
    // `<link>` of the head too.
    preload: ({ type, path }) => {
      if (type === "js") held.push(path);
      return type === "css";
    },
    transformPageChunk: ({ html }) => {
      const tag = event.locals.locale ?? "en";
      const g = event.locals.guessed;
      const guessed = [
        g?.timeZone && `data-guessed-tz="${escapeHtml(g.timeZone)}"`,
        g?.timeZone && g.offsets && g.offsetsFrom !== undefined &&
        `data-guessed-offsets="${g.offsets.join(" ")}" data-guessed-from="${g.offsetsFrom}"`,
        g?.clock && `data-guessed-clock="${escapeHtml(g.clock)}"`,
        g?.clock && g.lang && `data-guessed-lang="${escapeHtml(g.lang)}"`,
      ].filter(Boolean).join(" ");
      // The marks are all in the head: replaced there, and the rest of the page joined on
      // unchanged. Three replacements of the whole page were three copies of it (~210 KiB of
      // garbage per render, issue 26's RSS row); a slice and a join copy nothing until the
      // answer is encoded.
      const last = "%invito.preloads%";
      const end = html.indexOf(last);
      const cut = end === -1 ? html.length : end + last.length;
      return html.slice(0, cut).replace("%invito.lang%", tag === PSEUDO_LOCALE ? "en" : tag)
        .replace(" %invito.guessed%", guessed && ` ${guessed}`)
        .replace(last, escapeHtml(held.join(" "))) + html.slice(cut);
    },
  });
};

/** Sets `locals.locale` and `locals.t` for everything after it. */
export const locale: Handle = async ({ event, resolve }) => {
  const tag = await resolveLocale(event);
  event.locals.locale = tag;
  event.locals.t = translator(tag);
  let res = await resolve(event);
  const chosen = chosenLanguage(event.url);
  if (chosen) res = await keepLanguage(event.request, event.url, res, chosen);
  // Without `?lang=`, the words depend on the browser's languages.
  if (!event.url.searchParams.has("lang")) {
    try {
      const vary = res.headers.get("vary") ?? "";
      if (!/accept-language/i.test(vary)) {
        res.headers.set("vary", vary ? `${vary}, Accept-Language` : "Accept-Language");
      }
    } catch {
      // Immutable headers (a fetched response passed through) stay as they are.
    }
  }
  return res;
};

/** The language the address chose (`?lang=`), when it is one the server speaks. */
function chosenLanguage(url: URL): string | null {
  const asked = url.searchParams.get("lang");
  if (asked === PSEUDO_LOCALE) return asked;
  const tag = canonicalLocale(asked);
  return tag && languageOf(tag) ? tag : null;
}

/**
 * The chosen language goes along where the answer sends the reader (ADR 062): a form's post
 * goes to its page's address, `lang` included, but the pages its redirect leads to (a moved
 * booking's page, a single-use link's day) would otherwise speak the browser's language. Both
 * answers of a form action: a 303 (no scripts) and `use:enhance`'s JSON `redirect`.
 */
async function keepLanguage(
  req: Request,
  url: URL,
  res: Response,
  lang: string,
): Promise<Response> {
  const location = res.headers.get("location");
  if (res.status >= 300 && res.status < 400 && location) {
    const kept = withChosenLanguage(location, url, lang);
    if (kept === location) return res;
    const headers = new Headers(res.headers);
    headers.set("location", kept);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
  const enhanced = req.method === "POST" && req.headers.get("x-sveltekit-action") === "true" &&
    (res.headers.get("content-type") ?? "").startsWith("application/json");
  if (!enhanced) return res;
  const result = await res.clone().json().catch(() => null) as
    | { type?: unknown; location?: unknown }
    | null;
  if (result?.type !== "redirect" || typeof result.location !== "string") return res;
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  const body = { ...result, location: withChosenLanguage(result.location, url, lang) };
  return new Response(JSON.stringify(body), { status: res.status, headers });
}
