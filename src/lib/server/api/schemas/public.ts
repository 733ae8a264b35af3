/** Public: a host's event types, free slots, and a guest's booking request. */
import * as v from "valibot";
import {
  DURATION_MAX,
  MAX_OPTIONS,
  QUESTION_ID_RE,
} from "../../../shared/forms/event-type-options.ts";
import { MAX_RANGE_DAYS } from "../../services/slot-range.ts";
import { GUESTS_MAX, SOURCE_MAX } from "../../../shared/booking-extras.ts";

const SourceValue = v.optional(v.pipe(v.string(), v.maxLength(2000)));
import { Clock, d, DateTime, Instant, IsoDate, Slug, TimeZone, Username } from "./pieces.ts";

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
  photoUrl: v.pipe(
    v.nullable(v.string()),
    d("The host's photo: a path on this server (`/calendar/{username}/photo?v=…`), or null."),
  ),
});

export const PublicEventType = v.object({
  slug: v.string(),
  title: v.string(),
  description: v.string(),
  durationMin: v.pipe(v.number(), v.integer()),
  durations: v.pipe(v.array(v.pipe(v.number(), v.integer())), d("Lengths a guest may choose.")),
  requiresConfirmation: v.boolean(),
  location: v.pipe(v.string(), d("Where the meeting happens, in words.")),
  locations: v.pipe(
    v.array(v.object({ kind: v.string(), label: v.string() })),
    d("The places offered; with more than one, a booking names its choice (`location`: the index)."),
  ),
  questions: v.array(Question),
  maxGuests: v.pipe(
    v.number(),
    v.integer(),
    d("How many extra attendees a booking may invite (`guests`); 0: none."),
  ),
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

export const SlotsQuery = v.strictObject({
  start: v.pipe(IsoDate, d("First date (in `timeZone`).")),
  end: v.pipe(
    IsoDate,
    d(
      `Last date, inclusive: at most ${MAX_RANGE_DAYS - 1} days after \`start\` ` +
        `(${MAX_RANGE_DAYS} dates in all).`,
    ),
  ),
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

/**
 * A booking's answers as both booking bodies take them: text by question id. The words say the
 * shape, since a list like the booking's own `answers` (its GET) is the likely mistake.
 */
export const AnswersByQuestionId = v.record(
  v.pipe(
    v.string(),
    v.regex(QUESTION_ID_RE, "Not a question id: letters, digits, - and _ (at most 32)"),
  ),
  v.pipe(
    v.string('An answer is text, sent by question id, like {"topic": "…"}'),
    v.maxLength(2000),
  ),
);

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
      AnswersByQuestionId,
      d(
        'Answers by question id; a checkbox is answered `"true"`. An id the event type does ' +
          "not ask is refused (400, naming the ids it asks).",
      ),
    ),
  ),
  location: v.optional(
    v.pipe(
      v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2)),
      d("With more than one place offered: the index in the event type's `locations`."),
    ),
  ),
  phone: v.optional(
    v.pipe(v.string(), v.maxLength(30), d("The guest's number, when the host calls them.")),
  ),
  guests: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.maxLength(254))),
      v.maxLength(GUESTS_MAX),
      d(
        "Extra attendees' addresses (at most the event type's `maxGuests`): each is invited " +
          "with the meeting and told of its end.",
      ),
    ),
  ),
  source: v.optional(
    v.pipe(
      v.object({
        utm_source: SourceValue,
        utm_medium: SourceValue,
        utm_campaign: SourceValue,
        utm_term: SourceValue,
        utm_content: SourceValue,
        ref: SourceValue,
      }),
      d(
        "Where the guest came from (UTM parameters and a free `ref`). Control characters are " +
          `removed; a value longer than ${SOURCE_MAX} characters is ignored.`,
      ),
    ),
  ),
  skip: v.optional(
    v.pipe(
      v.array(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(51))),
      v.maxLength(51),
      d(
        "A repeating event type whose host allows the free dates only: the dates to leave out, by place (0 is the first date and cannot be skipped): only dates that are not free (a refusal's `notFree`); a free one is refused as `series_skip_free`. Every other date must be free.",
      ),
    ),
  ),
});
