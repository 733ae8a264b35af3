/**
 * Guards for ical.js's recurrence expansion: where to start expanding a long-running series
 * (fast-forward), and refusing rules or zones that would loop without producing an instance.
 */
import ICAL from "ical.js";
import {
  type Component,
  type Ctx,
  MS_DAY,
  SkipEvent,
  type Time,
  timeProp,
} from "./ical-context.ts";

const FAST_FORWARD: Record<string, number> = {
  SECONDLY: 1_000,
  MINUTELY: 60_000,
  HOURLY: 3_600_000,
  DAILY: MS_DAY,
  WEEKLY: 7 * MS_DAY,
};

/**
 * The shortest one step of each FREQ can be (a day short of a DST hour, a month of 28 days, a
 * year of 365).
 */
const SHORTEST_STEP: Record<string, number> = {
  SECONDLY: 1_000,
  MINUTELY: 60_000,
  HOURLY: 3_600_000,
  DAILY: MS_DAY - 3_600_000,
  WEEKLY: 7 * MS_DAY - 3_600_000,
  MONTHLY: 28 * MS_DAY - 3_600_000,
  YEARLY: 365 * MS_DAY - 3_600_000,
};

/**
 * An INTERVAL that steps past the window's end (INTERVAL=99999999999999999999) becomes the
 * smallest that still does. ical.js walks a step a year at a time inside one `next()` (a million
 * weeks took a second; 10^20 weeks never end), where no deadline between steps can stop it. Both
 * intervals give the window the same occurrences: those of the first period, since the second
 * begins after the window either way.
 */
export function shortenIntervalsPastWindow(master: Component, startMs: number, ctx: Ctx): void {
  for (const p of master.getAllProperties("rrule")) {
    const rule = p.getFirstValue() as InstanceType<typeof ICAL.Recur> | null;
    const step = rule && SHORTEST_STEP[String(rule.freq)];
    if (!rule || !step) continue;
    // Two steps more than reach the window's end: the first period may begin up to a period
    // before DTSTART (the week, month or year holding it).
    const enough = Math.max(1, Math.ceil((ctx.opts.toMs - startMs) / step) + 2);
    if (Number(rule.interval) > enough) rule.interval = enough;
  }
}

/**
 * A start for the expansion close before the window, for rules whose occurrences repeat on a
 * fixed grid (no COUNT, no BYSETPOS, one RRULE): shifting DTSTART by whole periods keeps every
 * later occurrence, and a daily meeting since 2012 need not be walked from 2012.
 */
export function expansionStart(
  master: Component,
  dtstart: Time,
  startMs: number,
  lookBackMs: number,
  ctx: Ctx,
): Time {
  const rules = master.getAllProperties("rrule");
  if (rules.length !== 1) return dtstart;
  const rule = rules[0].getFirstValue() as InstanceType<typeof ICAL.Recur>;
  if (rule.freq === "MONTHLY" || rule.freq === "YEARLY") {
    return calendarFastForward(rule, dtstart, lookBackMs, ctx);
  }
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

/**
 * The same for monthly and yearly rules, in calendar months: their periods have no fixed length.
 * BYSETPOS picks within one period, so whole periods keep it too. Without this, a "fifth Monday"
 * rule from 1900 is walked month by month, and whether it finished inside the event's time budget
 * (and so blocked its time or was skipped) depended on how busy the machine was.
 * Only DTSTARTs on day 1–28 move: every month has those days, so no shifted start is normalised
 * into another month. The shifted DTSTART itself may match no rule (RFC 5545 counts DTSTART as an
 * occurrence), which is harmless: it lands at least two periods before the window.
 */
function calendarFastForward(
  rule: InstanceType<typeof ICAL.Recur>,
  dtstart: Time,
  lookBackMs: number,
  ctx: Ctx,
): Time {
  if (rule.count || dtstart.day > 28) return dtstart;
  const periodMonths = (rule.freq === "YEARLY" ? 12 : 1) * (rule.interval || 1);
  const target = new Date(ctx.opts.fromMs - lookBackMs);
  const monthsBetween = (target.getUTCFullYear() - dtstart.year) * 12 +
    (target.getUTCMonth() + 1 - dtstart.month);
  const periods = Math.floor(monthsBetween / periodMonths) - 2;
  // An event lasting longer than a date can say (DURATION:PT99999999999999999999H) looks back
  // past the first date there is: no number of periods, and a start of NaN sent ical.js's
  // expansion into a loop that no deadline between its steps could end.
  if (!Number.isFinite(periods) || periods <= 0) return dtstart;
  const months = dtstart.month - 1 + periods * periodMonths;
  const shifted = dtstart.clone();
  shifted.year = dtstart.year + Math.floor(months / 12);
  shifted.month = (months % 12) + 1;
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
export function refuseLoopingRules(master: Component): void {
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
export function dropLoopingZones(root: Component, warn: (m: string) => void): void {
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
