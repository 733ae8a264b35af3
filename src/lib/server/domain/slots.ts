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
import { type DateOverride, type TimeOff, type WeeklyRules } from "./availability.ts";
import {
  firstEndingAfter,
  type Interval,
  mergeIntervals,
  overlaps,
  overlapsSpan,
  sortIntervals,
} from "./interval.ts";
import {
  assertTimeZone,
  createWindowPlanner,
  type DayRules,
  epochDayOfDate,
  epochDayOfInstant,
  minutesToMs,
  MS_PER_MINUTE,
  parseDayRules,
  type ParsedDayRules,
  plainDateOfEpochDay,
  temporalDayWindows,
  timeOffOn,
} from "./slot-days.ts";

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

export type { DayRules };

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

/**
 * All slots of the query, sorted by start, without duplicates. A slot starts at its window's
 * start plus a whole number of steps and lies entirely inside one window of its host-zone date.
 */
export function computeSlots(q: SlotQuery): Slot[] {
  const durationMs = minutesToMs(q.durationMin, "durationMin", false);
  return computeSlotStartsMs(q).map((ms) => ({
    start: Temporal.Instant.fromEpochMilliseconds(ms),
    end: Temporal.Instant.fromEpochMilliseconds(ms + durationMs),
  }));
}

/**
 * The starts of `computeSlots`'s slots, as epoch milliseconds, for callers that only group or
 * count them: a month of a booking page holds thousands, and their two Temporal objects each
 * were most of what a month's computation allocated (issue 26).
 */
export function computeSlotStartsMs(q: SlotQuery): number[] {
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
  const starts: number[] = [];
  let hint = 0; // busy intervals before it all end at or before the current probe's start
  for (let day = firstDay; day <= lastDay; day++) {
    for (const window of e.windowsOf(day, false)) {
      let startMs = window.startMs;
      if (startMs < earliestMs) {
        startMs += Math.ceil((earliestMs - startMs) / e.stepMs) * e.stepMs;
      }
      while (startMs + e.durationMs <= window.endMs) {
        if (startMs >= untilMs) return starts; // later windows start later still
        const ex = firstStartExclusion(e, startMs, day, hint);
        if (ex === null) {
          starts.push(startMs);
          startMs += e.stepMs;
        } else if (ex !== EXCLUDED_OTHER) {
          // Blocked: jump to the first grid start whose probe begins at or after this busy end.
          hint = ex;
          startMs += Math.ceil((e.busy[ex].endMs + e.beforeMs - startMs) / e.stepMs) * e.stepMs;
        } else startMs += e.stepMs;
      }
    }
  }
  return starts;
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

/**
 * The first date from `from` on (at most `maxDays` dates) with hours still ahead of `nowMs`:
 * where a page about one day opens when today has none (or none left). Null: none in reach.
 */
export function firstDateWithHours(
  q: DayRules,
  from: Temporal.PlainDate,
  nowMs: number,
  maxDays = 62,
): Temporal.PlainDate | null {
  assertTimeZone(q.timeZone);
  const rules = parseDayRules(q);
  const first = epochDayOfDate(from);
  for (let day = first; day < first + maxDays; day++) {
    if (temporalDayWindows(rules, day).some((w) => w.endMs > nowMs)) {
      return plainDateOfEpochDay(day);
    }
  }
  return null;
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

/** `firstStartExclusion`'s answer for a start kept out by a rule other than busy time. */
const EXCLUDED_OTHER = -1;

/**
 * The first rule that keeps a grid start of an offered window from being a slot: null (none),
 * the index in `e.busy` of the busy time it meets, or EXCLUDED_OTHER. Numbers, not objects: it
 * is asked for every grid start of a month (~3,000 for a host open around the clock), where an
 * answer and a probe interval per start were ~60 KiB of a cold booking page's garbage (issue 26).
 */
function firstStartExclusion(
  e: Engine,
  startMs: number,
  day: number,
  hint: number,
): number | null {
  if (startMs < e.nowMs + e.noticeMs) return EXCLUDED_OTHER;
  if (e.fullDays.size || e.fullWeeks.size) {
    const p = e.periodsOf(day);
    if (e.fullDays.has(p.day) || e.fullWeeks.has(p.week)) return EXCLUDED_OTHER;
  }
  const probeStartMs = startMs - e.beforeMs;
  const i = firstEndingAfter(e.busy, probeStartMs, hint);
  if (
    i < e.busy.length &&
    overlapsSpan(e.busy[i], probeStartMs, startMs + e.durationMs + e.afterMs)
  ) return i;
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
