/** The event type editor's schema and what it saves. */
import { GUESTS_DEFAULT, GUESTS_MAX } from "../booking-extras.ts";
import * as v from "valibot";
import type { LocationKind } from "../public-types.ts";
import { SEATS_MAX, SEATS_MIN } from "../seats.ts";
import { SERIES_EVERY_MAX_WEEKS, SERIES_MAX, SERIES_MIN } from "../series.ts";
import { isLanguage, type Language } from "../i18n.ts";
import { at, checkbox, intIn, m, multiLine, oneLine, SLUG_RE, wholeOr } from "./common.ts";
import {
  BUFFER_MAX_MIN,
  CAP_MAX,
  CUTOFF_MAX_HOURS,
  DURATION_MAX,
  DURATION_MIN,
  LOCATION_KINDS,
  LOCATION_MAX,
  LOCATION_ROWS,
  type LocationInput,
  locationProblem,
  MAX_QUESTIONS,
  MAX_REMINDERS,
  NO_VALUE_KINDS,
  NOTICE_MAX_MIN,
  NOTICE_UNITS,
  PROVIDER_ROOMS,
  type QuestionInput,
  type ReminderInput,
} from "./event-type-options.ts";
import {
  FollowUpForm,
  type FollowUpInput,
  MAX_FOLLOW_UPS,
  parseMinutesList,
  QuestionForm,
  ReminderForm,
} from "./event-type-rows.ts";

/** A `durations` entry of "default" while it is parsed (no real length is 0 minutes). */
const THE_DEFAULT_LENGTH = 0;

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
    // Seats per time: empty = one guest per time.
    seatsPerTime: wholeOr(null, SEATS_MIN, SEATS_MAX),
    seatsShowAttendees: checkbox,
    seatsHideCount: checkbox,
    // A recurring series: every 1–4 weeks (empty: does not repeat), 2–52 dates.
    seriesEveryWeeks: wholeOr(null, 1, SERIES_EVERY_MAX_WEEKS),
    seriesCount: wholeOr(null, SERIES_MIN, SERIES_MAX),
    seriesFreeOnly: checkbox,
    // "default" is the editor's word for "the default length, whatever it is now": a form sent
    // without its script (or before it ran) cannot know a default changed on the page.
    durations: v.pipe(
      v.optional(v.array(v.string()), []),
      v.check(
        (list) => list.every((s) => /^\d{1,4}$/.test(s.trim()) || s.trim() === "default"),
        m("forms.lengths_from_list"),
      ),
      v.transform((list) =>
        list.map((s) => s.trim() === "default" ? THE_DEFAULT_LENGTH : Number(s.trim()))
      ),
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
    location2Kind: v.optional(
      v.picklist(LOCATION_KINDS.map((k) => k.value), m("forms.location_kind")),
      "none",
    ),
    location2Value: oneLine(0, LOCATION_MAX),
    location3Kind: v.optional(
      v.picklist(LOCATION_KINDS.map((k) => k.value), m("forms.location_kind")),
      "none",
    ),
    location3Value: oneLine(0, LOCATION_MAX),
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
    // Extra attendees a guest may add: empty = the default, 0 = none.
    maxGuests: wholeOr(GUESTS_DEFAULT, 0, GUESTS_MAX),
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
    const other = f.durationsOther;
    const numbers = (x: unknown): x is number[] =>
      Array.isArray(x) && x.every((n) => typeof n === "number");
    const picked = numbers(f.durations)
      ? f.durations.map((n) => n === THE_DEFAULT_LENGTH ? d : n)
      : null;
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
    // A series needs its number of dates, and takes one guest per time (seats are refused).
    if (typeof f.seriesEveryWeeks === "number") {
      if (f.seriesCount === null) {
        addIssue({ message: m("forms.series_count"), path: [at(f, "seriesCount")] });
      }
      if (typeof f.seatsPerTime === "number") {
        addIssue({ message: m("forms.series_no_seats"), path: [at(f, "seriesEveryWeeks")] });
      }
    }
    // A seated time is one meeting for all its guests; Zoom, Meet and Teams make one meeting per
    // booking (ADR 042), so a seated type offers a room every seat can share (Jitsi, a link).
    if (typeof f.seatsPerTime === "number") {
      for (const [kindField] of LOCATION_ROWS) {
        if (PROVIDER_ROOMS.includes(f[kindField] as string)) {
          addIssue({ message: m("forms.seats_no_provider_room"), path: [at(f, kindField)] });
        }
      }
    }
    // What each offered location needs depends on its kind.
    for (const [kindField, valueField] of LOCATION_ROWS) {
      const kind = f[kindField];
      const value = f[valueField];
      if (typeof kind !== "string" || typeof value !== "string") continue;
      const problem = locationProblem(kind as LocationKind, value);
      if (problem) addIssue({ message: problem, path: [at(f, valueField)] });
    }
  }),
  v.transform((f): EventTypeInput => {
    const unit = NOTICE_UNITS.find((u) => u.value === f.minNoticeUnit) ?? NOTICE_UNITS[0];
    const locations: LocationInput[] = LOCATION_ROWS
      .map(([k, val]) => ({ kind: f[k], value: NO_VALUE_KINDS.includes(f[k]) ? "" : f[val] }))
      .filter((l) => l.kind !== "none");
    const picked = f.durations.filter((n) => n !== THE_DEFAULT_LENGTH);
    const durations = [...new Set([f.durationMin, ...picked, ...f.durationsOther])].sort((
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
      seats: f.seatsPerTime === null ? null : {
        perTime: f.seatsPerTime,
        showAttendees: f.seatsShowAttendees,
        hideCount: f.seatsHideCount,
      },
      series: f.seriesEveryWeeks === null || f.seriesCount === null ? null : {
        everyWeeks: f.seriesEveryWeeks,
        count: f.seriesCount,
        freeOnly: f.seriesFreeOnly,
      },
      durations,
      location: locations[0] ?? { kind: "none", value: "" },
      locations,
      questions: f.questions,
      reminders: [...f.reminders].sort((a, b) => b.minutesBefore - a.minutesBefore),
      cancelCutoffHours: f.cancelCutoffHours,
      maxGuests: f.maxGuests,
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
  /** Seats per time (null: one guest per time). */
  seats?: { perTime: number; showAttendees: boolean; hideCount: boolean } | null;
  /** A recurring series (null: does not repeat). */
  series?: { everyWeeks: number; count: number; freeOnly: boolean } | null;
  /** Sorted, without duplicates, always including `durationMin`. */
  durations: number[];
  /** The first offered location (kept for readers of the single location, like the API). */
  location: LocationInput;
  /** Every offered location, in order; with more than one the guest picks (absent: `location` alone). */
  locations?: LocationInput[];
  questions: QuestionInput[];
  /** Longest lead first. */
  reminders: ReminderInput[];
  cancelCutoffHours: number | null;
  /** Extra attendees a guest may add (0: none). */
  maxGuests?: number;
  /** Shortest wait first. */
  followUps: FollowUpInput[];
  /** Bookable only through its own link, listed nowhere. */
  secret: boolean;
  /** The booking page's fixed language; null or absent: the guest's. */
  language?: Language | null;
};
