/**
 * One-off links with hand-picked times (issue 28, Calendly's "offer specific times"): the host
 * picks 1–10 of their free times and an optional note; the link (a single-use link, ADR 024)
 * offers only those of them still free, is spent by the first booking, and expires at the last
 * time it offers.
 */
import type { App } from "../app.ts";
import type {
  EventTypeRecord,
  SingleUseLinkRecord,
  SingleUseLinkUseRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { Temporal } from "../domain/temporal.ts";
import { isMultiLineText, normalizeLineBreaks } from "../../shared/text.ts";
import { newId } from "../store/users.ts";
import { getEventTypeBySlug, listEventTypes } from "../store/event-types.ts";
import {
  countSingleUseLinks,
  getSingleUseLink,
  getSingleUseLinkUse,
  insertSingleUseLink,
  listSingleUseLinks,
} from "../store/single-use-links.ts";
import { randomToken, sha256Hex } from "../integrations/crypto.ts";
import { isOffered, parseStart } from "./book-slot.ts";
import { getSlotPage, type SlotPage } from "./slot-page.ts";
import { getSlotRange, MAX_RANGE_DAYS } from "./slot-range.ts";
import {
  type LinkState,
  linkState,
  linkToken,
  MAX_LINKS_PER_HOST,
  revokeLink,
  singleUseUrl,
} from "./single-use-links.ts";
import {
  civilDateShort,
  formatDate,
  formatDateTime,
  formatTime,
  hostClock,
  isCivilDate,
  isoDateIn,
  isoInstant,
  shortDateLabel,
} from "../../shared/format.ts";
import { bookingHorizon } from "./public-calendar.ts";

export const MAX_OFFERED = 10;
export const NOTE_MAX = 500;
/** How many days one page of the picker shows (it pages on to the booking window's end). */
export const PICKER_DAYS = 14;

export type OneOffResult =
  | { ok: true; url: string; link: SingleUseLinkRecord }
  | {
    ok: false;
    reason: "not_found" | "too_many" | "no_times" | "too_many_times" | "not_free" | "bad_note";
  };

export async function mintOneOffLink(
  app: App,
  host: UserRecord,
  input: { slug: string; starts: string[]; note: string },
): Promise<OneOffResult> {
  const et = await getEventTypeBySlug(app.kv, host.id, input.slug);
  if (!et || !et.active || et.teamMode) return { ok: false, reason: "not_found" };
  // One time written two ways ("…Z", "…+00:00") is one time.
  const unique = [
    ...new Map(input.starts.map((text) => [parseStart(text)?.epochMilliseconds ?? text, text]))
      .values(),
  ];
  if (unique.length === 0) return { ok: false, reason: "no_times" };
  if (unique.length > MAX_OFFERED) return { ok: false, reason: "too_many_times" };
  // As its field counts it: a browser's CRLF is one line break (and is stored as one).
  const note = normalizeLineBreaks(input.note).trim();
  if (note.length > NOTE_MAX || !isMultiLineText(note)) return { ok: false, reason: "bad_note" };
  const starts: number[] = [];
  for (const text of unique) {
    const start = parseStart(text);
    // Each one a time a guest could book now (the guest's booking is checked the same way).
    if (!start || !(await isOffered(app, host, et, start, et.durationMin))) {
      return { ok: false, reason: "not_free" };
    }
    starts.push(start.epochMilliseconds);
  }
  starts.sort((a, b) => a - b);
  // …and still free: not over a booking, a held time or the host's calendars.
  if ((await freeStarts(app, host, et, starts)).size !== starts.length) {
    return { ok: false, reason: "not_free" };
  }
  if (await countSingleUseLinks(app.kv, host.id) >= MAX_LINKS_PER_HOST) {
    return { ok: false, reason: "too_many" };
  }
  const nowMs = app.now();
  const link: SingleUseLinkRecord = {
    v: 1,
    id: newId(nowMs),
    hostId: host.id,
    eventTypeId: et.id,
    salt: randomToken(16),
    createdAtMs: nowMs,
    // Expires at the last offered time: after it nothing is left to pick.
    expiresAtMs: starts.at(-1)!,
    guestEmail: null,
    label: note.split("\n")[0].slice(0, 100),
    offeredStarts: starts,
    note,
  };
  const token = await linkToken(app, link);
  if (!(await insertSingleUseLink(app.kv, link, await sha256Hex(token)))) {
    throw new Error("single-use link id collision");
  }
  return { ok: true, url: await singleUseUrl(app, host, link), link };
}

/**
 * Which of `startsMs` the host's page of `et` offers now — busy time, held times, calendars and
 * caps counted — by the same computation as every booking page (one day's range per date).
 */
export async function freeStarts(
  app: App,
  host: UserRecord,
  et: EventTypeRecord,
  startsMs: number[],
): Promise<Set<number>> {
  const wanted = new Set(startsMs);
  const free = new Set<number>();
  for (const date of new Set(startsMs.map((ms) => isoDateIn(ms, "UTC")))) {
    const range = await getSlotRange(app, {
      username: host.username,
      slug: et.slug,
      start: date,
      end: date,
      timeZone: "UTC",
    });
    if (!range.ok) continue;
    for (const d of range.days) for (const ms of d.starts) if (wanted.has(ms)) free.add(ms);
  }
  return free;
}

/** Picked times kept across the picker's pages: at most this many (a few more than allowed). */
export const PICKER_KEPT_MAX = 50;

/** A civil date `days` after `date` (ISO). */
const addDays = (date: string, days: number) =>
  Temporal.PlainDate.from(date).add({ days }).toString();

/**
 * The picker of "Offer specific times" and meeting polls: the host's free times of an event type
 * by day, `PICKER_DAYS` days at a time from `from` (today when absent or not a date), paged
 * forward and back between today and the last day the event type's booking window reaches —
 * every time a one-off link or a poll accepts through the dashboard, not only the next two
 * weeks. `ticked`: the times the host picked so far (on any page, as the form posts them), given
 * back with their labels so that a page that does not show them can still list them.
 */
export async function oneOffPicker(
  app: App,
  host: UserRecord,
  q: { slug: string | null; locale: string; from?: string | null; ticked?: readonly string[] },
) {
  const types = (await listEventTypes(app.kv, host.id)).filter((t) => t.active && !t.teamMode);
  const et = types.find((t) => t.slug === q.slug) ?? types[0] ?? null;
  const clock = hostClock(host, q.locale);
  const days: { date: string; label: string; slots: { start: string; label: string }[] }[] = [];
  let pages: {
    from: string;
    to: string;
    earlier: string | null;
    later: string | null;
    /** The last day the booking window reaches (the last page's end). */
    lastDate: string;
    /** The page's first and last days and the window's last, in words ("Dec 5"). */
    fromLabel: string;
    toLabel: string;
    lastLabel: string;
  } | null = null;
  if (et) {
    const nowMs = app.now();
    const today = isoDateIn(nowMs, host.timeZone);
    const lastDate = bookingHorizon(nowMs, host, et, host.timeZone).lastDate.toString();
    const wanted = q.from && isCivilDate(q.from) ? q.from : today;
    // Before today: today's page; past the window: its last full page.
    const lastPage = addDays(lastDate, 1 - PICKER_DAYS);
    const from = wanted < today
      ? today
      : wanted > lastDate
      ? (lastPage < today ? today : lastPage)
      : wanted;
    const end = addDays(from, PICKER_DAYS - 1);
    const to = end > lastDate ? lastDate : end;
    pages = {
      from,
      to,
      earlier: from > today
        ? (addDays(from, -PICKER_DAYS) < today ? today : addDays(from, -PICKER_DAYS))
        : null,
      later: to < lastDate ? addDays(to, 1) : null,
      lastDate,
      fromLabel: shortDateLabel(from, q.locale),
      toLabel: shortDateLabel(to, q.locale),
      lastLabel: civilDateShort(lastDate, q.locale),
    };
    const range = await getSlotRange(app, {
      username: host.username,
      slug: et.slug,
      start: from,
      end: to,
      timeZone: host.timeZone,
    });
    if (range.ok) {
      for (const d of range.days) {
        if (d.starts.length === 0) continue;
        days.push({
          date: d.date,
          label: formatDate(d.starts[0], host.timeZone, q.locale),
          slots: Array.from(d.starts, (ms) => ({
            start: isoInstant(ms),
            label: formatTime(ms, host.timeZone, clock, q.locale),
          })),
        });
      }
    }
  }
  return {
    types: types.map((t) => ({ slug: t.slug, title: t.title })),
    chosen: et ? { slug: et.slug, title: et.title } : null,
    days,
    pages,
    labels: pickedLabels(host, q.ticked ?? [], q.locale),
    timeZone: host.timeZone,
  };
}

/**
 * Picked times (as posted) with the words the picker lists them by — date and time in the host's
 * zone — for those a page of the picker does not show. What is not a time is left out.
 */
export function pickedLabels(
  host: UserRecord,
  starts: readonly string[],
  locale: string,
): Record<string, string> {
  const clock = hostClock(host, locale);
  const out: Record<string, string> = {};
  for (const text of starts.slice(0, PICKER_KEPT_MAX)) {
    const start = parseStart(text);
    if (start) out[text] = formatDateTime(start.epochMilliseconds, host.timeZone, clock, locale);
  }
  return out;
}

/**
 * ISO dates gathered into as few spans as the slot range answers at once (each at most
 * MAX_RANGE_DAYS dates, first to last), in date order.
 */
export function dateSpans(dates: string[]): { start: string; end: string }[] {
  const spans: { start: string; end: string }[] = [];
  for (const date of [...new Set(dates)].sort()) {
    const open = spans.at(-1);
    const fits = open &&
      Temporal.PlainDate.from(open.start).until(date, { largestUnit: "days" }).days <
        MAX_RANGE_DAYS;
    if (fits) open.end = date;
    else spans.push({ start: date, end: date });
  }
  return spans;
}

/**
 * A one-off link's booking page: the event type's page cut to the offered times that are
 * still free (by the same computation as every booking page), opening on the first of them.
 */
export async function oneOffSlotPage(
  app: App,
  link: SingleUseLinkRecord,
  username: string,
  slug: string,
  q: {
    timeZone: string;
    month: string | null;
    date: string | null;
    clock?: "12h" | "24h";
    locale?: string;
  },
): Promise<SlotPage | { ok: false; reason: "none_left" }> {
  const offered = link.offeredStarts ?? [];
  const wanted = new Set(offered);
  const free = new Set<number>();
  // Which offered times are still free, by the slot range every booking page uses. It answers
  // at most MAX_RANGE_DAYS at a time, and times offered further apart (a booking window goes to
  // a year) were once asked for in one span, refused, and the page said none were left: so one
  // ask per span of offered dates that fits (one for most links, at most one per time).
  for (const span of dateSpans(offered.map((ms) => isoDateIn(ms, q.timeZone)))) {
    const range = await getSlotRange(app, { username, slug, ...span, timeZone: q.timeZone });
    if (!range.ok) continue;
    for (const d of range.days) for (const ms of d.starts) if (wanted.has(ms)) free.add(ms);
  }
  const freeDates = new Map<string, number>();
  for (const ms of free) {
    const d = isoDateIn(ms, q.timeZone);
    freeDates.set(d, (freeDates.get(d) ?? 0) + 1);
  }
  // Every time offered was taken or has passed: nothing to show but that (and whom to ask).
  if (free.size === 0) return { ok: false, reason: "none_left" };
  const firstFree = [...free].sort((a, b) => a - b)[0];
  const openOn = q.date && freeDates.has(q.date)
    ? q.date
    : firstFree !== undefined
    ? isoDateIn(firstFree, q.timeZone)
    : null;
  const page = await getSlotPage(app, {
    username,
    slug,
    timeZone: q.timeZone,
    month: q.month ?? openOn?.slice(0, 7) ?? null,
    date: q.month ? null : openOn,
    clock: q.clock,
    locale: q.locale,
  });
  if (!page.ok) return page;
  const days = page.days.map((d) => ({ date: d.date, slots: freeDates.get(d.date) ?? 0 }));
  const date = page.date && freeDates.has(page.date)
    ? page.date
    : days.find((d) => d.slots > 0)?.date ?? null;
  const slotsOfDate = date === page.date ? page.slots : date
    ? (await getSlotPage(app, {
      username,
      slug,
      timeZone: q.timeZone,
      date,
      clock: q.clock,
      locale: q.locale,
    }) as Extract<SlotPage, { ok: true }>).slots
    : [];
  return {
    ...page,
    days,
    date,
    slots: slotsOfDate.filter((s) => free.has(Date.parse(s.start))),
  };
}

/** A one-off link as the JSON API shows it. */
export type OneOffLinkResource = {
  id: string;
  eventTypeId: string;
  url: string;
  note: string;
  times: string[];
  createdAt: string;
  expiresAt: string | null;
  state: LinkState["kind"];
  bookingId: string | null;
};

async function oneOffResource(
  app: App,
  host: UserRecord,
  link: SingleUseLinkRecord,
  use: SingleUseLinkUseRecord | null,
): Promise<OneOffLinkResource> {
  const state = linkState(link, use, app.now());
  return {
    id: link.id,
    eventTypeId: link.eventTypeId,
    url: await singleUseUrl(app, host, link),
    note: link.note ?? "",
    times: (link.offeredStarts ?? []).map(isoInstant),
    createdAt: isoInstant(link.createdAtMs),
    expiresAt: link.expiresAtMs === null ? null : isoInstant(link.expiresAtMs),
    state: state.kind,
    bookingId: state.kind === "used" ? state.bookingId : null,
  };
}

/** The host's one-off links (those with hand-picked times), newest first. */
export async function listOneOffLinks(
  app: App,
  host: UserRecord,
): Promise<OneOffLinkResource[]> {
  const all = await listSingleUseLinks(app.kv, host.id, MAX_LINKS_PER_HOST);
  return await Promise.all(
    all.filter((x) => x.link.offeredStarts).map((x) => oneOffResource(app, host, x.link, x.use)),
  );
}

/** One of the host's one-off links (null: none of theirs by that id). */
export async function getOneOffLink(
  app: App,
  host: UserRecord,
  id: string,
): Promise<OneOffLinkResource | null> {
  if (!/^[0-9A-Z]{26}$/.test(id)) return null;
  const link = await getSingleUseLink(app.kv, host.id, id);
  if (!link?.offeredStarts) return null;
  return await oneOffResource(app, host, link, await getSingleUseLinkUse(app.kv, id));
}

/** Revokes an unspent one-off link; a used one stays used. */
export async function revokeOneOffLink(
  app: App,
  host: UserRecord,
  id: string,
): Promise<
  { ok: true; link: OneOffLinkResource } | { ok: false; reason: "not_found" | "already_used" }
> {
  if (!(await getOneOffLink(app, host, id))) return { ok: false, reason: "not_found" };
  const res = await revokeLink(app, host, id);
  if (!res.ok) return res;
  return { ok: true, link: (await getOneOffLink(app, host, id))! };
}
