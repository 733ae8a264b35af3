/** The event type editor's values: reading the form, editing intents, errors by field. */
import { GUESTS_DEFAULT } from "../booking-extras.ts";
import * as v from "valibot";
import { type Translator } from "../i18n.ts";
import { type FieldErrors, fieldErrors, formValues, readRows, ticked } from "./common.ts";
import {
  DURATION_CHOICES,
  DURATION_MAX,
  DURATION_MIN,
  locationValuesOf,
  MAX_QUESTIONS,
  MAX_REMINDERS,
  newQuestionId,
  NOTICE_UNITS,
  QUESTION_ID_RE,
  REMINDER_PRESETS,
} from "./event-type-options.ts";
import {
  blankFollowUp,
  type FollowUpValues,
  followUpValuesOf,
  MAX_FOLLOW_UPS,
} from "./event-type-rows.ts";
import { EventTypeForm, type EventTypeInput, type EventTypeRulesInput } from "./event-types.ts";

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
  "bufferBeforeMin",
  "bufferAfterMin",
  "minNotice",
  "minNoticeUnit",
  "notSameDay",
  "intervalMin",
  "maxPerDay",
  "maxPerWeek",
  "seatsPerTime",
  "seatsShowAttendees",
  "seatsHideCount",
  "seriesEveryWeeks",
  "seriesCount",
  "seriesFreeOnly",
  "durationsOther",
  "locationKind",
  "locationValue",
  "location2Kind",
  "location2Value",
  "location3Kind",
  "location3Value",
  "cancelCutoffHours",
  "maxGuests",
  "secret",
  "language",
] as const;

/** One question row of the editor: options as typed, one per line. */
export type QuestionValues = {
  id: string;
  label: string;
  type: string;
  required: boolean;
  options: string;
};
/** One reminder row: `when` is a preset's minutes ("10", "60", "1440") or "custom" (then `minutes`). */
export type ReminderValues = { when: string; minutes: string; toHost: boolean };

/**
 * What the event type editor shows: text fields as typed, checkboxes as booleans, ticked
 * durations as strings, question and reminder rows in order. Form field names: the keys
 * themselves, `durations` (repeated checkbox), `q{i}_id|label|type|required|options`,
 * `r{i}_when|minutes|toHost`, and a submit button `intent` (see `EventTypeIntent`).
 */
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
  bufferBeforeMin: string;
  bufferAfterMin: string;
  minNotice: string;
  minNoticeUnit: string;
  notSameDay: boolean;
  intervalMin: string;
  maxPerDay: string;
  maxPerWeek: string;
  seatsPerTime: string;
  seatsShowAttendees: boolean;
  seatsHideCount: boolean;
  seriesEveryWeeks: string;
  seriesCount: string;
  seriesFreeOnly: boolean;
  durations: string[];
  durationsOther: string;
  locationKind: string;
  locationValue: string;
  /** Further places the guest may pick from ("none": not offered). */
  location2Kind: string;
  location2Value: string;
  location3Kind: string;
  location3Value: string;
  questions: QuestionValues[];
  reminders: ReminderValues[];
  cancelCutoffHours: string;
  maxGuests: string;
  secret: boolean;
  followUps: FollowUpValues[];
  /** The page's fixed language ("en", "de", …); "" = the guest's. */
  language: string;
};

/** The new event type form of a host: how guests book follows their setup's choice. */
export const newEventTypeValues = (host: { confirmByDefault?: boolean }): EventTypeValues => ({
  ...NEW_EVENT_TYPE_VALUES,
  requiresConfirmation: host.confirmByDefault === true,
});

export const NEW_EVENT_TYPE_VALUES: EventTypeValues = {
  title: "",
  slug: "",
  description: "",
  durationMin: "30",
  bookingWindowDays: "60",
  // Guests book instantly unless the host chooses requests (issue 35).
  requiresConfirmation: false,
  active: true,
  color: "#2549ea",
  confirmedMessage: "",
  rejectedMessage: "",
  bufferBeforeMin: "0",
  bufferAfterMin: "0",
  minNotice: "0",
  minNoticeUnit: "hours",
  notSameDay: false,
  intervalMin: "",
  maxPerDay: "",
  maxPerWeek: "",
  seatsPerTime: "",
  seatsShowAttendees: false,
  seatsHideCount: false,
  seriesEveryWeeks: "",
  seriesCount: "",
  seriesFreeOnly: false,
  durations: [],
  durationsOther: "",
  locationKind: "none",
  locationValue: "",
  location2Kind: "none",
  location2Value: "",
  location3Kind: "none",
  location3Value: "",
  questions: [],
  reminders: [],
  cancelCutoffHours: "",
  maxGuests: String(GUESTS_DEFAULT),
  secret: false,
  followUps: [],
  language: "",
};

export const DURATION_PICKS = [15, 30, 45, 60] as const;

/**
 * Raw form strings (see formValues) → editor values, so a refused form comes back as typed.
 * Rule fields missing from `raw` get the "no rule" values; `lists` carries the repeated fields.
 */
export function eventTypeValuesFromForm(
  raw: Partial<Record<(typeof EVENT_TYPE_FIELDS)[number], string>>,
  lists: Partial<Pick<EventTypeValues, "durations" | "questions" | "reminders" | "followUps">> = {},
): EventTypeValues {
  const text = (k: (typeof EVENT_TYPE_FIELDS)[number]) => raw[k] ?? "";
  return {
    title: text("title"),
    slug: text("slug"),
    description: text("description"),
    durationMin: text("durationMin"),
    bookingWindowDays: text("bookingWindowDays"),
    requiresConfirmation: ticked(raw.requiresConfirmation),
    active: ticked(raw.active),
    color: text("color"),
    confirmedMessage: text("confirmedMessage"),
    rejectedMessage: text("rejectedMessage"),
    bufferBeforeMin: text("bufferBeforeMin"),
    bufferAfterMin: text("bufferAfterMin"),
    minNotice: text("minNotice"),
    minNoticeUnit: raw.minNoticeUnit || "minutes",
    notSameDay: ticked(raw.notSameDay),
    intervalMin: text("intervalMin"),
    maxPerDay: text("maxPerDay"),
    maxPerWeek: text("maxPerWeek"),
    seatsPerTime: text("seatsPerTime"),
    seatsShowAttendees: ticked(raw.seatsShowAttendees),
    seatsHideCount: ticked(raw.seatsHideCount),
    seriesEveryWeeks: text("seriesEveryWeeks"),
    seriesCount: text("seriesCount"),
    seriesFreeOnly: ticked(raw.seriesFreeOnly),
    durations: lists.durations ?? [],
    durationsOther: text("durationsOther"),
    locationKind: raw.locationKind || "none",
    locationValue: text("locationValue"),
    location2Kind: raw.location2Kind || "none",
    location2Value: text("location2Value"),
    location3Kind: raw.location3Kind || "none",
    location3Value: text("location3Value"),
    questions: lists.questions ?? [],
    reminders: lists.reminders ?? [],
    cancelCutoffHours: text("cancelCutoffHours"),
    maxGuests: text("maxGuests"),
    secret: ticked(raw.secret),
    followUps: lists.followUps ?? [],
    language: text("language"),
  };
}

/** A stored event type (rules optional, as in old records) → editor values. */
export function eventTypeValuesOf(
  r: Omit<EventTypeInput, keyof EventTypeRulesInput> & Partial<EventTypeRulesInput>,
): EventTypeValues {
  const notice = r.minNoticeMin ?? 0;
  const unit = notice === 0
    ? NOTICE_UNITS[1]
    : [...NOTICE_UNITS].reverse().find((u) => notice % u.minutes === 0)!;
  const optional = (
    n: number | null | undefined,
  ) => (n === null || n === undefined ? "" : String(n));
  const durations = r.durations ?? [];
  return {
    title: r.title,
    slug: r.slug,
    description: r.description,
    durationMin: String(r.durationMin),
    bookingWindowDays: String(r.bookingWindowDays),
    requiresConfirmation: r.requiresConfirmation,
    active: r.active,
    color: r.color,
    confirmedMessage: r.confirmedMessage,
    rejectedMessage: r.rejectedMessage,
    bufferBeforeMin: String(r.bufferBeforeMin ?? 0),
    bufferAfterMin: String(r.bufferAfterMin ?? 0),
    minNotice: String(notice / unit.minutes),
    minNoticeUnit: unit.value,
    notSameDay: r.notSameDay ?? false,
    intervalMin: optional(r.intervalMin),
    maxPerDay: optional(r.maxPerDay),
    maxPerWeek: optional(r.maxPerWeek),
    seatsPerTime: optional(r.seats?.perTime),
    seatsShowAttendees: r.seats?.showAttendees ?? false,
    seatsHideCount: r.seats?.hideCount ?? false,
    seriesEveryWeeks: optional(r.series?.everyWeeks),
    seriesCount: optional(r.series?.count),
    seriesFreeOnly: r.series?.freeOnly ?? false,
    // Only the default offered: nothing ticked ("just the default" needs no ticks).
    durations: durations.length > 1 ? durations.map(String) : [],
    durationsOther: "",
    ...locationValuesOf(r.locations ?? (r.location ? [r.location] : [])),
    questions: (r.questions ?? []).map((q) => ({
      id: q.id,
      label: q.label,
      type: q.type,
      required: q.required,
      options: (q.options ?? []).join("\n"),
    })),
    reminders: (r.reminders ?? []).map((x) =>
      REMINDER_PRESETS.some((p) => p.minutes === x.minutesBefore)
        ? { when: String(x.minutesBefore), minutes: "", toHost: x.toHost }
        : { when: "custom", minutes: String(x.minutesBefore), toHost: x.toHost }
    ),
    cancelCutoffHours: optional(r.cancelCutoffHours),
    maxGuests: String(r.maxGuests ?? GUESTS_DEFAULT),
    secret: r.secret ?? false,
    followUps: (r.followUps ?? []).map(followUpValuesOf),
    language: r.language ?? "",
  };
}

/** The lengths the editor lists as ticks: the usual ones, the default and any already offered. */
/** Whether `n` is a meeting length the form takes (whole minutes within the bounds). */
export function isDurationMin(n: number): boolean {
  return Number.isInteger(n) && n >= DURATION_MIN && n <= DURATION_MAX;
}

export function durationChoices(
  values: Pick<EventTypeValues, "durationMin" | "durations">,
): number[] {
  const extra = [values.durationMin, ...values.durations].map((s) => Number(s))
    .filter(isDurationMin);
  return [...new Set([...DURATION_CHOICES, ...extra])].sort((a, b) => a - b);
}

export type EventTypeIntent =
  | { kind: "save" }
  | { kind: "add_question" }
  | { kind: "remove_question"; index: number }
  | { kind: "move_question"; index: number; by: -1 | 1 }
  | { kind: "add_reminder" }
  | { kind: "remove_reminder"; index: number }
  | { kind: "add_follow_up" }
  | { kind: "remove_follow_up"; index: number };

export function parseEventTypeIntent(raw: unknown): EventTypeIntent {
  const text = typeof raw === "string" ? raw : "";
  if (text === "add_question") return { kind: "add_question" };
  if (text === "add_reminder") return { kind: "add_reminder" };
  let m = /^remove_question:(\d{1,2})$/.exec(text);
  if (m) return { kind: "remove_question", index: Number(m[1]) };
  m = /^move_question:(\d{1,2}):(up|down)$/.exec(text);
  if (m) return { kind: "move_question", index: Number(m[1]), by: m[2] === "up" ? -1 : 1 };
  m = /^remove_reminder:(\d{1,2})$/.exec(text);
  if (m) return { kind: "remove_reminder", index: Number(m[1]) };
  if (text === "add_follow_up") return { kind: "add_follow_up" };
  m = /^remove_follow_up:(\d{1,2})$/.exec(text);
  if (m) return { kind: "remove_follow_up", index: Number(m[1]) };
  return { kind: "save" };
}

/** The blank question rows "Add question" leaves behind are not questions. */
const isBlankQuestion = (q: QuestionValues) => q.label.trim() === "" && q.options.trim() === "";

/**
 * Reads the event type editor's form: every field as typed (bounded), question ids kept when
 * well-formed and unique (else a new one), and the submit button's intent.
 */
export function readEventTypeForm(
  form: FormData,
): { values: EventTypeValues; intent: EventTypeIntent } {
  const raw = formValues(form, EVENT_TYPE_FIELDS);
  const durations = form.getAll("durations").filter((x): x is string => typeof x === "string")
    .slice(0, 40).map((s) => s.slice(0, 10));
  const seen = new Set<string>();
  const questions = readRows(
    form,
    "q",
    ["id", "label", "type", "required", "options"] as const,
    4000,
  )
    .slice(0, 60)
    .map((r): QuestionValues => {
      let id = r.id ?? "";
      if (!QUESTION_ID_RE.test(id) || seen.has(id)) id = newQuestionId();
      seen.add(id);
      return {
        id,
        label: (r.label ?? "").slice(0, 400),
        type: (r.type ?? "short").slice(0, 20),
        required: ticked(r.required),
        options: r.options ?? "",
      };
    });
  const reminders = readRows(form, "r", ["when", "minutes", "toHost"] as const, 20)
    .filter((r) => r.when !== undefined)
    .slice(0, 20)
    .map((r): ReminderValues => ({
      when: r.when ?? "",
      minutes: r.minutes ?? "",
      toHost: ticked(r.toHost),
    }));
  const followUps = readRows(form, "f", ["after", "unit", "message", "bookAgain"] as const, 4000)
    .filter((r) => r.after !== undefined || r.message !== undefined)
    .slice(0, 20)
    .map((r): FollowUpValues => ({
      after: (r.after ?? "").slice(0, 10),
      unit: (r.unit ?? "hours").slice(0, 10),
      message: r.message ?? "",
      bookAgain: ticked(r.bookAgain),
    }));
  return {
    values: eventTypeValuesFromForm(raw, { durations, questions, reminders, followUps }),
    intent: parseEventTypeIntent(form.get("intent")),
  };
}

/** The reminder "Add reminder" proposes: the first preset not used yet, else a custom one. */
export function suggestReminder(reminders: readonly ReminderValues[]): ReminderValues {
  const used = new Set(reminders.map((r) => r.when));
  const free = [...REMINDER_PRESETS].reverse().find((p) => !used.has(String(p.minutes)));
  return free
    ? { when: String(free.minutes), minutes: "", toHost: false }
    : { when: "custom", minutes: "", toHost: false };
}

export function blankQuestion(): QuestionValues {
  return { id: newQuestionId(), label: "", type: "short", required: false, options: "" };
}

/** Applies an editing intent (add, remove, move a question; add, remove a reminder). */
export function applyEventTypeIntent(
  values: EventTypeValues,
  intent: EventTypeIntent,
): EventTypeValues {
  const questions = values.questions.map((q) => ({ ...q }));
  const reminders = values.reminders.map((r) => ({ ...r }));
  if (intent.kind === "add_question" && questions.length < MAX_QUESTIONS) {
    questions.push(blankQuestion());
  }
  if (intent.kind === "remove_question") questions.splice(intent.index, 1);
  if (intent.kind === "move_question") {
    const to = intent.index + intent.by;
    if (intent.index < questions.length && to >= 0 && to < questions.length) {
      [questions[intent.index], questions[to]] = [questions[to], questions[intent.index]];
    }
  }
  if (intent.kind === "add_reminder" && reminders.length < MAX_REMINDERS) {
    reminders.push(suggestReminder(reminders));
  }
  if (intent.kind === "remove_reminder") reminders.splice(intent.index, 1);
  const followUps = values.followUps.map((f) => ({ ...f }));
  if (intent.kind === "add_follow_up" && followUps.length < MAX_FOLLOW_UPS) {
    followUps.push(blankFollowUp());
  }
  if (intent.kind === "remove_follow_up") followUps.splice(intent.index, 1);
  return { ...values, questions, reminders, followUps };
}

/** Field messages keyed by form field name: `questions.2.label` → `q2_label`, reminders → `r{i}_…`. */
export function eventTypeErrors(issues: v.BaseIssue<unknown>[], t?: Translator): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(fieldErrors(issues, t))) {
    const name = key
      .replace(/^questions\.(\d+)\.(\w+)$/, "q$1_$2")
      .replace(/^questions\.(\d+)$/, "q$1_label")
      .replace(/^reminders\.(\d+)\.(minutes)$/, "r$1_$2")
      .replace(/^reminders\.(\d+)(\.\w+)?$/, "r$1_when")
      .replace(/^followUps\.(\d+)\.(message)$/, "f$1_$2")
      .replace(/^followUps\.(\d+)(\.\w+)?$/, "f$1_after");
    out[name] ??= message;
  }
  return out;
}

/**
 * Parses the editor's values for saving. Blank question rows are dropped first; the values
 * handed back (to show again on error) are the ones that were checked.
 */
export function parseEventTypeValues(
  values: EventTypeValues,
  /** Translates the messages for the reader; without it they stay references. */
  t?: Translator,
): { ok: true; values: EventTypeValues; input: EventTypeInput } | {
  ok: false;
  values: EventTypeValues;
  errors: FieldErrors;
} {
  const cleaned = { ...values, questions: values.questions.filter((q) => !isBlankQuestion(q)) };
  const parsed = v.safeParse(EventTypeForm, cleaned);
  return parsed.success
    ? { ok: true, values: cleaned, input: parsed.output }
    : { ok: false, values: cleaned, errors: eventTypeErrors(parsed.issues, t) };
}
