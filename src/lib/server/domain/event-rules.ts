/**
 * Event type rules with their defaults, and the pure checks that use them. Records keep only
 * what a host set; everything reads rules through `eventTypeRules`.
 */
import type { EventTypeRecord, FollowUp, Location, Question, Reminder } from "./model/records.ts";
import { Temporal } from "./temporal.ts";
import { isMultiLineText, isOneLine, normalizeLineBreaks } from "../../shared/text.ts";
import { messageRef } from "../../shared/i18n.ts";
import { isPhoneNumber } from "../../shared/location-text.ts";
import { offeredLocations } from "./locations.ts";
import { seriesOf } from "./series.ts";
import { GUESTS_DEFAULT } from "../../shared/booking-extras.ts";

export type Rules = {
  bufferBeforeMin: number;
  bufferAfterMin: number;
  minNoticeMin: number;
  notSameDay: boolean;
  intervalMin: number | null;
  maxPerDay: number | null;
  maxPerWeek: number | null;
  durations: number[];
  /** The first offered location ("none" when none is offered). */
  location: Location;
  /** Every offered location, in the host's order (domain/locations.ts). */
  locations: Location[];
  questions: Question[];
  cancelCutoffHours: number | null;
  reminders: Reminder[];
  followUps: FollowUp[];
  /** How many extra attendees a guest may add (0: none; docs/decisions/047-additional-guests-and-source.md). */
  maxGuests: number;
};

/**
 * Rules per record object: a booking post asks for them about ten times (its answers, guests,
 * places, duration, caps), and records are never changed in place (an edit writes a new one),
 * so the first answer stays true for the object's life. Frozen: a caller that tried to change
 * the shared answer would throw instead of changing other callers' rules.
 */
const rulesOf = new WeakMap<EventTypeRecord, Readonly<Rules>>();

export function eventTypeRules(et: EventTypeRecord): Readonly<Rules> {
  let rules = rulesOf.get(et);
  if (!rules) rulesOf.set(et, rules = Object.freeze(rulesFrom(et)));
  return rules;
}

function rulesFrom(et: EventTypeRecord): Rules {
  const durations = [...new Set([et.durationMin, ...(et.durations ?? [])])].filter((d) =>
    d >= 5 && d <= 720
  )
    .sort((a, b) => a - b);
  return {
    bufferBeforeMin: et.bufferBeforeMin ?? 0,
    bufferAfterMin: et.bufferAfterMin ?? 0,
    minNoticeMin: et.minNoticeMin ?? 0,
    notSameDay: et.notSameDay ?? false,
    intervalMin: et.intervalMin ?? null,
    maxPerDay: et.maxPerDay ?? null,
    maxPerWeek: et.maxPerWeek ?? null,
    durations,
    location: offeredLocations(et)[0] ?? { kind: "none", value: "" },
    locations: offeredLocations(et),
    questions: et.questions ?? [],
    cancelCutoffHours: et.cancelCutoffHours ?? null,
    reminders: et.reminders ?? [],
    followUps: et.followUps ?? [],
    maxGuests: et.maxGuests ?? GUESTS_DEFAULT,
  };
}

/** The duration a guest asked for, if the event type offers it; else the default. */
export function chooseDuration(
  et: EventTypeRecord,
  asked: number | null | undefined,
): number | null {
  if (asked === null || asked === undefined) return et.durationMin;
  return eventTypeRules(et).durations.includes(asked) ? asked : null;
}

/** A checkbox answer also says `checked`, so it can be shown as yes/no in the reader's language. */
export type Answer = { questionId: string; label: string; value: string; checked?: boolean };
export type AnswerCheck =
  | { ok: true; answers: Answer[] }
  /** Message references (`messageRef`), keyed `q_{id}`. */
  | { ok: false; errors: Record<string, string> };

/**
 * Validates a guest's answers against the questions; errors are keyed `q_{id}` like the form fields.
 * `unknown: "refuse"`: an answer to a question the event type does not ask is an error naming the
 * ones it asks (the API, whose caller names ids and would lose a mistyped one without a word);
 * otherwise it is dropped (a page's form left from before the host removed a question).
 */
export function checkAnswers(
  questions: readonly Question[],
  raw: Record<string, string | undefined>,
  opts: { unknown?: "drop" | "refuse" } = {},
): AnswerCheck {
  const errors: Record<string, string> = {};
  const answers: Answer[] = [];
  if (opts.unknown === "refuse") {
    const asked = new Set(questions.map((q) => `q_${q.id}`));
    const words = questions.length
      ? messageRef("answers.unknown_question", { asked: questions.map((q) => q.id).join(", ") })
      : messageRef("answers.unknown_none");
    for (const field of Object.keys(raw)) if (!asked.has(field)) errors[field] = words;
  }
  for (const q of questions) {
    const field = `q_${q.id}`;
    const value = normalizeLineBreaks(raw[field] ?? "").trim();
    if (q.type === "checkbox") {
      const checked = value === "on" || value === "true" || value === "yes";
      if (q.required && !checked) errors[field] = messageRef("answers.tick_required");
      answers.push({ questionId: q.id, label: q.label, value: checked ? "Yes" : "No", checked });
      continue;
    }
    if (!value) {
      if (q.required) errors[field] = messageRef("answers.required");
      else answers.push({ questionId: q.id, label: q.label, value: "" });
      continue;
    }
    const max = q.type === "long" ? 2000 : q.type === "phone" ? 30 : 300;
    if (value.length > max) {
      errors[field] = messageRef("answers.too_long", { max });
      continue;
    }
    // Only a long answer may span lines; the others are one line like a name (shared/text.ts).
    if (q.type === "long" ? !isMultiLineText(value) : !isOneLine(value)) {
      errors[field] = messageRef(
        q.type === "long" ? "answers.bad_characters" : "answers.line_breaks",
      );
      continue;
    }
    if (q.type === "phone" && !isPhoneNumber(value)) {
      errors[field] = messageRef("answers.phone");
      continue;
    }
    if (q.type === "choice" && !(q.options ?? []).includes(value)) {
      errors[field] = messageRef("answers.choose_option");
      continue;
    }
    answers.push({ questionId: q.id, label: q.label, value });
  }
  // Together the answers must fit the booking's one stored record (64 KiB, see domain/kv-budget.ts).
  const total = answers.reduce((n, a) => n + a.value.length, 0);
  if (total > MAX_ANSWERS_TOTAL && Object.keys(errors).length === 0) {
    const longest = answers.reduce((a, b) => (b.value.length > a.value.length ? b : a));
    errors[`q_${longest.questionId}`] =
      `Please shorten your answers: together they can be at most ${
        MAX_ANSWERS_TOTAL.toLocaleString("en")
      } characters`;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, answers };
}

/** All answers of one booking together, in characters. */
export const MAX_ANSWERS_TOTAL = 12_000;

/** Whether a guest may still cancel or reschedule a booking starting at `startMs`. */
export function withinCutoff(startMs: number, cutoffHours: number | null, nowMs: number): boolean {
  return cutoffHours !== null && startMs - nowMs < cutoffHours * 3_600_000;
}

/** When each reminder is due: an absolute span before the start (24 h means 24 real hours, across DST too). */
export function reminderDueTimes(
  startMs: number,
  reminders: readonly Reminder[],
  nowMs: number,
): { dueMs: number; r: Reminder }[] {
  return reminders
    .map((r) => ({ dueMs: startMs - r.minutesBefore * 60_000, r }))
    .filter((x) => x.dueMs > nowMs);
}

/**
 * When each follow-up is due: an absolute span after the meeting's end (1 day means 24 real
 * hours, across DST too, like reminders). Ones already past are dropped.
 */
export function followUpDueTimes(
  endMs: number,
  followUps: readonly FollowUp[],
  nowMs: number,
): { dueMs: number; f: FollowUp }[] {
  return followUps
    .map((f) => ({ dueMs: endMs + f.minutesAfter * 60_000, f }))
    .filter((x) => x.dueMs > nowMs);
}

type CapPeriods = Readonly<{ day: string; week: string }>;
/**
 * The last few answers: one booking's plan asks for the same start and zone about five times
 * (its scope, its cap claims, its entries' keys), each a zoned Temporal conversion (~3 µs; 1 % of
 * a booking post's JavaScript in issue 26's profile). Bounded; the answers are frozen.
 */
const recentPeriods = new Map<string, CapPeriods>();
const RECENT_PERIODS_MAX = 64;

/** The host-zone day ("2026-11-23") and ISO week ("2026-W48") a booking counts against for caps. */
export function capPeriods(startMs: number, timeZone: string): CapPeriods {
  const key = `${startMs} ${timeZone}`;
  let p = recentPeriods.get(key);
  if (!p) {
    const date = Temporal.Instant.fromEpochMilliseconds(startMs).toZonedDateTimeISO(timeZone)
      .toPlainDate();
    p = Object.freeze({
      day: date.toString(),
      week: `${date.yearOfWeek}-W${String(date.weekOfYear).padStart(2, "0")}`,
    });
    if (recentPeriods.size >= RECENT_PERIODS_MAX) recentPeriods.clear();
    recentPeriods.set(key, p);
  }
  return p;
}

/**
 * A program's choices the event type does not offer (the API, which refuses what a page's form
 * never posts): a length, a place index past its places (none when it offers none), dates to
 * leave out of a series it does not have. Keyed by the API's field names; message references.
 */
export function choiceProblems(
  et: EventTypeRecord,
  input: { durationMin?: number | null; locationChoice?: string; skip?: string },
): Record<string, string> {
  const out: Record<string, string> = {};
  if (input.durationMin != null && chooseDuration(et, input.durationMin) === null) {
    out.durationMin = messageRef("answers.duration_not_offered");
  }
  const places = eventTypeRules(et).locations.length;
  const place = input.locationChoice?.trim();
  if (place !== undefined && !(/^\d+$/.test(place) && Number(place) < places)) {
    out.location = messageRef("answers.location_not_offered");
  }
  if (input.skip && !seriesOf(et)) out.skip = messageRef("answers.skip_not_series");
  return out;
}
