/**
 * Form schemas shared by server actions and (for hints) the browser. Every message is written
 * for the person filling in the form and shown next to the field.
 */
import * as v from "valibot";

export type FieldErrors = Record<string, string>;

/** First message per field, keyed by the field name. */
export function fieldErrors(issues: v.BaseIssue<unknown>[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path?.map((p) => String(p.key)).join(".") ?? "form";
    out[key] ??= issue.message;
  }
  return out;
}

const checkbox = v.pipe(
  v.optional(v.string(), ""),
  v.transform((s) => s === "on" || s === "true" || s === "1"),
);

const trimmed = (min: number, max: number, what: string) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(
      min,
      min === 1 ? `${what} is required` : `${what} needs at least ${min} characters`,
    ),
    v.maxLength(max, `${what} can be at most ${max} characters`),
  );

const intIn = (min: number, max: number, what: string) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.regex(/^\d{1,6}$/, `${what} must be a whole number`),
    v.transform(Number),
    v.minValue(min, `${what} must be at least ${min}`),
    v.maxValue(max, `${what} can be at most ${max}`),
  );

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;

export const EventTypeForm = v.object({
  title: trimmed(1, 100, "Title"),
  slug: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim().toLowerCase()),
    v.minLength(1, "URL slug is required"),
    v.maxLength(60, "URL slug can be at most 60 characters"),
    v.regex(SLUG_RE, "Use lowercase letters, digits and dashes (not at the start or end)"),
  ),
  description: trimmed(0, 2000, "Description"),
  durationMin: intIn(5, 720, "Duration"),
  requiresConfirmation: checkbox,
  bookingWindowDays: intIn(1, 365, "Booking window"),
  color: v.pipe(
    v.optional(v.string(), "#2549ea"),
    v.transform((s) => s.trim().toLowerCase()),
    v.regex(/^#[0-9a-f]{6}$/, "Pick a colour like #2549ea"),
  ),
  active: checkbox,
  confirmedMessage: trimmed(0, 1000, "Message after confirmation"),
  rejectedMessage: trimmed(0, 1000, "Message after rejection"),
});
export type EventTypeInput = v.InferOutput<typeof EventTypeForm>;

export const USERNAME_HINT = "2–40 lowercase letters, digits or dashes";

export const ProfileForm = v.object({
  name: trimmed(1, 100, "Display name"),
  username: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim().toLowerCase()),
    v.regex(
      /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/,
      `Username: ${USERNAME_HINT}, not starting or ending with a dash`,
    ),
  ),
  timeZone: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(1, "Choose a time zone"),
  ),
});

export const EmailForm = v.object({
  email: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(1, "Enter your email address"),
    v.maxLength(254, "That email address is too long"),
    v.email("Enter a valid email address, like name@example.com"),
  ),
});

export const BookingForm = v.object({
  name: trimmed(1, 100, "Name"),
  email: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(1, "Email is required"),
    v.maxLength(254, "That email address is too long"),
    v.email("Enter a valid email address, like name@example.com"),
  ),
  note: trimmed(0, 2000, "Note"),
  start: v.pipe(
    v.optional(v.string(), ""),
    v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/, "Choose a time"),
  ),
  tz: v.optional(v.string(), "UTC"),
});

/** Only the named fields, as strings: a File or a missing field becomes "" (safe to echo back). */
export function formValues<K extends string>(
  form: FormData,
  names: readonly K[],
  max = 4000,
): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = form.get(name);
    out[name] = typeof value === "string" ? value.slice(0, max) : "";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Event types

export const EVENT_TYPE_FIELDS = [
  "title",
  "slug",
  "description",
  "durationMin",
  "requiresConfirmation",
  "bookingWindowDays",
  "color",
  "active",
  "confirmedMessage",
  "rejectedMessage",
] as const;

/** What the event type editor shows: text fields as typed, checkboxes as booleans. */
export type EventTypeValues = {
  title: string;
  slug: string;
  description: string;
  durationMin: string;
  bookingWindowDays: string;
  requiresConfirmation: boolean;
  active: boolean;
  color: string;
  confirmedMessage: string;
  rejectedMessage: string;
};

export const NEW_EVENT_TYPE_VALUES: EventTypeValues = {
  title: "",
  slug: "",
  description: "",
  durationMin: "30",
  bookingWindowDays: "60",
  requiresConfirmation: true,
  active: true,
  color: "#2549ea",
  confirmedMessage: "",
  rejectedMessage: "",
};

export const DURATION_PICKS = [15, 30, 45, 60] as const;

/** Raw form strings (see formValues) → editor values, so a refused form comes back as typed. */
export function eventTypeValuesFromForm(
  raw: Record<(typeof EVENT_TYPE_FIELDS)[number], string>,
): EventTypeValues {
  const ticked = (s: string) => s === "on" || s === "true" || s === "1";
  return {
    ...raw,
    requiresConfirmation: ticked(raw.requiresConfirmation),
    active: ticked(raw.active),
  };
}

/** "Intro call with Zoë!" → "intro-call-with-zoe"; "" when nothing usable is left. */
export function slugify(text: string): string {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
}

// ---------------------------------------------------------------------------------------------
// Weekly availability form. Field names: `d{day}_on` (checkbox), `d{day}_start_{i}`,
// `d{day}_end_{i}` (ISO weekday 1 = Monday … 7 = Sunday), and a submit button `intent` with
// "save", "add:{day}", "remove:{day}:{i}" or "copy_monday". Without JavaScript the non-save
// intents are applied by the server and the edited form comes back unsaved.

export type WeekdayNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const WEEKDAY_NUMBERS: readonly WeekdayNumber[] = [1, 2, 3, 4, 5, 6, 7];
export const WEEKDAY_NAMES: Record<WeekdayNumber, string> = {
  1: "Monday",
  2: "Tuesday",
  3: "Wednesday",
  4: "Thursday",
  5: "Friday",
  6: "Saturday",
  7: "Sunday",
};
export const WEEKDAY_SHORT: Record<WeekdayNumber, string> = {
  1: "Mon",
  2: "Tue",
  3: "Wed",
  4: "Thu",
  5: "Fri",
  6: "Sat",
  7: "Sun",
};
export const MAX_RANGES_PER_DAY = 12;

export type TimeRangeValue = { start: string; end: string };
export type WeeklyValues = Record<WeekdayNumber, TimeRangeValue[]>;
export type DayDraft = { on: boolean; ranges: TimeRangeValue[] };
export type WeeklyDraft = Record<WeekdayNumber, DayDraft>;
export type WeeklyIntent =
  | { kind: "save" }
  | { kind: "add"; day: WeekdayNumber }
  | { kind: "remove"; day: WeekdayNumber; index: number }
  | { kind: "copy_monday" };

export const weeklyOnField = (day: WeekdayNumber) => `d${day}_on`;
export const weeklyField = (day: WeekdayNumber, edge: "start" | "end", index: number) =>
  `d${day}_${edge}_${index}`;

export const DEFAULT_RANGE: TimeRangeValue = { start: "09:00", end: "17:00" };

const pad2 = (n: number) => String(n).padStart(2, "0");
const hhmm = (min: number) => `${pad2(Math.floor(min / 60))}:${pad2(min % 60)}`;
const minutesOf = (text: string): number | null => {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!m) return null;
  const min = Number(m[1]) * 60 + Number(m[2]);
  return min <= 1440 ? min : null;
};

/** Times offered in the editor: every 15 minutes from 00:00 to 24:00, plus any given extras. */
export function timeOptions(extra: readonly string[] = []): string[] {
  const set = new Set<string>();
  for (let m = 0; m <= 1440; m += 15) set.add(hhmm(m));
  for (const t of extra) if (minutesOf(t) !== null) set.add(t);
  return [...set].sort();
}

/** The range "Add" proposes: an hour after the day's last range ends, or 09:00–17:00. */
export function suggestNextRange(ranges: readonly TimeRangeValue[]): TimeRangeValue {
  const ends = ranges.map((r) => minutesOf(r.end)).filter((m): m is number => m !== null);
  if (ends.length === 0) return { ...DEFAULT_RANGE };
  const last = Math.max(...ends);
  if (last + 120 <= 1440) return { start: hhmm(last + 60), end: hhmm(last + 120) };
  if (last + 15 <= 1440) return { start: hhmm(last), end: hhmm(Math.min(1440, last + 60)) };
  return { ...DEFAULT_RANGE };
}

export function draftFromWeekly(weekly: WeeklyValues): WeeklyDraft {
  const out = {} as WeeklyDraft;
  for (const d of WEEKDAY_NUMBERS) {
    const ranges = (weekly[d] ?? []).map((r) => ({ start: r.start, end: r.end }));
    out[d] = { on: ranges.length > 0, ranges };
  }
  return out;
}

/** What is saved: a day switched off (or left without ranges) has no hours. */
export function weeklyFromDraft(draft: WeeklyDraft): WeeklyValues {
  const out = {} as WeeklyValues;
  for (const d of WEEKDAY_NUMBERS) {
    out[d] = draft[d].on ? draft[d].ranges.map((r) => ({ ...r })) : [];
  }
  return out;
}

function parseIntent(raw: unknown): WeeklyIntent {
  const text = typeof raw === "string" ? raw : "";
  if (text === "copy_monday") return { kind: "copy_monday" };
  let m = /^add:([1-7])$/.exec(text);
  if (m) return { kind: "add", day: Number(m[1]) as WeekdayNumber };
  m = /^remove:([1-7]):(\d{1,2})$/.exec(text);
  if (m) return { kind: "remove", day: Number(m[1]) as WeekdayNumber, index: Number(m[2]) };
  return { kind: "save" };
}

/**
 * Reads the weekly form. Rows are ordered by their index; a row with both times blank is
 * dropped; at most MAX_RANGES_PER_DAY rows per day are read. A day ticked "on" without any row
 * (possible without JavaScript) gets 09:00–17:00, the same as ticking it in the browser.
 */
export function parseWeeklyForm(form: FormData): { draft: WeeklyDraft; intent: WeeklyIntent } {
  const rows = new Map<WeekdayNumber, Map<number, TimeRangeValue>>();
  for (const [key, value] of form) {
    const m = /^d([1-7])_(start|end)_(\d{1,2})$/.exec(key);
    if (!m || typeof value !== "string") continue;
    const day = Number(m[1]) as WeekdayNumber;
    const index = Number(m[3]);
    const dayRows = rows.get(day) ?? new Map<number, TimeRangeValue>();
    rows.set(day, dayRows);
    const row = dayRows.get(index) ?? { start: "", end: "" };
    row[m[2] as "start" | "end"] = value.trim().slice(0, 5);
    dayRows.set(index, row);
  }
  const draft = {} as WeeklyDraft;
  for (const d of WEEKDAY_NUMBERS) {
    const dayRows = [...(rows.get(d) ?? new Map()).entries()]
      .sort(([a], [b]) => a - b)
      .map(([, r]) => r)
      .filter((r) => r.start !== "" || r.end !== "")
      .slice(0, MAX_RANGES_PER_DAY);
    const on = form.get(weeklyOnField(d)) !== null;
    draft[d] = { on, ranges: on && dayRows.length === 0 ? [{ ...DEFAULT_RANGE }] : dayRows };
  }
  return { draft, intent: parseIntent(form.get("intent")) };
}

/** Applies an editing intent (add, remove, copy Monday) to a draft, returning a new draft. */
export function applyWeeklyIntent(draft: WeeklyDraft, intent: WeeklyIntent): WeeklyDraft {
  const next = {} as WeeklyDraft;
  for (const d of WEEKDAY_NUMBERS) {
    next[d] = { on: draft[d].on, ranges: draft[d].ranges.map((r) => ({ ...r })) };
  }
  if (intent.kind === "add") {
    const day = next[intent.day];
    const base = day.on ? day.ranges : [];
    if (base.length < MAX_RANGES_PER_DAY) {
      next[intent.day] = { on: true, ranges: [...base, suggestNextRange(base)] };
    }
  } else if (intent.kind === "remove") {
    const ranges = next[intent.day].ranges.filter((_, i) => i !== intent.index);
    next[intent.day] = { on: ranges.length > 0 && next[intent.day].on, ranges };
  } else if (intent.kind === "copy_monday") {
    for (const d of [2, 3, 4, 5] as const) {
      next[d] = { on: next[1].on, ranges: next[1].ranges.map((r) => ({ ...r })) };
    }
  }
  return next;
}

/** Days as "Mon–Wed, Fri": runs of three or more consecutive days get a dash. */
export function formatDays(days: readonly WeekdayNumber[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j - i >= 2) parts.push(`${WEEKDAY_SHORT[sorted[i]]}–${WEEKDAY_SHORT[sorted[j]]}`);
    else for (let k = i; k <= j; k++) parts.push(WEEKDAY_SHORT[sorted[k]]);
    i = j + 1;
  }
  return parts.join(", ");
}

/**
 * A read-only summary of weekly hours: days with the same hours share a line, lines in weekday
 * order of their first day, e.g. [{ days: "Mon–Fri", hours: "09:00–17:00" }, { days: "Sat, Sun", hours: null }].
 * `hours: null` means unavailable.
 */
export function summarizeWeekly(weekly: WeeklyValues): { days: string; hours: string | null }[] {
  const groups = new Map<string, WeekdayNumber[]>();
  for (const d of WEEKDAY_NUMBERS) {
    const sig = (weekly[d] ?? []).map((r) => `${r.start}–${r.end}`).join(", ");
    groups.set(sig, [...(groups.get(sig) ?? []), d]);
  }
  return [...groups.entries()].map(([sig, days]) => ({
    days: formatDays(days),
    hours: sig === "" ? null : sig,
  }));
}
