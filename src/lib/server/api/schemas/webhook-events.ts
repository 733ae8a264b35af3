/**
 * What a webhook delivery's body holds, per event: the document's `webhooks` section is built
 * from this table, and the webhook tests check every body a receiver gets against it. Keyed by
 * every event the app sends (`WEBHOOK_EVENTS` and the test event), so a new event does not
 * compile until it is described here. Every body is `{ type, timestamp, data }`.
 */
import * as v from "valibot";
import { TEST_EVENT, WEBHOOK_EVENTS } from "../../domain/webhooks.ts";
import type { WebhookEvent } from "../../domain/model/records.ts";
import { d, DateTime } from "./pieces.ts";
import { Booking } from "./bookings.ts";
import { RoutingResponse } from "./forms.ts";
import { PollAnswer, PollSummary } from "./host-scheduling.ts";

/** `booking`: a booking's event, whose body carries the booking (`BOOKING_BODY_STATE`). */
type Described = { summary: string; data: v.GenericSchema; booking?: true };

/**
 * What a booking event's body says of the booking (ADR 019), in the description of every booking
 * event: one sentence, said once here.
 */
export const BOOKING_BODY_STATE = "`data.booking` is the booking as it stood when the event " +
  "was fanned out (normally within a second of the change), so it may already show a later " +
  "state than this event names: order one booking's events by `data.sequence`, and read it " +
  "through the API (`GET /bookings/{id}`) when in doubt.";

/** A booking's change (`services/webhook-delivery.ts` `fanOutEvent`). */
function bookingEvent(summary: string, reason?: string): Described {
  const entries: v.ObjectEntries = {
    sequence: v.pipe(
      v.number(),
      v.integer(),
      d("The booking's history length at this change: orders one booking's events."),
    ),
    by: v.pipe(v.nullable(v.picklist(["guest", "host", "system"])), d("Who made the change.")),
    // The booking as the API answers it, when the event was fanned out (a component: no
    // description; the event's says so, BOOKING_BODY_STATE).
    booking: Booking,
  };
  if (reason) entries.reason = v.optional(v.pipe(v.nullable(v.string()), d(reason)));
  return { summary, data: v.object(entries), booking: true };
}

export const WEBHOOK_PAYLOADS: Record<WebhookEvent | typeof TEST_EVENT, Described> = {
  "booking.requested": bookingEvent("A guest asked for a time; it waits for your confirmation."),
  "booking.confirmed": bookingEvent("A booking was confirmed (or booked at once)."),
  "booking.rejected": bookingEvent("A requested booking was declined."),
  "booking.cancelled": bookingEvent(
    "A booking was cancelled, or handed to another member or host.",
    '`"handed_over"` when the booking went to other people (it left your calendar).',
  ),
  "booking.rescheduled": bookingEvent(
    "A booking moved to another time: this is the new booking (`rescheduledFromId` names the old).",
    "What the host wrote with the move (null when there was nothing, or the guest moved it).",
  ),
  "booking.expired": bookingEvent("A request was not answered in time and lapsed."),
  "booking.updated": bookingEvent(
    "A booking's details arrived later without a change of state (its video link).",
  ),
  "form.submitted": {
    summary: "A routing form was submitted.",
    data: v.object({ response: RoutingResponse }),
  },
  "poll.created": { summary: "A meeting poll was made.", data: v.object({ poll: PollSummary }) },
  "poll.voted": {
    summary: "Someone answered a meeting poll (or changed their answer).",
    data: v.object({
      poll: PollSummary,
      answer: v.object({
        name: v.string(),
        email: v.string(),
        answers: v.array(v.object({ start: DateTime, answer: PollAnswer })),
      }),
    }),
  },
  "poll.booked": {
    summary: "A time of a meeting poll was picked and booked.",
    data: v.object({ poll: PollSummary, start: DateTime, bookingId: v.string() }),
  },
  "poll.closed": {
    summary: "A meeting poll was closed without a booking.",
    data: v.object({ poll: PollSummary }),
  },
  [TEST_EVENT]: {
    summary: "Sent by “Send test event” (the dashboard, or `POST /webhooks/{id}/test`).",
    data: v.object({ message: v.string() }),
  },
};

/** Every event the app sends, in the order the document lists them. */
export const SENT_EVENTS = [...WEBHOOK_EVENTS, TEST_EVENT] as const;

/** A delivery's whole body for `event`. */
export function webhookBody(event: keyof typeof WEBHOOK_PAYLOADS) {
  return v.object({
    type: v.literal(event),
    timestamp: v.pipe(DateTime, d("When the change happened.")),
    data: WEBHOOK_PAYLOADS[event].data,
  });
}
