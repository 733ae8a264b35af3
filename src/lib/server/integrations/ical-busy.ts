/**
 * Busy time from iCalendar text: every VEVENT occurrence that meets [fromMs, toMs), as epoch-ms
 * intervals. ical.js parses and iterates RRULE/RDATE/EXDATE; the wall times it yields are turned
 * into instants here, with IANA rules (via Temporal) for any TZID we can name, the file's own
 * VTIMEZONE otherwise, and UTC for a zone nobody defines (logged once per name).
 *
 * - All-day events block their whole dates in the host's zone; floating times are read in the
 *   calendar's X-WR-TIMEZONE, else the host's zone.
 * - TRANSP:TRANSPARENT, STATUS:CANCELLED and X-MICROSOFT-CDO-BUSYSTATUS:FREE do not block;
 *   RECURRENCE-ID overrides replace (or cancel) their instance, wherever they move it.
 * - Our own bookings written back to the calendar (`isOwnUid`) are skipped: the booking already
 *   blocks its slot.
 * - Bounded: at most `maxInstances` occurrences per event in the window, `maxIterations` steps
 *   and `eventBudgetMs` per event (such an event is skipped and reported), and a deadline for
 *   the whole calendar after which the result says `complete: false`.
 */
import ICAL from "ical.js";
import { Temporal } from "../domain/temporal.ts";
import { type Interval, overlaps } from "../domain/interval.ts";
import { ianaZoneFor } from "./windows-zones.ts";

export type BusyParseOptions = {
  fromMs: number;
  toMs: number;
  hostTimeZone: string;
  isOwnUid?: (uid: string) => boolean;
  maxInstances?: number;
  maxIterations?: number;
  eventBudgetMs?: number;
  /** `performance.now()` value after which parsing stops (shared across objects of a calendar) */
  deadline?: number;
  warn?: (message: string) => void;
};

export type SkippedEvent = { uid: string | null; reason: string };
export type BusyParseResult = {
  windows: Interval[];
  skipped: SkippedEvent[];
  /** false when the deadline ran out: the windows are then not the whole truth */
  complete: boolean;
};

export const MAX_INSTANCES_PER_EVENT = 5_000;
export const MAX_ITERATIONS_PER_EVENT = 50_000;
export const EVENT_BUDGET_MS = 250;

const MS_DAY = 86_400_000;
const warnedZones = new Set<string>();

class SkipEvent extends Error {}
class OutOfTime extends Error {}

type Ctx = {
  opts: BusyParseOptions;
  floatingZone: string;
  windows: Interval[];
  maxInstances: number;
  maxIterations: number;
  eventBudgetMs: number;
};

type Time = InstanceType<typeof ICAL.Time>;
type Component = InstanceType<typeof ICAL.Component>;

function warnZone(tzid: string, warn: (m: string) => void) {
  if (warnedZones.has(tzid) || warnedZones.size > 500) return;
  warnedZones.add(tzid);
  warn(`[caldav] unknown time zone "${tzid.slice(0, 80)}" read as UTC`);
}

/** Turns the wall time of `t` (as written with `tzid`) into epoch ms. */
function toMs(t: Time, tzid: string | null, ctx: Ctx): number {
  if (t.zone === ICAL.Timezone.utcTimezone) {
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  }
  const zone = tzid ? ianaZoneFor(tzid) : ctx.floatingZone;
  if (zone) return wallToMs(t, zone);
  // A zone we cannot name, but the file defines it (Outlook's "Customized Time Zone").
  const z = t.zone as { tzid?: string; component?: unknown } | null;
  if (z && z !== ICAL.Timezone.localTimezone && z.component) return t.toUnixTime() * 1000;
  warnZone(tzid!, ctx.opts.warn ?? console.warn);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

const offsetCache = new Map<string, number>();

function wallToMs(t: Time, zone: string): number {
  const naive = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  if (zone === "UTC") return naive;
  // The common case: the offset is the same as an hour either side → no DST edge here.
  const key = `${zone}|${Math.floor(naive / 3_600_000)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return naive - cached;
  const zdt = Temporal.PlainDateTime.from({
    year: t.year,
    month: t.month,
    day: t.day,
    hour: t.hour,
    minute: t.minute,
    second: t.second,
  }).toZonedDateTime(zone, { disambiguation: "compatible" });
  const ms = zdt.epochMilliseconds;
  if (offsetCache.size > 50_000) offsetCache.clear();
  // Only cache instants that are not in a gap or fold (wall time round-trips exactly).
  if (zdt.hour === t.hour && zdt.minute === t.minute) offsetCache.set(key, naive - ms);
  return ms;
}

function startOfDateMs(year: number, month: number, day: number, zone: string): number {
  return Temporal.PlainDate.from({ year, month, day }).toZonedDateTime({ timeZone: zone })
    .epochMilliseconds;
}

function tzidOf(comp: Component, name: string): string | null {
  const p = comp.getFirstProperty(name);
  const tz = p?.getParameter("tzid");
  return typeof tz === "string" ? tz : Array.isArray(tz) ? String(tz[0]) : null;
}

function upper(comp: Component, name: string): string {
  const v = comp.getFirstPropertyValue(name);
  return typeof v === "string" ? v.trim().toUpperCase() : "";
}

/** Whether an event (or one override) takes time at all. */
function blocks(comp: Component): boolean {
  if (upper(comp, "transp") === "TRANSPARENT") return false;
  if (upper(comp, "status") === "CANCELLED") return false;
  if (upper(comp, "x-microsoft-cdo-busystatus") === "FREE") return false;
  return true;
}

type Span =
  | { allDay: true; days: number }
  | { allDay: false; durationMs: number };

function timeProp(comp: Component, name: string): Time | null {
  const v = comp.getFirstPropertyValue(name);
  return v instanceof ICAL.Time ? v : null;
}

/** How long each occurrence of `comp` lasts. */
function spanOf(comp: Component, start: Time, ctx: Ctx): Span {
  const end = timeProp(comp, "dtend");
  const dur = comp.getFirstPropertyValue("duration");
  if (start.isDate) {
    let days = 1;
    if (end) {
      days = Math.round(
        (Date.UTC(end.year, end.month - 1, end.day) -
          Date.UTC(start.year, start.month - 1, start.day)) / MS_DAY,
      );
    } else if (dur instanceof ICAL.Duration) {
      days = Math.ceil(dur.toSeconds() / 86_400);
    }
    if (!(days >= 1)) days = 1;
    return { allDay: true, days };
  }
  let durationMs = 0;
  if (end) {
    durationMs = toMs(end, tzidOf(comp, "dtend"), ctx) - toMs(start, tzidOf(comp, "dtstart"), ctx);
  } else if (dur instanceof ICAL.Duration) durationMs = dur.toSeconds() * 1000;
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new SkipEvent("ends before it starts");
  return { allDay: false, durationMs };
}

/** The interval one occurrence starting at `t` covers. */
function occurrence(t: Time, tzid: string | null, span: Span, ctx: Ctx): Interval {
  if (span.allDay) {
    const zone = ctx.opts.hostTimeZone;
    const first = Temporal.PlainDate.from({ year: t.year, month: t.month, day: t.day });
    const last = first.add({ days: span.days });
    return {
      startMs: startOfDateMs(first.year, first.month, first.day, zone),
      endMs: startOfDateMs(last.year, last.month, last.day, zone),
    };
  }
  const startMs = toMs(t, tzid, ctx);
  return { startMs, endMs: startMs + span.durationMs };
}

/** A key for matching a RECURRENCE-ID or EXDATE to an occurrence, across zone spellings. */
function instantKey(t: Time, tzid: string | null, ctx: Ctx): string {
  return t.isDate ? `${t.year}-${t.month}-${t.day}` : String(toMs(t, tzid, ctx));
}

function emit(iv: Interval, ctx: Ctx): boolean {
  const { fromMs, toMs: untilMs } = ctx.opts;
  if (!overlaps(iv, { startMs: fromMs, endMs: untilMs })) return false;
  ctx.windows.push({ startMs: Math.max(iv.startMs, fromMs), endMs: Math.min(iv.endMs, untilMs) });
  return true;
}

const FAST_FORWARD: Record<string, number> = {
  SECONDLY: 1_000,
  MINUTELY: 60_000,
  HOURLY: 3_600_000,
  DAILY: MS_DAY,
  WEEKLY: 7 * MS_DAY,
};

/**
 * A start for the expansion close before the window, for rules whose occurrences repeat on a
 * fixed grid (no COUNT, no BYSETPOS, one RRULE): shifting DTSTART by whole periods keeps every
 * later occurrence, and a daily meeting since 2012 need not be walked from 2012.
 */
function expansionStart(
  master: Component,
  dtstart: Time,
  startMs: number,
  lookBackMs: number,
  ctx: Ctx,
): Time {
  const rules = master.getAllProperties("rrule");
  if (rules.length !== 1) return dtstart;
  const rule = rules[0].getFirstValue() as InstanceType<typeof ICAL.Recur>;
  const unit = FAST_FORWARD[rule.freq];
  if (!unit || rule.count || rule.parts?.BYSETPOS) return dtstart;
  const step = unit * (rule.interval || 1);
  // Wall-clock steps and instants drift apart by at most a DST shift: keep that much slack.
  const target = ctx.opts.fromMs - lookBackMs - 2 * step -
    (unit < MS_DAY ? 3 * 3_600_000 : 2 * MS_DAY);
  if (target - startMs < 2 * step) return dtstart;
  const k = Math.floor((target - startMs) / step) - 1;
  const shifted = dtstart.clone();
  const n = k * (rule.interval || 1);
  if (rule.freq === "WEEKLY") shifted.adjust(7 * n, 0, 0, 0);
  else if (rule.freq === "DAILY") shifted.adjust(n, 0, 0, 0);
  else if (rule.freq === "HOURLY") shifted.adjust(Math.floor(n / 24), n % 24, 0, 0);
  else if (rule.freq === "MINUTELY") {
    shifted.adjust(Math.floor(n / 1440), Math.floor((n % 1440) / 60), n % 60, 0);
  } else {shifted.adjust(
      Math.floor(n / 86_400),
      Math.floor((n % 86_400) / 3600),
      Math.floor((n % 3600) / 60),
      n % 60,
    );}
  return shifted;
}

/** RFC 5545 (3.3.10) ranges of the BYxxx rule parts, and the FREQs each may appear with. */
const RULE_PARTS: Record<string, { min: number; max: number; zero?: boolean; freqs?: string[] }> = {
  BYSECOND: { min: 0, max: 60, zero: true },
  BYMINUTE: { min: 0, max: 59, zero: true },
  BYHOUR: { min: 0, max: 23, zero: true },
  BYMONTHDAY: {
    min: -31,
    max: 31,
    freqs: ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "MONTHLY", "YEARLY"],
  },
  BYYEARDAY: { min: -366, max: 366, freqs: ["SECONDLY", "MINUTELY", "HOURLY", "YEARLY"] },
  BYWEEKNO: { min: -53, max: 53, freqs: ["YEARLY"] },
  BYMONTH: { min: 1, max: 12 },
  BYSETPOS: { min: -366, max: 366 },
};

const SUB_DAILY = new Set(["SECONDLY", "MINUTELY", "HOURLY"]);
const DATE_PARTS = ["BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"];
const WEEKDAY_INDEX: Record<string, number> = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };

/** How many occurrences one period of the rule can hold at most (RFC 5545 BYSETPOS sets). */
function largestSet(freq: string, parts: Record<string, unknown[] | undefined>): number {
  const n = (name: string) => parts[name]?.length || 1;
  const daily = n("BYHOUR") * n("BYMINUTE") * n("BYSECOND");
  const sizes: Record<string, number> = {
    SECONDLY: 1,
    MINUTELY: n("BYSECOND"),
    HOURLY: n("BYMINUTE") * n("BYSECOND"),
    DAILY: daily,
    WEEKLY: 7 * daily,
    MONTHLY: 31 * daily,
    YEARLY: 366 * daily,
  };
  return sizes[freq] ?? Infinity;
}

/**
 * Whether a daily rule steps on a date that passes its date filters within four years of
 * DTSTART, in steps of INTERVAL days (ical.js searches at least that far inside one call).
 */
function someDateMatches(
  parts: Record<string, unknown[] | undefined>,
  start: Time | null,
  interval: number,
): boolean {
  const months = parts.BYMONTH?.map(Number);
  const monthDays = parts.BYMONTHDAY?.map(Number);
  const weekdays = parts.BYDAY?.map((d) => WEEKDAY_INDEX[String(d).slice(-2).toUpperCase()]);
  const first = start ? Date.UTC(start.year, start.month - 1, start.day) : Date.UTC(2024, 0, 1);
  const step = Math.max(1, Math.floor(interval)) * 86_400_000;
  for (let t = first; t < first + 4 * 366 * 86_400_000; t += step) {
    const d = new Date(t);
    if (Number.isNaN(d.getTime())) return false;
    const month = d.getUTCMonth() + 1;
    const length = new Date(Date.UTC(d.getUTCFullYear(), month, 0)).getUTCDate();
    if (months && !months.includes(month)) continue;
    if (
      monthDays && !monthDays.some((v) => v === d.getUTCDate() || length + v + 1 === d.getUTCDate())
    ) continue;
    if (weekdays && !weekdays.includes(d.getUTCDay())) continue;
    return true;
  }
  return false;
}

/**
 * Rules RFC 5545 does not allow can send ical.js into a loop inside one `next()` call that never
 * returns ("FREQ=DAILY;BYDAY=-1FR", "FREQ=HOURLY;BYMONTHDAY=0" run until the heap is gone), and no
 * time budget can interrupt a call that never returns. Such an event is skipped before it is
 * expanded (found by tests/reliability/ics-fuzz.test.ts): out-of-range BYxxx values, a part the
 * FREQ does not allow, a numbered BYDAY outside MONTHLY/YEARLY, an INTERVAL below 1, and date
 * filters under a FREQ finer than they can be searched in bounded time.
 */
function refuseLoopingRules(master: Component): void {
  for (const p of master.getAllProperties("rrule")) {
    const rule = p.getFirstValue() as InstanceType<typeof ICAL.Recur> | null;
    if (!rule) continue;
    const freq = String(rule.freq ?? "");
    const bad = (why: string): never => {
      throw new SkipEvent(`its repeat rule is not valid iCalendar (${why.slice(0, 80)})`);
    };
    if (rule.interval !== undefined && rule.interval !== null && !(Number(rule.interval) >= 1)) {
      bad(`INTERVAL=${rule.interval}`);
    }
    const parts = (rule.parts ?? {}) as Record<string, unknown[] | undefined>;
    for (const [name, values] of Object.entries(parts)) {
      if (!values?.length) continue;
      if (name === "BYDAY") {
        for (const d of values) {
          const m = /^([+-]?\d+)?(SU|MO|TU|WE|TH|FR|SA)$/i.exec(String(d));
          if (!m) bad(`BYDAY=${d}`);
          const n = m![1] === undefined ? null : Number(m![1]);
          if (
            n !== null && (freq !== "MONTHLY" && freq !== "YEARLY" || n === 0 || Math.abs(n) > 53)
          ) bad(`BYDAY=${d} with FREQ=${freq}`);
        }
        continue;
      }
      const range = RULE_PARTS[name];
      if (!range) continue;
      if (range.freqs && !range.freqs.includes(freq)) bad(`${name} with FREQ=${freq}`);
      for (const v of values) {
        const n = Number(v);
        if (!Number.isInteger(n) || n < range.min || n > range.max || (n === 0 && !range.zero)) {
          bad(`${name}=${v}`);
        }
      }
    }
    // Allowed, but ical.js searches date by date (or second by second) inside one next() call:
    // "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30" never returns, "FREQ=DAILY;BYDAY=MO;BYMONTH=2;
    // BYMONTHDAY=29" runs 28 years per step. Sub-daily rules may not filter by date at all;
    // daily ones must step on a matching date within four years' worth of steps.
    if (SUB_DAILY.has(freq)) {
      const part = DATE_PARTS.find((n) => parts[n]?.length);
      if (part) bad(`${part} with FREQ=${freq}`);
    }
    if (
      freq === "DAILY" && (parts.BYMONTH?.length || parts.BYMONTHDAY?.length) &&
      !someDateMatches(parts, timeProp(master, "dtstart"), Number(rule.interval) || 1)
    ) {
      bad("no date it steps on within four years matches its BYMONTH, BYMONTHDAY and BYDAY");
    }
    // A BYSETPOS beyond the largest set one period can produce selects nothing, ever; ical.js
    // keeps searching ("FREQ=DAILY;BYMONTHDAY=-1;BYSETPOS=284" never returns).
    const setpos = parts.BYSETPOS?.map(Number) ?? [];
    if (setpos.length && setpos.every((n) => Math.abs(n) > largestSet(freq, parts))) {
      bad(`BYSETPOS=${setpos.join(",")}`);
    }
  }
}

/**
 * A VTIMEZONE's observances repeat yearly; ical.js expands their rules whenever it converts a
 * time of that zone, so "RRULE:FREQ=SECONDLY" in one fills the heap before any event budget is
 * checked (found by tests/reliability/ics-fuzz.test.ts). Such a zone definition is dropped: its
 * events then resolve by name (IANA, Windows) or, failing that, as UTC like any unknown zone.
 */
function dropLoopingZones(root: Component, warn: (m: string) => void): void {
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    const observances = [
      ...vtz.getAllSubcomponents("standard"),
      ...vtz.getAllSubcomponents("daylight"),
    ];
    const ok = observances.every((o) => {
      if (o.getAllProperties("rdate").length > 1_000) return false;
      try {
        refuseLoopingRules(o);
      } catch {
        return false;
      }
      return o.getAllProperties("rrule").every((p) =>
        (p.getFirstValue() as { freq?: string } | null)?.freq === "YEARLY"
      );
    });
    if (!ok) {
      root.removeSubcomponent(vtz);
      warn(
        `[caldav] ignored the definition of time zone "${
          String(vtz.getFirstPropertyValue("tzid")).slice(0, 80)
        }": its rules do not repeat yearly`,
      );
    }
  }
}

/** Adds the busy time of one series (or one single event) and its overrides. */
function expandSeries(master: Component | null, overrides: Component[], ctx: Ctx): void {
  const started = performance.now();
  const overridden = new Set<string>();
  let instances = 0;
  const count = (iv: Interval) => {
    if (emit(iv, ctx) && ++instances > ctx.maxInstances) {
      throw new SkipEvent(`more than ${ctx.maxInstances} occurrences in the sync window`);
    }
  };

  if (master) {
    const dtstart = timeProp(master, "dtstart");
    if (!dtstart) throw new SkipEvent("has no start time");
    const tzid = tzidOf(master, "dtstart");
    for (const o of overrides) {
      const rid = timeProp(o, "recurrence-id");
      if (rid) overridden.add(instantKey(rid, tzidOf(o, "recurrence-id"), ctx));
    }
    if (blocks(master)) {
      const span = spanOf(master, dtstart, ctx);
      const recurring = master.hasProperty("rrule") || master.hasProperty("rdate");
      if (!recurring) {
        count(occurrence(dtstart, tzid, span, ctx));
      } else {
        const exdates = new Set<string>();
        for (const p of master.getAllProperties("exdate")) {
          const ptz = typeof p.getParameter("tzid") === "string"
            ? p.getParameter("tzid") as string
            : null;
          for (const v of p.getValues()) {
            if (v instanceof ICAL.Time) exdates.add(instantKey(v, ptz, ctx));
          }
        }
        const startMs = span.allDay
          ? startOfDateMs(dtstart.year, dtstart.month, dtstart.day, ctx.opts.hostTimeZone)
          : toMs(dtstart, tzid, ctx);
        const lookBack = span.allDay ? span.days * MS_DAY : span.durationMs;
        refuseLoopingRules(master);
        const iter = new ICAL.RecurExpansion({
          component: master,
          dtstart: expansionStart(master, dtstart, startMs, lookBack, ctx),
        });
        // ical.js produces dates that no BYMONTH allows (BYMONTHDAY=30 in February → 2 March); drop those.
        const rule = master.getFirstPropertyValue("rrule") as
          | InstanceType<typeof ICAL.Recur>
          | null;
        const months = (rule?.parts as Record<string, number[] | undefined> | undefined)?.BYMONTH;
        for (let steps = 0;; steps++) {
          if (steps > ctx.maxIterations) {
            throw new SkipEvent(`recurrence needs more than ${ctx.maxIterations} steps`);
          }
          const now = performance.now();
          if (now - started > ctx.eventBudgetMs) {
            throw new SkipEvent(`recurrence took more than ${ctx.eventBudgetMs} ms`);
          }
          if (ctx.opts.deadline !== undefined && now > ctx.opts.deadline) throw new OutOfTime();
          const next = iter.next() as Time | undefined;
          if (!next) break;
          const iv = occurrence(next, tzid, span, ctx);
          if (iv.startMs >= ctx.opts.toMs) break;
          const key = instantKey(next, tzid, ctx);
          if (exdates.has(key) || overridden.has(key)) continue;
          if (months && !months.includes(next.month)) continue;
          count(iv);
        }
      }
    }
  }
  // Overrides stand on their own: a moved instance blocks where it went, a cancelled one nowhere.
  for (const o of overrides) {
    if (!blocks(o)) continue;
    const start = timeProp(o, "dtstart");
    if (!start) throw new SkipEvent("an override has no start time");
    count(occurrence(start, tzidOf(o, "dtstart"), spanOf(o, start, ctx), ctx));
  }
}

const uidOf = (c: Component) => {
  const v = c.getFirstPropertyValue("uid");
  return typeof v === "string" ? v : null;
};

/** Busy windows of one calendar object (one .ics resource), in any order, clipped to the range. */
export function busyFromIcs(icsText: string, opts: BusyParseOptions): BusyParseResult {
  const ctx: Ctx = {
    opts,
    floatingZone: opts.hostTimeZone,
    windows: [],
    maxInstances: opts.maxInstances ?? MAX_INSTANCES_PER_EVENT,
    maxIterations: opts.maxIterations ?? MAX_ITERATIONS_PER_EVENT,
    eventBudgetMs: opts.eventBudgetMs ?? EVENT_BUDGET_MS,
  };
  const skipped: SkippedEvent[] = [];
  let roots: Component[];
  try {
    const parsed = ICAL.parse(icsText) as unknown[];
    // Several VCALENDARs in one text come back as a list of components; empty text as [], which
    // is no component at all (ical.js would throw later, outside this try).
    const list = Array.isArray(parsed[0]) ? parsed : [parsed];
    if (
      !list.every((j) =>
        Array.isArray(j) && typeof j[0] === "string" && Array.isArray(j[1]) && Array.isArray(j[2])
      )
    ) {
      throw new Error("no calendar component");
    }
    roots = list.map((j) => new ICAL.Component(j as unknown[]));
  } catch (err) {
    const uid = /^UID:(.*)$/m.exec(icsText)?.[1]?.trim() ?? null;
    return {
      windows: [],
      skipped: [{ uid, reason: `not valid iCalendar (${short(err)})` }],
      complete: true,
    };
  }
  for (const root of roots) {
    dropLoopingZones(root, opts.warn ?? console.warn);
    const wr = root.getFirstPropertyValue("x-wr-timezone");
    ctx.floatingZone = (typeof wr === "string" && ianaZoneFor(wr)) || opts.hostTimeZone;
    const series = new Map<string, { master: Component | null; overrides: Component[] }>();
    let anonymous = 0;
    for (const ev of root.getAllSubcomponents("vevent")) {
      const uid = uidOf(ev) ?? `(no uid ${++anonymous})`;
      let s = series.get(uid);
      if (!s) series.set(uid, s = { master: null, overrides: [] });
      if (ev.hasProperty("recurrence-id")) s.overrides.push(ev);
      else if (!s.master) s.master = ev;
    }
    for (const [uid, s] of series) {
      if (opts.isOwnUid?.(uid)) continue;
      if (opts.deadline !== undefined && performance.now() > opts.deadline) {
        return { windows: ctx.windows, skipped, complete: false };
      }
      // A cancelled series is cancelled with all its overrides.
      if (s.master && upper(s.master, "status") === "CANCELLED") continue;
      const mark = ctx.windows.length;
      try {
        expandSeries(s.master, s.overrides, ctx);
      } catch (err) {
        ctx.windows.length = mark; // nothing half-expanded
        if (err instanceof OutOfTime) return { windows: ctx.windows, skipped, complete: false };
        skipped.push({
          uid,
          reason: err instanceof SkipEvent ? err.message : `could not be read (${short(err)})`,
        });
      }
    }
  }
  return { windows: ctx.windows, skipped, complete: true };
}

function short(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 120);
}
