/**
 * Hosts schedule (issue 28): meeting polls, one-off links with hand-picked times, and booking
 * for a guest. Shapes only; the rules (times must be free, 2–20 of them, a poll books once) are
 * the services'.
 */
import * as v from "valibot";
import { d, DateTime, Instant, Language, parseInstant, Slug, TimeZone } from "./pieces.ts";
import { AnswersByQuestionId } from "./public.ts";

const PollState = v.pipe(
  v.picklist(["open", "booked", "closed", "expired"]),
  d("`closed`: closed by you without booking; `expired`: past its last time or answer date."),
);

/**
 * A poll as a `poll.*` webhook names it (`services/polls.ts` `pollResource`): what it was at the
 * event; `GET /polls/{id}` answers the rest (its state now, the invitees' link).
 */
export const PollSummary = v.object({
  id: v.string(),
  title: v.string(),
  times: v.array(DateTime),
  expiresAt: DateTime,
  reserved: v.pipe(v.boolean(), d("Its times are held (busy for everyone else) while it is open.")),
  bookingId: v.nullable(v.string()),
  closedAt: v.nullable(DateTime),
});

export const Poll = v.object({
  ...PollSummary.entries,
  eventTypeId: v.string(),
  state: PollState,
  url: v.pipe(v.string(), d("The invitees' link.")),
  createdAt: DateTime,
});
export const PollList = v.object({ data: v.array(Poll) });

export const PollAnswer = v.picklist(["yes", "maybe", "no"]);
export const PollAnswers = v.object({
  ...Poll.entries,
  counts: v.array(v.object({
    start: DateTime,
    yes: v.number(),
    maybe: v.number(),
    no: v.number(),
  })),
  votes: v.array(v.object({
    name: v.string(),
    email: v.string(),
    answeredAt: DateTime,
    answers: v.array(v.object({ start: DateTime, answer: PollAnswer })),
  })),
});

export const PollCreate = v.strictObject({
  eventType: v.pipe(Slug, d("The slug of one of your (personal) event types.")),
  title: v.optional(v.pipe(v.string(), v.maxLength(100), d("Default: the event type's title."))),
  times: v.pipe(
    v.array(Instant),
    v.minLength(2, "Propose at least 2 times"),
    v.maxLength(20, "Propose at most 20 times"),
    d("2–20 starts, each one of your free slots (the slots endpoint's `start`)."),
  ),
  hold: v.optional(
    v.pipe(v.boolean(), d("Reserve the times while the poll is open (busy for everyone else).")),
  ),
  until: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(40),
      v.check(
        (x) => /^\d{4}-\d{2}-\d{2}$/.test(x) || parseInstant(x) !== null,
        "Write a date (YYYY-MM-DD) or an RFC 3339 instant like 2026-11-27T17:00:00Z",
      ),
      d(
        "Answers are taken (and times held) until the end of this day in your zone, or until " +
          "this instant; default: the last time.",
      ),
    ),
  ),
});

/** Where a meeting a host books happens, chosen as a guest would on the booking form. */
const PlaceChoice = {
  location: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.maxValue(2),
      d("With more than one place offered: the index in the event type's `locations`."),
    ),
  ),
  phone: v.optional(
    v.pipe(v.string(), v.maxLength(30), d("The guest's number, when you call them.")),
  ),
};

export const PollPick = v.strictObject({
  start: v.pipe(Instant, d("One of the poll's times.")),
  ...PlaceChoice,
});

export const OneOffLink = v.object({
  id: v.string(),
  eventTypeId: v.string(),
  url: v.pipe(v.string(), d("The guest's link.")),
  note: v.string(),
  times: v.pipe(
    v.array(DateTime),
    d(
      "The times it offers (those still free are bookable). A time whose request you " +
        "rejected, or that expired unanswered, is taken off.",
    ),
  ),
  createdAt: DateTime,
  expiresAt: v.nullable(DateTime),
  state: v.pipe(
    v.picklist(["unused", "used", "expired", "revoked"]),
    d(
      "`used`: spent by the booking `bookingId`. A request through it that you reject, or " +
        "that expires unanswered, gives it back (`unused`) for its other times.",
    ),
  ),
  bookingId: v.nullable(v.string()),
});
export const OneOffLinkList = v.object({ data: v.array(OneOffLink) });

export const OneOffLinkCreate = v.strictObject({
  eventType: v.pipe(Slug, d("The slug of one of your (personal) event types.")),
  times: v.pipe(
    v.array(Instant),
    v.minLength(1, "Offer at least 1 time"),
    v.maxLength(10, "Offer at most 10 times"),
    d("1–10 starts, each one of your free slots. The link expires at the last of them."),
  ),
  note: v.optional(
    v.pipe(v.string(), v.maxLength(500), d("Shown to the guest on the link's page.")),
  ),
});

export const HostBookingCreate = v.strictObject({
  eventType: v.pipe(Slug, d("The slug of one of your (personal) event types.")),
  start: v.pipe(
    Instant,
    d(
      "The start. A start that is not one of your offered times (outside your hours, or inside them but between two offered starts) only with `outsideHours: true`.",
    ),
  ),
  name: v.pipe(v.string(), v.maxLength(100)),
  email: v.pipe(v.string(), v.maxLength(254)),
  note: v.optional(v.pipe(v.string(), v.maxLength(2000))),
  timeZone: v.optional(v.pipe(TimeZone, d("The guest's zone for their mails; default yours."))),
  language: v.optional(
    v.pipe(
      Language,
      d(
        "The guest's language (`en`, `de`, `fr` or `es`): their mails and booking pages speak " +
          "it and write times on its usual clock; default yours.",
      ),
    ),
  ),
  answers: v.optional(
    v.pipe(
      AnswersByQuestionId,
      d(
        "Answers to the event type's questions, by question id. An id the event type does " +
          "not ask is refused (400, naming the ids it asks).",
      ),
    ),
  ),
  confirmed: v.optional(
    v.pipe(
      v.boolean(),
      d("Confirmed at once even when the event type asks for confirmation (you are the one who would confirm it)."),
    ),
  ),
  outsideHours: v.optional(
    v.pipe(
      v.boolean(),
      d(
        "Allow a start that is not one of your offered times: outside your hours, or between two offered starts. Never over another booking.",
      ),
    ),
  ),
  ...PlaceChoice,
});
