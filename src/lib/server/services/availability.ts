/**
 * The host's availability: weekly hours, date overrides and time off, each saved on its own
 * (a save rewrites only its part of the record), and a preview of the weeks ahead.
 */
import type { App } from "../app.ts";
import type { AvailabilityRecord, UserRecord } from "../store/records.ts";
import type { UserId } from "../store/keys.ts";
import { changeAvailability, getAvailability } from "../store/availability.ts";
import {
  type DateOverride,
  isIsoDate,
  type TimeOff,
  validateRanges,
  validateTimeOff,
  validateWeeklyRules,
  type Weekday,
  type WeeklyRules,
} from "../domain/availability.ts";
import { computeDayWindows } from "../domain/slots.ts";
import { Temporal } from "../domain/temporal.ts";
import { civilDateLabel, formatTime, isoDateIn } from "../../shared/format.ts";
import { isOneLine } from "../../shared/text.ts";
import {
  MAX_OVERRIDES,
  MAX_TIME_OFF,
  type OverrideRowErrors,
  TIME_OFF_REASON_MAX,
  type TimeOffRowErrors,
} from "../../shared/forms.ts";

/** Overrides and time off may be planned this far ahead (guards against typos like 2062). */
const MAX_YEARS_AHEAD = 2;

/**
 * Read-modify-write of the host's availability record in one atomic operation that checks the
 * record's versionstamp, so a weekly save and a time-off save at the same moment both land.
 * `change` sees the current record and may refuse (then nothing is written).
 */
async function updateAvailability<E>(
  app: App,
  userId: UserId,
  change: (
    cur: AvailabilityRecord,
  ) => { ok: true; next: AvailabilityRecord } | { ok: false; errors: E },
): Promise<{ ok: true; record: AvailabilityRecord } | { ok: false; errors: E }> {
  // Queued per host inside this process; the versionstamp check covers other processes.
  return await app.hostLock.run(`availability:${userId}`, async () => {
    return await changeAvailability(app.kv, userId, app.now(), change);
  });
}

export async function saveWeeklyAvailability(app: App, user: UserRecord, weekly: WeeklyRules) {
  const checked = validateWeeklyRules(weekly);
  if (!checked.ok) return checked;
  await updateAvailability<never>(app, user.id, (cur) => ({
    ok: true,
    next: { ...cur, weekly: checked.rules, updatedAtMs: app.now() },
  }));
  return { ok: true as const };
}

/** The host's weekly hours as saved (Mon–Fri 09:00–17:00 until they save their own). */
export async function getWeeklyAvailability(
  app: App,
  user: UserRecord,
): Promise<{ weekly: WeeklyRules; updatedAtMs: number }> {
  const cur = await getAvailability(app.kv, user.id, app.now());
  return { weekly: cur.weekly, updatedAtMs: cur.updatedAtMs };
}

/** Everything the availability page shows, as saved. */
export async function getAvailabilityRules(
  app: App,
  user: UserRecord,
): Promise<AvailabilityRecord> {
  return await getAvailability(app.kv, user.id, app.now());
}

/** Today's date in the host's zone ("2026-11-20"). */
export function hostToday(app: App, user: UserRecord): string {
  return isoDateIn(app.now(), user.timeZone);
}

function latestAllowedDate(today: string): string {
  return Temporal.PlainDate.from(today).add({ years: MAX_YEARS_AHEAD }).toString();
}

const shortDate = (iso: string) => civilDateLabel(iso);

export type SaveListResult<E> =
  | { ok: true }
  | { ok: false; errors: Record<number, E>; form?: string };

/**
 * Replaces the host's date overrides. Refused as a whole (nothing written) when any entry is
 * invalid: a bad date or bad ranges (`validateRanges`), two entries for the same date
 * ("overlapping overrides"), or a past date that is not already saved exactly so (past dates
 * can be removed, not added or changed). Saved sorted by date. Errors are keyed by list index.
 */
export async function saveOverrides(
  app: App,
  user: UserRecord,
  overrides: readonly DateOverride[],
): Promise<SaveListResult<OverrideRowErrors>> {
  if (overrides.length > MAX_OVERRIDES) {
    return {
      ok: false,
      errors: {},
      form: `At most ${MAX_OVERRIDES} date overrides; remove some first`,
    };
  }
  const res = await updateAvailability(app, user.id, overridesChange(app, user, overrides));
  return res.ok ? { ok: true } : { ok: false, errors: res.errors };
}

/** The change `saveOverrides` makes, refused as a whole on any bad entry (see there). */
function overridesChange(app: App, user: UserRecord, overrides: readonly DateOverride[]) {
  const today = hostToday(app, user);
  const latest = latestAllowedDate(today);
  return (
    cur: AvailabilityRecord,
  ): { ok: true; next: AvailabilityRecord } | {
    ok: false;
    errors: Record<number, OverrideRowErrors>;
  } => {
    const errors: Record<number, OverrideRowErrors> = {};
    const valid: DateOverride[] = [];
    const firstIndexOf = new Map<string, number>();
    const saved = new Map(cur.overrides.map((o) => [o.date, JSON.stringify(o.ranges)]));
    overrides.forEach((o, i) => {
      const e: OverrideRowErrors = {};
      const ranges = validateRanges(o?.ranges ?? []);
      if (!ranges.ok) e.ranges = ranges.errors;
      if (typeof o?.date !== "string" || o.date === "") e.date = "Choose a date";
      else if (!isIsoDate(o.date)) e.date = "Enter the date as YYYY-MM-DD";
      else if (firstIndexOf.has(o.date)) {
        e.date = `Overlapping overrides: ${shortDate(o.date)} is already listed above; keep one`;
      } else if (
        o.date < today && (!ranges.ok || saved.get(o.date) !== JSON.stringify(ranges.ranges))
      ) {
        e.date = `${
          shortDate(o.date)
        } is in the past: past dates can be removed, not added or changed`;
      } else if (o.date > latest) {
        e.date = `Choose a date within the next ${MAX_YEARS_AHEAD} years`;
      }
      if (isIsoDate(o?.date) && !firstIndexOf.has(o.date)) firstIndexOf.set(o.date, i);
      if (e.date || e.ranges) errors[i] = e;
      else if (ranges.ok) valid.push({ date: o.date, ranges: ranges.ranges });
    });
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    valid.sort((a, b) => a.date.localeCompare(b.date));
    return { ok: true, next: { ...cur, overrides: valid, updatedAtMs: app.now() } };
  };
}

/**
 * Replaces the host's time off. Each entry covers `from`…`to` (inclusive) in the host's zone.
 * Refused as a whole when an entry ends before it starts (`validateTimeOff`), overlaps another
 * entry (make it one), has a reason over 200 characters, or ended before today and is not
 * already saved exactly so. Saved sorted by start. Errors are keyed by list index.
 */
export async function saveTimeOff(
  app: App,
  user: UserRecord,
  entries: readonly TimeOff[],
): Promise<SaveListResult<TimeOffRowErrors>> {
  if (entries.length > MAX_TIME_OFF) {
    return {
      ok: false,
      errors: {},
      form: `At most ${MAX_TIME_OFF} time off entries; remove some first`,
    };
  }
  const res = await updateAvailability(app, user.id, timeOffChange(app, user, entries));
  return res.ok ? { ok: true } : { ok: false, errors: res.errors };
}

/** The change `saveTimeOff` makes, refused as a whole on any bad entry (see there). */
function timeOffChange(app: App, user: UserRecord, entries: readonly TimeOff[]) {
  const today = hostToday(app, user);
  const latest = latestAllowedDate(today);
  return (
    cur: AvailabilityRecord,
  ): { ok: true; next: AvailabilityRecord } | {
    ok: false;
    errors: Record<number, TimeOffRowErrors>;
  } => {
    const errors: Record<number, TimeOffRowErrors> = {};
    const saved = new Set(cur.timeOff.map((t) => key(t)));
    const checked: { i: number; t: TimeOff }[] = [];
    entries.forEach((t, i) => {
      const e: TimeOffRowErrors = {};
      const reason = typeof t?.reason === "string" ? t.reason.trim() : "";
      if (reason.length > TIME_OFF_REASON_MAX) {
        e.reason = `Keep the reason under ${TIME_OFF_REASON_MAX + 1} characters`;
      } else if (!isOneLine(reason)) {
        e.reason = "The reason cannot contain line breaks or control characters";
      }
      if (!t?.from) e.from = "Choose the first day";
      else if (!isIsoDate(t.from)) e.from = "Enter the date as YYYY-MM-DD";
      if (!t?.to) e.to = "Choose the last day";
      else if (!isIsoDate(t.to)) e.to = "Enter the date as YYYY-MM-DD";
      if (!e.from && !e.to) {
        const valid = validateTimeOff(
          reason ? { from: t.from, to: t.to, reason } : { from: t.from, to: t.to },
        );
        if (!valid.ok) e.to = "The last day is before the first day";
        else if (t.to < today && !saved.has(key(valid.timeOff))) {
          e.to = "This time off is over: past time off can be removed, not added or changed";
        } else if (t.to > latest) e.to = `Choose dates within the next ${MAX_YEARS_AHEAD} years`;
        else if (!e.reason) checked.push({ i, t: valid.timeOff });
      }
      if (e.from || e.to || e.reason) errors[i] = e;
    });
    // Two entries that share a day are one stretch of time off: ask for one entry.
    const byStart = [...checked].sort((a, b) => a.t.from.localeCompare(b.t.from) || a.i - b.i);
    for (let k = 1; k < byStart.length; k++) {
      const prev = byStart.slice(0, k).find((p) => p.t.to >= byStart[k].t.from);
      if (prev) {
        const later = prev.i > byStart[k].i ? prev : byStart[k];
        const other = later === prev ? byStart[k] : prev;
        errors[later.i] = {
          ...errors[later.i],
          from: `Overlaps ${shortDate(other.t.from)}–${shortDate(other.t.to)}; make them one entry`,
        };
      }
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    const valid = checked.map((c) => c.t).sort((a, b) => a.from.localeCompare(b.from));
    return { ok: true, next: { ...cur, timeOff: valid, updatedAtMs: app.now() } };
  };
}

export type AvailabilityErrors = {
  weekly?: Partial<Record<Weekday, string[]>>;
  overrides?: Record<number, OverrideRowErrors>;
  timeOff?: Record<number, TimeOffRowErrors>;
  form?: string;
};

/**
 * Weekly hours, overrides and time off at once (the JSON API's PUT): each part given replaces
 * the saved one, by the same rules as the pages, in one write — all of it or nothing.
 */
export async function saveAvailability(
  app: App,
  user: UserRecord,
  input: { weekly?: WeeklyRules; overrides?: DateOverride[]; timeOff?: TimeOff[] },
): Promise<{ ok: true; record: AvailabilityRecord } | { ok: false; errors: AvailabilityErrors }> {
  const errors: AvailabilityErrors = {};
  let weekly: WeeklyRules | null = null;
  if (input.weekly) {
    const checked = validateWeeklyRules(input.weekly);
    if (checked.ok) weekly = checked.rules;
    else errors.weekly = checked.errors;
  }
  if ((input.overrides?.length ?? 0) > MAX_OVERRIDES) {
    errors.form = `At most ${MAX_OVERRIDES} date overrides`;
  }
  if ((input.timeOff?.length ?? 0) > MAX_TIME_OFF) {
    errors.form = `At most ${MAX_TIME_OFF} time off entries`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const ov = input.overrides ? overridesChange(app, user, input.overrides) : null;
  const to = input.timeOff ? timeOffChange(app, user, input.timeOff) : null;
  return await updateAvailability<AvailabilityErrors>(app, user.id, (cur) => {
    let next: AvailabilityRecord = weekly ? { ...cur, weekly, updatedAtMs: app.now() } : cur;
    const found: AvailabilityErrors = {};
    if (ov) {
      const r = ov(next);
      if (r.ok) next = r.next;
      else found.overrides = r.errors;
    }
    if (to) {
      const r = to(next);
      if (r.ok) next = r.next;
      else found.timeOff = r.errors;
    }
    if (Object.keys(found).length) return { ok: false, errors: found };
    return { ok: true, next: { ...next, updatedAtMs: app.now() } };
  });
}

function key(t: TimeOff): string {
  return JSON.stringify([t.from, t.to, t.reason ?? ""]);
}

// ---------------------------------------------------------------------------------------------
// Preview

export type PreviewDay = {
  /** YYYY-MM-DD in the host's zone. */
  date: string;
  weekday: Weekday;
  /** "Monday 23 November". */
  label: string;
  past: boolean;
  today: boolean;
  /** Which rule decides the day: time off wins over an override, an override over the week. */
  source: "weekly" | "override" | "time_off";
  /** Bookable hours as "HH:MM–HH:MM" in the host's zone (a window up to midnight ends "24:00"). */
  hours: string[];
  /** The time off's reason, when it has one. */
  reason: string | null;
};

/**
 * The host's hours for whole weeks (Monday first) starting with the week of `today`, from the
 * weekly rules, overrides and time off, via the slot engine's own `computeDayWindows`, so the
 * preview shows what guests get (bookings and connected calendars aside). Pure.
 */
export function computeAvailabilityPreview(
  rules: {
    timeZone: string;
    weekly: WeeklyRules;
    overrides: readonly DateOverride[];
    timeOff: readonly TimeOff[];
  },
  today: string,
  weeks = 6,
): PreviewDay[] {
  const todayDate = Temporal.PlainDate.from(today);
  const monday = todayDate.subtract({ days: todayDate.dayOfWeek - 1 });
  const overrideDates = new Set(rules.overrides.map((o) => o.date));
  const days: PreviewDay[] = [];
  for (let n = 0; n < weeks * 7; n++) {
    const date = monday.add({ days: n });
    const iso = date.toString();
    const off = rules.timeOff.find((t) => t.from <= iso && iso <= t.to);
    const windows = computeDayWindows(rules, date);
    days.push({
      date: iso,
      weekday: date.dayOfWeek as Weekday,
      label: civilDateLabel(iso),
      past: iso < today,
      today: iso === today,
      source: off ? "time_off" : overrideDates.has(iso) ? "override" : "weekly",
      hours: windows.map((w) => {
        const end = isoDateIn(w.endMs, rules.timeZone) === iso
          ? formatTime(w.endMs, rules.timeZone)
          : "24:00";
        return `${formatTime(w.startMs, rules.timeZone)}–${end}`;
      }),
      reason: off?.reason ?? null,
    });
  }
  return days;
}

/** The preview for the host's saved rules, in their zone. */
export async function getAvailabilityPreview(
  app: App,
  user: UserRecord,
  weeks = 6,
): Promise<PreviewDay[]> {
  const cur = await getAvailability(app.kv, user.id, app.now());
  return computeAvailabilityPreview(
    { timeZone: user.timeZone, ...cur },
    hostToday(app, user),
    weeks,
  );
}
