/** Bookings: the booking resource, its list, and the host's changes. */
import * as v from "valibot";
import { d, DateTime, Instant, Ulid } from "./pieces.ts";

export const BookingLinks = v.object({
  manage: v.string(),
  cancel: v.string(),
  reschedule: v.string(),
  ics: v.string(),
});

const TeamPerson = v.object({
  id: v.string(),
  name: v.nullable(v.string()),
  username: v.nullable(v.string()),
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
  seat: v.pipe(
    v.nullable(v.object({
      meetingId: v.pipe(
        v.string(),
        d("The meeting this seat shares with the time's other guests."),
      ),
      taken: v.pipe(
        v.nullable(v.pipe(v.number(), v.integer())),
        d(
          "Seats of this time live now (pending within their hold, or confirmed); null in a " +
            "guest's own answer when the host hides the count.",
        ),
      ),
      capacity: v.pipe(
        v.nullable(v.pipe(v.number(), v.integer())),
        d("Seats per time of the event type (null when it no longer offers seats)."),
      ),
    })),
    d(
      "A seat of a seated time (null for a one-guest booking). Webhook payloads carry the same " +
        "object, counted when the event was sent.",
    ),
  ),
  additionalGuests: v.pipe(
    v.array(v.string()),
    d("Extra attendees the guest invited (their addresses); invited and told of changes."),
  ),
  declined: v.pipe(
    v.array(v.object({ name: v.string(), email: v.string(), declinedAt: DateTime })),
    d(
      "A meeting poll's invitees who said they cannot come, in that order: no longer attending " +
        "(an additional guest leaves `additionalGuests`; a declined guest stays `guest`). The " +
        "last one declining cancels the booking.",
    ),
  ),
  source: v.pipe(
    v.nullable(v.object({
      utm_source: v.optional(v.string()),
      utm_medium: v.optional(v.string()),
      utm_campaign: v.optional(v.string()),
      utm_term: v.optional(v.string()),
      utm_content: v.optional(v.string()),
      ref: v.optional(v.string()),
    })),
    d("Where the guest came from: the booking page URL's UTM parameters and `ref` (null: none)."),
  ),
  series: v.pipe(
    v.nullable(v.object({
      id: v.string(),
      index: v.number(),
      count: v.number(),
      skipped: v.pipe(
        v.array(DateTime),
        d(
          "The starts of the series' dates that were not free and are not booked (an event type that books the free dates only), in order; empty when every date was booked. `count` does not count them.",
        ),
      ),
    })),
    d(
      "A date of a recurring series: the series' id, this date's place (0-based) and how many dates were booked. Each date is a booking of its own; webhooks come per date.",
    ),
  ),
  team: v.pipe(
    v.nullable(v.object({
      id: v.pipe(v.string(), d("The team (`GET /teams`).")),
      host: v.pipe(
        TeamPerson,
        d("The member who hosts it: a round robin's assigned member, a collective's organiser."),
      ),
      people: v.pipe(
        v.array(TeamPerson),
        d("Everyone attending for the team (a round robin's: the host alone)."),
      ),
    })),
    d(
      "A team's booking (null for a booking of your own): who hosts it and who attends. Names " +
        "and usernames only; a member whose account is gone reads null for both.",
    ),
  ),
  links: v.optional(
    v.pipe(BookingLinks, d("Only in the answer to the guest who booked: their own links.")),
  ),
});

export const SeatedTime = v.object({
  meetingId: v.pipe(v.string(), d("The meeting every seat of this time shares.")),
  start: DateTime,
  capacity: v.pipe(
    v.nullable(v.pipe(v.number(), v.integer())),
    d("Seats per time (null when the event type no longer offers seats)."),
  ),
  taken: v.pipe(v.number(), v.integer(), d("Live seats: pending within their hold, or confirmed.")),
  attendees: v.pipe(
    v.array(v.object({
      bookingId: v.string(),
      name: v.string(),
      email: v.string(),
      state: v.picklist(["pending", "confirmed"]),
    })),
    d("The live seats' guests, in the order they took their seats."),
  ),
});

export const MeetingCancelled = v.object({
  meetingId: v.pipe(v.string(), d("The meeting every seat of this time shared.")),
  start: DateTime,
  cancelled: v.pipe(
    v.number(),
    v.integer(),
    d(
      "Seats this request cancelled (a guest's own cancel meanwhile is not counted). Every " +
        "live seat of the meeting is cancelled, and the time is free again.",
    ),
  ),
});

export const BookingPage = v.object({
  data: v.array(Booking),
  nextCursor: v.pipe(
    v.nullable(v.string()),
    d(
      "Pass as `cursor` for the next page; null on the last page. A filtered list is read in " +
        "bounded steps, so a page may hold fewer than `limit` bookings, or none, and still " +
        "have a next one: follow the cursor until it is null.",
    ),
  ),
});

export const BookingListQuery = v.strictObject({
  status: v.optional(v.picklist(["pending", "confirmed", "rejected", "expired", "cancelled"])),
  from: v.optional(v.pipe(Instant, d("Bookings starting at or after this instant."))),
  to: v.optional(
    v.pipe(Instant, d("Bookings starting before this instant (not before `from`).")),
  ),
  eventType: v.optional(v.pipe(v.string(), v.maxLength(64), d("Event type id or slug."))),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,200}$/, "Not a cursor"))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^(100|[1-9]\d?)$/, "1 to 100"))),
});

/** A team's bookings: the same filters as your own, but by event type (every one is the team's). */
export const TeamBookingListQuery = v.omit(BookingListQuery, ["eventType"]);
export const TeamParams = v.object({ teamId: Ulid });
export const IdParams = v.object({ id: Ulid });
export const TeamBookingParams = v.object({ teamId: Ulid, id: Ulid });
export const Reason = v.strictObject({
  reason: v.optional(v.pipe(v.string(), v.maxLength(500))),
});
/** A cancel: the reason, and for a date of a recurring series whether the later dates go too. */
export const CancelBody = v.strictObject({
  reason: v.optional(v.pipe(v.string(), v.maxLength(500))),
  scope: v.optional(
    v.pipe(
      v.picklist(["one", "rest"]),
      d(
        "A date of a recurring series: `rest` cancels it and every later date still on, `one` " +
          "(the default) this date alone. Ignored for other bookings.",
      ),
    ),
  ),
});
export const Empty = v.strictObject({});
export const RescheduleBody = v.strictObject({
  start: v.pipe(Instant, d("The new start: a slot's `start` from the slots endpoint.")),
  reason: v.optional(
    v.pipe(v.string(), v.maxLength(500), d("Shown to the guest with the new time.")),
  ),
  outsideHours: v.optional(
    v.pipe(
      v.boolean(),
      d(
        "Allow a start that is not one of your offered times: outside your hours, or between " +
          "two offered starts (refused as `outside_hours` without it). Never over another booking.",
      ),
    ),
  ),
});
