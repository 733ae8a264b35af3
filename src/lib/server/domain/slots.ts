/**
 * The slot engine: which start times a guest may book. Pure: the clock (`now`), the host's rules
 * and busy times all come in as data; nothing here reads the clock, env, KV or the network.
 *
 * Wall-clock rules become instants per host-zone date with Temporal, so DST days come out right:
 * a range that a spring-forward gap shortens gets shorter, a range across a fall-back fold lasts
 * the real elapsed time, and "24:00" is the first instant of the next date in that zone (never
 * "midnight + N minutes", never "+24h"). Everything after that works in epoch milliseconds.
 */
import { Temporal } from "./temporal.ts";
import type { Exclusion } from "../../shared/slot-reasons.ts";
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
import {
  firstEndingAfter,
  type Interval,
  mergeIntervals,
  overlaps,
  sortIntervals,
} from "./interval.ts";

export type SlotQuery = {
  /** Host IANA zone; an invalid one throws RangeError (validate with `isValidTimeZone` first). */
  timeZone: string;
  weekly: WeeklyRules;
  /** A date's own ranges replace that weekday's rules; `[]` = unavailable. Later entries win. */
  overrides?: readonly DateOverride[];
  /** Dates inside (inclusive) are unavailable, even when an override gives them ranges. */
  timeOff?: readonly TimeOff[];
  /** Slots whose start is in `[from, until)`. */
  from: Temporal.Instant;
  until: Temporal.Instant;
  durationMin: number;
  /** Step between slot starts inside a window; defaults to `durationMin`. */
  intervalMin?: number;
  /** `[start - before, end + after)` must not intersect busy. Default 0. */
  bufferBeforeMin?: number;
  bufferAfterMin?: number;
  /**
   * Any order, may overlap; already includes other bookings' own buffers. A `label` is the
   * caller's name for where the busy time comes from; explanations hand it back.
   */
  busy: readonly BusyInterval[];
  now: Temporal.Instant;
  /** Slot start >= now + notice. Default 0 (slot start >= now). */
  minNoticeMin?: number;
  /** No slots on the host-zone date of `now`. */
  notSameDay?: boolean;
  /** Booking window: slot start date (host zone) <= today (host zone) + horizonDays. */
  horizonDays?: number;
  /** Host-zone dates ("2026-11-23") and ISO weeks ("2026-W48") whose booking cap is reached. */
  fullDays?: readonly string[];
  fullWeeks?: readonly string[];
};

export type BusyInterval = Interval & { label?: string };

export type Slot = { start: Temporal.Instant; end: Temporal.Instant };

export type DayRules = Pick<SlotQuery, "timeZone" | "weekly" | "overrides" | "timeOff">;

export type { Exclusion };

export type ExplainedStart = { startMs: number; exclusions: Exclusion[] };

export type DayExplanation = {
  date: string;
  /** The date's first instant and the next date's first instant. */
  startMs: number;
  endMs: number;
  /** The date's hours before time off (weekly or the override's), as instants. */
  windows: Interval[];
  source: "weekly" | "override";
  /** Every start looked at, ascending: the grid of each window plus the requested extra times. */
  starts: ExplainedStart[];
};

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/**
 * All slots of the query, sorted by start, without duplicates. A slot starts at its window's
 * start plus a whole number of steps and lies entirely inside one window of its host-zone date.
 */
export function computeSlots(q: SlotQuery): Slot[] {
  const e = prepare(q, q.from.epochMilliseconds, q.until.epochMilliseconds);
  const untilMs = q.until.epochMilliseconds;
  // The earliest start any rule allows: the query's own start, now, and the notice.
  const earliestMs = Math.max(q.from.epochMilliseconds, e.nowMs + e.noticeMs);
  if (earliestMs >= untilMs) return [];
  // A date's windows lie within that date, so the slot start date decides the date rules; the
  // dates the date rules exclude as a whole are not visited.
  let firstDay = epochDayOfInstant(Temporal.Instant.fromEpochMilliseconds(earliestMs), e.timeZone);
  if (e.notSameDay) firstDay = Math.max(firstDay, e.today + 1);
  let lastDay = epochDayOfInstant(q.until, e.timeZone);
  if (e.lastBookableDay !== null) lastDay = Math.min(lastDay, e.lastBookableDay);
  const slots: Slot[] = [];
  let hint = 0; // busy intervals before it all end at or before the current probe's start
  for (let day = firstDay; day <= lastDay; day++) {
    for (const window of e.windowsOf(day, false)) {
      let startMs = window.startMs;
      if (startMs < earliestMs) {
        startMs += Math.ceil((earliestMs - startMs) / e.stepMs) * e.stepMs;
      }
      while (startMs + e.durationMs <= window.endMs) {
        if (startMs >= untilMs) return slots; // later windows start later still
        const ex = firstStartExclusion(e, startMs, day, hint);
        if (ex === null) {
          slots.push({
            start: Temporal.Instant.fromEpochMilliseconds(startMs),
            end: Temporal.Instant.fromEpochMilliseconds(startMs + e.durationMs),
          });
          startMs += e.stepMs;
        } else if (ex.kind === "busy") {
          // Blocked: jump to the first grid start whose probe begins at or after this busy end.
          hint = ex.index;
          startMs += Math.ceil((e.busy[ex.index].endMs + e.beforeMs - startMs) / e.stepMs) *
            e.stepMs;
        } else startMs += e.stepMs;
      }
    }
  }
  return slots;
}

/**
 * Why each start of one host-zone date is or is not offered, decided by the same rules as
 * `computeSlots` (a start with no exclusions is exactly a slot of a query covering that date).
 * Looked at: the grid of starts of each of the date's windows (time off aside), and `extraStarts`
 * (any instants within the date, e.g. every 15 minutes, or a time the host asks about). In
 * explanations every rule that applies is listed, in the order a host would fix them.
 */
export function explainDay(
  q: Omit<SlotQuery, "from" | "until">,
  date: Temporal.PlainDate,
  extraStarts: readonly number[] = [],
): DayExplanation {
  const startMs = date.toZonedDateTime({ timeZone: q.timeZone }).epochMilliseconds;
  const endMs = date.add({ days: 1 }).toZonedDateTime({ timeZone: q.timeZone })
    .epochMilliseconds;
  const e = prepare(q, startMs, endMs);
  const day = epochDayOfDate(date);
  const windows = e.windowsOf(day, true);
  const source = e.rules.overrides.has(day) ? "override" as const : "weekly" as const;
  const candidates = new Set<number>();
  for (const w of windows) {
    for (let s = w.startMs; s + e.durationMs <= w.endMs; s += e.stepMs) candidates.add(s);
  }
  for (const s of extraStarts) if (s >= startMs && s < endMs) candidates.add(s);
  const starts = [...candidates].sort((a, b) => a - b).map((s) => ({
    startMs: s,
    exclusions: explainStart(e, s, day, windows, source),
  }));
  return { date: date.toString(), startMs, endMs, windows, source, starts };
}

/**
 * The host's availability windows on one host-zone date, as sorted, merged epoch-ms intervals
 * (touching ranges join). Empty when the date is time off, has an empty override, or its ranges
 * fall entirely into a DST gap.
 */
export function computeDayWindows(q: DayRules, date: Temporal.PlainDate): Interval[] {
  assertTimeZone(q.timeZone);
  const rules = parseDayRules(q);
  return temporalDayWindows(rules, epochDayOfDate(date));
}

// ---------------------------------------------------------------------------------------------
// The rules, once. `computeSlots` walks only the grid starts of the windows it may offer and asks
// `firstStartExclusion`; `explainDay` asks `explainStart`, which adds the window and date rules
// the walk satisfies by construction and lists every rule that applies.

type Engine = {
  timeZone: string;
  rules: ParsedDayRules;
  durationMs: number;
  stepMs: number;
  beforeMs: number;
  afterMs: number;
  noticeMs: number;
  nowMs: number;
  /** Epoch day of `now` in the host zone. */
  today: number;
  /** The last epoch day the booking window reaches, or null (no limit). */
  lastBookableDay: number | null;
  notSameDay: boolean;
  /** Merged busy time (the walk) and the labelled originals (explanations). */
  busy: Interval[];
  busyLabelled: readonly BusyInterval[];
  fullDays: ReadonlySet<string>;
  fullWeeks: ReadonlySet<string>;
  /** Host-zone date and ISO week of an epoch day, for caps (computed once per day). */
  periodsOf: (day: number) => { day: string; week: string };
  /** A date's windows; `ignoreTimeOff` gives the hours time off takes away. */
  windowsOf: (day: number, ignoreTimeOff: boolean) => Interval[];
};

function prepare(q: Omit<SlotQuery, "from" | "until">, fromMs: number, untilMs: number): Engine {
  const durationMs = minutesToMs(q.durationMin, "durationMin", false);
  const stepMs = minutesToMs(q.intervalMin ?? q.durationMin, "intervalMin", false);
  const beforeMs = minutesToMs(q.bufferBeforeMin ?? 0, "bufferBeforeMin", true);
  const afterMs = minutesToMs(q.bufferAfterMin ?? 0, "bufferAfterMin", true);
  const noticeMs = minutesToMs(q.minNoticeMin ?? 0, "minNoticeMin", true);
  if (q.horizonDays !== undefined && !Number.isInteger(q.horizonDays)) {
    throw new RangeError(`horizonDays must be an integer, got ${q.horizonDays}`);
  }
  const today = epochDayOfInstant(q.now, q.timeZone); // also rejects an invalid zone
  const rules = parseDayRules(q);
  const periods = new Map<number, { day: string; week: string }>();
  return {
    timeZone: q.timeZone,
    rules,
    durationMs,
    stepMs,
    beforeMs,
    afterMs,
    noticeMs,
    nowMs: q.now.epochMilliseconds,
    today,
    lastBookableDay: q.horizonDays === undefined ? null : today + q.horizonDays,
    notSameDay: q.notSameDay ?? false,
    busy: mergeIntervals(q.busy), // sorted once; then one forward sweep
    busyLabelled: q.busy,
    fullDays: new Set(q.fullDays ?? []),
    fullWeeks: new Set(q.fullWeeks ?? []),
    periodsOf: (day) => {
      let p = periods.get(day);
      if (!p) {
        const date = plainDateOfEpochDay(day);
        p = {
          day: date.toString(),
          week: `${date.yearOfWeek}-W${String(date.weekOfYear).padStart(2, "0")}`,
        };
        periods.set(day, p);
      }
      return p;
    },
    windowsOf: createWindowPlanner(rules, fromMs, untilMs),
  };
}

/** The first rule that keeps a grid start of an offered window from being a slot, or null. */
function firstStartExclusion(
  e: Engine,
  startMs: number,
  day: number,
  hint: number,
): { kind: "other" } | { kind: "busy"; index: number } | null {
  if (startMs < e.nowMs + e.noticeMs) return { kind: "other" };
  if (e.fullDays.size || e.fullWeeks.size) {
    const p = e.periodsOf(day);
    if (e.fullDays.has(p.day) || e.fullWeeks.has(p.week)) return { kind: "other" };
  }
  const probe = { startMs: startMs - e.beforeMs, endMs: startMs + e.durationMs + e.afterMs };
  const i = firstEndingAfter(e.busy, probe.startMs, hint);
  if (i < e.busy.length && overlaps(e.busy[i], probe)) {
    return { kind: "busy", index: i };
  }
  return null;
}

function explainStart(
  e: Engine,
  startMs: number,
  day: number,
  windows: readonly Interval[],
  source: "weekly" | "override",
): Exclusion[] {
  const out: Exclusion[] = [];
  // The date as a whole.
  if (e.lastBookableDay !== null && day > e.lastBookableDay) {
    out.push({
      kind: "beyond_window",
      lastDate: plainDateOfEpochDay(e.lastBookableDay).toString(),
    });
  }
  if (e.notSameDay && day === e.today) out.push({ kind: "same_day" });
  const off = timeOffOn(e.rules, day);
  if (off) out.push({ kind: "time_off", from: off.from, to: off.to, reason: off.reason ?? null });
  // The date's hours and the grid of starts in them.
  const w = windows.find((x) => x.startMs <= startMs && startMs < x.endMs);
  if (!w) {
    out.push(
      source === "override" && windows.length === 0 && e.rules.overrides.get(day)?.length === 0
        ? { kind: "override_closed" }
        : { kind: "outside_hours", source },
    );
  } else if (startMs + e.durationMs > w.endMs) {
    out.push({ kind: "ends_after_hours", windowEndMs: w.endMs, source });
  } else if ((startMs - w.startMs) % e.stepMs !== 0) {
    out.push({ kind: "off_interval", windowStartMs: w.startMs, stepMin: e.stepMs / MS_PER_MINUTE });
  }
  // The clock.
  if (startMs < e.nowMs) out.push({ kind: "past" });
  else if (startMs < e.nowMs + e.noticeMs) {
    out.push({ kind: "min_notice", earliestMs: e.nowMs + e.noticeMs });
  }
  // Caps and busy time.
  const p = e.periodsOf(day);
  if (e.fullDays.has(p.day)) out.push({ kind: "cap_day", day: p.day });
  if (e.fullWeeks.has(p.week)) out.push({ kind: "cap_week", week: p.week });
  const probe = { startMs: startMs - e.beforeMs, endMs: startMs + e.durationMs + e.afterMs };
  const hit = e.busyLabelled.filter((b) => overlaps(b, probe));
  if (hit.length > 0) {
    out.push({ kind: "busy", probe, with: sortIntervals(hit) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rules, keyed by epoch day (days since 1970-01-01 of the host-zone calendar date).

type MinuteRange = { startMin: number; endMin: number };

type ParsedDayRules = {
  timeZone: string;
  weekly: MinuteRange[][]; // index = ISO weekday
  overrides: Map<number, MinuteRange[]>;
  timeOff: { fromDay: number; toDay: number; entry: TimeOff }[];
};

function parseDayRules(q: DayRules): ParsedDayRules {
  const weekly: MinuteRange[][] = [[]];
  for (const day of WEEKDAYS) {
    weekly[day] = parseRanges(q.weekly[day] ?? [], `weekday ${day}`);
  }
  const overrides = new Map<number, MinuteRange[]>();
  for (const o of q.overrides ?? []) {
    overrides.set(epochDayOfIso(o.date), parseRanges(o.ranges, o.date));
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

function timeOffOn(rules: ParsedDayRules, day: number): TimeOff | null {
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
function temporalDayWindows(
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
function createWindowPlanner(
  rules: ParsedDayRules,
  fromMs: number,
  untilMs: number,
): (day: number, ignoreTimeOff: boolean) => Interval[] {
  const coverFromMs = fromMs - 4 * MS_PER_DAY;
  const coverUntilMs = untilMs + 4 * MS_PER_DAY;
  const transitionsMs: number[] = [];
  let zoned = Temporal.Instant.fromEpochMilliseconds(coverFromMs).toZonedDateTimeISO(
    rules.timeZone,
  );
  const offsetsMs = [zoned.offsetNanoseconds / 1e6]; // offsetsMs[i] holds before transitionsMs[i]
  for (;;) {
    const next = zoned.getTimeZoneTransition("next");
    if (next === null || next.epochMilliseconds > coverUntilMs) break;
    transitionsMs.push(next.epochMilliseconds);
    offsetsMs.push(next.offsetNanoseconds / 1e6);
    zoned = next;
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

function minutesToMs(minutes: number, name: string, zeroAllowed: boolean): number {
  const ms = Number.isFinite(minutes) ? Math.round(minutes * MS_PER_MINUTE) : Number.NaN;
  if (!(ms > 0 || (zeroAllowed && ms === 0))) {
    throw new RangeError(`${name} must be a ${zeroAllowed ? "non-negative" : "positive"} number`);
  }
  return ms;
}

function assertTimeZone(timeZone: string): void {
  Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(timeZone); // throws RangeError
}

function epochDayOfInstant(instant: Temporal.Instant, timeZone: string): number {
  return epochDayOfDate(instant.toZonedDateTimeISO(timeZone).toPlainDate());
}

function epochDayOfIso(text: string): number {
  return epochDayOfDate(Temporal.PlainDate.from(text));
}

function epochDayOfDate(date: Temporal.PlainDate): number {
  return daysFromCivil(date.year, date.month, date.day);
}

function plainDateOfEpochDay(day: number): Temporal.PlainDate {
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
