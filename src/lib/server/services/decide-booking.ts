/**
 * Status changes after booking: confirm, reject, cancel, expire, and moving a booking to a new
 * time (by the guest or the host). Each builds one change and hands it to the transaction
 * runner; the decision is domain/booking-engine.ts's, the retrying the runner's.
 */
import type { App } from "../app.ts";
import type { BookingAction, TransitionRefusal } from "../domain/booking.ts";
import type { ExtraWrite, Refusal } from "../domain/booking-engine.ts";
import { chooseDuration } from "../domain/event-rules.ts";
import { getBooking, getTokenRecord } from "../store/bookings.ts";
import { getEventType } from "../store/event-types.ts";
import { getUser, newId } from "../store/users.ts";
import type { BookingRecord, TokenPurpose } from "../store/records.ts";
import { randomToken } from "../integrations/crypto.ts";
import { bookingToken, tokenHash } from "./booking-links.ts";
import { isOffered, parseStart, tokenWrites } from "./book-slot.ts";
import { engineRules, runChange } from "./transaction.ts";
import { rescheduleTeamBooking } from "./team-bookings.ts";

export type DecideRefusal = TransitionRefusal | "not_found" | "too_late" | "busy" | "conflict";
export type DecideResult =
  | { ok: true; booking: BookingRecord }
  | { ok: false; reason: DecideRefusal; booking?: BookingRecord };

type Actor = "guest" | "host" | "system";

/** The booking a link token opens, if the token exists and was made for this purpose. */
export async function bookingForToken(
  app: App,
  token: string,
  purpose: TokenPurpose,
): Promise<BookingRecord | null> {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const rec = await getTokenRecord(app.kv, await tokenHash(token));
  if (!rec || rec.purpose !== purpose) return null;
  return await getBooking(app.kv, rec.bookingId);
}

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
  opts: { extra?: ExtraWrite[] } = {},
): Promise<DecideResult> {
  const booking = await bookingForToken(app, token, "guest");
  if (!booking) return { ok: false, reason: "not_found" };
  return await decideBooking(app, booking.id, "cancel", "guest", {
    ...opts,
    reason,
    enforceCutoff: true,
  });
}

/** Refusals of the engine a status change can meet, in the words of a status change. */
function decideRefusal(reason: Refusal | "busy"): DecideRefusal {
  switch (reason) {
    case "already_confirmed":
    case "already_rejected":
    case "expired":
    case "cancelled":
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
  opts: { reason?: string; hostId?: string; enforceCutoff?: boolean; extra?: ExtraWrite[] } = {},
): Promise<DecideResult> {
  // Which event type's rules apply (caps, cutoff) is read first; the engine re-reads the booking.
  const b = await getBooking(app.kv, bookingId);
  if (!b || (opts.hostId !== undefined && b.hostId !== opts.hostId)) {
    return { ok: false, reason: "not_found" };
  }
  const et = await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  const res = await runChange(app, {
    // Only a confirm adds time (it firms a hold); releasing needs no queue.
    lane: action === "confirm" ? b.hostId : undefined,
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
    }),
  });
  if (res.ok) return { ok: true, booking: res.plan.booking! };
  const booking = (res.primary as BookingRecord | undefined) ?? undefined;
  return { ok: false, reason: decideRefusal(res.reason), ...(booking ? { booking } : {}) };
}

export type RescheduleRefusal =
  | DecideRefusal
  | "slot_unavailable"
  | "slot_taken"
  | "cap_reached"
  | "too_many_pending"
  | "calendar_unavailable"
  | "not_supported";
export type RescheduleResult =
  | { ok: true; booking: BookingRecord; guestToken: string }
  | { ok: false; reason: RescheduleRefusal; booking?: BookingRecord };

/**
 * A guest moves a booking: the old one is cancelled ("rescheduled") and its successor created in
 * one atomic write, linked both ways. The old booking's versionstamp is checked, so one link
 * used many times at once yields exactly one successor. Event types that need confirmation put
 * the successor back to PENDING, holding the new time.
 */
export async function rescheduleByGuest(
  app: App,
  token: string,
  startText: string,
  opts: { extra?: ExtraWrite[] } = {},
): Promise<RescheduleResult> {
  const old = await bookingForToken(app, token, "guest");
  if (!old) return { ok: false, reason: "not_found" };
  return await reschedule(app, old, startText, { by: "guest", extra: opts.extra });
}

/**
 * The host moves one of their bookings to another time they offer (minimum notice and booking
 * window do not apply to them). The new time is confirmed: the host chose it.
 */
export async function rescheduleByHost(
  app: App,
  hostId: string,
  bookingId: string,
  startText: string,
  opts: { extra?: ExtraWrite[] } = {},
): Promise<RescheduleResult> {
  const old = await getBooking(app.kv, bookingId);
  if (!old || old.hostId !== hostId) return { ok: false, reason: "not_found" };
  return await reschedule(app, old, startText, { by: "host", hostId, extra: opts.extra });
}

async function reschedule(
  app: App,
  old: BookingRecord,
  startText: string,
  opts: { by: "guest" | "host"; hostId?: string; extra?: ExtraWrite[] },
): Promise<RescheduleResult> {
  // A team's booking may change members on the way (docs/decisions/016-teams.md).
  if (old.teamId) return await rescheduleTeamBooking(app, old, startText, opts);
  const start = parseStart(startText);
  if (!start) return { ok: false, reason: "slot_unavailable" };
  const host = await getUser(app.kv, old.hostId);
  const et = await getEventType(app.kv, old.teamId ?? old.hostId, old.eventTypeId);
  if (!host || !et || !et.active) return { ok: false, reason: "not_found" };
  const durationMin = chooseDuration(et, old.durationMin) ?? et.durationMin;
  const byHost = opts.by === "host";
  if (!(await isOffered(app, host, et, start, durationMin, { byHost }))) {
    return { ok: false, reason: "slot_unavailable" };
  }
  const eventType = byHost ? { ...et, requiresConfirmation: false } : et;
  const identity = { id: newId(app.now()), tokenSalt: randomToken(16) };
  const status = eventType.requiresConfirmation ? "PENDING" : "CONFIRMED";
  const [tokens, guestToken] = await Promise.all([
    tokenWrites(app, identity, status),
    bookingToken(app, identity, "guest"),
  ]);
  const res = await runChange(app, {
    lane: host.id,
    rules: engineRules(app, et),
    change: () => ({
      kind: "reschedule",
      bookingId: old.id,
      by: opts.by,
      successor: {
        ...identity,
        host,
        eventType,
        startMs: start.epochMilliseconds,
        durationMin,
      },
      tokens,
      enforceCutoff: !byHost,
      hostId: opts.hostId,
      extra: opts.extra,
    }),
  });
  if (res.ok) return { ok: true, booking: res.plan.booking!, guestToken };
  const booking = res.primary as BookingRecord | undefined;
  const reason: RescheduleRefusal = res.reason === "slot_taken" ||
      res.reason === "cap_reached" || res.reason === "too_many_pending" ||
      res.reason === "calendar_unavailable" || res.reason === "not_supported"
    ? res.reason
    : decideRefusal(res.reason);
  return { ok: false, reason, ...(booking ? { booking } : {}) };
}
