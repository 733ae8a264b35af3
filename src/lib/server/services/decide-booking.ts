/**
 * Status changes after booking: confirm, reject, cancel, expire, and moving a booking to a new
 * time (by the guest or the host). Each builds one change and hands it to the transaction
 * runner; the decision is domain/booking-engine/'s, the retrying the runner's.
 */
import type { App } from "../app.ts";
import {
  type BookingAction,
  isLiveBooking,
  isOwnTime,
  meetingOver,
  refusalFor,
} from "../domain/booking.ts";
import { awaitsNewTime, type ExtraWrite, type Refusal } from "../domain/booking-engine/index.ts";
import { chooseDuration } from "../domain/event-rules.ts";
import { freshRoom } from "../domain/locations.ts";
import { getBooking } from "../store/bookings.ts";
import { getEventType } from "../store/event-types.ts";
import { getUser, newId } from "../store/users.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import { randomToken } from "../integrations/crypto.ts";
import { bookingForToken, bookingToken, inviteeForToken } from "./booking-links.ts";
import { askNewTimeRefusal, inviteesDecline, onlyHostMoves } from "../domain/attendees.ts";
import { isOffered, parseStart } from "./book-slot.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import { isGuestMoveOffered } from "../domain/guest-moves.ts";
import { offeredMoveStarts } from "./guest-moves.ts";
import { engineRules, runChange } from "./transaction.ts";
import { rescheduleTeamBooking } from "./team-bookings.ts";
import { decideSeries, type SeriesScope, seriesWide } from "./series-bookings.ts";
import type {
  DecideRefusal,
  DecideResult,
  RescheduleRefusal,
  RescheduleResult,
} from "./decide-results.ts";

export type {
  DecideRefusal,
  DecideResult,
  RescheduleRefusal,
  RescheduleResult,
} from "./decide-results.ts";

type Actor = "guest" | "host" | "system";

// Read by token where nothing is decided (pages, the thank-you redirect) from booking-links.ts.
export { bookingForToken };

export async function decideByToken(
  app: App,
  token: string,
  action: "confirm" | "reject",
  opts: { extra?: ExtraWrite[]; reason?: string } = {},
): Promise<DecideResult> {
  const booking = await bookingForToken(app, token, action);
  if (!booking) return { ok: false, reason: "not_found" };
  // A rejection may carry the host's personal message to the guest (stored as a cancel reason).
  return await decideBooking(app, booking.id, action, "host", {
    extra: opts.extra,
    reason: action === "reject" ? opts.reason : undefined,
  });
}

/** A guest cancels with their booking link, unless the event type's cutoff has passed. */
export async function cancelByGuest(
  app: App,
  token: string,
  reason: string,
  opts: { extra?: ExtraWrite[]; scope?: SeriesScope } = {},
): Promise<DecideResult> {
  const booking = await bookingForToken(app, token, "guest");
  if (!booking) return { ok: false, reason: "not_found" };
  return await decideBooking(app, booking.id, "cancel", "guest", {
    ...opts,
    reason,
    enforceCutoff: true,
    // The host invited them (a meeting poll's first voter): their cancel is their own decline;
    // only the host ends the meeting for everyone (ADR 050, amendment "declining").
    ...(inviteesDecline(booking) ? { decline: booking.guestEmail } : {}),
  });
}

/**
 * An invitee's own decline link (booking-links.ts `declineToken`): they leave the meeting. A
 * meeting the host moved (before the link was used, or while it was) is declined where it is now:
 * the link names the booking it was mailed with, and each move names its successor.
 */
export async function declineByInvitee(app: App, token: string): Promise<DecideResult> {
  const found = await inviteeForToken(app, token);
  if (!found) return { ok: false, reason: "not_found" };
  let id = found.booking.id;
  for (let hop = 0; hop < MOVES_FOLLOWED; hop++) {
    const res = await decideBooking(app, id, "cancel", "guest", {
      enforceCutoff: true,
      decline: found.email,
    });
    const next = !res.ok && res.reason === "moved" ? res.booking?.rescheduledToId : null;
    if (!next) return res;
    id = next;
  }
  return { ok: false, reason: "moved" };
}

/** How many moves of a meeting a decline link follows (each a host's; far more than happen). */
const MOVES_FOLLOWED = 20;

/** Refusals of the engine a status change can meet, in the words of a status change. */
function decideRefusal(reason: Refusal | "busy"): DecideRefusal {
  switch (reason) {
    case "already_confirmed":
    case "already_rejected":
    case "expired":
    case "cancelled":
    case "moved":
    case "not_pending":
    case "not_found":
    case "too_late":
    case "busy":
    case "conflict":
      return reason;
    case "too_large":
      return "busy";
    default:
      return "not_pending";
  }
}

export async function decideBooking(
  app: App,
  bookingId: string,
  action: BookingAction,
  by: Actor,
  opts: {
    reason?: string;
    hostId?: string;
    enforceCutoff?: boolean;
    extra?: ExtraWrite[];
    requestNewTime?: boolean;
    /** A series' date: cancel this one alone ("one", the default) or this and the later ones. */
    scope?: SeriesScope;
    /** Internal: one date of a series, as `decideSeries` decides each. */
    single?: boolean;
    /** Internal: a series' date decided without mails (the press's last date sends them). */
    quiet?: boolean;
    /** A cancel by an invitee of the host's: they leave the meeting (attendees.ts). */
    decline?: string;
    /** Internal: a seat of a meeting its host cancels whole (cancel-meeting.ts). */
    meeting?: true;
    /** Who pressed a host's change, when not the host (a team's owner): mails name them. */
    pressedBy?: string;
  } = {},
): Promise<DecideResult> {
  // Which event type's rules apply (caps, cutoff) is read first; the engine re-reads the booking.
  const b = await getBooking(app.kv, bookingId);
  if (!b || (opts.hostId !== undefined && b.hostId !== opts.hostId)) {
    return { ok: false, reason: "not_found" };
  }
  // A series is confirmed or rejected whole, and may be cancelled from a date on.
  if (b.series && !opts.single && seriesWide(action, opts.scope)) {
    return await decideSeries(app, b, action, by, opts, decideBooking);
  }
  const et = await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  const res = await runChange(app, {
    // Only a confirm adds time (it firms a hold); releasing needs no queue. Declines of one
    // meeting all write its record: a crowd of its invitees queues in this process instead of
    // losing race after race (100 at once ran out of retries); processes still race, guarded,
    // and as declines commute a lost race is no reason to give up (ADR 050).
    lane: action === "confirm"
      ? b.hostId
      : opts.decline !== undefined
      ? `decline:${b.id}`
      : undefined,
    ...(opts.decline !== undefined ? { commutes: true } : {}),
    rules: engineRules(app, et),
    change: () => ({
      kind: "transition",
      bookingId,
      action,
      by,
      reason: opts.reason,
      enforceCutoff: opts.enforceCutoff,
      hostId: opts.hostId,
      extra: opts.extra,
      requestNewTime: opts.requestNewTime,
      quiet: opts.quiet,
      ...(opts.decline !== undefined ? { decline: opts.decline } : {}),
      ...(opts.meeting ? { meeting: true as const } : {}),
      ...(opts.pressedBy ? { pressedBy: opts.pressedBy } : {}),
    }),
  });
  if (res.ok) return { ok: true, booking: res.plan.booking! };
  const booking = (res.primary as BookingRecord | undefined) ?? undefined;
  return { ok: false, reason: decideRefusal(res.reason), ...(booking ? { booking } : {}) };
}

/**
 * A guest moves a booking: the old one is cancelled ("rescheduled") and its successor created in
 * one atomic write, linked both ways. The old booking's versionstamp is checked, so one link
 * used many times at once yields exactly one successor. Event types that need confirmation put
 * the successor back to PENDING, holding the new time.
 *
 * `timeZone`: the zone the guest's page showed the times in. The moved booking is theirs in it
 * (its page and mails), checked as the booking form checks one; one that is not a zone, or none,
 * keeps the booking's.
 */
export async function rescheduleByGuest(
  app: App,
  token: string,
  startText: string,
  opts: { extra?: ExtraWrite[]; timeZone?: string } = {},
): Promise<RescheduleResult> {
  const old = await bookingForToken(app, token, "guest");
  if (!old) return { ok: false, reason: "not_found" };
  // The host's meeting with several invitees (a poll's): only the host moves it for everyone.
  if (onlyHostMoves(old)) return { ok: false, reason: "not_supported" };
  return await reschedule(app, old, startText, {
    by: "guest",
    extra: opts.extra,
    guestTimeZone: (opts.timeZone && canonicalTimeZone(opts.timeZone)) || undefined,
  });
}

/**
 * The host moves one of their bookings to another time they offer (minimum notice and booking
 * window do not apply to them). The new time is confirmed: the host chose it. A time outside
 * their hours is refused as "outside_hours" unless they confirmed it (`outsideHours`); it is
 * never allowed over another live booking (the engine decides that, as for every move). The
 * reason they typed reaches the guest with the update.
 */
export async function rescheduleByHost(
  app: App,
  hostId: string,
  bookingId: string,
  startText: string,
  opts: { extra?: ExtraWrite[]; reason?: string; outsideHours?: boolean } = {},
): Promise<RescheduleResult> {
  const old = await getBooking(app.kv, bookingId);
  if (!old || old.hostId !== hostId) return { ok: false, reason: "not_found" };
  if (meetingOver(old, app.now())) return { ok: false, reason: "meeting_over", booking: old };
  return await reschedule(app, old, startText, {
    by: "host",
    hostId,
    extra: opts.extra,
    reason: opts.reason?.trim() || undefined,
    outsideHours: opts.outsideHours === true,
  });
}

/**
 * "Request reschedule": the host cancels a confirmed booking with a reason and the guest gets a
 * link to pick a new time with their answers kept (their own booking link, once).
 */
export async function requestNewTime(
  app: App,
  hostId: string,
  bookingId: string,
  reason: string,
  /** `pressedBy`: a team's owner asking for the organiser (the host-side mails name them). */
  opts: { extra?: ExtraWrite[]; pressedBy?: string } = {},
): Promise<DecideResult> {
  const b = await getBooking(app.kv, bookingId);
  if (!b || b.hostId !== hostId) return { ok: false, reason: "not_found" };
  // A seat of a collective time leaves its meeting like a cancel, and the guest's pick takes a
  // seat by the collective seat paths (team-seats.ts; ADR 040).
  const refused = askNewTimeRefusal(b);
  if (refused) return { ok: false, reason: refused };
  // A request still waiting for its host has no time to give up (confirm or reject it); an ended
  // booking says how it ended, as its pages do.
  if (b.status === "PENDING") return { ok: false, reason: "not_confirmed" };
  if (b.status !== "CONFIRMED") return { ok: false, reason: refusalFor(b) };
  if (meetingOver(b, app.now())) return { ok: false, reason: "meeting_over" };
  return await decideBooking(app, bookingId, "cancel", "host", {
    hostId,
    reason,
    requestNewTime: true,
    extra: opts.extra,
    ...(opts.pressedBy ? { pressedBy: opts.pressedBy } : {}),
  });
}

async function reschedule(
  app: App,
  old: BookingRecord,
  startText: string,
  opts: {
    by: "guest" | "host";
    hostId?: string;
    extra?: ExtraWrite[];
    reason?: string;
    outsideHours?: boolean;
    /** The guest's move: the zone they moved it in. */
    guestTimeZone?: string;
  },
): Promise<RescheduleResult> {
  const start = parseStart(startText);
  // A guest moves a booking made through a one-off link only to another of the times its host
  // offered (domain/guest-moves.ts): decided here, where every door's move is, not by the page
  // that lists them. Where it is now is left to the same_time refusal below.
  if (
    opts.by === "guest" && start && start.epochMilliseconds !== old.startMs &&
    !isGuestMoveOffered(await offeredMoveStarts(app, old), start.epochMilliseconds)
  ) return { ok: false, reason: "slot_unavailable" };
  // A team's booking may change members on the way (docs/decisions/016-teams.md).
  if (old.teamId) return await rescheduleTeamBooking(app, old, startText, opts);
  if (!start) return { ok: false, reason: "slot_unavailable" };
  const host = await getUser(app.kv, old.hostId);
  const et = await getEventType(app.kv, old.teamId ?? old.hostId, old.eventTypeId);
  if (!host || !et || !et.active) return { ok: false, reason: "not_found" };
  const durationMin = chooseDuration(et, old.durationMin) ?? et.durationMin;
  const byHost = opts.by === "host";
  // A live booking where it is already, whether or not that time is still offered (the engine
  // refuses it too; one the host asked to move may be booked at its old time again).
  const startMs = start.epochMilliseconds;
  const endMs = startMs + durationMin * 60_000;
  if (isLiveBooking(old, app.now()) && isOwnTime(old, { hostId: host.id, startMs, endMs })) {
    return { ok: false, reason: "same_time" };
  }
  if (startMs <= app.now()) return { ok: false, reason: "slot_unavailable" };
  if (!(await isOffered(app, host, et, start, durationMin, { byHost }))) {
    // Only the host may leave their own hours, and only when they said so.
    if (!byHost) return { ok: false, reason: "slot_unavailable" };
    if (!opts.outsideHours) return { ok: false, reason: "outside_hours" };
  }
  const eventType = byHost ? { ...et, requiresConfirmation: false } : et;
  const identity = { id: newId(app.now()), tokenSalt: randomToken(16) };
  const guestToken = await bookingToken(app, identity, "guest");
  const successor = {
    ...identity,
    host,
    eventType,
    startMs,
    durationMin,
    // A seat moved to another time joins another meeting: a Jitsi room for it, should it be that
    // time's first seat (a plain booking keeps its own room; the engine decides which applies).
    ...(old.location?.kind === "jitsi"
      ? { location: freshRoom(old.location, randomToken(15)) }
      : {}),
  };
  const res = await runChange(app, {
    lane: host.id,
    rules: engineRules(app, et),
    // A booking the host asked to move is booked again once; a live one is moved.
    change: () =>
      awaitsNewTime(old) && opts.by === "guest"
        ? {
          kind: "rebook",
          bookingId: old.id,
          by: "guest",
          successor,
          guestTimeZone: opts.guestTimeZone,
          hostId: opts.hostId,
          extra: opts.extra,
        }
        : {
          kind: "reschedule",
          bookingId: old.id,
          by: opts.by,
          successor,
          guestTimeZone: opts.guestTimeZone,
          enforceCutoff: !byHost,
          hostId: opts.hostId,
          extra: opts.extra,
          reason: opts.reason,
        },
  });
  if (res.ok) return { ok: true, booking: res.plan.booking!, guestToken };
  const booking = res.primary as BookingRecord | undefined;
  const reason: RescheduleRefusal = res.reason === "slot_taken" ||
      res.reason === "cap_reached" || res.reason === "too_many_pending" ||
      res.reason === "calendar_unavailable" || res.reason === "not_supported" ||
      res.reason === "already_seated" || res.reason === "seats_full" ||
      res.reason === "same_time"
    ? res.reason
    : decideRefusal(res.reason);
  return { ok: false, reason, ...(booking ? { booking } : {}) };
}
