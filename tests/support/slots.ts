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
  /** the first date to try (default: tomorrow in `tz`) */
  from?: string;
  /** headers for the page request (e.g. a signed-in client's cookie) */
  headers?: HeadersInit;
  /** how many dates to try (default 21) */
  days?: number;
};

/** The first date from tomorrow on on which the page at `page` (e.g. "/calendar/demo/intro-call") offers at least `min` times. */
export async function fullDay(
  base: string,
  page: string,
  opts: FullDayOptions = {},
): Promise<FullDay> {
  const tz = opts.tz ?? "UTC";
  const min = opts.min ?? 8;
  let date = opts.from
    ? Temporal.PlainDate.from(opts.from)
    : Temporal.Now.plainDateISO(tz).add({ days: 1 });
  const tried: string[] = [];
  for (let i = 0; i < (opts.days ?? 21); i++, date = date.add({ days: 1 })) {
    const sep = page.includes("?") ? "&" : "?";
    const path = `${page}${sep}tz=${encodeURIComponent(tz)}&date=${date}${
      opts.query ? `&${opts.query}` : ""
    }`;
    const res = await fetch(new URL(path, base), { headers: opts.headers });
    const slots = slotsIn(await res.text());
    if (slots.length >= min) return { date: date.toString(), slots, path };
    tried.push(`${date}: ${slots.length}`);
  }
  throw new Error(`no day with ${min} times on ${page} (${tried.join(", ")})`);
}
