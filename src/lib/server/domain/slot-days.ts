/**
 * The slot engine's calendar half: a host's weekly hours, overrides and time off keyed by epoch
 * day (days since 1970-01-01 of the host-zone date), and wall-clock windows turned into instants
 * across DST. Pure.
 */
import { Temporal } from "./temporal.ts";
import {
  type DateOverride,
  MINUTES_PER_DAY,
  parseTimeOfDay,
  type TimeOff,
  type TimeRange,
  type Weekday,
  WEEKDAYS,
  type WeeklyRules,
} from "./availability.ts";

/** The rules that decide a host's hours on a date (the calendar half of a `SlotQuery`). */
export type DayRules = {
  /** Host IANA zone; an invalid one throws RangeError (validate with `isValidTimeZone` first). */
  timeZone: string;
  weekly: WeeklyRules;
  /** A date's own ranges replace that weekday's rules; `[]` = unavailable. Later entries win. */
  overrides?: readonly DateOverride[];
  /** Dates inside (inclusive) are unavailable, even when an override gives them ranges. */
  timeOff?: readonly TimeOff[];
};
import { type Interval, mergeIntervals } from "./interval.ts";
import { civilFromDays, daysFromCivil, epochDayAt, offsetSpanAt } from "./zone-days.ts";

export const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Rules, keyed by epoch day (days since 1970-01-01 of the host-zone calendar date).

type MinuteRange = { startMin: number; endMin: number };

export type ParsedDayRules = {
  timeZone: string;
  weekly: MinuteRange[][]; // index = ISO weekday
  overrides: Map<number, MinuteRange[]>;
  timeOff: { fromDay: number; toDay: number; entry: TimeOff }[];
};

/**
 * Parsed per rules object: a host's stored hours come from the settings copy, one object per
 * revision, and every booking post and slots answer of that host parses them again otherwise.
 * Rules objects are never changed in place (saving writes new ones), and the parsed ranges are
 * only read.
 */
const parsedWeekly = new WeakMap<WeeklyRules, MinuteRange[][]>();
const parsedOverrides = new WeakMap<readonly DateOverride[], Map<number, MinuteRange[]>>();
const NO_OVERRIDES: readonly DateOverride[] = [];

export function parseDayRules(q: DayRules): ParsedDayRules {
  let weekly = parsedWeekly.get(q.weekly);
  if (!weekly) {
    weekly = [[]];
    for (const day of WEEKDAYS) {
      weekly[day] = parseRanges(q.weekly[day] ?? [], `weekday ${day}`);
    }
    parsedWeekly.set(q.weekly, weekly);
  }
  const given = q.overrides ?? NO_OVERRIDES;
  let overrides = parsedOverrides.get(given);
  if (!overrides) {
    overrides = new Map();
    for (const o of given) overrides.set(epochDayOfIso(o.date), parseRanges(o.ranges, o.date));
    parsedOverrides.set(given, overrides);
  }
  const timeOff = (q.timeOff ?? []).map((t) => ({
    fromDay: epochDayOfIso(t.from),
    toDay: epochDayOfIso(t.to),
    entry: t,
  }));
  return { timeZone: q.timeZone, weekly, overrides, timeOff };
}

/** Invalid stored rules are a bug upstream (rules are validated on save): throw. */
function parseRanges(ranges: readonly TimeRange[], where: string): MinuteRange[] {
  const out: MinuteRange[] = [];
  for (const range of ranges) {
    const startMin = parseTimeOfDay(range.start);
    const endMin = parseTimeOfDay(range.end);
    if (startMin === null || endMin === null) {
      throw new RangeError(`Invalid time range for ${where}: ${range.start}–${range.end}`);
    }
    if (startMin < endMin) out.push({ startMin, endMin });
  }
  return out;
}

function rangesOn(rules: ParsedDayRules, day: number, ignoreTimeOff = false): MinuteRange[] {
  if (!ignoreTimeOff && timeOffOn(rules, day)) return [];
  return rules.overrides.get(day) ?? rules.weekly[weekdayOfEpochDay(day)];
}

export function timeOffOn(rules: ParsedDayRules, day: number): TimeOff | null {
  for (const t of rules.timeOff) if (t.fromDay <= day && day <= t.toDay) return t.entry;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Wall clock → instants.

/**
 * The exact way, with Temporal. Each boundary maps to the first instant at which the host's wall
 * clock reads that time on that date:
 * - normal times and times in a fall-back fold: `toZonedDateTime`, disambiguation "compatible"
 *   (the earlier of the two instants), so a range across the fold lasts the real elapsed time;
 * - times inside a spring-forward gap: the instant of the transition, where the clock jumps past
 *   them. ("compatible" alone would push them forward by the gap's length, so 02:30–04:00 on
 *   Berlin's spring-forward day would start at 03:30 instead of 03:00 and a 02:15 end would fall
 *   after a 03:15 start.) Windows a gap shortens get shorter; wholly swallowed ones vanish.
 * - "24:00": the first instant of the next date.
 */
export function temporalDayWindows(
  rules: ParsedDayRules,
  day: number,
  ignoreTimeOff = false,
): Interval[] {
  const ranges = rangesOn(rules, day, ignoreTimeOff);
  if (ranges.length === 0) return [];
  const date = plainDateOfEpochDay(day);
  const windows = ranges.map((r) => ({
    startMs: wallClockToEpochMs(date, r.startMin, rules.timeZone),
    endMs: wallClockToEpochMs(date, r.endMin, rules.timeZone),
  }));
  return mergeIntervals(windows);
}

function wallClockToEpochMs(date: Temporal.PlainDate, minute: number, timeZone: string): number {
  if (minute === MINUTES_PER_DAY) {
    return date.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds;
  }
  const hour = Math.floor(minute / 60);
  const plainTime = new Temporal.PlainTime(hour, minute % 60);
  const zoned = date.toZonedDateTime({ timeZone, plainTime }); // "compatible"
  if (zoned.hour === hour && zoned.minute === minute % 60 && zoned.day === date.day) {
    return zoned.epochMilliseconds;
  }
  // In a gap "compatible" moved the time forward by the gap's length; the clock got past this
  // time at the transition, which is the latest one at or before the moved instant.
  const transition = zoned.add({ nanoseconds: 1 }).getTimeZoneTransition("previous");
  return transition?.epochMilliseconds ?? zoned.epochMilliseconds;
}

/**
 * The fast way for computeSlots: the zone's UTC offsets and transitions are looked up once for
 * the whole query. On a date with no transition within a day of it, the offset is constant, so
 * wall time − offset is exactly what Temporal would answer; dates near a transition use
 * `temporalDayWindows`. (A property test checks this against `computeDayWindows`.) This keeps
 * Temporal calls per query at a handful instead of four per range per date.
 */
export function createWindowPlanner(
  rules: ParsedDayRules,
  fromMs: number,
  untilMs: number,
): (day: number, ignoreTimeOff: boolean) => Interval[] {
  const coverFromMs = fromMs - 4 * MS_PER_DAY;
  const coverUntilMs = untilMs + 4 * MS_PER_DAY;
  const transitionsMs: number[] = [];
  let span = offsetSpanAt(coverFromMs, rules.timeZone);
  const offsetsMs = [span.offsetMs]; // offsetsMs[i] holds before transitionsMs[i]
  while (span.untilMs <= coverUntilMs) {
    transitionsMs.push(span.untilMs);
    span = offsetSpanAt(span.untilMs, rules.timeZone);
    offsetsMs.push(span.offsetMs);
  }

  /** The offset in force throughout [aMs, bMs], or null if it changes there or is unknown. */
  const constantOffset = (aMs: number, bMs: number): number | null => {
    if (aMs < coverFromMs || bMs > coverUntilMs) return null;
    let i = 0;
    while (i < transitionsMs.length && transitionsMs[i] <= aMs) i++;
    if (i < transitionsMs.length && transitionsMs[i] <= bMs) return null;
    return offsetsMs[i];
  };

  return (day, ignoreTimeOff) => {
    const ranges = rangesOn(rules, day, ignoreTimeOff);
    if (ranges.length === 0) return [];
    const wallMs = day * MS_PER_DAY; // the date's 00:00 wall clock, read as if it were UTC
    // Offsets stay within ±1 day, so the date's instants lie in this span.
    const offsetMs = constantOffset(wallMs - MS_PER_DAY, wallMs + 2 * MS_PER_DAY);
    if (offsetMs === null) return temporalDayWindows(rules, day, ignoreTimeOff);
    return mergeIntervals(ranges.map((r) => ({
      startMs: wallMs + r.startMin * MS_PER_MINUTE - offsetMs,
      endMs: wallMs + r.endMin * MS_PER_MINUTE - offsetMs,
    })));
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

export function minutesToMs(minutes: number, name: string, zeroAllowed: boolean): number {
  const ms = Number.isFinite(minutes) ? Math.round(minutes * MS_PER_MINUTE) : Number.NaN;
  if (!(ms > 0 || (zeroAllowed && ms === 0))) {
    throw new RangeError(`${name} must be a ${zeroAllowed ? "non-negative" : "positive"} number`);
  }
  return ms;
}

export function assertTimeZone(timeZone: string): void {
  Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(timeZone); // throws RangeError
}

/**
 * The zone's date (as an epoch day) of an instant: the instant moved by the offset then in force,
 * read as UTC. A slot query asks it for now, its first and its last instant, and the polyfill's
 * zone arithmetic took ~2.5 µs a call (~20 µs of a booking post among a request's allocations,
 * issue 26's profile).
 */
export function epochDayOfInstant(instant: Temporal.Instant, timeZone: string): number {
  return epochDayAt(instant.epochMilliseconds, timeZone);
}

function epochDayOfIso(text: string): number {
  return epochDayOfDate(Temporal.PlainDate.from(text));
}

export function epochDayOfDate(date: Temporal.PlainDate): number {
  return daysFromCivil(date.year, date.month, date.day);
}

export function plainDateOfEpochDay(day: number): Temporal.PlainDate {
  const { year, month, dayOfMonth } = civilFromDays(day);
  return new Temporal.PlainDate(year, month, dayOfMonth);
}

/** 1970-01-01 (epoch day 0) was a Thursday (ISO 4). */
function weekdayOfEpochDay(day: number): Weekday {
  return ((((day + 3) % 7) + 7) % 7 + 1) as Weekday;
}
