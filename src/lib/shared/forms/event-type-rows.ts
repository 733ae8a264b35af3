/** The event type form's repeated rows: questions, reminders and follow-up mails. */
import * as v from "valibot";
import type { FollowUp } from "../public-types.ts";
import { isMultiLineText, isOneLine, normalizeLineBreaks } from "../text.ts";
import { type MessageKey } from "../i18n.ts";
import { at, checkbox, m, oneLine } from "./common.ts";
import {
  MAX_OPTIONS,
  QUESTION_ID_RE,
  QUESTION_TYPES,
  type QuestionInput,
  REMINDER_MAX_MIN,
  REMINDER_MIN_MIN,
  REMINDER_PRESETS,
  type ReminderInput,
} from "./event-type-options.ts";

export function splitOptions(text: string): string[] {
  return text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "");
}

export const QuestionForm = v.pipe(
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

export const ReminderForm = v.pipe(
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

export const FollowUpForm = v.pipe(
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
export function parseMinutesList(text: string): number[] | null {
  const parts = text.split(/[,;\s]+/).filter((s) => s !== "");
  if (!parts.every((p) => /^\d{1,4}$/.test(p))) return null;
  return parts.map(Number);
}
