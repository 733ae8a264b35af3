import { messageRef } from "../../shared/i18n.ts";
import { isCivilDate } from "../../shared/format.ts";

/** ISO weekday: 1 = Monday … 7 = Sunday (`Temporal.PlainDate#dayOfWeek`). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const WEEKDAYS: readonly Weekday[] = [1, 2, 3, 4, 5, 6, 7];

/** Wall-clock times "HH:MM" (24 h) in the host's zone; `end` may be "24:00"; start < end. */
export type TimeRange = { start: string; end: string };
export type WeeklyRules = { [D in Weekday]: TimeRange[] };
/** A date's own ranges replace that weekday's rules; `ranges: []` = unavailable all day. */
export type DateOverride = { date: string /* YYYY-MM-DD */; ranges: TimeRange[] };
/** Dates `from`…`to` (YYYY-MM-DD, both inclusive) are unavailable. */
export type TimeOff = { from: string; to: string; reason?: string };

export const MINUTES_PER_DAY = 24 * 60;

const TIME_OF_DAY = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** "HH:MM" → minutes since the start of the day (0…1440, "24:00" = 1440), else null. */
export function parseTimeOfDay(text: string): number | null {
  const match = typeof text === "string" ? TIME_OF_DAY.exec(text) : null;
  if (match === null) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= MINUTES_PER_DAY ? minutes : null;
}

/** Minutes since the start of the day (integer 0…1440) → "HH:MM". */
export function formatTimeOfDay(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MINUTES_PER_DAY) {
    throw new RangeError(`Not a time of day in minutes: ${minutes}`);
  }
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** Mon–Fri 09:00–17:00, weekend empty. A fresh object each call. */
export function defaultWeeklyRules(): WeeklyRules {
  const workday = () => [{ start: "09:00", end: "17:00" }];
  return { 1: workday(), 2: workday(), 3: workday(), 4: workday(), 5: workday(), 6: [], 7: [] };
}

/** "09:00–17:00" (en dash), as shown in messages. */
export function formatTimeRange(range: TimeRange): string {
  return `${range.start}–${range.end}`;
}

/**
 * Checks one day's ranges: each "HH:MM", start before end, no two overlapping (touching is fine:
 * 12:00–13:00 and 13:00–14:00). On success returns copies sorted by start.
 */
export function validateRanges(
  ranges: readonly TimeRange[],
  /** Errors are message references (`messageRef`): the page words them for its reader. */
): { ok: true; ranges: TimeRange[] } | { ok: false; errors: string[] } {
  if (!Array.isArray(ranges)) return { ok: false, errors: [messageRef("avail.ranges_list")] };
  const errors: string[] = [];
  const parsed: { range: TimeRange; start: number; end: number }[] = [];
  let badFormat = false;
  for (const range of ranges) {
    const start = parseTimeOfDay(range?.start);
    const end = parseTimeOfDay(range?.end);
    if (start === null || end === null) {
      badFormat = true;
    } else if (end < start) {
      errors.push(messageRef("avail.range_reversed", { range: formatTimeRange(range) }));
    } else if (end === start) {
      errors.push(messageRef("avail.range_empty", { range: formatTimeRange(range) }));
    } else {
      parsed.push({ range: { start: range.start, end: range.end }, start, end });
    }
  }
  if (badFormat) errors.unshift(messageRef("avail.times_format"));
  parsed.sort((a, b) => a.start - b.start || a.end - b.end);
  let latest: (typeof parsed)[number] | undefined;
  for (const current of parsed) {
    if (latest !== undefined && current.start < latest.end) {
      errors.push(
        messageRef("avail.range_overlaps", {
          a: formatTimeRange(latest.range),
          b: formatTimeRange(current.range),
        }),
      );
    }
    if (latest === undefined || current.end > latest.end) latest = current;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, ranges: parsed.map((p) => p.range) };
}

/** `validateRanges` for each weekday; errors are keyed by the weekday they belong to. */
export function validateWeeklyRules(
  rules: WeeklyRules,
): { ok: true; rules: WeeklyRules } | { ok: false; errors: Partial<Record<Weekday, string[]>> } {
  const valid = {} as WeeklyRules;
  const errors: Partial<Record<Weekday, string[]>> = {};
  let failed = false;
  for (const day of WEEKDAYS) {
    const result = validateRanges(rules?.[day] ?? []);
    if (result.ok) {
      valid[day] = result.ranges;
    } else {
      errors[day] = result.errors;
      failed = true;
    }
  }
  return failed ? { ok: false, errors } : { ok: true, rules: valid };
}

/** True for a real calendar date spelled YYYY-MM-DD (the pages label dates by the same rule). */
export function isIsoDate(text: string): boolean {
  return typeof text === "string" && isCivilDate(text);
}

export function validateDateOverride(
  override: DateOverride,
): { ok: true; override: DateOverride } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (!isIsoDate(override?.date)) errors.push(messageRef("avail.date_format"));
  const ranges = validateRanges(override?.ranges ?? []);
  if (!ranges.ok) errors.push(...ranges.errors);
  if (errors.length > 0 || !ranges.ok) return { ok: false, errors };
  return { ok: true, override: { date: override.date, ranges: ranges.ranges } };
}

export function validateTimeOff(
  timeOff: TimeOff,
): { ok: true; timeOff: TimeOff } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const fromOk = isIsoDate(timeOff?.from);
  const toOk = isIsoDate(timeOff?.to);
  if (!fromOk || !toOk) errors.push(messageRef("avail.dates_format"));
  else if (timeOff.to < timeOff.from) {
    errors.push(messageRef("avail.dates_reversed", { from: timeOff.from, to: timeOff.to }));
  }
  if (errors.length > 0) return { ok: false, errors };
  const { from, to, reason } = timeOff;
  return { ok: true, timeOff: reason === undefined ? { from, to } : { from, to, reason } };
}
