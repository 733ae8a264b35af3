/**
 * What deciding or moving a booking answers (services/decide-booking.ts, and for a team's
 * booking services/team-bookings.ts): a leaf of types both import, so neither imports the other
 * for them.
 */
import type { TransitionRefusal } from "../domain/booking.ts";
import type { BookingRecord } from "../domain/model/records.ts";

export type DecideRefusal =
  | TransitionRefusal
  | "not_found"
  | "too_late"
  /** A host's move or "request new time" of a meeting that has already ended. */
  | "meeting_over"
  /** "Request new time" of a request the host has not decided yet (confirm or reject it). */
  | "not_confirmed"
  | "busy"
  | "conflict"
  /** "Request reschedule" of a team's booking (not offered: the host moves it instead). */
  | "team_booking"
  | "invitees_meeting"
  /**
   * A series' confirm or reject reached some dates and not others (their writes failed): the
   * pressed date is left undecided and nothing is mailed; pressing again finishes the series.
   */
  | "series_partial";

/** A date of a series a press could not change, and why (services/series-bookings.ts). */
export type SeriesFailure = { bookingId: string; startMs: number; reason: DecideRefusal };

export type DecideResult =
  /**
   * `also`: a series' other dates the same press decided (services/series-bookings.ts);
   * `failed`: those it could not (a cancel of "this and the later dates" goes on without them).
   */
  | { ok: true; booking: BookingRecord; also?: BookingRecord[]; failed?: SeriesFailure[] }
  | {
    ok: false;
    reason: DecideRefusal;
    booking?: BookingRecord;
    also?: BookingRecord[];
    failed?: SeriesFailure[];
  };

export type RescheduleRefusal =
  | DecideRefusal
  | "slot_unavailable"
  /** A host's move to a time outside their hours, not confirmed as such. */
  | "outside_hours"
  | "slot_taken"
  | "cap_reached"
  | "too_many_pending"
  | "calendar_unavailable"
  | "not_supported"
  /** A seat moved to a time where its guest already holds one. */
  | "already_seated"
  /** A seat moved to a seated time with every seat taken. */
  | "seats_full"
  /** A move to the time the booking already has. */
  | "same_time";
export type RescheduleResult =
  | { ok: true; booking: BookingRecord; guestToken: string }
  | { ok: false; reason: RescheduleRefusal; booking?: BookingRecord };
