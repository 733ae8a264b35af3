/**
 * The host's availability: weekly hours, date overrides and time off, each saved on its own
 * (a save rewrites only its part of the record), and a preview of the weeks ahead.
 */
import type { App } from "../app.ts";
import type { AvailabilityRecord, UserRecord } from "../domain/model/records.ts";
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
import { translateRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

/** Messages default to British English for callers that name no reader (tests, older code). */
const ENGLISH = () => translator("en-GB");
import {
  MAX_OVERRIDES,
  MAX_TIME_OFF,
  type OverrideRowErrors,
  TIME_OFF_REASON_MAX,
  type TimeOffRowErrors,
} from "../../shared/forms/availability.ts";

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

export async function saveWeeklyAvailability(
  app: App,
  user: UserRecord,
  weekly: WeeklyRules,
  t: Translator = ENGLISH(),
) {
  const checked = validateWeeklyRules(weekly);
  if (!checked.ok) {
    const errors: Partial<Record<Weekday, string[]>> = {};
    for (const [day, list] of Object.entries(checked.errors)) {
      errors[Number(day) as Weekday] = (list ?? []).map((ref) => translateRef(t, ref));
    }
    return { ok: false as const, errors };
  }
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
  t: Translator = ENGLISH(),
): Promise<SaveListResult<OverrideRowErrors>> {
  if (overrides.length > MAX_OVERRIDES) {
    return { ok: false, errors: {}, form: t.t("avail.overrides_max", { max: MAX_OVERRIDES }) };
  }
  const res = await updateAvailability(app, user.id, overridesChange(app, user, overrides, t));
  return res.ok ? { ok: true } : { ok: false, errors: res.errors };
}

/**
 * Sets one date's own hours (empty ranges: unavailable that day), keeping the other overrides,
 * in one versionstamp-checked write; `ranges: null` removes the date's override. The same rules
 * as `saveOverrides` decide (see there); errors name the date's row.
 */
export async function setDateOverride(
  app: App,
  user: UserRecord,
  override: { date: string; ranges: DateOverride["ranges"] | null },
  t: Translator = ENGLISH(),
): Promise<
  { ok: true; overrides: DateOverride[] } | { ok: false; errors: OverrideRowErrors; form?: string }
> {
  let form: string | undefined;
  const res = await updateAvailability<OverrideRowErrors>(app, user.id, (cur) => {
    const others = cur.overrides.filter((o) => o.date !== override.date);
    const list = override.ranges === null
      ? others
      : [...others, { date: override.date, ranges: override.ranges }];
    if (list.length > MAX_OVERRIDES) {
      form = t.t("avail.overrides_max", { max: MAX_OVERRIDES });
      return { ok: false, errors: {} };
    }
    const r = overridesChange(app, user, list, t)(cur);
    if (r.ok) return r;
    const mine = list.findIndex((o) => o.date === override.date);
    return { ok: false, errors: r.errors[mine] ?? Object.values(r.errors)[0] ?? {} };
  });
  if (res.ok) return { ok: true, overrides: res.record.overrides };
  return { ok: false, errors: res.errors, ...(form ? { form } : {}) };
}

/** A date in a message: its year only when it is not this year's ("January 1, 2020 is in the past"). */
function dateInWords(iso: string, today: string, locale: string): string {
  return civilDateLabel(iso, iso.slice(0, 4) !== today.slice(0, 4), locale);
}

/** The change `saveOverrides` makes, refused as a whole on any bad entry (see there). */
function overridesChange(
  app: App,
  user: UserRecord,
  overrides: readonly DateOverride[],
  t: Translator,
) {
  const today = hostToday(app, user);
  const shortDate = (iso: string) => dateInWords(iso, today, t.locale);
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
      if (!ranges.ok) e.ranges = ranges.errors.map((ref) => translateRef(t, ref));
      if (typeof o?.date !== "string" || o.date === "") e.date = t.t("avail.choose_date");
      else if (!isIsoDate(o.date)) e.date = t.t("avail.date_as_iso");
      else if (firstIndexOf.has(o.date)) {
        e.date = t.t("avail.override_twice", { date: shortDate(o.date) });
      } else if (
        o.date < today && (!ranges.ok || saved.get(o.date) !== JSON.stringify(ranges.ranges))
      ) {
        e.date = t.t("avail.override_past", { date: shortDate(o.date) });
      } else if (o.date > latest) {
        e.date = t.t("avail.date_within", { years: MAX_YEARS_AHEAD });
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
  t: Translator = ENGLISH(),
): Promise<SaveListResult<TimeOffRowErrors>> {
  if (entries.length > MAX_TIME_OFF) {
    return { ok: false, errors: {}, form: t.t("avail.time_off_max", { max: MAX_TIME_OFF }) };
  }
  const res = await updateAvailability(app, user.id, timeOffChange(app, user, entries, t));
  return res.ok ? { ok: true } : { ok: false, errors: res.errors };
}

/** The change `saveTimeOff` makes, refused as a whole on any bad entry (see there). */
function timeOffChange(
  app: App,
  user: UserRecord,
  entries: readonly TimeOff[],
  t: Translator,
) {
  const today = hostToday(app, user);
  const shortDate = (iso: string) => dateInWords(iso, today, t.locale);
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
    entries.forEach((entry, i) => {
      const e: TimeOffRowErrors = {};
      const reason = typeof entry?.reason === "string" ? entry.reason.trim() : "";
      if (reason.length > TIME_OFF_REASON_MAX) {
        e.reason = t.t("avail.reason_too_long", { max: TIME_OFF_REASON_MAX + 1 });
      } else if (!isOneLine(reason)) {
        e.reason = t.t("avail.reason_control");
      }
      if (!entry?.from) e.from = t.t("avail.choose_first_day");
      else if (!isIsoDate(entry.from)) e.from = t.t("avail.date_as_iso");
      if (!entry?.to) e.to = t.t("avail.choose_last_day");
      else if (!isIsoDate(entry.to)) e.to = t.t("avail.date_as_iso");
      if (!e.from && !e.to) {
        const valid = validateTimeOff(
          reason ? { from: entry.from, to: entry.to, reason } : { from: entry.from, to: entry.to },
        );
        if (!valid.ok) e.to = t.t("avail.last_before_first");
        else if (entry.to < today && !saved.has(key(valid.timeOff))) {
          e.to = t.t("avail.time_off_past");
        } else if (entry.to > latest) e.to = t.t("avail.dates_within", { years: MAX_YEARS_AHEAD });
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
          from: t.t("avail.time_off_overlap", {
            from: shortDate(other.t.from),
            to: shortDate(other.t.to),
          }),
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
  t: Translator = ENGLISH(),
): Promise<{ ok: true; record: AvailabilityRecord } | { ok: false; errors: AvailabilityErrors }> {
  const errors: AvailabilityErrors = {};
  let weekly: WeeklyRules | null = null;
  if (input.weekly) {
    const checked = validateWeeklyRules(input.weekly);
    if (checked.ok) weekly = checked.rules;
    else {
      errors.weekly = Object.fromEntries(
        Object.entries(checked.errors).map(([d, refs]) => [d, refs.map((r) => translateRef(t, r))]),
      );
    }
  }
  if ((input.overrides?.length ?? 0) > MAX_OVERRIDES) {
    errors.form = t.t("avail.overrides_max", { max: MAX_OVERRIDES });
  }
  if ((input.timeOff?.length ?? 0) > MAX_TIME_OFF) {
    errors.form = t.t("avail.time_off_max", { max: MAX_TIME_OFF });
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const ov = input.overrides ? overridesChange(app, user, input.overrides, t) : null;
  const to = input.timeOff ? timeOffChange(app, user, input.timeOff, t) : null;
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
  /** The reader's locale and clock for labels and hours. */
  reader: { locale?: string; clock?: "12h" | "24h"; weekStart?: 1 | 6 | 7 } = {},
): PreviewDay[] {
  const todayDate = Temporal.PlainDate.from(today);
  // Whole weeks from the reader's first day of the week (Monday unless they say otherwise).
  const first = reader.weekStart ?? 1;
  const monday = todayDate.subtract({ days: (todayDate.dayOfWeek - first + 7) % 7 });
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
      label: civilDateLabel(iso, false, reader.locale),
      past: iso < today,
      today: iso === today,
      source: off ? "time_off" : overrideDates.has(iso) ? "override" : "weekly",
      hours: windows.map((w) => {
        const end = isoDateIn(w.endMs, rules.timeZone) === iso
          ? formatTime(w.endMs, rules.timeZone, reader.clock, reader.locale)
          : reader.clock === "12h"
          ? formatTime(w.endMs, rules.timeZone, "12h", reader.locale)
          : "24:00";
        return `${formatTime(w.startMs, rules.timeZone, reader.clock, reader.locale)}–${end}`;
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
