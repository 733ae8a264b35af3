/**
 * Insights, pure: how a date range of the insights page is read (presets, a custom range, the
 * range before it) and the date arithmetic it needs. No clock, no IO.
 */
import { Temporal } from "./temporal.ts";
import { messageRef } from "../../shared/i18n.ts";

// ─── Date ranges ─────────────────────────────────────────────────────────────────────────

export const PRESET_DAYS = [7, 30, 90] as const;
/**
 * The default period: the last 30 days and the next 30, so a host whose meetings are all ahead
 * sees them (meetings count on the day they take place; what happens counts up to today).
 */
export const AROUND_DAYS = 30;
/** The longest custom range: a year and a day, so "this day last year" fits. */
export const MAX_RANGE_DAYS = 366;
/** Above this many days the per-day charts show weeks. */
export const DAILY_UP_TO_DAYS = 92;

export type RangeQuery = {
  range: string | null;
  from: string | null;
  to: string | null;
};

export type DateRange = {
  preset: "7" | "30" | "90" | "around" | "custom";
  from: string;
  to: string;
  days: number;
  /**
   * The days of the range up to today (visits, requests and decisions cannot lie ahead); the
   * previous period, right before `from`, is this long.
   */
  previousDays: number;
  previousFrom: string;
  previousTo: string;
  bucket: "day" | "week";
};

function parseDate(s: string | null): Temporal.PlainDate | null {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  try {
    return Temporal.PlainDate.from(s, { overflow: "reject" });
  } catch {
    return null;
  }
}

/**
 * The range a query asks for, ending `today` (the host's date) unless custom. A preset is the
 * last N days including today; custom ranges are inclusive on both ends. A refusal's `message` is
 * a catalog reference (`messageRef`) the page words for its reader.
 */
export function resolveRange(
  q: RangeQuery,
  today: string,
): { ok: true; range: DateRange } | { ok: false; message: string } {
  const end = Temporal.PlainDate.from(today);
  let from: Temporal.PlainDate;
  let to: Temporal.PlainDate;
  let preset: DateRange["preset"];
  const asked = q.range ?? (q.from || q.to ? "custom" : "around");
  if (asked === "7" || asked === "30" || asked === "90") {
    preset = asked;
    to = end;
    from = end.subtract({ days: Number(asked) - 1 });
  } else if (asked === "around") {
    preset = asked;
    from = end.subtract({ days: AROUND_DAYS - 1 });
    to = end.add({ days: AROUND_DAYS });
  } else if (asked === "custom") {
    preset = "custom";
    const f = parseDate(q.from);
    const t = parseDate(q.to);
    if (!f || !t) return { ok: false, message: messageRef("ins.both_dates") };
    if (Temporal.PlainDate.compare(f, t) > 0) {
      return { ok: false, message: messageRef("ins.start_after_end") };
    }
    from = f;
    to = t;
  } else {
    return { ok: false, message: messageRef("ins.choose_range") };
  }
  const days = from.until(to, { largestUnit: "days" }).days + 1;
  if (days > MAX_RANGE_DAYS) {
    return { ok: false, message: messageRef("ins.range_max", { max: MAX_RANGE_DAYS }) };
  }
  const pastTo = Temporal.PlainDate.compare(to, end) > 0 ? end : to;
  const previousDays = Math.max(1, from.until(pastTo, { largestUnit: "days" }).days + 1);
  return {
    ok: true,
    range: {
      preset,
      from: from.toString(),
      to: to.toString(),
      days,
      previousDays,
      previousFrom: from.subtract({ days: previousDays }).toString(),
      previousTo: from.subtract({ days: 1 }).toString(),
      bucket: days > DAILY_UP_TO_DAYS ? "week" : "day",
    },
  };
}

/** Every date from `from` to `to`, inclusive. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const last = Temporal.PlainDate.from(to);
  for (
    let d = Temporal.PlainDate.from(from);
    Temporal.PlainDate.compare(d, last) <= 0;
    d = d.add({ days: 1 })
  ) out.push(d.toString());
  return out;
}

/** Parsing dates is the costly part of reading thousands of counters: each date once. */
const weekdays = new Map<string, number>();

/** ISO weekday of a date, 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: string): number {
  let wd = weekdays.get(date);
  if (wd === undefined) {
    wd = Temporal.PlainDate.from(date).dayOfWeek;
    if (weekdays.size > 5_000) weekdays.clear();
    weekdays.set(date, wd);
  }
  return wd;
}

/** The first day of the week holding `date`, for weeks that start on `first` (1 Monday … 7 Sunday). */
export function weekOf(date: string, first: 1 | 6 | 7 = 1): string {
  const back = (weekdayOf(date) - first + 7) % 7;
  return Temporal.PlainDate.from(date).subtract({ days: back }).toString();
}

/** The relative change from `before` to `now`, or null when there is nothing to compare with. */
export function change(now: number, before: number): number | null {
  if (before === 0) return now === 0 ? 0 : null;
  return (now - before) / before;
}
