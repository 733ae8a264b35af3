/**
 * Slots a test can count on whatever hour and day it runs at.
 *
 * A booking page opens on the first day with free times: late in the host's afternoon that is
 * today with two or three times left, on the 30th the last day of the month. A test that needs
 * several times on one day, or "another day of this month", then fails by the clock, not by the
 * product. `fullDay` asks the page for each date from tomorrow on (`date=YYYY-MM-DD`, in the
 * page's zone `tz`) and returns the first date that offers at least `min` times.
 */
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import type { Locator } from "playwright-core";

/**
 * How far ahead "tomorrow" must start for a test to take its times: at 23:55 in the test's zone,
 * tomorrow's first time of an all-day host is five minutes away, and it can pass, or fall under
 * the host's notice, while the test runs.
 */
const TOMORROW_MARGIN_HOURS = 3;

/**
 * The first date a test takes times from, in `tz`: tomorrow, or the day after when tomorrow starts
 * within a few hours (`TOMORROW_MARGIN_HOURS`). `now` is for this rule's own test.
 */
export function firstTestDate(
  tz = "UTC",
  now: Temporal.Instant = Temporal.Now.instant(),
): Temporal.PlainDate {
  return now.toZonedDateTimeISO(tz).add({ hours: TOMORROW_MARGIN_HOURS }).toPlainDate()
    .add({ days: 1 });
}

export const slotsIn = (html: string): string[] =>
  [...html.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]);

export type FullDay = {
  /** the date, in `tz` (YYYY-MM-DD) */
  date: string;
  /** the slot starts the page offers that day (ISO instants), in the page's order */
  slots: string[];
  /** the page's address for that date, with `tz` and any `query` (relative to base) */
  path: string;
};

export type FullDayOptions = {
  /** how many times the day must offer (default 8) */
  min?: number;
  /** the page's time zone, also used for "tomorrow" (default UTC) */
  tz?: string;
  /** more query parameters (e.g. `lang=de`) */
  query?: string;
  /** the first date to try (default: tomorrow in `tz`, `firstTestDate`) */
  from?: string;
  /** headers for the page request (e.g. a signed-in client's cookie) */
  headers?: HeadersInit;
  /** how many dates to try (default 21) */
  days?: number;
  /** how to read a page (default: fetch with `headers`), e.g. a signed-in client's `get` */
  get?: (path: string) => Promise<string>;
  /** the times in a page (default: its `data-slot`s), e.g. a dashboard picker's radios */
  read?: (html: string) => string[];
};

/** The times a dashboard picker (book for a guest, move a booking) offers: its `start` radios. */
export const startsIn = (html: string): string[] => [
  ...new Set([...html.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1])),
];

/** The first date from tomorrow on on which the page at `page` (e.g. "/calendar/demo/intro-call") offers at least `min` times. */
export async function fullDay(
  base: string,
  page: string,
  opts: FullDayOptions = {},
): Promise<FullDay> {
  const tz = opts.tz ?? "UTC";
  const min = opts.min ?? 8;
  let date = opts.from ? Temporal.PlainDate.from(opts.from) : firstTestDate(tz);
  const tried: string[] = [];
  for (let i = 0; i < (opts.days ?? 21); i++, date = date.add({ days: 1 })) {
    const sep = page.includes("?") ? "&" : "?";
    const path = `${page}${sep}tz=${encodeURIComponent(tz)}&date=${date}${
      opts.query ? `&${opts.query}` : ""
    }`;
    const html = opts.get
      ? await opts.get(path)
      : await (await fetch(new URL(path, base), { headers: opts.headers })).text();
    const slots = (opts.read ?? slotsIn)(html);
    if (slots.length >= min) return { date: date.toString(), slots, path };
    tried.push(`${date}: ${slots.length}`);
  }
  throw new Error(`no day with ${min} times on ${page} (${tried.join(", ")})`);
}

/**
 * Two dates of one month, each offering at least `min` times (default 2), found as `fullDay`
 * finds one: for a test that opens a month on one day and has the guest choose another of that
 * month (a month view shows only its own days, so on the 29th "tomorrow" may be next month's).
 */
export async function twoDaysInOneMonth(
  base: string,
  page: string,
  opts: FullDayOptions = {},
): Promise<[FullDay, FullDay]> {
  const o = { min: 2, ...opts };
  let first = await fullDay(base, page, o);
  for (let i = 0; i < 3; i++) {
    const next = Temporal.PlainDate.from(first.date).add({ days: 1 });
    const second = await fullDay(base, page, { ...o, from: next.toString() });
    if (second.date.slice(0, 7) === first.date.slice(0, 7)) return [first, second];
    first = second; // the month ran out: start again in the next one
  }
  throw new Error(`no month with two days of ${o.min} times on ${page}`);
}

export type FullDaysOptions = FullDayOptions & {
  /** how many different dates (default 2) */
  count?: number;
  /**
   * All dates in one month (a month view's "another free day"): near a month's end the search
   * moves on to the next month rather than straddle two.
   */
  sameMonth?: boolean;
};

/**
 * The first `count` different dates from tomorrow on that each offer at least `min` times (for
 * a test that needs "another full day", e.g. to move a booking, or two free days in one month).
 */
export async function fullDays(
  base: string,
  page: string,
  opts: FullDaysOptions = {},
): Promise<FullDay[]> {
  const count = opts.count ?? 2;
  const tz = opts.tz ?? "UTC";
  const out: FullDay[] = [];
  let from = opts.from ?? firstTestDate(tz).toString();
  for (let round = 0; round < 90 && out.length < count; round++) {
    const day = await fullDay(base, page, { ...opts, from });
    const next = Temporal.PlainDate.from(day.date).add({ days: 1 });
    if (opts.sameMonth && out.length && day.date.slice(0, 7) !== out[0].date.slice(0, 7)) {
      out.length = 0; // not enough left in that month: start over in this one
    }
    out.push(day);
    from = next.toString();
  }
  if (out.length < count) throw new Error(`no ${count} days with enough times on ${page}`);
  return out;
}

/**
 * A page address for `date` without a `tz` parameter, for a browser that should pick its own
 * zone (the browser context's `timezoneId`); `query` is added as is.
 */
export function datePath(page: string, date: string, query = ""): string {
  const sep = page.includes("?") ? "&" : "?";
  return `${page}${sep}date=${date}${query ? `&${query}` : ""}`;
}

/**
 * Opens `date` (e.g. a `fullDay`'s) on a booking page shown in a browser (a page, or a widget's
 * frame) as a guest does: its day in the month calendar, after the next month's arrow when it is
 * in the next month (tomorrow, on a month's last day); then waits until that day is the one
 * shown. For a page the test cannot open at a date itself (a routing form sends the visitor to
 * it): its own first day may be today, whose first time can pass before the visitor books it.
 * The day's link keeps what the page's address carries (a routed visitor's answers, the zone).
 */
export async function openDay(
  on: { locator(selector: string): Locator },
  date: string,
): Promise<void> {
  // The month calendar first: a page still on its way (a routing form's answer going on to the
  // booking page in a frame) has none yet, and a count then read 0 and sent this to look for a
  // next month's arrow to the month on screen, which no page has (a full run's embed test).
  const month = on.locator("ul[aria-labelledby=month-title]");
  await month.waitFor();
  const day = month.locator(`a[href*="date=${date}"]`);
  if ((await day.count()) === 0) {
    await on.locator(`a[href*="month=${date.slice(0, 7)}"]`).first().click();
  }
  await day.click();
  await on.locator(`ul[aria-labelledby=month-title] a[aria-current=date][href*="date=${date}"]`)
    .waitFor();
}

/**
 * Of a list of times (ISO instants, e.g. a picker's that spans days from today on), those on a
 * date from tomorrow on (in `tz`): one of today's can pass while the test uses it, and a passed
 * time is shown as passed, without its button (a full run's poll test took the demo host's
 * 14:45 that afternoon, and the host's page of answers showed it passed ten seconds later).
 */
export function fromTomorrow(starts: string[], tz = "UTC"): string[] {
  const tomorrow = firstTestDate(tz).toString();
  return starts.filter((s) =>
    Temporal.Instant.from(s).toZonedDateTimeISO(tz).toPlainDate().toString() >= tomorrow
  );
}

/**
 * Of a list of times (ISO instants, e.g. a picker's that spans days from today on), those of the
 * first date from tomorrow on (in `tz`) with at least `min` of them (`fromTomorrow`).
 */
export function fullDayOf(starts: string[], opts: { min?: number; tz?: string } = {}): string[] {
  const tz = opts.tz ?? "UTC";
  const byDate = new Map<string, string[]>();
  for (const s of fromTomorrow(starts, tz)) {
    const date = Temporal.Instant.from(s).toZonedDateTimeISO(tz).toPlainDate().toString();
    byDate.set(date, [...byDate.get(date) ?? [], s]);
  }
  const day = [...byDate.keys()].sort().find((d) => byDate.get(d)!.length >= (opts.min ?? 8));
  if (!day) throw new Error(`no day with ${opts.min ?? 8} times among ${starts.length}`);
  return byDate.get(day)!;
}
