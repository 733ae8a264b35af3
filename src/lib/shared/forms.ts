/**
 * Form schemas shared by server actions and (for hints) the browser. Every message is written
 * for the person filling in the form and shown next to the field; messages are references to
 * the catalogs (`m`), translated for the reader by `fieldErrors(issues, t)`.
 */
import * as v from "valibot";
import type {
  FollowUp,
  Location,
  LocationKind,
  Question,
  QuestionType,
  Reminder,
} from "./public-types.ts";
import { isMultiLineText, isOneLine, normalizeLineBreaks } from "./text.ts";
import {
  canonicalLocale,
  isLanguage,
  type Language,
  languageOf,
  type MessageKey,
  messageRef,
  type MessageValues,
  translateRef,
  type Translator,
} from "./i18n.ts";
import { formatMinutes, weekdayNames } from "./format.ts";

export type FieldErrors = Record<string, string>;

/**
 * First message per field, keyed by the field name; translated when a translator is given (the
 * schemas' messages are references, see `m`), else left as references.
 */
export function fieldErrors(issues: v.BaseIssue<unknown>[], t?: Translator): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path?.map((p) => String(p.key)).join(".") ?? "form";
    out[key] ??= t ? translateRef(t, issue.message) : issue.message;
  }
  return out;
}

/** A schema message: a reference the page translates into the reader's language. */
const m = (key: MessageKey, values?: MessageValues) => messageRef(key, values);

/** A checkbox: "on" from a form, or a boolean from editor values. */
const checkbox = v.pipe(
  v.optional(v.union([v.boolean(), v.string()]), ""),
  v.transform((s) => s === true || s === "on" || s === "true" || s === "1"),
);

// Messages name no field: each is shown next to its field (and in the editor's list after the
// field's label), in the reader's language.
const trimmed = (min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(min, min === 1 ? m("forms.required") : m("forms.min_chars", { min })),
    v.maxLength(max, m("forms.max_chars", { max })),
  );

const intIn = (min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.regex(/^\d{1,6}$/, m("forms.whole_number")),
    v.transform(Number),
    v.minValue(min, m("forms.at_least", { min })),
    v.maxValue(max, m("forms.at_most", { max })),
  );

/** A whole number in [min, max]; empty means `empty` (0 for buffers, null for "no limit"). */
const wholeOr = <E extends number | null>(empty: E, min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.check((s) => s === "" || /^-?\d{1,7}$/.test(s), m("forms.whole_number")),
    v.transform((s): number | E => (s === "" ? empty : Number(s))),
    v.check((n) => n === null || n >= min, m("forms.at_least", { min })),
    v.check((n) => n === null || n <= max, m("forms.at_most", { max })),
  );

/** One-line text (shared/text.ts decides what that may hold, for every form). */
const oneLine = (min: number, max: number) =>
  v.pipe(trimmed(min, max), v.check(isOneLine, m("forms.one_line")));

/** Multi-line text: line breaks normalised to LF; no other control or direction characters. */
const multiLine = (min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => normalizeLineBreaks(s).trim()),
    v.minLength(min, min === 1 ? m("forms.required") : m("forms.min_chars", { min })),
    v.maxLength(max, m("forms.max_chars", { max })),
    v.check(isMultiLineText, m("forms.bad_characters")),
  );

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;

// ---------------------------------------------------------------------------------------------
// Event type rules: limits and choices shared by the editor (hints, input attributes) and the
// schema (messages).

export const BUFFER_MAX_MIN = 240;
export const NOTICE_MAX_MIN = 365 * 1440;
export const DURATION_MIN = 5;
export const DURATION_MAX = 720;
export const CAP_MAX = 1000;
export const CUTOFF_MAX_HOURS = 720;
export const REMINDER_MIN_MIN = 5;
export const REMINDER_MAX_MIN = 20160;
export const MAX_QUESTIONS = 20;
export const MAX_OPTIONS = 20;
export const MAX_REMINDERS = 5;
export const LOCATION_MAX = 500;

/** Lengths offered as ticks in the editor (plus whatever the event type already offers). */
export const DURATION_CHOICES = [15, 30, 45, 60, 90, 120] as const;

export type NoticeUnit = "minutes" | "hours" | "days";
/** `label`s are message keys (the editor translates them). */
export const NOTICE_UNITS: { value: NoticeUnit; label: MessageKey; minutes: number }[] = [
  { value: "minutes", label: "et.unit_minutes", minutes: 1 },
  { value: "hours", label: "et.unit_hours", minutes: 60 },
  { value: "days", label: "et.unit_days", minutes: 1440 },
];

export type LocationKindValue = LocationKind;
export const LOCATION_KINDS: {
  value: LocationKindValue;
  label: MessageKey;
  field: MessageKey | null;
  hint: MessageKey | null;
}[] = [
  { value: "none", label: "et.location_none", field: null, hint: null },
  {
    value: "in_person",
    label: "et.location_in_person",
    field: "et.location_in_person_field",
    hint: "et.location_in_person_hint",
  },
  {
    value: "phone",
    label: "et.location_phone",
    field: "et.location_phone_field",
    hint: "et.location_phone_hint",
  },
  {
    value: "video",
    label: "et.location_video",
    field: "et.location_video_field",
    hint: "et.location_video_hint",
  },
  {
    value: "custom",
    label: "et.location_custom",
    field: "et.location_custom_field",
    hint: "et.location_custom_hint",
  },
];

export type QuestionTypeValue = QuestionType;
export const QUESTION_TYPES: { value: QuestionTypeValue; label: MessageKey }[] = [
  { value: "short", label: "et.qtype_short" },
  { value: "long", label: "et.qtype_long" },
  { value: "choice", label: "et.qtype_choice" },
  { value: "checkbox", label: "et.qtype_checkbox" },
  { value: "phone", label: "et.qtype_phone" },
];

/** Reminder lengths offered in the editor (labels: `describeReminder`). */
export const REMINDER_PRESETS: { minutes: number }[] = [
  { minutes: 10 },
  { minutes: 60 },
  { minutes: 1440 },
];

/** Stored shapes, defined once in ./public-types.ts. */
export type QuestionInput = Question;
export type ReminderInput = Reminder;
export type LocationInput = Location;

/** Question ids name the guest's form fields (`q_{id}`): short, URL- and field-safe. */
export const QUESTION_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;

/** A fresh question id: 8 random base-36 characters. */
export function newQuestionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => (b % 36).toString(36)).join("");
}

/** "1 hour before", "90 minutes before", "24 hours before" — in the reader's language. */
export function describeReminder(minutes: number, t: Pick<Translator, "t" | "locale">): string {
  // A day's reminder reads as "24 hours" (what people set), three days and more in days.
  return t.t("et.reminder_before", { span: formatMinutes(minutes, t.locale, "long", "hour") });
}

/** Issue path item for `rawCheck`: the key `key` inside `input`. */
function at(input: unknown, key: string | number): v.IssuePathItem {
  return Array.isArray(input)
    ? { type: "array", origin: "value", input, key: key as number, value: input[key as number] }
    : {
      type: "object",
      origin: "value",
      input: input as Record<string, unknown>,
      key: String(key),
      value: (input as Record<string, unknown>)[String(key)],
    };
}

function splitOptions(text: string): string[] {
  return text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "");
}

const QuestionForm = v.pipe(
  v.object({
    id: v.pipe(
      v.optional(v.string(), ""),
      v.regex(QUESTION_ID_RE, m("forms.question_lost_id")),
    ),
    label: oneLine(1, 200),
    type: v.picklist(QUESTION_TYPES.map((t) => t.value), m("forms.question_kind")),
    required: checkbox,
    options: v.pipe(v.optional(v.string(), ""), v.maxLength(4000, m("forms.options_too_long"))),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    const q = dataset.value as { type?: unknown; options?: unknown };
    if (q?.type !== "choice" || typeof q.options !== "string") return;
    const options = splitOptions(q.options);
    const problem = options.length < 2
      ? m("forms.options_min")
      : options.length > MAX_OPTIONS
      ? m("forms.options_max", { max: MAX_OPTIONS })
      : options.some((o) => o.length > 100)
      ? m("forms.option_too_long", { max: 100 })
      : options.some((o) => !isOneLine(o))
      ? m("forms.option_control")
      : new Set(options.map((o) => o.toLowerCase())).size !== options.length
      ? m("forms.options_unique")
      : null;
    if (problem) addIssue({ message: problem, path: [at(q, "options")] });
  }),
  v.transform(({ id, label, type, required, options }): QuestionInput =>
    type === "choice"
      ? { id, label, type, required, options: splitOptions(options) }
      : { id, label, type, required }
  ),
);

const ReminderForm = v.pipe(
  v.object({
    when: v.picklist(
      [...REMINDER_PRESETS.map((p) => String(p.minutes)), "custom"],
      m("forms.reminder_when"),
    ),
    minutes: v.pipe(v.optional(v.string(), ""), v.transform((s) => s.trim())),
    toHost: checkbox,
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    const r = dataset.value as { when?: unknown; minutes?: unknown };
    if (r?.when !== "custom" || typeof r.minutes !== "string") return;
    const n = Number(r.minutes);
    const problem = r.minutes === ""
      ? m("forms.reminder_minutes")
      : !/^-?\d{1,7}$/.test(r.minutes)
      ? m("forms.whole_number")
      : n < REMINDER_MIN_MIN
      ? m("forms.reminder_min", { min: REMINDER_MIN_MIN })
      : n > REMINDER_MAX_MIN
      ? m("forms.reminder_max", { max: REMINDER_MAX_MIN })
      : null;
    if (problem) addIssue({ message: problem, path: [at(r, "minutes")] });
  }),
  v.transform(({ when, minutes, toHost }): ReminderInput => ({
    minutesBefore: when === "custom" ? Number(minutes) : Number(when),
    toHost,
  })),
);

// ---------------------------------------------------------------------------------------------
// Follow-up mails after the meeting (issue 17). Rows `f{i}_after|unit|message|bookAgain`;
// intents "add_follow_up" and "remove_follow_up:{i}" like the reminders'.

export const MAX_FOLLOW_UPS = 3;
export const FOLLOW_UP_MESSAGE_MAX = 2000;
/** 5 minutes to 30 days after the meeting ends. */
export const FOLLOW_UP_MIN_MIN = 5;
export const FOLLOW_UP_MAX_MIN = 30 * 1440;

export type FollowUpInput = FollowUp;
export type FollowUpUnit = "minutes" | "hours" | "days";
/** `label`s are message keys (the editor translates them). */
export const FOLLOW_UP_UNITS: { value: FollowUpUnit; label: MessageKey; minutes: number }[] = [
  { value: "minutes", label: "et.unit_minutes", minutes: 1 },
  { value: "hours", label: "et.unit_hours", minutes: 60 },
  { value: "days", label: "et.unit_days", minutes: 1440 },
];
/** One follow-up row as typed: a number and its unit, the host's text, "Book again" ticked. */
export type FollowUpValues = { after: string; unit: string; message: string; bookAgain: boolean };

export function blankFollowUp(): FollowUpValues {
  return { after: "1", unit: "days", message: "", bookAgain: true };
}

/** A stored follow-up → its row, in the largest unit that divides it. */
export function followUpValuesOf(f: FollowUp): FollowUpValues {
  const unit = [...FOLLOW_UP_UNITS].reverse().find((u) => f.minutesAfter % u.minutes === 0)!;
  return {
    after: String(f.minutesAfter / unit.minutes),
    unit: unit.value,
    message: f.message,
    bookAgain: f.bookAgain,
  };
}

const FollowUpForm = v.pipe(
  v.object({
    after: v.pipe(v.optional(v.string(), ""), v.transform((s) => s.trim())),
    unit: v.optional(
      v.picklist(FOLLOW_UP_UNITS.map((u) => u.value), m("forms.notice_unit")),
      "hours",
    ),
    message: v.pipe(
      v.optional(v.string(), ""),
      v.transform((s) => normalizeLineBreaks(s).trim()),
      v.minLength(1, m("forms.follow_up_message")),
      v.maxLength(FOLLOW_UP_MESSAGE_MAX, m("forms.max_chars", { max: FOLLOW_UP_MESSAGE_MAX })),
      v.check(isMultiLineText, m("forms.bad_characters")),
    ),
    bookAgain: checkbox,
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    const f = dataset.value as { after?: unknown; unit?: unknown };
    if (typeof f?.after !== "string" || typeof f.unit !== "string") return;
    const unit = FOLLOW_UP_UNITS.find((u) => u.value === f.unit);
    const n = Number(f.after);
    const problem = f.after === ""
      ? m("forms.follow_up_after")
      : !/^\d{1,5}$/.test(f.after)
      ? m("forms.whole_number")
      : unit && n * unit.minutes < FOLLOW_UP_MIN_MIN
      ? m("forms.follow_up_min", { min: FOLLOW_UP_MIN_MIN })
      : unit && n * unit.minutes > FOLLOW_UP_MAX_MIN
      ? m("forms.follow_up_max", { days: FOLLOW_UP_MAX_MIN / 1440 })
      : null;
    if (problem) addIssue({ message: problem, path: [at(f, "after")] });
  }),
  v.transform(({ after, unit, message, bookAgain }): FollowUpInput => ({
    minutesAfter: Number(after) * (FOLLOW_UP_UNITS.find((u) => u.value === unit)?.minutes ?? 60),
    message,
    bookAgain,
  })),
);

/** "20, 50" → [20, 50]; null when something in it is not a whole number of minutes. */
function parseMinutesList(text: string): number[] | null {
  const parts = text.split(/[,;\s]+/).filter((s) => s !== "");
  if (!parts.every((p) => /^\d{1,4}$/.test(p))) return null;
  return parts.map(Number);
}

function isHttpsUrl(text: string): boolean {
  if (!/^https:\/\/\S+$/i.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.hostname !== "" && url.username === "" &&
      url.password === "";
  } catch {
    return false;
  }
}

/**
 * The event type editor's form. Accepts raw form strings (`formValues`) or editor values
 * (`EventTypeValues`: booleans for checkboxes, lists for durations, questions and reminders).
 * Fields the form does not send get their "no rule" defaults, so older callers keep working.
 * Messages are keyed by field (see `eventTypeErrors`); cross-field rules land on the field to fix.
 */
export const EventTypeForm = v.pipe(
  v.object({
    title: oneLine(1, 100),
    slug: v.pipe(
      v.optional(v.string(), ""),
      v.transform((s) => s.trim().toLowerCase()),
      v.minLength(1, m("forms.required")),
      v.maxLength(60, m("forms.max_chars", { max: 60 })),
      v.regex(SLUG_RE, m("forms.slug")),
    ),
    description: multiLine(0, 2000),
    durationMin: intIn(DURATION_MIN, DURATION_MAX),
    requiresConfirmation: checkbox,
    bookingWindowDays: intIn(1, 365),
    color: v.pipe(
      v.optional(v.string(), "#2549ea"),
      v.transform((s) => s.trim().toLowerCase()),
      v.regex(/^#[0-9a-f]{6}$/, m("forms.colour")),
    ),
    active: checkbox,
    confirmedMessage: multiLine(0, 1000),
    rejectedMessage: multiLine(0, 1000),
    // Scheduling rules
    bufferBeforeMin: wholeOr(0, 0, BUFFER_MAX_MIN),
    bufferAfterMin: wholeOr(0, 0, BUFFER_MAX_MIN),
    minNotice: wholeOr(0, 0, NOTICE_MAX_MIN),
    minNoticeUnit: v.optional(
      v.picklist(NOTICE_UNITS.map((u) => u.value), m("forms.notice_unit")),
      "minutes",
    ),
    notSameDay: checkbox,
    intervalMin: wholeOr(null, DURATION_MIN, DURATION_MAX),
    maxPerDay: wholeOr(null, 1, CAP_MAX),
    maxPerWeek: wholeOr(null, 1, CAP_MAX),
    durations: v.pipe(
      v.optional(v.array(v.string()), []),
      v.check(
        (list) => list.every((s) => /^\d{1,4}$/.test(s.trim())),
        m("forms.lengths_from_list"),
      ),
      v.transform((list) => list.map((s) => Number(s.trim()))),
    ),
    durationsOther: v.pipe(
      v.optional(v.string(), ""),
      v.check((s) => parseMinutesList(s) !== null, m("forms.lengths_other")),
      v.transform((s) => parseMinutesList(s) ?? []),
      v.check(
        (list) => list.every((n) => n >= DURATION_MIN && n <= DURATION_MAX),
        m("forms.length_range", { min: DURATION_MIN, max: DURATION_MAX }),
      ),
    ),
    // Location
    locationKind: v.optional(
      v.picklist(LOCATION_KINDS.map((k) => k.value), m("forms.location_kind")),
      "none",
    ),
    locationValue: oneLine(0, LOCATION_MAX),
    // The page's language, fixed by the host; "" = the guest's.
    language: v.pipe(
      v.optional(v.string(), ""),
      v.transform((s) => s.trim()),
      v.check((s) => s === "" || isLanguage(s), m("forms.language")),
    ),
    // Questions, reminders, cancellation
    questions: v.pipe(
      v.optional(v.array(QuestionForm), []),
      v.maxLength(MAX_QUESTIONS, m("forms.questions_max", { max: MAX_QUESTIONS })),
      v.rawCheck(({ dataset, addIssue }) => {
        const seen = new Set<string>();
        const list = dataset.value as unknown[];
        list.forEach((q, i) => {
          const id = (q as { id?: unknown })?.id;
          if (typeof id !== "string") return;
          if (seen.has(id)) {
            addIssue({
              message: m("forms.question_dup_id"),
              path: [at(list, i)],
            });
          }
          seen.add(id);
        });
      }),
    ),
    reminders: v.pipe(
      v.optional(v.array(ReminderForm), []),
      v.maxLength(MAX_REMINDERS, m("forms.reminders_max", { max: MAX_REMINDERS })),
      v.rawCheck(({ dataset, addIssue }) => {
        const seen = new Set<number>();
        const list = dataset.value as unknown[];
        list.forEach((r, i) => {
          const minutes = (r as { minutesBefore?: unknown })?.minutesBefore;
          if (typeof minutes !== "number") return;
          if (seen.has(minutes)) {
            addIssue({
              message: m("forms.reminder_duplicate", { minutes }),
              path: [at(list, i), at(r, "minutesBefore")],
            });
          }
          seen.add(minutes);
        });
      }),
    ),
    cancelCutoffHours: wholeOr(null, 1, CUTOFF_MAX_HOURS),
    secret: checkbox,
    followUps: v.pipe(
      v.optional(v.array(FollowUpForm), []),
      v.maxLength(MAX_FOLLOW_UPS, m("forms.follow_ups_max", { max: MAX_FOLLOW_UPS })),
      v.rawCheck(({ dataset, addIssue }) => {
        const seen = new Set<number>();
        const list = dataset.value as unknown[];
        list.forEach((f, i) => {
          const minutes = (f as { minutesAfter?: unknown })?.minutesAfter;
          if (typeof minutes !== "number") return;
          if (seen.has(minutes)) {
            addIssue({
              message: m("forms.follow_up_duplicate", { minutes }),
              path: [at(list, i), at(f, "after")],
            });
          }
          seen.add(minutes);
        });
      }),
    ),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    const f = dataset.value as Record<string, unknown>;
    // The default length must be one of the lengths offered (ticking none offers only the default).
    const d = f.durationMin;
    const picked = f.durations;
    const other = f.durationsOther;
    const numbers = (x: unknown): x is number[] =>
      Array.isArray(x) && x.every((n) => typeof n === "number");
    if (typeof d === "number" && numbers(picked) && numbers(other)) {
      const all = [...picked, ...other];
      if (picked.some((n) => n < DURATION_MIN || n > DURATION_MAX)) {
        addIssue({
          message: m("forms.length_range", { min: DURATION_MIN, max: DURATION_MAX }),
          path: [at(f, "durations")],
        });
      } else if (other.some((n) => n < DURATION_MIN || n > DURATION_MAX)) {
        // Said on its own field already.
      } else if (all.length > 0 && !all.includes(d)) {
        addIssue({
          message: m("forms.default_offered", { minutes: d }),
          path: [at(f, "durations")],
        });
      } else if (new Set([d, ...all]).size > 12) {
        addIssue({ message: m("forms.lengths_max", { max: 12 }), path: [at(f, "durations")] });
      }
    }
    // The minimum notice, in its unit, stays within a year.
    if (typeof f.minNotice === "number" && typeof f.minNoticeUnit === "string") {
      const unit = NOTICE_UNITS.find((u) => u.value === f.minNoticeUnit);
      if (unit && f.minNotice * unit.minutes > NOTICE_MAX_MIN) {
        addIssue({ message: m("forms.notice_max"), path: [at(f, "minNotice")] });
      }
    }
    // What the location needs depends on its kind.
    const kind = f.locationKind;
    const value = f.locationValue;
    if (typeof kind === "string" && kind !== "none" && typeof value === "string") {
      const problem = value === ""
        ? m("forms.location_missing", { kind })
        : kind === "video" && !isHttpsUrl(value)
        ? m("forms.location_video")
        : kind === "phone" && (value.match(/\d/g)?.length ?? 0) < 5
        ? m("answers.phone")
        : null;
      if (problem) addIssue({ message: problem, path: [at(f, "locationValue")] });
    }
  }),
  v.transform((f): EventTypeInput => {
    const unit = NOTICE_UNITS.find((u) => u.value === f.minNoticeUnit) ?? NOTICE_UNITS[0];
    const durations = [...new Set([f.durationMin, ...f.durations, ...f.durationsOther])].sort((
      a,
      b,
    ) => a - b);
    return {
      title: f.title,
      slug: f.slug,
      description: f.description,
      durationMin: f.durationMin,
      requiresConfirmation: f.requiresConfirmation,
      bookingWindowDays: f.bookingWindowDays,
      color: f.color,
      active: f.active,
      confirmedMessage: f.confirmedMessage,
      rejectedMessage: f.rejectedMessage,
      bufferBeforeMin: f.bufferBeforeMin,
      bufferAfterMin: f.bufferAfterMin,
      minNoticeMin: f.minNotice * unit.minutes,
      notSameDay: f.notSameDay,
      intervalMin: f.intervalMin,
      maxPerDay: f.maxPerDay,
      maxPerWeek: f.maxPerWeek,
      durations,
      location: f.locationKind === "none"
        ? { kind: "none", value: "" }
        : { kind: f.locationKind, value: f.locationValue },
      questions: f.questions,
      reminders: [...f.reminders].sort((a, b) => b.minutesBefore - a.minutesBefore),
      cancelCutoffHours: f.cancelCutoffHours,
      secret: f.secret,
      followUps: [...f.followUps].sort((a, b) => a.minutesAfter - b.minutesAfter),
      language: f.language === "" ? null : f.language as Language,
    };
  }),
);

/** What an event type holds, as the editor saves it (the `EventTypeRecord` fields it owns). */
export type EventTypeInput = {
  title: string;
  slug: string;
  description: string;
  durationMin: number;
  requiresConfirmation: boolean;
  bookingWindowDays: number;
  color: string;
  active: boolean;
  confirmedMessage: string;
  rejectedMessage: string;
} & EventTypeRulesInput;

export type EventTypeRulesInput = {
  bufferBeforeMin: number;
  bufferAfterMin: number;
  minNoticeMin: number;
  notSameDay: boolean;
  intervalMin: number | null;
  maxPerDay: number | null;
  maxPerWeek: number | null;
  /** Sorted, without duplicates, always including `durationMin`. */
  durations: number[];
  location: LocationInput;
  questions: QuestionInput[];
  /** Longest lead first. */
  reminders: ReminderInput[];
  cancelCutoffHours: number | null;
  /** Shortest wait first. */
  followUps: FollowUpInput[];
  /** Bookable only through its own link, listed nowhere. */
  secret: boolean;
  /** The booking page's fixed language; null or absent: the guest's. */
  language?: Language | null;
};

export const ProfileForm = v.object({
  name: oneLine(1, 100),
  username: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim().toLowerCase()),
    v.regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/, m("forms.username")),
  ),
  timeZone: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(1, m("forms.time_zone")),
  ),
  // Absent (an older form, a script): the saved choice stays.
  clock: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.check((s) => s === "" || s === "12h" || s === "24h", m("forms.clock")),
    v.transform((s) => (s === "" ? undefined : s as "12h" | "24h")),
  ),
  // Absent: the saved choice stays.
  locale: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.check((s) => s === "" || languageOf(s) !== null, m("forms.language")),
    v.transform((s) => (s === "" ? undefined : canonicalLocale(s) ?? undefined)),
  ),
});

const emailField = v.pipe(
  v.optional(v.string(), ""),
  v.transform((s) => s.trim()),
  v.minLength(1, m("forms.email_required")),
  v.maxLength(254, m("forms.email_too_long")),
  v.email(m("forms.email_invalid")),
);

export const EmailForm = v.object({ email: emailField });

export const BookingForm = v.object({
  name: oneLine(1, 100),
  email: emailField,
  note: multiLine(0, 2000),
  start: v.pipe(
    v.optional(v.string(), ""),
    v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/, m("forms.choose_time")),
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
  "bufferBeforeMin",
  "bufferAfterMin",
  "minNotice",
  "minNoticeUnit",
  "notSameDay",
  "intervalMin",
  "maxPerDay",
  "maxPerWeek",
  "durationsOther",
  "locationKind",
  "locationValue",
  "cancelCutoffHours",
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
  durations: string[];
  durationsOther: string;
  locationKind: string;
  locationValue: string;
  questions: QuestionValues[];
  reminders: ReminderValues[];
  cancelCutoffHours: string;
  secret: boolean;
  followUps: FollowUpValues[];
  /** The page's fixed language ("en", "de", …); "" = the guest's. */
  language: string;
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
  bufferBeforeMin: "0",
  bufferAfterMin: "0",
  minNotice: "0",
  minNoticeUnit: "hours",
  notSameDay: false,
  intervalMin: "",
  maxPerDay: "",
  maxPerWeek: "",
  durations: [],
  durationsOther: "",
  locationKind: "none",
  locationValue: "",
  questions: [],
  reminders: [],
  cancelCutoffHours: "",
  secret: false,
  followUps: [],
  language: "",
};

export const DURATION_PICKS = [15, 30, 45, 60] as const;

const ticked = (s: string | undefined) => s === "on" || s === "true" || s === "1";

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
    durations: lists.durations ?? [],
    durationsOther: text("durationsOther"),
    locationKind: raw.locationKind || "none",
    locationValue: text("locationValue"),
    questions: lists.questions ?? [],
    reminders: lists.reminders ?? [],
    cancelCutoffHours: text("cancelCutoffHours"),
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
    // Only the default offered: nothing ticked ("just the default" needs no ticks).
    durations: durations.length > 1 ? durations.map(String) : [],
    durationsOther: "",
    locationKind: r.location?.kind ?? "none",
    locationValue: r.location?.value ?? "",
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
    secret: r.secret ?? false,
    followUps: (r.followUps ?? []).map(followUpValuesOf),
    language: r.language ?? "",
  };
}

/** The lengths the editor lists as ticks: the usual ones, the default and any already offered. */
export function durationChoices(
  values: Pick<EventTypeValues, "durationMin" | "durations">,
): number[] {
  const extra = [values.durationMin, ...values.durations].map((s) => Number(s))
    .filter((n) => Number.isInteger(n) && n >= DURATION_MIN && n <= DURATION_MAX);
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

/** Rows of repeated fields `{prefix}{i}_{name}`, in index order (indexes 0…99). */
function readRows<N extends string>(
  form: FormData,
  prefix: string,
  names: readonly N[],
  max: number,
): Partial<Record<N, string>>[] {
  const re = new RegExp(`^${prefix}(\\d{1,2})_(${names.join("|")})$`);
  const rows = new Map<number, Partial<Record<N, string>>>();
  for (const [key, value] of form) {
    const m = re.exec(key);
    if (!m || typeof value !== "string") continue;
    const i = Number(m[1]);
    const row: Partial<Record<N, string>> = rows.get(i) ?? {};
    row[m[2] as N] = value.slice(0, max);
    rows.set(i, row);
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
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
): { days: string; hours: string | null }[] {
  const groups = new Map<string, WeekdayNumber[]>();
  for (const d of WEEKDAY_NUMBERS) {
    const sig = (weekly[d] ?? []).map((r) => `${r.start}–${r.end}`).join(", ");
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
      if (m[2] === "date") r.date = value.trim().slice(0, 10);
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
      from: (r.from ?? "").trim().slice(0, 10),
      to: (r.to ?? "").trim().slice(0, 10),
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
