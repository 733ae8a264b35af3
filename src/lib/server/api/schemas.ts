/**
 * The JSON API's shapes, as valibot schemas. Requests are validated with them, and the OpenAPI
 * document (`/api/v1/openapi.json`) is generated from the very same objects by
 * `@valibot/to-json-schema`, so the reference cannot drift from what the server accepts.
 * Domain rules beyond shape (a slot is offered, an event type's lengths agree, a question's
 * options) stay where they live: the booking form schema, the event type form, the services.
 */
import * as v from "valibot";
import {
  BUFFER_MAX_MIN,
  CAP_MAX,
  CUTOFF_MAX_HOURS,
  DURATION_MAX,
  DURATION_MIN,
  LOCATION_MAX,
  MAX_OPTIONS,
  MAX_OVERRIDES,
  MAX_QUESTIONS,
  MAX_RANGES_PER_DAY,
  MAX_REMINDERS,
  MAX_TIME_OFF,
  NOTICE_MAX_MIN,
  QUESTION_ID_RE,
  REMINDER_MAX_MIN,
  REMINDER_MIN_MIN,
  SLUG_RE,
  TIME_OFF_REASON_MAX,
} from "../../shared/forms.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { WEBHOOK_EVENTS } from "../domain/webhooks.ts";
import { MAX_RANGE_DAYS } from "../services/public-calendar.ts";

const d = v.description;

// --- pieces ------------------------------------------------------------------------------------

export const Ulid = v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/, "Not an id of ours"));
export const Username = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?$/, "Not a username"),
);
export const Slug = v.pipe(v.string(), v.regex(SLUG_RE, "Not an event type slug"));
export const TimeZone = v.pipe(
  v.string(),
  v.maxLength(64, "Not a time zone"),
  v.check(isValidTimeZone, "Use an IANA time zone like Europe/Berlin"),
  d("IANA time zone, e.g. `Europe/Berlin`."),
);
const IsoDate = v.pipe(v.string(), v.isoDate("Write dates as YYYY-MM-DD"));
const Instant = v.pipe(
  v.string(),
  v.isoTimestamp("Use an ISO-8601 instant like 2026-11-23T08:00:00Z"),
);
const DateTime = v.pipe(v.string(), v.isoTimestamp());
const Clock = v.picklist(["12h", "24h"]);
const Event = v.picklist(WEBHOOK_EVENTS as WebhookEventTuple);
type WebhookEventTuple = [
  "booking.requested",
  "booking.confirmed",
  "booking.rejected",
  "booking.cancelled",
  "booking.rescheduled",
  "booking.expired",
];
const HhMm = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "Use HH:MM"));

export const Problem = v.pipe(
  v.object({
    type: v.pipe(v.string(), d("Stable URI of the refusal reason (links to this reference).")),
    title: v.string(),
    status: v.pipe(v.number(), v.integer()),
    detail: v.string(),
    reason: v.pipe(v.string(), d("The reason as a short token, e.g. `slot_taken`.")),
    errors: v.optional(v.array(v.object({ field: v.string(), message: v.string() }))),
  }),
  d("RFC 9457 problem details."),
);

// --- public ------------------------------------------------------------------------------------

export const Question = v.object({
  id: v.pipe(v.string(), v.regex(QUESTION_ID_RE)),
  label: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  type: v.picklist(["short", "long", "choice", "checkbox", "phone"]),
  required: v.boolean(),
  options: v.optional(
    v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(100))), v.maxLength(MAX_OPTIONS)),
  ),
});

export const PublicHost = v.object({
  name: v.string(),
  username: v.string(),
  timeZone: v.string(),
});

export const PublicEventType = v.object({
  slug: v.string(),
  title: v.string(),
  description: v.string(),
  durationMin: v.pipe(v.number(), v.integer()),
  durations: v.pipe(v.array(v.pipe(v.number(), v.integer())), d("Lengths a guest may choose.")),
  requiresConfirmation: v.boolean(),
  location: v.pipe(v.string(), d("Where the meeting happens, in words.")),
  questions: v.array(Question),
  links: v.object({
    page: v.pipe(v.string(), d("The booking page for people.")),
    slots: v.pipe(v.string(), d("The slots endpoint for this event type.")),
  }),
});

export const HostEventTypes = v.object({
  host: PublicHost,
  eventTypes: v.array(PublicEventType),
});

export const PublicEventTypeWithHost = v.object({
  host: PublicHost,
  eventType: PublicEventType,
});

export const UsernameParams = v.object({ username: Username });
export const UsernameSlugParams = v.object({ username: Username, slug: Slug });

export const SlotsQuery = v.object({
  start: v.pipe(IsoDate, d("First date (in `timeZone`).")),
  end: v.pipe(IsoDate, d(`Last date, inclusive; at most ${MAX_RANGE_DAYS} days after start.`)),
  timeZone: TimeZone,
  duration: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, "Minutes as a whole number"),
      d("One of the event type's `durations`; default its `durationMin`."),
    ),
  ),
});

export const Slot = v.object({
  start: v.pipe(DateTime, d("UTC instant; send it back as `start` to book.")),
  end: DateTime,
  local: v.pipe(v.string(), d("The start as wall time in `timeZone`, with its offset.")),
});

export const SlotsResponse = v.object({
  timeZone: v.string(),
  durationMin: v.pipe(v.number(), v.integer()),
  start: v.string(),
  end: v.string(),
  unavailable: v.pipe(
    v.boolean(),
    d("True when the host's calendar cannot be checked: no slots are offered where it cannot vouch."),
  ),
  slots: v.array(Slot),
});

export const BookingCreate = v.strictObject({
  username: Username,
  eventType: v.pipe(Slug, d("The event type's slug.")),
  start: v.pipe(Instant, d("A slot's `start` from the slots endpoint.")),
  durationMin: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(DURATION_MAX))),
  timeZone: v.pipe(TimeZone, d("The guest's zone: their mails show times in it.")),
  clock: v.optional(v.pipe(Clock, d("How the guest's mails write times."))),
  name: v.pipe(v.string(), v.maxLength(100)),
  email: v.pipe(v.string(), v.maxLength(254)),
  note: v.optional(v.pipe(v.string(), v.maxLength(2000))),
  answers: v.optional(
    v.pipe(
      v.record(v.pipe(v.string(), v.regex(QUESTION_ID_RE)), v.pipe(v.string(), v.maxLength(2000))),
      d('Answers by question id; a checkbox is answered `"true"`.'),
    ),
  ),
});

// --- bookings ----------------------------------------------------------------------------------

export const BookingLinks = v.object({
  manage: v.string(),
  cancel: v.string(),
  reschedule: v.string(),
  ics: v.string(),
});

export const Booking = v.object({
  id: v.string(),
  status: v.picklist(["PENDING", "CONFIRMED", "REJECTED", "CANCELLED"]),
  state: v.picklist(["pending", "confirmed", "rejected", "expired", "cancelled"]),
  eventType: v.object({ id: v.string(), slug: v.nullable(v.string()), title: v.string() }),
  start: DateTime,
  end: DateTime,
  durationMin: v.pipe(v.number(), v.integer()),
  guestStart: v.pipe(v.string(), d("The start as the guest's wall time, with offset and zone.")),
  hostTimeZone: v.string(),
  guest: v.object({
    name: v.string(),
    email: v.string(),
    timeZone: v.string(),
    note: v.string(),
  }),
  answers: v.array(v.object({ questionId: v.string(), label: v.string(), value: v.string() })),
  location: v.nullable(v.object({ kind: v.string(), value: v.string() })),
  createdAt: DateTime,
  decidedAt: v.nullable(DateTime),
  holdUntil: v.pipe(v.nullable(DateTime), d("A pending request holds its time until then.")),
  endReason: v.nullable(v.string()),
  cancelReason: v.nullable(v.string()),
  rescheduledFromId: v.nullable(v.string()),
  rescheduledToId: v.nullable(v.string()),
  links: v.optional(
    v.pipe(BookingLinks, d("Only in the answer to the guest who booked: their own links.")),
  ),
});

export const BookingPage = v.object({
  data: v.array(Booking),
  nextCursor: v.pipe(v.nullable(v.string()), d("Pass as `cursor` for the next page.")),
});

export const BookingListQuery = v.object({
  status: v.optional(v.picklist(["pending", "confirmed", "rejected", "expired", "cancelled"])),
  from: v.optional(v.pipe(Instant, d("Bookings starting at or after this instant."))),
  to: v.optional(v.pipe(Instant, d("Bookings starting before this instant."))),
  eventType: v.optional(v.pipe(v.string(), v.maxLength(64), d("Event type id or slug."))),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,200}$/, "Not a cursor"))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^(100|[1-9]\d?)$/, "1 to 100"))),
});

export const IdParams = v.object({ id: Ulid });
export const Reason = v.strictObject({
  reason: v.optional(v.pipe(v.string(), v.maxLength(500))),
});
export const Empty = v.strictObject({});
export const RescheduleBody = v.strictObject({
  start: v.pipe(Instant, d("The new start: a slot's `start` from the slots endpoint.")),
});

// --- me, event types, availability -------------------------------------------------------------

export const Me = v.object({
  id: v.string(),
  name: v.string(),
  username: v.string(),
  email: v.string(),
  timeZone: v.string(),
  bookingPage: v.string(),
  apiKey: v.object({
    id: v.string(),
    name: v.string(),
    scopes: v.array(v.picklist(["read", "write"])),
    expiresAt: v.nullable(DateTime),
  }),
});

const Location = v.object({
  kind: v.picklist(["none", "in_person", "phone", "video", "custom"]),
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
  location: Location,
  questions: v.pipe(v.array(QuestionIn), v.maxLength(MAX_QUESTIONS)),
  reminders: v.pipe(v.array(Reminder), v.maxLength(MAX_REMINDERS)),
  cancelCutoffHours: intOrNull(1, CUTOFF_MAX_HOURS),
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

export const EventTypePatch = v.strictObject(
  Object.fromEntries(
    Object.entries(eventTypeFields).map(([k, s]) => [k, v.optional(s)]),
  ) as {
    [K in keyof typeof eventTypeFields]: v.OptionalSchema<(typeof eventTypeFields)[K], undefined>;
  },
);

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
  location: v.object({ kind: v.string(), value: v.string() }),
  questions: v.array(Question),
  reminders: v.array(v.object({ minutesBefore: v.number(), toHost: v.boolean() })),
  cancelCutoffHours: v.nullable(v.number()),
  createdAt: DateTime,
  updatedAt: DateTime,
  bookingPage: v.string(),
});

export const EventTypeList = v.object({ data: v.array(EventType) });
export const EventTypeIdParams = v.object({
  id: v.pipe(v.string(), v.regex(/^[0-9A-Za-z_-]{1,64}$/)),
});

const Range = v.strictObject({ start: HhMm, end: HhMm });
const Ranges = v.pipe(v.array(Range), v.maxLength(MAX_RANGES_PER_DAY));
const Weekly = v.pipe(
  v.strictObject({
    "1": Ranges,
    "2": Ranges,
    "3": Ranges,
    "4": Ranges,
    "5": Ranges,
    "6": Ranges,
    "7": Ranges,
  }),
  d("Hours per ISO weekday (1 = Monday … 7 = Sunday) in the host's zone."),
);
const Override = v.strictObject({
  date: IsoDate,
  ranges: v.pipe(Ranges, d("The date's own hours; empty = unavailable that day.")),
});
const TimeOffEntry = v.strictObject({
  from: IsoDate,
  to: v.pipe(IsoDate, d("Last day, inclusive.")),
  reason: v.optional(v.pipe(v.string(), v.maxLength(TIME_OFF_REASON_MAX))),
});

export const Availability = v.object({
  timeZone: v.string(),
  weekly: Weekly,
  overrides: v.array(Override),
  timeOff: v.array(TimeOffEntry),
});

export const AvailabilityPut = v.strictObject({
  weekly: v.optional(Weekly),
  overrides: v.optional(v.pipe(v.array(Override), v.maxLength(MAX_OVERRIDES))),
  timeOff: v.optional(v.pipe(v.array(TimeOffEntry), v.maxLength(MAX_TIME_OFF))),
});

// --- webhooks ----------------------------------------------------------------------------------

export const Subscription = v.object({
  id: v.string(),
  url: v.string(),
  description: v.string(),
  events: v.array(v.string()),
  enabled: v.boolean(),
  disabledReason: v.nullable(v.string()),
  failingSince: v.nullable(DateTime),
  lastSuccess: v.nullable(DateTime),
  createdAt: DateTime,
  activeSecrets: v.number(),
  previousSecretExpiresAt: v.nullable(DateTime),
});
export const SubscriptionWithSecret = v.object({
  subscription: Subscription,
  secret: v.pipe(
    v.string(),
    d("`whsec_…`: shown only in this answer. Verify with any Standard Webhooks library."),
  ),
});
export const SubscriptionList = v.object({ data: v.array(Subscription) });
export const SubscriptionCreate = v.strictObject({
  url: v.pipe(v.string(), v.maxLength(2000)),
  events: v.pipe(v.array(Event), v.minLength(1), v.maxLength(WEBHOOK_EVENTS.length)),
  description: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
export const SubscriptionPatch = v.strictObject({
  url: v.optional(v.pipe(v.string(), v.maxLength(2000))),
  events: v.optional(v.pipe(v.array(Event), v.minLength(1), v.maxLength(WEBHOOK_EVENTS.length))),
  description: v.optional(v.pipe(v.string(), v.maxLength(200))),
  enabled: v.optional(v.boolean()),
});
export const Delivery = v.object({
  id: v.string(),
  messageId: v.pipe(v.string(), d("The `webhook-id` sent.")),
  event: v.string(),
  attempt: v.number(),
  at: DateTime,
  durationMs: v.number(),
  status: v.pipe(v.nullable(v.number()), d("HTTP status; null when no answer came.")),
  ok: v.boolean(),
  error: v.nullable(v.string()),
  responseExcerpt: v.string(),
  nextRetryAt: v.nullable(DateTime),
});
export const DeliveryList = v.object({ data: v.array(Delivery) });
export const MessageParams = v.object({
  id: Ulid,
  messageId: v.pipe(v.string(), v.regex(/^msg_[0-9A-Z]{26}$/)),
});
export const TestEventAnswer = v.object({ messageId: v.string() });

/** Every named schema, as components of the OpenAPI document. */
export const COMPONENTS = {
  Problem,
  Question,
  PublicHost,
  PublicEventType,
  HostEventTypes,
  PublicEventTypeWithHost,
  Slot,
  SlotsResponse,
  BookingCreate,
  BookingLinks,
  Booking,
  BookingPage,
  Reason,
  RescheduleBody,
  Me,
  EventTypeCreate,
  EventTypePatch,
  EventType,
  EventTypeList,
  Availability,
  AvailabilityPut,
  Subscription,
  SubscriptionWithSecret,
  SubscriptionList,
  SubscriptionCreate,
  SubscriptionPatch,
  Delivery,
  DeliveryList,
  TestEventAnswer,
} as const;
