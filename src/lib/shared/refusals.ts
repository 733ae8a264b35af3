/**
 * Every refusal a person or a program can get, in one table: the HTTP status, the JSON API's
 * RFC 9457 problem (`type` per reason, English `title` and `detail`: developer-facing and stable)
 * and the message key of the words people read in their own language. Pages (booking form, link
 * pages, dashboard), the API and mails read it from here, so "slot taken" reads the same
 * everywhere and a new reason is added once. Every refusal of the booking engine
 * (server/domain/booking-engine/ `Refusal`, plus the runner's `busy`) has a row.
 */
import type { MessageKey } from "./i18n.ts";

export type Refusal = {
  status: number;
  /** The API problem's `title` (English). */
  title: string;
  /** The API problem's `detail` (English). */
  detail: string;
  /**
   * What a person is told, in their language. Reasons only programs meet (bad JSON, a wrong
   * content type) have none: pages never show them. Those an assistant relays to a person through
   * the MCP endpoint (a missing key or scope, a reused idempotency key) have words too.
   */
  message?: MessageKey;
  /** The same request may succeed later (the API does not keep its answer under an Idempotency-Key). */
  retryable?: boolean;
  /** Sent as `Retry-After` (seconds) with the refusal, by pages and the API alike. */
  retryAfterS?: number;
};

export const REFUSALS = {
  // Booking a slot (book, reschedule)
  slot_taken: {
    status: 409,
    title: "Slot taken",
    detail: "That time was just taken — please pick another.",
    message: "refusal.slot_taken",
  },
  /** A guest asks for a second seat at a time where they hold one (one seat per guest per time). */
  already_seated: {
    status: 409,
    title: "Already seated",
    detail: "This guest already holds a seat at that time.",
    message: "refusal.already_seated",
  },
  /** Every seat of a seated time is taken (a cancelled seat reopens one). */
  seats_full: {
    status: 409,
    title: "Seats full",
    detail: "Every seat at that time is taken — please pick another time.",
    message: "refusal.seats_full",
  },
  slot_unavailable: {
    status: 409,
    title: "Slot not offered",
    detail: "That time is not available — please pick another.",
    message: "refusal.slot_unavailable",
  },
  /** A host moved a booking to a time outside their hours without confirming that they meant it. */
  outside_hours: {
    status: 409,
    title: "Outside your hours",
    detail:
      "That time is outside your hours. Send it again with outsideHours: true if you mean it.",
    message: "refusal.outside_hours",
  },
  /** A move to the time the booking already has: nothing would change (domain `isOwnTime`). */
  same_time: {
    status: 409,
    title: "Same time",
    detail: "The booking is already at that time. Pick another time to move it to.",
    message: "refusal.same_time",
  },
  /** The engine's bounded retries ran out under contention: answered 503 with Retry-After. */
  busy: {
    status: 503,
    title: "Too many changes at once",
    detail:
      "Many people are booking right now. Nothing was changed — please try again in a moment.",
    message: "refusal.busy",
    retryable: true,
    retryAfterS: 5,
  },
  /** A multi-person booking is still taking that time (the engine waits, then says slot_taken). */
  held: {
    status: 409,
    title: "Slot held",
    detail: "Someone is booking that time right now — please pick another.",
    message: "refusal.held",
  },
  calendar_unavailable: {
    status: 409,
    title: "Calendar unavailable",
    detail:
      "Booking is temporarily unavailable — the host's calendar cannot be checked right now. Please try again later.",
    message: "refusal.calendar_unavailable",
    retryable: true,
  },
  cap_reached: {
    status: 409,
    title: "Cap reached",
    detail: "That day is fully booked — please pick another day.",
    message: "refusal.cap_reached",
  },
  too_many_pending: {
    status: 409,
    title: "Too many pending requests",
    detail:
      "You already have several requests waiting for this host. Please wait for an answer before asking for more times.",
    message: "refusal.too_many_pending",
  },
  invalid_answers: {
    status: 400,
    title: "Invalid answers",
    detail: "Some answers to the host's questions need fixing.",
    message: "refusal.invalid_answers",
  },
  // Deciding a booking (confirm, reject, cancel, reschedule)
  already_confirmed: {
    status: 409,
    title: "Already confirmed",
    detail: "This booking is already confirmed.",
    message: "refusal.already_confirmed",
  },
  already_rejected: {
    status: 409,
    title: "Already rejected",
    detail: "This request was already rejected.",
    message: "refusal.already_rejected",
  },
  expired: {
    status: 409,
    title: "Expired",
    detail: "This request expired before it was answered.",
    message: "refusal.expired",
  },
  cancelled: {
    status: 409,
    title: "Cancelled",
    detail: "This booking was cancelled.",
    message: "refusal.cancelled",
  },
  /** The booking was moved: its successor (linked from its pages) is the one to act on. */
  moved: {
    status: 409,
    title: "Moved",
    detail: "This booking was moved to another time. Act on the booking that replaced it.",
    message: "refusal.moved",
  },
  not_pending: {
    status: 409,
    title: "Not pending",
    detail: "This request is no longer open.",
    message: "refusal.not_pending",
  },
  /** "Request new time" of a request still waiting for the host's decision. */
  not_confirmed: {
    status: 409,
    title: "Not confirmed",
    detail:
      "This request is still waiting for a decision: confirm it first, or reject it with a message asking for another time.",
    message: "refusal.not_confirmed",
  },
  meeting_over: {
    status: 409,
    title: "Meeting over",
    detail: "This meeting has already taken place; it can no longer be moved.",
    message: "refusal.meeting_over",
  },
  too_late: {
    status: 409,
    title: "Too late to change",
    detail: "The host asks for changes to be made earlier than this. Please write to the host.",
    message: "refusal.too_late",
  },
  // The engine's own
  /** An `extra` write checked absent was there: the same change was already made. */
  conflict: {
    status: 409,
    title: "Already done",
    detail: "This was already done by an earlier request. Nothing was changed.",
    message: "refusal.conflict",
  },
  not_supported: {
    status: 409,
    title: "Not supported",
    detail: "This booking cannot be changed this way. Please write to the host.",
    message: "refusal.not_supported",
  },
  /** The change would not fit one atomic write (e.g. a store whose cleanup is far behind). */
  too_large: {
    status: 503,
    title: "Too much at once",
    detail: "This change cannot be made right now. Nothing was changed — please try again later.",
    message: "refusal.too_large",
    retryable: true,
    retryAfterS: 60,
  },
  duplicate_request: {
    status: 409,
    title: "Already done",
    detail: "A request with this Idempotency-Key already made this change.",
    message: "refusal.duplicate_request",
  },
  /** "Request reschedule" of a team's booking: the guest's new pick would bypass the team. */
  team_booking: {
    status: 409,
    title: "Team booking",
    detail:
      "A team's booking cannot ask the guest to pick a new time yet. Move it to a time the team offers, or cancel it.",
    message: "refusal.team_booking",
  },
  /** "Request reschedule" of a meeting with several invitees (a poll's): the host moves it. */
  invitees_meeting: {
    status: 409,
    title: "Meeting with several invitees",
    detail:
      "A meeting with several invitees (booked from a poll) cannot ask one of them to pick a new time: move it to another time for everyone, or cancel it.",
    message: "refusal.invitees_meeting",
  },
  /**
   * A series' confirm or reject reached some dates but not all (their writes failed for now): the
   * pressed date is left undecided and nothing is mailed; the same press again finishes it.
   */
  series_partial: {
    status: 409,
    title: "Series not finished",
    detail:
      "Some dates of this series could not be decided just now (listed in `failed`); the others are. Nothing was sent to the guest yet: send the same request again to finish the series.",
    message: "refusal.series_partial",
    retryable: true,
    retryAfterS: 5,
  },
  /**
   * A host books for a guest on a repeating event type: the series is the guest's to book from
   * its page (every date free, all or nothing; ADR 048).
   */
  series_by_guest: {
    status: 409,
    title: "Booked by the guest",
    detail:
      "This event type repeats: the guest books the series from its booking page. Send them its link, or pick an event type that does not repeat.",
    message: "refusal.series_by_guest",
  },
  /**
   * A series booked "free dates only" names a free date in `skip`: only dates not free are left
   * out (the host's setting; every mail says a skipped date "was not free"). An old page whose
   * taken date was freed meanwhile sends one: the guest looks at the dates again.
   */
  series_skip_free: {
    status: 409,
    title: "Skipped date is free",
    detail:
      "A date named in `skip` is free: a series leaves out only dates that are not free. Send the request again without it.",
    message: "refusal.series_skip_free",
  },
  // Meeting polls
  /** A pick, vote or close of a poll that was booked, closed or has expired. */
  poll_closed: {
    status: 409,
    title: "Poll closed",
    detail: "This poll is closed: a time was booked, it was closed, or it has expired.",
    message: "poll.closed",
  },
  /** A pick before anyone answered: there is nobody to book it for. */
  no_votes: {
    status: 409,
    title: "No answers yet",
    detail: "Nobody has answered this poll yet, so there is nobody to book the time for.",
    message: "poll.no_votes",
  },
  /** A pick while the poll's event type is switched off (switched on again, the pick books). */
  poll_event_type_off: {
    status: 409,
    title: "Event type switched off",
    detail:
      "This poll's event type is switched off, so no time can be booked from the poll. Switch the event type on, then pick again.",
    message: "poll.event_type_off_refusal",
  },
  /** A pick after the poll's event type was deleted: the poll can no longer book. */
  poll_event_type_deleted: {
    status: 409,
    title: "Event type deleted",
    detail:
      "This poll's event type has been deleted, so no time can be booked from the poll. Close the poll, or make a new one.",
    message: "poll.event_type_deleted_refusal",
  },
  // Single-use links
  link_used: {
    status: 410,
    title: "Link used",
    detail: "This link has been used. Each link books one meeting; ask the host for a new one.",
    message: "refusal.link_used",
  },
  link_expired: {
    status: 410,
    title: "Link expired",
    detail: "This link has expired. Ask the host for a new one.",
    message: "refusal.link_expired",
  },
  link_not_found: {
    status: 404,
    title: "Link not found",
    detail: "This link does not work. Ask the host for a new one.",
    message: "refusal.link_not_found",
  },
  wrong_email: {
    status: 409,
    title: "Wrong email",
    detail: "This link was made for another email address. Use the address the host sent it to.",
    message: "refusal.wrong_email",
  },
  /** A suspended host's public doors (booking pages answer the same 410, issue 32). */
  host_not_taking_bookings: {
    status: 410,
    title: "Not taking bookings",
    detail:
      "This host is not taking bookings at the moment. Meetings already booked are not affected.",
    message: "refusal.host_not_taking_bookings",
  },
  // Anything
  not_found: {
    status: 404,
    title: "Not found",
    detail: "There is nothing at this address.",
    message: "refusal.not_found",
  },
  slug_taken: {
    status: 409,
    title: "Slug taken",
    detail: "You already have an event type with this URL slug.",
    message: "refusal.slug_taken",
  },
  meeting_needs_calendar: {
    status: 400,
    title: "Calendar needed",
    detail:
      "Google Meet needs bookings written to a Google calendar, Microsoft Teams to a Microsoft 365 calendar (one of them per event type). Choose it on the Calendars page first.",
    message: "refusal.meeting_needs_calendar",
  },
  bad_date: {
    status: 400,
    title: "Bad date",
    detail: "That is not a date range we understand.",
    message: "refusal.bad_date",
  },
  // The JSON API's own
  validation: {
    status: 400,
    title: "Invalid request",
    detail: "Some fields need fixing; see `errors`.",
    message: "refusal.validation",
  },
  invalid_json: {
    status: 400,
    title: "Invalid JSON",
    detail: "The request body is not valid JSON.",
  },
  unauthorized: {
    status: 401,
    title: "Unauthorized",
    detail: "Send a valid API key as `Authorization: Bearer …`.",
    message: "refusal.unauthorized",
  },
  forbidden_scope: {
    status: 403,
    title: "Missing scope",
    detail: "This API key lacks the scope this request needs.",
    message: "refusal.forbidden_scope",
  },
  method_not_allowed: {
    status: 405,
    title: "Method not allowed",
    detail: "This address does not answer that method.",
  },
  payload_too_large: {
    status: 413,
    title: "Payload too large",
    detail: "The request body is too large.",
  },
  request_timeout: {
    status: 408,
    title: "Request timeout",
    detail: "The request body did not arrive in time.",
    retryable: true,
  },
  unsupported_media_type: {
    status: 415,
    title: "Unsupported media type",
    detail: "Send the body as `Content-Type: application/json`.",
  },
  unsupported_content_encoding: {
    status: 415,
    title: "Unsupported content encoding",
    detail: "Send the body uncompressed (without `Content-Encoding`, or `identity`).",
  },
  idempotency_key_missing: {
    status: 400,
    title: "Idempotency-Key missing",
    detail: "This request changes state: send an `Idempotency-Key` header (a UUID is best).",
  },
  idempotency_key_reused: {
    status: 409,
    title: "Idempotency-Key reused",
    detail: "This Idempotency-Key was used with a different request.",
    message: "refusal.idempotency_key_reused",
  },
  idempotency_in_progress: {
    status: 409,
    title: "Request in progress",
    detail: "A request with this Idempotency-Key is still running; retry in a moment.",
    message: "refusal.idempotency_in_progress",
    retryable: true,
  },
  rate_limited: {
    status: 429,
    title: "Too many requests",
    detail: "Too many requests; wait for the time in `Retry-After`.",
    message: "refusal.rate_limited",
    retryable: true,
  },
  internal: {
    status: 500,
    title: "Internal error",
    detail: "Something went wrong on our side. Please try again.",
    message: "errors.our_side",
    retryable: true,
  },
} as const satisfies Record<string, Refusal>;

export type RefusalReason = keyof typeof REFUSALS;

/** Whether the same request may succeed later (then its answer is not kept for a retry). */
export function isRetryable(reason: RefusalReason): boolean {
  return (REFUSALS[reason] as Refusal).retryable === true;
}

export function isRefusalReason(reason: string): reason is RefusalReason {
  return Object.hasOwn(REFUSALS, reason);
}

/** The `Retry-After` seconds a reason is answered with, or null. */
export function retryAfterOf(reason: string): number | null {
  return isRefusalReason(reason) ? (REFUSALS[reason] as Refusal).retryAfterS ?? null : null;
}

/** The HTTP status of a reason (409 for one this table does not know). */
export function refusalStatus(reason: string): number {
  return isRefusalReason(reason) ? REFUSALS[reason].status : 409;
}

/**
 * The message key of a reason's words for people; `fallback` for a reason this table does not
 * know or that pages never show ("not available" unless the caller knows better).
 */
export function refusalKey(
  reason: string,
  fallback: MessageKey = "refusal.slot_unavailable",
): MessageKey {
  return (isRefusalReason(reason) ? (REFUSALS[reason] as Refusal).message : undefined) ?? fallback;
}

/** The stable RFC 9457 problem type of a reason: a link into the API reference. */
export function problemType(baseUrl: string, reason: RefusalReason): string {
  return `${baseUrl.replace(/\/$/, "")}/docs/api#problem-${reason.replaceAll("_", "-")}`;
}
