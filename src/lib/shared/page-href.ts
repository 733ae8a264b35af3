/**
 * Links to the page a reader is on, with some choices changed (language, clock, zone). The page
 * may be a form's answer at the form's address (`?/book&date=…`, a post without JavaScript
 * refused): SvelteKit's action key (any key starting with "/") is left out, or every such link
 * would carry `?%2Fbook=` into the next address.
 *
 * Only the parameters pages read go along, each no longer than it may be (`PAGE_PARAMS`): a link
 * that echoed the whole address carried made-up parameters and values of any length into every
 * language, clock and zone link — a 64 KB address made a 421 KB page. A value over its bound is
 * left out (the page ignored it too), never cut into a different value.
 */
import { FIELD_MAX } from "./field-bounds.ts";
import { SOURCE_FIELDS, SOURCE_MAX } from "./booking-extras.ts";

/** The parameters guest and sign-in pages read from their address, and the longest value of each. */
export const PAGE_PARAMS: Readonly<Record<string, number>> = {
  lang: FIELD_MAX.code,
  clock: FIELD_MAX.choice,
  tz: FIELD_MAX.timeZone,
  zone: FIELD_MAX.timeZone,
  month: FIELD_MAX.date,
  date: FIELD_MAX.date,
  slot: FIELD_MAX.date,
  duration: FIELD_MAX.number,
  layout: FIELD_MAX.choice,
  routing: SOURCE_MAX,
  theme: FIELD_MAX.choice,
  accent: FIELD_MAX.choice,
  voter: FIELD_MAX.token,
  // A booking link's prefill (domain/booking-prefill.ts): the form's own limits.
  name: FIELD_MAX.line,
  email: FIELD_MAX.email,
  note: 2000,
  phone: FIELD_MAX.choice,
  location: FIELD_MAX.choice,
  ...Object.fromEntries(SOURCE_FIELDS.map((f) => [f, SOURCE_MAX])),
  // The sign-in pages: where to go after, and why the last attempt failed.
  next: FIELD_MAX.url,
  callbackUrl: FIELD_MAX.url,
  error: FIELD_MAX.choice,
};
/** A prefilled answer, `q_<question id or label>`: a few of them, each as long as an answer. */
const ANSWER = /^q_[\w-]{1,64}$/;
const ANSWERS_MAX = 20;
const ANSWER_MAX = 2000;

/** Whether guest and sign-in pages read a parameter of this name (a click id, `fbclid`, is not). */
export function readsParam(name: string): boolean {
  return Object.hasOwn(PAGE_PARAMS, name) || ANSWER.test(name);
}

/** The parameters of `url` a link to the same page keeps (see `PAGE_PARAMS`), first of each name. */
export function keptParams(url: URL): URLSearchParams {
  const q = new URLSearchParams();
  let answers = 0;
  for (const [k, v] of url.searchParams) {
    if (!v || q.has(k)) continue;
    const max = Object.hasOwn(PAGE_PARAMS, k) ? PAGE_PARAMS[k] : ANSWER.test(k) ? ANSWER_MAX : 0;
    if (v.length > max) continue;
    if (!Object.hasOwn(PAGE_PARAMS, k) && ++answers > ANSWERS_MAX) continue;
    q.set(k, v);
  }
  return q;
}

/**
 * The query of a list page's links to its event types (a host's or a team's, on its page or in
 * its widget): every parameter of the list's address that pages read (`keptParams`), so the
 * event type chosen opens with the guest's zone and language and with what a site's embed or
 * link filled in — name, email, answers, note, place, phone, layout — and its booking keeps where
 * the guest came from (UTM, `ref`). `carry`: the widget's looks as it checked them, on top.
 */
export function listLinkQuery(url: URL, carry = ""): string {
  const q = keptParams(url);
  for (const [k, v] of new URLSearchParams(carry)) q.set(k, v);
  return q.size ? `?${q}` : "";
}

export function pageHref(url: URL, set: Record<string, string | null>): string {
  const q = keptParams(url);
  for (const [k, v] of Object.entries(set)) {
    if (v === null) q.delete(k);
    else q.set(k, v);
  }
  return q.size ? `${url.pathname}?${q}` : url.pathname;
}

/**
 * A redirect's target (`location`, as the answer to a request at `from` gives it) with the
 * language the reader chose (`lang`) when it is a page of this site that chooses none itself: a
 * guest who picked German and sent a form lands on a German page, not on their browser's
 * language (ADR 062). Another site's address, or one with its own `lang`, stays as it is.
 */
export function withChosenLanguage(location: string, from: URL, lang: string): string {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return location;
  }
  if (to.origin !== from.origin || to.searchParams.has("lang")) return location;
  // Appended, so the rest of the query keeps its own spelling.
  to.search = `${to.search ? `${to.search}&` : "?"}lang=${encodeURIComponent(lang)}`;
  return /^[a-z][a-z\d+.-]*:/i.test(location) || location.startsWith("//")
    ? to.href
    : `${to.pathname}${to.search}${to.hash}`;
}

/**
 * A link from this page to another of the reader's pages (a booking's cancel or move page) that
 * keeps the language they chose here (`?lang=` of `url`, within its bound).
 */
export function withPageLanguage(href: string, url: URL): string {
  const lang = keptParams(url).get("lang");
  return lang ? withChosenLanguage(href, url, lang) : href;
}
