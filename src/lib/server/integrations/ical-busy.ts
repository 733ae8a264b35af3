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
 *   and `eventBudgetMs` per event (over it on two walks: such an event is skipped and
 *   reported), and a deadline for the whole calendar after which the result says
 *   `complete: false`.
 */
import ICAL from "ical.js";
import { Temporal } from "../domain/temporal.ts";
import { type Interval, overlaps } from "../domain/interval.ts";
import { ianaZoneFor } from "./windows-zones.ts";
import {
  type BusyParseOptions,
  type BusyParseResult,
  type Component,
  type Ctx,
  EVENT_BUDGET_MS,
  MAX_INSTANCES_PER_EVENT,
  MAX_ITERATIONS_PER_EVENT,
  MS_DAY,
  OutOfTime,
  OverBudget,
  SkipEvent,
  type SkippedEvent,
  type Time,
  timeProp,
  warnedZones,
} from "./ical-context.ts";
import {
  dropLoopingZones,
  expansionStart,
  refuseLoopingRules,
  shortenIntervalsPastWindow,
} from "./ical-rules.ts";

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

/** The instant of a wall time written as if UTC ("naive"), by RFC 5545: Temporal's "compatible". */
function compatibleMs(naive: number, zone: string): number {
  const d = new Date(naive);
  return new Temporal.PlainDateTime(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  ).toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
}

function wallToMs(t: Time, zone: string): number {
  const naive = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  if (zone === "UTC") return naive;
  // One offset per zone and wall-clock hour, kept when the hour's first and last second have it
  // (a change of offset moves the reading once, so equal ends leave none in between). A change
  // can fall inside an hour (Chatham's at 02:45 and 03:45, the end of Lord Howe's half-hour gap
  // at 02:30): one time's offset kept for its whole hour placed the other side's events up to an
  // hour off, depending on which event was read first.
  const hour = Math.floor(naive / 3_600_000);
  const key = `${zone}|${hour}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return naive - cached;
  const first = hour * 3_600_000;
  const offset = first - compatibleMs(first, zone);
  if (offset !== first + 3_599_000 - compatibleMs(first + 3_599_000, zone)) {
    return compatibleMs(naive, zone);
  }
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return naive - offset;
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
        shortenIntervalsPastWindow(master, startMs, ctx);
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
            throw new OverBudget(`recurrence took more than ${ctx.eventBudgetMs} ms`);
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
      const walk = (): unknown => {
        try {
          expandSeries(s.master, s.overrides, ctx);
          return null;
        } catch (err) {
          ctx.windows.length = mark; // nothing half-expanded
          return err;
        }
      };
      // A walk over its time budget is walked once more before the event is skipped: the time
      // is the machine's as much as the event's (the process paused mid-walk on a busy box), and
      // a weekly series skipped so stopped blocking its times (seen in a full npm test). A walk
      // that is dear by itself is over the budget twice.
      let err = walk();
      if (err instanceof OverBudget) err = walk();
      if (err !== null) {
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
