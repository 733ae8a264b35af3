/** The availability page's forms: weekly hours, date overrides and time off. */
import { type Clock, formatWallTime, weekdayNames } from "../format.ts";
import { readRows, ticked } from "./common.ts";

// ---------------------------------------------------------------------------------------------
// Weekly availability form. Field names: `d{day}_on` (checkbox), `d{day}_start_{i}`,
// `d{day}_end_{i}` (ISO weekday 1 = Monday … 7 = Sunday), and a submit button `intent` with
// "save", "add:{day}", "remove:{day}:{i}" or "copy_monday". Without JavaScript the non-save
// intents are applied by the server and the edited form comes back unsaved.

export type WeekdayNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const WEEKDAY_NUMBERS: readonly WeekdayNumber[] = [1, 2, 3, 4, 5, 6, 7];
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

/** Days as "Mon–Wed, Fri" (in the reader's language): runs of three or more get a dash. */
export function formatDays(days: readonly WeekdayNumber[], locale: string): string {
  const WEEKDAY_SHORT = weekdayNames(locale, "short");
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
export function summarizeWeekly(
  weekly: WeeklyValues,
  locale: string,
  /** the reader's clock (the host's, in the dashboard) */
  clock: Clock = "24h",
): { days: string; hours: string | null }[] {
  const groups = new Map<string, WeekdayNumber[]>();
  const at = (hhmm: string) => formatWallTime(hhmm, clock, locale);
  for (const d of WEEKDAY_NUMBERS) {
    const sig = (weekly[d] ?? []).map((r) => `${at(r.start)}–${at(r.end)}`).join(", ");
    groups.set(sig, [...(groups.get(sig) ?? []), d]);
  }
  return [...groups.entries()].map(([sig, days]) => ({
    days: formatDays(days, locale),
    hours: sig === "" ? null : sig,
  }));
}

// ---------------------------------------------------------------------------------------------
// Date overrides form. Field names: `o{i}_date` (YYYY-MM-DD), `o{i}_off` (checkbox: unavailable
// all day), `o{i}_start_{j}` / `o{i}_end_{j}`, and a submit button `intent`: "save", "add",
// "remove:{i}", "add_range:{i}", "remove_range:{i}:{j}". Like the weekly form, the non-save
// intents are applied by the server without JavaScript and the edited list comes back unsaved.

export const MAX_OVERRIDES = 200;
export const MAX_TIME_OFF = 100;
export const TIME_OFF_REASON_MAX = 200;

export type OverrideDraft = { date: string; off: boolean; ranges: TimeRangeValue[] };
export type TimeOffDraft = { from: string; to: string; reason: string };
export type ListIntent =
  | { kind: "save" }
  | { kind: "add" }
  | { kind: "remove"; index: number }
  | { kind: "add_range"; index: number }
  | { kind: "remove_range"; index: number; range: number }
  /** Time off: add the public holidays of the chosen country and region as unsaved rows. */
  | { kind: "import_holidays" };

/** Messages for one override row, by field. */
export type OverrideRowErrors = { date?: string; ranges?: string[] };
/** Messages for one time-off row, by field. */
export type TimeOffRowErrors = { from?: string; to?: string; reason?: string };

export const overrideField = (i: number, name: "date" | "off") => `o${i}_${name}`;
export const overrideRangeField = (i: number, edge: "start" | "end", j: number) =>
  `o${i}_${edge}_${j}`;
export const timeOffField = (i: number, name: "from" | "to" | "reason") => `t${i}_${name}`;

export function parseListIntent(raw: unknown): ListIntent {
  const text = typeof raw === "string" ? raw : "";
  if (text === "add") return { kind: "add" };
  if (text === "import_holidays") return { kind: "import_holidays" };
  let m = /^remove:(\d{1,3})$/.exec(text);
  if (m) return { kind: "remove", index: Number(m[1]) };
  m = /^add_range:(\d{1,3})$/.exec(text);
  if (m) return { kind: "add_range", index: Number(m[1]) };
  m = /^remove_range:(\d{1,3}):(\d{1,2})$/.exec(text);
  if (m) return { kind: "remove_range", index: Number(m[1]), range: Number(m[2]) };
  return { kind: "save" };
}

export function draftsFromOverrides(
  list: readonly { date: string; ranges: readonly TimeRangeValue[] }[],
): OverrideDraft[] {
  return list.map((o) => ({
    date: o.date,
    off: o.ranges.length === 0,
    ranges: o.ranges.map((r) => ({ ...r })),
  }));
}

/** What is saved: an "unavailable" date has no ranges. */
export function overridesFromDrafts(
  drafts: readonly OverrideDraft[],
): { date: string; ranges: TimeRangeValue[] }[] {
  return drafts.map((d) => ({
    date: d.date,
    ranges: d.off ? [] : d.ranges.map((r) => ({ ...r })),
  }));
}

/**
 * Reads the overrides form: rows by index (at most MAX_OVERRIDES + 1, so that too many is
 * refused rather than cut), ranges by index with blank rows dropped; a date with hours but no
 * range (possible without JavaScript) gets 09:00–17:00.
 */
export function parseOverridesForm(
  form: FormData,
): { drafts: OverrideDraft[]; intent: ListIntent } {
  const rows = new Map<
    number,
    { date: string; off: boolean; ranges: Map<number, TimeRangeValue> }
  >();
  const row = (i: number) => {
    let r = rows.get(i);
    if (!r) rows.set(i, r = { date: "", off: false, ranges: new Map() });
    return r;
  };
  for (const [key, value] of form) {
    if (typeof value !== "string") continue;
    let m = /^o(\d{1,3})_(date|off)$/.exec(key);
    if (m) {
      const r = row(Number(m[1]));
      if (m[2] === "date") r.date = value.trim().slice(0, 11);
      else r.off = ticked(value);
      continue;
    }
    m = /^o(\d{1,3})_(start|end)_(\d{1,2})$/.exec(key);
    if (m) {
      const ranges = row(Number(m[1])).ranges;
      const j = Number(m[3]);
      const range = ranges.get(j) ?? { start: "", end: "" };
      range[m[2] as "start" | "end"] = value.trim().slice(0, 5);
      ranges.set(j, range);
    }
  }
  const drafts = [...rows.entries()].sort(([a], [b]) => a - b).slice(0, MAX_OVERRIDES + 1).map(
    ([, r]) => {
      const ranges = [...r.ranges.entries()].sort(([a], [b]) => a - b).map(([, x]) => x)
        .filter((x) => x.start !== "" || x.end !== "").slice(0, MAX_RANGES_PER_DAY);
      return {
        date: r.date,
        off: r.off,
        ranges: !r.off && ranges.length === 0 ? [{ ...DEFAULT_RANGE }] : ranges,
      };
    },
  );
  return { drafts, intent: parseListIntent(form.get("intent")) };
}

/** Applies an editing intent to the overrides list, returning a new list. */
export function applyOverridesIntent(
  drafts: readonly OverrideDraft[],
  intent: ListIntent,
): OverrideDraft[] {
  const next = drafts.map((d) => ({ ...d, ranges: d.ranges.map((r) => ({ ...r })) }));
  if (intent.kind === "add" && next.length < MAX_OVERRIDES) {
    next.push({ date: "", off: false, ranges: [{ ...DEFAULT_RANGE }] });
  } else if (intent.kind === "remove") {
    next.splice(intent.index, 1);
  } else if (intent.kind === "add_range" && next[intent.index]) {
    const d = next[intent.index];
    const base = d.off ? [] : d.ranges;
    if (base.length < MAX_RANGES_PER_DAY) {
      next[intent.index] = { ...d, off: false, ranges: [...base, suggestNextRange(base)] };
    }
  } else if (intent.kind === "remove_range" && next[intent.index]) {
    const d = next[intent.index];
    const ranges = d.ranges.filter((_, j) => j !== intent.range);
    next[intent.index] = { ...d, off: d.off || ranges.length === 0, ranges };
  }
  return next;
}

export function draftsFromTimeOff(
  list: readonly { from: string; to: string; reason?: string }[],
): TimeOffDraft[] {
  return list.map((t) => ({ from: t.from, to: t.to, reason: t.reason ?? "" }));
}

/** Reads the time-off form (`t{i}_from`, `t{i}_to`, `t{i}_reason`); rows left blank are dropped. */
export function parseTimeOffForm(form: FormData): { drafts: TimeOffDraft[]; intent: ListIntent } {
  const intent = parseListIntent(form.get("intent"));
  const rows = readRows(form, "t", ["from", "to", "reason"] as const, 400)
    .map((r): TimeOffDraft => ({
      // One past a date's ten characters: a longer one is refused, never cut into a date.
      from: (r.from ?? "").trim().slice(0, 11),
      to: (r.to ?? "").trim().slice(0, 11),
      reason: r.reason ?? "",
    }));
  // Blank rows are kept while editing (a row just added is blank) and dropped when saving.
  const drafts = intent.kind === "save"
    ? rows.filter((r) => r.from !== "" || r.to !== "" || r.reason.trim() !== "")
    : rows;
  return { drafts: drafts.slice(0, MAX_TIME_OFF + 1), intent };
}

export function applyTimeOffIntent(
  drafts: readonly TimeOffDraft[],
  intent: ListIntent,
): TimeOffDraft[] {
  const next = drafts.map((d) => ({ ...d }));
  if (intent.kind === "add" && next.length < MAX_TIME_OFF) {
    next.push({ from: "", to: "", reason: "" });
  } else if (intent.kind === "remove") next.splice(intent.index, 1);
  return next;
}

/** What is saved: a blank "to" means a single day; the reason is trimmed and left out when empty. */
export function timeOffFromDrafts(
  drafts: readonly TimeOffDraft[],
): { from: string; to: string; reason?: string }[] {
  return drafts.map((d) => {
    const reason = d.reason.trim();
    const to = d.to === "" ? d.from : d.to;
    return reason ? { from: d.from, to, reason } : { from: d.from, to };
  });
}
