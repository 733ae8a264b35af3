import type { BookingSource } from "../../shared/booking-extras.ts";
/**
 * What booking a slot and booking a series share (services/book-slot.ts, book-series.ts): the
 * request and its answer, whether a start is offered by the host's rules, the link tokens a new
 * booking needs, and an engine refusal in the words of a booking request.
 */
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { computeSlots } from "../domain/slots.ts";
import { eventTypeRules } from "../domain/event-rules.ts";
import type { ExtraWrite, Refusal } from "../domain/booking-engine/index.ts";
import { getAvailabilityCached } from "../store/availability.ts";
import type {
  BookingRecord,
  EventTypeRecord,
  Location,
  UserRecord,
} from "../domain/model/records.ts";
import { newId } from "../store/users.ts";
import { randomToken } from "../util/digest.ts";
import { seatsOf } from "../domain/seats.ts";

/** Called after each step of a series' protocol, for tests that stop it midway (a crash). */
export type SeriesStep = (step: "open" | "hold" | "commit", held?: number) => Promise<void> | void;

/** What a guest's form or request gave, checked: every booking it makes carries all of it. */
export type GuestChecked = {
  answers: BookingRecord["answers"];
  location: Location;
  additionalGuests: string[];
  source: BookingSource | null;
};

export type BookInput = {
  username: string;
  slug: string;
  start: string;
  name: string;
  email: string;
  note: string;
  timeZone: string;
  durationMin?: number | null;
  /** How the guest writes times; their mails and booking page follow it. */
  clock?: "12h" | "24h";
  /** The guest's language (BCP 47) as on the page; their mails and booking pages follow it. */
  locale?: string;
  /** Form fields `q_{questionId}` → the guest's answers, checked against the event type's questions. */
  rawAnswers?: Record<string, string | undefined>;
  /**
   * What an answer to a question the event type does not ask comes to (`checkAnswers`): the
   * API refuses it, a page's form drops it.
   */
  unknownAnswers?: "drop" | "refuse";
  /**
   * Writes that ride in the booking's own atomic commit (e.g. an Idempotency-Key record), or
   * made from the booking as planned (`extraOf`).
   */
  extra?: BookExtra;
  /** Recorded on the booking when it was made through a single-use link. */
  singleUseLinkId?: string;
  /** A booking through the JSON API (insights tell it from one made on the page). */
  origin?: "api";
  /** A one-off link's offered times, recorded on the booking (its guest's moves keep to them). */
  offeredStarts?: number[];
  /** Form field `location`: the index of the offered location the guest picked (with more than one). */
  locationChoice?: string;
  /** Form field `phone`: the guest's number, when the host calls them. */
  phone?: string;
  /** Form field `skip`: a series' dates the guest leaves out (indices, comma separated). */
  skip?: string;
  /** Tests stop a series' protocol midway here (a crash; services/book-series.ts). */
  onSeriesStep?: SeriesStep;
  /** Form field `guests`: extra attendees' addresses as typed (checked against the event type). */
  guests?: string;
  /**
   * Only check the guest's input against the event type (answers, place, phone, guests) and
   * book nothing: a form whose name or email was refused shows every problem at once, not in
   * rounds. Answers `invalid_answers`, with no errors when the rest is fine.
   */
  checkOnly?: boolean;
  /** Where the guest came from (UTM parameters, `ref`); cleaned again here, invalid fields dropped. */
  source?: BookingSource | null;
  /**
   * A routing form's signed response reference (issue 30): checked here, and the booking carries
   * the response when it holds (its route may also name a team's round-robin member).
   */
  routing?: string;
  /**
   * The booking page's browser (a hash of its booker cookie, http/booker-cookie.ts): stored on
   * the booking, and a refused post answered with the booking an identical earlier post of the
   * same browser made (services/repeat-posts.ts, ADR 060). Only the booking page's form sets it.
   */
  bookerTag?: string;
};

export type BookRefusal =
  | "not_found"
  | "slot_unavailable"
  | "slot_taken"
  | "busy"
  | "too_many_pending"
  | "cap_reached"
  | "calendar_unavailable"
  /** The guest already holds a seat at that time (a seated event type). */
  | "already_seated"
  /** Every seat of that seated time is taken. */
  | "seats_full"
  /** A series' `skip` names a date that is free (only dates not free are left out). */
  | "series_skip_free"
  /** An `extra` write expected absent was there (e.g. a repeated Idempotency-Key). */
  | "conflict";
export type BookResult =
  | {
    ok: true;
    bookingId: string;
    /**
     * The booking as committed and the event type it was booked as, where one write made it (not
     * a series): an API answer is made from them without reading either back (issue 26).
     */
    booking?: BookingRecord;
    eventType?: EventTypeRecord;
    guestToken: string;
    status: BookingRecord["status"];
    /**
     * Where the guest goes next: the event type's thank-you page, or null for the result page
     * (domain/embed.ts thankYouOf) — decided from what the booking was made of, not read back.
     */
    thankYou: string | null;
    /**
     * Nothing was booked now: the post repeated one of the same browser that booked this
     * (services/repeat-posts.ts), and is answered as that one was.
     */
    repeated?: true;
  }
  | {
    ok: false;
    reason: BookRefusal;
    /** A series refused for dates not free: which (their index in the series, for `skip`). */
    notFree?: { index: number; startMs: number }[];
  }
  | { ok: false; reason: "invalid_answers"; errors: Record<string, string> };

/**
 * Whether `start` is one of the slots the host offers for this event type and duration, by the
 * host's rules (hours, overrides, time off, notice, horizon, interval) — other bookings aside,
 * which the engine decides. A host moving a booking is not held to the notice and horizon.
 */
export async function isOffered(
  app: App,
  host: UserRecord,
  et: EventTypeRecord,
  start: Temporal.Instant,
  durationMin: number,
  opts: { byHost?: boolean } = {},
): Promise<boolean> {
  const availability = await getAvailabilityCached(app.kv, host.id, app.now());
  const rules = eventTypeRules(et);
  const slots = computeSlots({
    timeZone: host.timeZone,
    weekly: availability.weekly,
    overrides: availability.overrides,
    timeOff: availability.timeOff,
    from: start,
    until: start.add({ milliseconds: 1 }),
    durationMin,
    intervalMin: rules.intervalMin ?? undefined,
    busy: [],
    now: Temporal.Instant.fromEpochMilliseconds(app.now()),
    minNoticeMin: opts.byHost ? 0 : rules.minNoticeMin,
    notSameDay: opts.byHost ? false : rules.notSameDay,
    horizonDays: opts.byHost ? undefined : et.bookingWindowDays,
  });
  return slots.length === 1 && slots[0].start.epochMilliseconds === start.epochMilliseconds;
}

export function parseStart(text: string): Temporal.Instant | null {
  try {
    return Temporal.Instant.from(text);
  } catch {
    return null;
  }
}

/**
 * What every new booking takes before its change is planned, whoever makes it (a guest, the
 * host for a guest): its id and token salt, and the engine change kind its event type wants — a
 * seat of the time for a seated type (the first seat names a new meeting with `meetingId`), else
 * a plain booking. None of it depends on what the store holds: derived once and reused by every
 * attempt (a lost race wrote nothing under the id). The guest's link token is signed from the
 * identity once the booking is taken (`bookingToken`): a crowd's losers never need one, and the
 * signature was ~2.5 % of each refused post's JavaScript (issue 26).
 */
export function newBookingBasics(app: App, et: EventTypeRecord) {
  const identity = { id: newId(app.now()), tokenSalt: randomToken(16) };
  const seats = seatsOf(et);
  const meetingId = seats ? newId(app.now()) : "";
  const kind = seats
    ? { kind: "seat" as const, perTime: seats.perTime, meetingId }
    : { kind: "create" as const };
  return { identity, kind };
}

/** An engine refusal in the words of a booking request. */
export function bookRefusal(reason: Refusal | "busy"): BookRefusal {
  switch (reason) {
    case "repeated":
      // The guest's own identical post took it; answered with that booking when it still is.
      return "slot_taken";
    case "slot_taken":
    case "cap_reached":
    case "too_many_pending":
    case "calendar_unavailable":
    case "not_found":
    case "busy":
    case "conflict":
    case "already_seated":
    case "seats_full":
      return reason;
    case "too_large":
      return "busy";
    default:
      return "slot_unavailable";
  }
}

/**
 * A booking's extra writes, given or made from the booking as its change plans it (an API
 * booking's commit record carries the answer: services/idempotency.ts). `made` is null where the
 * booking's answer is not known at plan time (a series' commit, of its first date).
 */
export type BookExtra =
  | ExtraWrite[]
  | ((made: PlannedBooking | null) => ExtraWrite[]);

/**
 * A booking as its change plans it. `guestToken`: the guest's link token, made once per booking
 * whoever asks first (an HMAC, ~20 µs): an API booking's answer showed it, and the result made it
 * again (issue 26's profile).
 */
export type PlannedBooking = {
  booking: BookingRecord;
  eventType: EventTypeRecord;
  nowMs: number;
  guestToken: () => string;
};

export const extraOf = (
  extra: BookExtra | undefined,
  made: PlannedBooking | null,
): ExtraWrite[] | undefined => typeof extra === "function" ? extra(made) : extra;
