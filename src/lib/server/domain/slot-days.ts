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
  const ms = instant.epochMilliseconds;
  return Math.floor((ms + offsetSpanAt(ms, timeZone).offsetMs) / MS_PER_DAY);
}

type OffsetSpan = { fromMs: number; untilMs: number; offsetMs: number };

/**
 * The span between a zone's offset changes that holds `ms`, and its offset. Each zone keeps the
 * spans asked for last (months long, or endless for UTC): a slot query's dates and windows need
 * one or two, and finding them took the polyfill ~3 µs a call (`createWindowPlanner` walked the
 * changes of every query's days anew). Only a zone that was read is kept (an unknown one still
 * throws RangeError), at most four spans each.
 */
function offsetSpanAt(ms: number, timeZone: string): OffsetSpan {
  const spans = offsetSpans.get(timeZone);
  if (spans) {
    for (const s of spans) if (ms >= s.fromMs && ms < s.untilMs) return s;
  }
  const span = offsetSpanOf(
    Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone),
  );
  if (spans) {
    spans.unshift(span);
    if (spans.length > SPANS_PER_ZONE) spans.pop();
  } else {
    // Zones come from hosts' settings; the bound only keeps a pathological mix from growing it.
    if (offsetSpans.size >= MAX_ZONES) offsetSpans.clear();
    offsetSpans.set(timeZone, [span]);
  }
  return span;
}
const SPANS_PER_ZONE = 4;
const MAX_ZONES = 1_000;
const offsetSpans = new Map<string, OffsetSpan[]>();

/** The span around `zoned` in which its offset holds: from its zone's last change to the next. */
function offsetSpanOf(zoned: Temporal.ZonedDateTime): OffsetSpan {
  const ms = zoned.epochMilliseconds;
  const offsetNs = zoned.offsetNanoseconds;
  const before = zoned.getTimeZoneTransition("previous");
  const after = zoned.getTimeZoneTransition("next");
  return {
    // "previous" is the last change strictly before: an instant that is itself a change starts
    // its span (the change before it set another offset).
    fromMs: before === null
      ? -Infinity
      : before.offsetNanoseconds === offsetNs
      ? before.epochMilliseconds
      : ms,
    untilMs: after === null ? Infinity : after.epochMilliseconds,
    offsetMs: offsetNs / 1e6,
  };
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

// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days).
function daysFromCivil(year: number, month: number, dayOfMonth: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + dayOfMonth - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { year: number; month: number; dayOfMonth: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) -
      Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const dayOfMonth = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth };
}
