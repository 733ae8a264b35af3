import { SERIES_EVERY_MAX_WEEKS, SERIES_MAX, SERIES_MIN } from "../../../shared/series.ts";
/** Event types: every field a host sets, for create and patch, and the resource. */
import { GUESTS_DEFAULT, GUESTS_MAX } from "../../../shared/booking-extras.ts";
import * as v from "valibot";
import {
  BUFFER_MAX_MIN,
  CAP_MAX,
  CUTOFF_MAX_HOURS,
  DURATION_MAX,
  DURATION_MIN,
  LOCATION_KINDS,
  LOCATION_MAX,
  MAX_OPTIONS,
  MAX_QUESTIONS,
  MAX_REMINDERS,
  NOTICE_MAX_MIN,
  QUESTION_ID_RE,
  REMINDER_MAX_MIN,
  REMINDER_MIN_MIN,
  SEATS_MAX,
  SEATS_MIN,
} from "../../../shared/forms/event-type-options.ts";
import { Question } from "./public.ts";
import { d, DateTime, readOnlyFields } from "./pieces.ts";

const Location = v.object({
  kind: v.picklist(LOCATION_KINDS.map((k) => k.value)),
  value: v.pipe(v.string(), v.maxLength(LOCATION_MAX)),
});
const Reminder = v.object({
  minutesBefore: v.pipe(
    v.number(),
    v.integer(),
    v.minValue(REMINDER_MIN_MIN),
    v.maxValue(REMINDER_MAX_MIN),
  ),
  toHost: v.boolean(),
});
const QuestionIn = v.strictObject({
  id: v.optional(
    v.pipe(v.string(), v.regex(QUESTION_ID_RE), d("Kept across edits; made up when absent.")),
  ),
  label: v.pipe(v.string(), v.maxLength(200)),
  type: v.picklist(["short", "long", "choice", "checkbox", "phone"]),
  required: v.optional(v.boolean()),
  options: v.optional(
    v.pipe(v.array(v.pipe(v.string(), v.maxLength(100))), v.maxLength(MAX_OPTIONS)),
  ),
});
const int = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const intOrNull = (min: number, max: number) => v.nullable(int(min, max));

/** Every field of an event type a host sets; all optional on PATCH. */
const eventTypeFields = {
  title: v.pipe(v.string(), v.maxLength(100)),
  slug: v.pipe(v.string(), v.maxLength(60), d("URL slug: lowercase letters, digits, dashes.")),
  description: v.pipe(v.string(), v.maxLength(2000)),
  durationMin: int(DURATION_MIN, DURATION_MAX),
  durations: v.pipe(
    v.array(int(DURATION_MIN, DURATION_MAX)),
    v.maxLength(12),
    d("Lengths a guest may choose; must include `durationMin`."),
  ),
  requiresConfirmation: v.boolean(),
  bookingWindowDays: int(1, 365),
  color: v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/, "A colour like #2549ea")),
  active: v.boolean(),
  confirmedMessage: v.pipe(v.string(), v.maxLength(1000)),
  rejectedMessage: v.pipe(v.string(), v.maxLength(1000)),
  bufferBeforeMin: int(0, BUFFER_MAX_MIN),
  bufferAfterMin: int(0, BUFFER_MAX_MIN),
  minNoticeMin: int(0, NOTICE_MAX_MIN),
  notSameDay: v.boolean(),
  intervalMin: intOrNull(DURATION_MIN, DURATION_MAX),
  maxPerDay: intOrNull(1, CAP_MAX),
  maxPerWeek: intOrNull(1, CAP_MAX),
  seats: v.pipe(
    v.nullable(v.object({
      perTime: int(SEATS_MIN, SEATS_MAX),
      showAttendees: v.boolean(),
      hideCount: v.boolean(),
    })),
    d(
      "Seats per time: several guests share one time, each with a booking of their own (null: one guest per time). Caps count seats.",
    ),
  ),
  series: v.pipe(
    v.nullable(v.object({
      everyWeeks: int(1, SERIES_EVERY_MAX_WEEKS),
      count: int(SERIES_MIN, SERIES_MAX),
      freeOnly: v.boolean(),
    })),
    d(
      "A recurring series (null: does not repeat): the guest books every date at once, every `everyWeeks` weeks at the host's wall time; with `freeOnly` the free dates only. Not with seats.",
    ),
  ),
  location: v.pipe(Location, d("The one place offered (with `locations`: ignored).")),
  locations: v.pipe(
    v.array(Location),
    v.maxLength(3),
    d("The places offered; with more than one the guest picks one when booking."),
  ),
  questions: v.pipe(v.array(QuestionIn), v.maxLength(MAX_QUESTIONS)),
  reminders: v.pipe(v.array(Reminder), v.maxLength(MAX_REMINDERS)),
  cancelCutoffHours: intOrNull(1, CUTOFF_MAX_HOURS),
  maxGuests: v.pipe(
    int(0, GUESTS_MAX),
    d(`Extra attendees a guest may invite when booking (0: none; default ${GUESTS_DEFAULT}).`),
  ),
};

export const EventTypeCreate = v.strictObject({
  ...Object.fromEntries(
    Object.entries(eventTypeFields).map(([k, s]) => [k, v.optional(s)]),
  ) as {
    [K in keyof typeof eventTypeFields]: v.OptionalSchema<(typeof eventTypeFields)[K], undefined>;
  },
  title: eventTypeFields.title,
  slug: eventTypeFields.slug,
  durationMin: eventTypeFields.durationMin,
});

export const EventType = v.object({
  id: v.string(),
  title: v.string(),
  slug: v.string(),
  description: v.string(),
  durationMin: v.number(),
  durations: v.array(v.number()),
  requiresConfirmation: v.boolean(),
  bookingWindowDays: v.number(),
  color: v.string(),
  active: v.boolean(),
  confirmedMessage: v.string(),
  rejectedMessage: v.string(),
  bufferBeforeMin: v.number(),
  bufferAfterMin: v.number(),
  minNoticeMin: v.number(),
  notSameDay: v.boolean(),
  intervalMin: v.nullable(v.number()),
  maxPerDay: v.nullable(v.number()),
  maxPerWeek: v.nullable(v.number()),
  seats: v.nullable(
    v.object({ perTime: v.number(), showAttendees: v.boolean(), hideCount: v.boolean() }),
  ),
  series: v.nullable(
    v.object({ everyWeeks: v.number(), count: v.number(), freeOnly: v.boolean() }),
  ),
  location: v.object({ kind: v.string(), value: v.string() }),
  locations: v.array(v.object({ kind: v.string(), value: v.string() })),
  questions: v.array(Question),
  reminders: v.array(v.object({ minutesBefore: v.number(), toHost: v.boolean() })),
  cancelCutoffHours: v.nullable(v.number()),
  maxGuests: v.number(),
  createdAt: DateTime,
  updatedAt: DateTime,
  bookingPage: v.string(),
});

/** What GET answers and PATCH does not set (`readOnlyFields`). */
export const EVENT_TYPE_READ_ONLY = readOnlyFields(
  EventType,
  ["id", "createdAt"],
  ["updatedAt", "bookingPage"],
);

/** Every field a host sets, each optional; GET's whole answer is taken back too. */
export const EventTypePatch = v.strictObject({
  ...Object.fromEntries(
    Object.entries(eventTypeFields).map(([k, s]) => [k, v.optional(s)]),
  ) as {
    [K in keyof typeof eventTypeFields]: v.OptionalSchema<(typeof eventTypeFields)[K], undefined>;
  },
  ...EVENT_TYPE_READ_ONLY.entries,
});

export const EventTypeList = v.object({ data: v.array(EventType) });
export const EventTypeIdParams = v.object({
  id: v.pipe(v.string(), v.regex(/^[0-9A-Za-z_-]{1,64}$/)),
});
