/**
 * The guest booking page's load and book action, shared by /calendar/… and the embeddable
 * /widget/…; only where a finished booking is shown differs.
 */
import { error, fail, redirect, type RequestEvent } from "@sveltejs/kit";
import * as v from "valibot";
import { getSlotPage, type SlotPage } from "../services/slot-page.ts";
import type { App } from "../app.ts";
import { type Clock, clockForLocale, formatDuration, parseClock } from "../../shared/format.ts";
import { chosenLanguage, guestClock, langFromUrl } from "./page-language.ts";
import { type BookInput, type BookResult, bookSlot } from "../services/book-slot.ts";
import { bookTeamSlot } from "../services/team-bookings.ts";
import { recordBookingOutcome } from "../ops/metrics.ts";
import { BookingForm } from "../../shared/forms/booking.ts";
import { fieldErrors } from "../../shared/forms/common.ts";
import { checkFillToken, fillToken } from "../services/anti-spam.ts";
import { refusalKey, refusalStatus } from "../../shared/refusals.ts";
import { BUSY_STATUS, retryLater } from "./busy.ts";
import { parseAccent } from "../../shared/accent.ts";
import { translateRef } from "../../shared/i18n.ts";
import { searchTimeZones, type ZoneMatch } from "../domain/time-zone-search.ts";
import { canonicalTimeZone, isValidTimeZone } from "../domain/time-zone.ts";
import { offsetSamples } from "../domain/zone-offsets.ts";
import { FIELD_MAX } from "../../shared/field-bounds.ts";
import { decidePrefill } from "../domain/booking-prefill.ts";
import {
  type BookingSource,
  decideSource,
  GUESTS_MAX,
  guestsFieldMax,
  sourceQuery,
} from "../../shared/booking-extras.ts";
import { seriesPreview } from "../services/book-series.ts";
import type { Translator } from "../../shared/i18n.ts";
import { bookerCookieOf, bookerTag } from "./booker-cookie.ts";
import { pageMeta } from "./page-meta.ts";

/** What became of a zone the guest typed that is not an IANA id ("Tokyo", "PST", "UTC+2"). */
export type ZoneNotice =
  | { kind: "matched"; query: string; zone: string }
  | { kind: "choose"; query: string; matches: ZoneMatch[] }
  | { kind: "none"; query: string };

/**
 * The guest's zone from `?tz=`: an IANA id as it is; anything else searched (city, country,
 * abbreviation, offset). One clear match is used; several are offered; none is said — never a
 * silent fallback to the host's zone.
 */
export function guestZone(
  tz: string | null,
  nowMs: number,
  locale: string,
): { timeZone: string | null; notice: ZoneNotice | null } {
  const query = (tz ?? "").trim().slice(0, 80);
  if (!query) return { timeZone: null, notice: null };
  if ((query.includes("/") || query === "UTC") && isValidTimeZone(query)) {
    return { timeZone: canonicalTimeZone(query), notice: null };
  }
  const found = searchTimeZones(query, { nowMs, locale });
  if (found.kind === "exact") {
    return { timeZone: found.zone, notice: { kind: "matched", query, zone: found.zone } };
  }
  if (found.kind === "choose") {
    return { timeZone: null, notice: { kind: "choose", query, matches: found.matches } };
  }
  return { timeZone: null, notice: { kind: "none", query } };
}

/**
 * A guest page's zone. Two parameters, because who wrote them differs: `zone` is what the guest
 * typed into the page's zone field — searched, and a miss or an ambiguity is said (the field is
 * theirs to correct); `tz` comes from a link — the page's own links, or a site's prefill — and is
 * used when it is a zone (or names one exactly) and otherwise ignored without a word (issue 29:
 * the guest did not write it), so the browser's own zone applies. A typed zone wins.
 */
export function pageZone(
  q: URLSearchParams,
  nowMs: number,
  locale: string,
): { timeZone: string | null; notice: ZoneNotice | null; fromUrl: boolean } {
  const typed = guestZone(q.get("zone"), nowMs, locale);
  const linked = guestZone(q.get("tz"), nowMs, locale).timeZone;
  return {
    timeZone: typed.timeZone ?? linked,
    notice: typed.notice,
    // Either keeps the page where it is: a link's zone, or what the guest typed (even a miss,
    // which stays on screen with its message instead of being replaced by the browser's zone).
    fromUrl: linked !== null || !!q.get("zone")?.trim(),
  };
}

/** A host's page (/calendar/{username}/{slug}) or a team's (/team/{team}/{slug}). */
type Params = { username: string; slug: string } | { team: string; slug: string };
/** Every param a booking route may have (a single-use link's route has none of these). */
type AnyParams = { username?: string; team?: string; slug?: string };

/**
 * A guest page a browser loads (not a form's answer, which must stay what the guest sees): what
 * was only guessed, the zone and the clock its address does not name, is marked for the browser
 * to put right before it paints (app.html, ADR 056). Booking pages and poll pages.
 */
export function markGuessed(
  event: Pick<RequestEvent, "request" | "isDataRequest" | "url" | "locals">,
  page: { zoneFromUrl: boolean; timeZone: string; clock: Clock },
): void {
  const { locals } = event;
  if (event.request.method !== "GET" || event.isDataRequest) return;
  const now = locals.app.now();
  locals.guessed = page.zoneFromUrl ? {} : {
    timeZone: page.timeZone,
    offsets: offsetSamples(page.timeZone, now),
    offsetsFrom: now,
  };
  // A clock the address names, or the clock of a language the guest chose, is no guess.
  const clockChosen = parseClock(event.url.searchParams.get("clock")) !== null ||
    chosenLanguage(event.url, locals.locale) !== null;
  if (!clockChosen) {
    locals.guessed.clock = page.clock;
    // The page's language, when it writes the guessed clock: true of the page whichever request
    // the page cache kept it for (it keys on both), and never a browser's header.
    if (clockForLocale(locals.locale) === page.clock) locals.guessed.lang = locals.locale;
  }
}

/** The slot page a booking page URL asks for (everything its HTML depends on but the fill token). */
export async function slotPageFor(
  app: App,
  params: Params,
  url: URL,
  acceptLanguage: string | null,
  locale: string,
): Promise<SlotPage> {
  const q = url.searchParams;
  return await getSlotPage(app, {
    locale,
    clock: guestClock(url, acceptLanguage, locale),
    username: "username" in params ? params.username.toLowerCase() : "",
    ...("team" in params
      ? { team: params.team.toLowerCase(), routing: q.get("routing")?.slice(0, 200) }
      : {}),
    slug: params.slug.toLowerCase(),
    timeZone: pageZone(q, app.now(), locale).timeZone,
    month: q.get("month"),
    date: q.get("date"),
    // A chosen time with no day named (a zone change keeps the time, BookingPanel.svelte): the
    // page opens on its day in the zone shown, which need not be its day in the zone before.
    openOnMs: chosenInstant(q.get("slot")),
    duration: q.get("duration"),
    layout: q.get("layout"),
  });
}

/**
 * `slot=` as an instant, when it is a start the booking form would take (the page's own links
 * write `…T09:00:00Z`). Date.parse alone also read six-digit years at the ends of its range,
 * which no zone's calendar day can hold: the page answered 500.
 */
function chosenInstant(slot: string | null): number | null {
  if (!slot || slot.length > 40 || !v.is(BookingForm.entries.start, slot)) return null;
  const ms = Date.parse(slot);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * A booking page (personal or team) with its title and the description search engines and link
 * previews show; the widget's page, inside another site, has a head of its own.
 */
export async function loadBookingPageWithMeta(event: RequestEvent<Params>) {
  const data = await loadBookingPage(event);
  const t = event.locals.t.t;
  const { eventType: et, host } = data;
  return {
    ...data,
    meta: pageMeta(event, {
      title: `${t("booking.page_title", { title: et.title, host: host.name })} · Invito`,
      description: et.description.trim() ||
        t("meta.booking_description", { title: et.title, host: host.name }),
      languageFixed: data.languageFixed,
    }),
  };
}

export async function loadBookingPage(event: RequestEvent<Params>) {
  const { locals, params, url } = event;
  const q = url.searchParams;
  // SvelteKit reruns this load on a client-side navigation only for the query parameters it saw
  // read. When the page cache has read the slot page already, nothing here would read `date` or
  // `month`, and choosing another day in the browser would change the URL but not the page.
  for (
    const name of ["date", "month", "duration", "tz", "zone", "clock", "lang", "slot", "layout"]
  ) {
    q.get(name);
  }
  // Without `&clock=`, times are written as the guest's language does it.
  if (!q.has("clock")) event.setHeaders({ vary: "Accept-Language" });
  // The page cache may have read it already for this request; insights count from it after.
  const res = locals.slotPage ??= await slotPageFor(
    locals.app,
    params,
    url,
    event.request.headers.get("accept-language"),
    locals.locale,
  );
  if (!res.ok) error(404, locals.t.t("errors.no_booking_page"));
  if (!res.listed) event.setHeaders({ "x-robots-tag": "noindex" });
  const slot = q.get("slot");
  const chosen = slot && res.slots.some((s) => s.start === slot) ? slot : null;
  const zone = pageZone(q, locals.app.now(), locals.locale);
  // A repeating event type: every date of the series from the chosen start (book-series.ts).
  const series = chosen && "username" in params
    ? await seriesPreview(locals.app, {
      username: params.username.toLowerCase(),
      slug: params.slug.toLowerCase(),
      start: chosen,
      durationMin: res.durationMin,
    })
    : null;
  const clockFromUrl = parseClock(q.get("clock")) !== null;
  markGuessed(event, { zoneFromUrl: zone.fromUrl, timeZone: res.timeZone, clock: res.clock });
  return {
    series,
    ...res,
    tzFromUrl: zone.fromUrl,
    clockFromUrl,
    chosen,
    slotWasTaken: !!slot && !chosen,
    ttlText: formatDuration(locals.app.config.bookingTtlMs, locals.locale),
    langFromUrl: langFromUrl(url, locals.locale) && !res.languageFixed,
    zoneNotice: zone.notice,
    fillToken: locals.fillToken = await fillToken(locals.app),
    // Starting values from the link (prefill, a routing form's visitor): only values the form
    // would accept; the rest is left out without a word (domain/booking-prefill.ts).
    prefill: decidePrefill(q, {
      questions: res.eventType.questions,
      places: res.eventType.locations?.length ?? 0,
    }),
    // A routing form's signed response reference the booking will link to.
    routing: (q.get("routing") ?? "").slice(0, 200),
    source: pageSource(q),
  };
}

/** The UTM parameters and `ref` of the page's URL, cleaned (invalid ones dropped silently). */
function pageSource(q: URLSearchParams): BookingSource | null {
  return decideSource((f) => q.get(f));
}

/** Books with the guest's form input; the plain booking page books by username and slug. */
export type Booker = (
  input: Omit<BookInput, "username" | "slug">,
) => Promise<BookResult | { ok: false; reason: string }>;

/** Booking pages whose form post may be answered with the event type's thank-you page. */
const THANK_YOU_ROUTES = new Set(["/calendar/[username]/[slug]", "/team/[team]/[slug]"]);

/** What a booking form post came to: the guest's booking page, or the form again with why. */
export type BookForm =
  | { kind: "booked"; location: string }
  | { kind: "failed"; status: number; data: BookFailure }
  /** No such booking page (any more): answered with the 404 page. */
  | { kind: "not_found" };
export type BookFailure = {
  /** What the guest typed, to show again. */
  values: Record<string, string>;
  errors: Record<string, string>;
  reason: string | null;
  /** The refusal itself, for pages that answer some refusals with a page of their own. */
  refused?: string;
  /** The fill-time token the guest's form was served with (a retry keeps it). */
  ft: string;
};

/** Where a finished booking is shown: inside the widget (with its looks) or on the booking page. */
export function resultPath(
  event: { route: { id: string | null }; url: URL },
): (guestToken: string) => string {
  if (event.route.id?.startsWith("/widget/")) {
    const q = new URLSearchParams();
    const theme = event.url.searchParams.get("theme");
    const accent = parseAccent(event.url.searchParams.get("accent"));
    if (theme === "light" || theme === "dark" || theme === "system") q.set("theme", theme);
    if (accent) q.set("accent", accent.slice(1));
    const suffix = q.size ? `?${q}` : "";
    return (token) => `/widget/booking/${token}${suffix}`;
  }
  return (token) => `/booking/${token}`;
}

/**
 * A booking form post as the decision needs it: what was posted and the little of the request
 * that matters. SvelteKit's action builds it from its event (`bookPostOf`); server.ts's early
 * answer (http/book-early.ts) from the raw request, without SvelteKit.
 */
export type BookPost = {
  form: Record<string, FormDataEntryValue>;
  acceptLanguage: string | null;
  /** The browser's booker cookie, when it sent one of ours (http/booker-cookie.ts). */
  bookerCookie: string | null;
  params: AnyParams;
  routeId: string | null;
  url: URL;
  app: App;
  locale: string;
  t: Translator;
};

/** The post of a SvelteKit event (its body read as form data). */
export async function bookPostOf(event: RequestEvent<AnyParams>): Promise<BookPost> {
  const { request, params, locals, route, url } = event;
  return {
    form: Object.fromEntries(await request.formData()),
    acceptLanguage: request.headers.get("accept-language"),
    bookerCookie: bookerCookieOf(request.headers.get("cookie")),
    params,
    routeId: route.id,
    url,
    app: locals.app,
    locale: locals.locale,
    t: locals.t,
  };
}

/**
 * Decides a booking form post: with the booking page's username and slug, or through `book` (a
 * single-use link).
 */
export async function decideBookPost(post: BookPost, book?: Booker): Promise<BookForm> {
  const { form: raw, params, app, t } = post;
  const str = (
    k: string,
    fallback = "",
  ) => (typeof raw[k] === "string" ? (raw[k] as string) : fallback);
  const values: Record<string, string> = {
    name: str("name").slice(0, FIELD_MAX.line + 1),
    email: str("email").slice(0, FIELD_MAX.email + 1),
    note: str("note").slice(0, 2100),
    location: str("location").slice(0, 3),
    phone: str("phone").slice(0, 40),
    guests: str("guests").slice(0, guestsFieldMax(GUESTS_MAX) + 1),
  };
  // Where the guest came from rides along as hidden fields (and survives a refusal); invalid
  // values are dropped without a word.
  const source = decideSource((f) => raw[f]);
  for (const [f, val] of sourceQuery(source)) values[f] = val;
  for (const [k, val] of Object.entries(raw)) {
    if (k.startsWith("q_") && typeof val === "string") values[k] = val.slice(0, 2100);
  }
  // A routing form's signed response reference rides along (and survives a refusal).
  const routing = str("routing").slice(0, 200);
  if (routing) values.routing = routing;
  const failed = (
    status: number,
    errors: Record<string, string>,
    reason: string | null,
    refused?: string,
  ): BookForm => ({
    kind: "failed",
    status,
    data: {
      values,
      errors,
      reason,
      ...(refused ? { refused } : {}),
      ft: str("ft").slice(0, 200),
    },
  });
  const rawAnswers: Record<string, string> = {};
  for (const [k, val] of Object.entries(raw)) {
    if (k.startsWith("q_") && typeof val === "string") rawAnswers[k] = val;
  }
  const durationText = str("duration");
  const extras = {
    rawAnswers,
    locationChoice: str("location"),
    phone: str("phone").slice(0, 40),
    guests: values.guests,
    source,
    skip: str("skip").slice(0, 200),
    durationMin: /^\d{1,3}$/.test(durationText) ? Number(durationText) : null,
    clock: parseClock(str("clock")) ?? guestClock(post.url, post.acceptLanguage, post.locale),
    locale: post.locale,
    // Which browser books: a second identical post of the same one is answered with the booking
    // its first made, not "taken" (ADR 060). Only the hash reaches the booking.
    bookerTag: bookerTag(post.bookerCookie),
  };
  // The page's own booker: a team's event type, or a host's.
  const byPage: Booker = (input) =>
    params.team !== undefined
      ? bookTeamSlot(app, {
        ...input,
        team: params.team.toLowerCase(),
        slug: (params.slug ?? "").toLowerCase(),
        routing,
      })
      : bookSlot(app, {
        ...input,
        username: (params.username ?? "").toLowerCase(),
        slug: (params.slug ?? "").toLowerCase(),
        routing,
      });
  const answerErrors = (errors: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const [k, ref] of Object.entries(errors)) out[k] = translateRef(t, ref);
    return out;
  };
  const parsed = v.safeParse(BookingForm, {
    name: str("name"),
    email: str("email"),
    note: str("note"),
    start: str("start"),
    tz: str("tz", "UTC"),
  });
  if (!parsed.success) {
    // The rest of the form is checked too: every problem at once, not one round each.
    const rest = await (book ?? byPage)({
      ...extras,
      start: str("start"),
      name: str("name"),
      email: str("email"),
      note: str("note"),
      timeZone: str("tz", "UTC"),
      checkOnly: true,
    });
    const more = !rest.ok && rest.reason === "invalid_answers" && "errors" in rest
      ? answerErrors(rest.errors)
      : {};
    return failed(400, { ...more, ...fieldErrors(parsed.issues, t) }, null);
  }
  const human = await checkFillToken(app, str("ft"), str("website"));
  if (!human.ok) return failed(400, {}, translateRef(t, human.message));
  const result = await (book ?? byPage)({
    ...extras,
    start: parsed.output.start,
    name: parsed.output.name,
    email: parsed.output.email,
    note: parsed.output.note,
    timeZone: parsed.output.tz,
  });
  recordBookingOutcome(
    result.ok ? (result.repeated ? "repeated" : result.status.toLowerCase()) : result.reason,
  );
  if (result.ok) {
    // The event type's thank-you page, straight from the form post (no JavaScript needed); the
    // widget shows its result first, which tells the embedding page and then goes (ADR 046).
    // Only the booking pages themselves: their form-action allows the thank-you page's origin.
    const thankYou = THANK_YOU_ROUTES.has(post.routeId ?? "") ? result.thankYou : null;
    return {
      kind: "booked",
      location: thankYou ??
        resultPath({ route: { id: post.routeId }, url: post.url })(result.guestToken),
    };
  }
  if (result.reason === "not_found") return { kind: "not_found" };
  if (result.reason === "invalid_answers" && "errors" in result) {
    return failed(400, answerErrors(result.errors), null);
  }
  return failed(refusalStatus(result.reason), {}, t.t(refusalKey(result.reason)), result.reason);
}

/** Posts decided before SvelteKit and handed to it to answer (http/book-early.ts). */
const handedOver = new WeakMap<Request, BookForm>();

/** Gives SvelteKit a post already decided: its hooks and action answer with this decision. */
export function handOverDecision(req: Request, decided: BookForm): void {
  handedOver.set(req, decided);
}

/**
 * Reads and decides a booking form post (server.ts or the page cache may have done it for this
 * request; the action then reuses that decision).
 */
export async function decideBookForm(
  event: RequestEvent<AnyParams>,
  book?: Booker,
): Promise<BookForm> {
  return event.locals.bookForm ??= handedOver.get(event.request) ??
    await decideBookPost(await bookPostOf(event), book);
}

export async function bookAction(event: RequestEvent<AnyParams>, book?: Booker) {
  const decided = await decideBookForm(event, book);
  if (decided.kind === "not_found") error(404, event.locals.t.t("errors.no_booking_page"));
  if (decided.kind === "booked") redirect(303, decided.location);
  if (decided.status === BUSY_STATUS) retryLater(event.setHeaders);
  return fail(decided.status, decided.data);
}
