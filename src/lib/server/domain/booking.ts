/**
 * Booking rules, pure: UTC-day bucketing, what a booking blocks, a new booking's record, and the
 * state machine every status change goes through. The decision that guards the no-overlap
 * invariant is in ./booking-engine/.
 */
import type { Interval } from "./interval.ts";
import type { BookingRecord, EventTypeRecord, Location } from "./model/records.ts";
import { eventTypeRules } from "./event-rules.ts";

export type BookingStatus = "PENDING" | "CONFIRMED" | "REJECTED" | "CANCELLED";

const MS_PER_DAY = 86_400_000;

/** "2026-11-22" for the UTC day holding `ms`. UTC days are exactly 24 h, so plain arithmetic is right here. */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / MS_PER_DAY) * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Every UTC day a half-open interval touches, in order. */
export function utcDaysTouched(startMs: number, endMs: number): string[] {
  const days: string[] = [];
  const last = Math.floor((endMs - 1) / MS_PER_DAY);
  for (let d = Math.floor(startMs / MS_PER_DAY); d <= last; d++) days.push(utcDay(d * MS_PER_DAY));
  return days;
}

/** What a booking blocks: the meeting widened by the event type's buffers. */
export function blockedInterval(
  startMs: number,
  durationMin: number,
  bufferBeforeMin = 0,
  bufferAfterMin = 0,
): Interval {
  return {
    startMs: startMs - bufferBeforeMin * 60_000,
    endMs: startMs + (durationMin + bufferAfterMin) * 60_000,
  };
}

export type NewBookingInput = {
  id: string;
  tokenSalt: string;
  host: { id: string; timeZone: string };
  eventType: EventTypeRecord;
  startMs: number;
  durationMin: number;
  name: string;
  email: string;
  note: string;
  /** A valid IANA zone (the caller falls back to the host's). */
  guestTimeZone: string;
  clock?: "12h" | "24h";
  /** The guest's language (BCP 47) as on the page; their mails and booking pages follow it. */
  locale?: string;
  answers?: BookingRecord["answers"];
  by: "guest" | "host";
  /** The single-use link this booking consumes (recorded on the booking). */
  singleUseLinkId?: string;
  /** A one-off link's offered times: the guest's moves stay among them (domain/guest-moves.ts). */
  offeredStarts?: number[];
  /** A team's booking (docs/decisions/016-teams.md). */
  teamId?: string;
  /** Where it happens, as decided for this booking (domain/locations.ts); absent: the first offered. */
  location?: BookingRecord["location"];
  /** Extra attendees (already checked with `decideGuests`). */
  additionalGuests?: string[];
  /** Their names, by address, where they gave them (a poll's voters). */
  additionalGuestNames?: BookingRecord["additionalGuestNames"];
  /** How each of them reads their mails, by address, where known (a poll's voters). */
  additionalGuestReaders?: BookingRecord["additionalGuestReaders"];
  /** Who invited the extra attendees, when not the guest. */
  invitedBy?: BookingRecord["invitedBy"];
  /** Where the guest came from (already cleaned with `decideSource`). */
  source?: BookingRecord["source"] | null;
  /** How it came, when its other fields cannot tell (a poll's pick). */
  origin?: BookingRecord["origin"];
  /** The routing form response the guest was sent from (already checked: its signature and type). */
  routing?: BookingRecord["routing"] | null;
  /** The booking page's browser, when a guest booked from it (domain/repeat-post.ts). */
  bookerTag?: string;
};

/** An offered place every booking shares as it is; a per-booking one (a room, the guest's number) is decided by the caller. */
function fixedLocation(loc: Location): Location {
  return loc.kind === "jitsi" || loc.kind === "guest_phone" ? { kind: "none", value: "" } : loc;
}

/** A new booking of `eventType`: pending holds last `ttlMs`; others are confirmed at once. */
export function newBookingRecord(
  input: NewBookingInput,
  nowMs: number,
  ttlMs: number,
): BookingRecord {
  const et = input.eventType;
  const rules = eventTypeRules(et);
  const pending = et.requiresConfirmation;
  const block = blockedInterval(
    input.startMs,
    input.durationMin,
    rules.bufferBeforeMin,
    rules.bufferAfterMin,
  );
  const status = pending ? "PENDING" : "CONFIRMED";
  return {
    v: 1,
    id: input.id,
    hostId: input.host.id,
    eventTypeId: et.id,
    eventTitle: et.title,
    durationMin: input.durationMin,
    startMs: input.startMs,
    endMs: input.startMs + input.durationMin * 60_000,
    blockStartMs: block.startMs,
    blockEndMs: block.endMs,
    status,
    guestName: input.name,
    guestEmail: input.email,
    guestNote: input.note,
    guestTimeZone: input.guestTimeZone,
    ...(input.clock === "12h" ? { guestClock: "12h" as const } : {}),
    ...(input.locale ? { guestLocale: input.locale } : {}),
    hostTimeZone: input.host.timeZone,
    createdAtMs: nowMs,
    reservedUntilMs: pending ? nowMs + ttlMs : null,
    decidedAtMs: pending ? null : nowMs,
    endReason: null,
    history: [{ status, atMs: nowMs, by: input.by }],
    tokenSalt: input.tokenSalt,
    answers: input.answers ?? [],
    location: input.location ?? fixedLocation(rules.location),
    reminders: rules.reminders,
    ...(rules.followUps.length ? { followUps: rules.followUps } : {}),
    ...(input.singleUseLinkId ? { singleUseLinkId: input.singleUseLinkId } : {}),
    ...(input.offeredStarts?.length ? { offeredStarts: [...input.offeredStarts] } : {}),
    rescheduledFromId: null,
    rescheduledToId: null,
    ...(input.teamId ? { teamId: input.teamId } : {}),
    ...(input.additionalGuests?.length ? { additionalGuests: input.additionalGuests } : {}),
    ...(input.additionalGuests?.length && input.additionalGuestNames
      ? { additionalGuestNames: input.additionalGuestNames }
      : {}),
    ...(input.additionalGuests?.length && input.additionalGuestReaders
      ? { additionalGuestReaders: input.additionalGuestReaders }
      : {}),
    ...(input.invitedBy ? { invitedBy: input.invitedBy } : {}),
    ...(input.source ? { source: input.source } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
    ...(input.routing ? { routing: input.routing } : {}),
    ...(input.bookerTag ? { bookerTag: input.bookerTag } : {}),
  };
}

export type BookingAction = "confirm" | "reject" | "expire" | "cancel";
export type TransitionRefusal =
  | "already_confirmed"
  | "already_rejected"
  | "expired"
  | "cancelled"
  /** Moved to another time: the booking that replaced it is the one to act on. */
  | "moved"
  | "not_pending";

export type Transition =
  | { ok: true; status: BookingStatus; endReason: string | null }
  | { ok: false; reason: TransitionRefusal };

type Decidable = {
  status: BookingStatus;
  reservedUntilMs: number | null;
  endReason: string | null;
};

/** Why a finished booking ended, in the words a link page shows. */
export function refusalFor(b: Decidable): TransitionRefusal {
  if (b.status === "CONFIRMED") return "already_confirmed";
  if (b.status === "REJECTED") return "already_rejected";
  if (b.status === "CANCELLED") {
    return b.endReason === "expired"
      ? "expired"
      : b.endReason === "rescheduled"
      ? "moved"
      : "cancelled";
  }
  return "not_pending";
}

/**
 * A booking's next step: its history with `status` appended, and when it happened. Never before
 * the step it follows: a change reads the clock before its snapshot, and a slow read (remote KV)
 * can find another process's step stamped later than that reading. Its history then said
 * "cancelled" before "confirmed" although the cancel came second (a three-process history test).
 */
export function nextStep(
  b: Pick<BookingRecord, "history">,
  status: BookingStatus,
  by: BookingRecord["history"][number]["by"],
  nowMs: number,
): { atMs: number; history: BookingRecord["history"] } {
  const atMs = Math.max(nowMs, b.history[b.history.length - 1]?.atMs ?? nowMs);
  return { atMs, history: [...b.history, { status, atMs, by }] };
}

/**
 * The state machine. Only PENDING moves by confirm/reject/expire; a PENDING hold past its
 * reservedUntil counts as expired for confirm and reject even before the expiry job ran.
 * Cancel applies to PENDING and CONFIRMED.
 */
export function decideTransition(b: Decidable, action: BookingAction, nowMs: number): Transition {
  const heldOut = b.status === "PENDING" && b.reservedUntilMs !== null &&
    b.reservedUntilMs <= nowMs;
  switch (action) {
    case "confirm":
      if (b.status !== "PENDING") return { ok: false, reason: refusalFor(b) };
      if (heldOut) return { ok: false, reason: "expired" };
      return { ok: true, status: "CONFIRMED", endReason: null };
    case "reject":
      if (b.status !== "PENDING") return { ok: false, reason: refusalFor(b) };
      if (heldOut) return { ok: false, reason: "expired" };
      return { ok: true, status: "REJECTED", endReason: "rejected" };
    case "expire":
      if (b.status !== "PENDING" || !heldOut) return { ok: false, reason: refusalFor(b) };
      return { ok: true, status: "CANCELLED", endReason: "expired" };
    case "cancel":
      if (b.status !== "PENDING" && b.status !== "CONFIRMED") {
        return { ok: false, reason: refusalFor(b) };
      }
      if (heldOut) return { ok: false, reason: "expired" };
      return { ok: true, status: "CANCELLED", endReason: "cancelled" };
  }
}

/** Live = holds time on the host's calendar. */
/**
 * What the host wrote when they moved a meeting, read from the booking the move retired (shown
 * to the guest in the move's mails, sent with the `booking.rescheduled` webhook); a guest's own
 * move carries none.
 */
export function hostMoveReason(
  retired: Pick<BookingRecord, "history" | "cancelReason">,
): string | null {
  return retired.history.at(-1)?.by === "host" ? retired.cancelReason ?? null : null;
}

/**
 * Whether a move would leave a booking where it is: the same start and end with the same host.
 * That changes nothing, yet would retire the booking, mail "Moved from 10:00 to 10:00" and give
 * the guest new links: the engine refuses it as "same_time" (booking-engine/reschedule.ts,
 * seat.ts, team.ts) and a move's page does not offer it (services/slot-month.ts). A hand-over to
 * another host at the same time is a move.
 */
export function isOwnTime(
  b: { hostId: string; startMs: number; endMs: number },
  next: { hostId: string; startMs: number; endMs: number },
): boolean {
  return b.hostId === next.hostId && b.startMs === next.startMs && b.endMs === next.endMs;
}

/**
 * Whether a meeting has taken place: the host can no longer move it or ask for a new time (a
 * stale page or an API call told the guest "the host cannot make" yesterday's time).
 */
export function meetingOver(b: { endMs: number }, nowMs: number): boolean {
  return b.endMs <= nowMs;
}

export function isLiveBooking(
  b: { status: BookingStatus; reservedUntilMs: number | null },
  nowMs: number,
): boolean {
  return b.status === "CONFIRMED" ||
    (b.status === "PENDING" && (b.reservedUntilMs ?? Infinity) > nowMs);
}

/** Retry backoff for the outbox: about 1m, 5m, 30m, 2h, 12h, then give up. */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000];

export function nextRetryDelay(attempts: number): number | null {
  return attempts <= RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[attempts - 1] : null;
}

/** Whether a booking ended because its host cancelled it (also when they asked for a new time). */
export function endedByHost(endReason: string | null | undefined): boolean {
  return endReason === "cancelled_by_host" || endReason === "reschedule_requested";
}
