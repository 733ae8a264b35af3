/**
 * Status changes after booking: confirm, reject, cancel, expire, reschedule. Each is the same
 * shape: read the booking and what depends on it, decide in domain/, commit with versionstamp
 * checks; a lost race re-reads, and the second of two racing decisions sees the first's result.
 */
import type { App } from "../app.ts";
import {
  type BookingAction,
  decideHold,
  decideTransition,
  firmHold,
  releaseHold,
  type TransitionRefusal,
  utcDaysTouched,
} from "../domain/booking.ts";
import { chooseDuration, eventTypeRules, withinCutoff } from "../domain/event-rules.ts";
import {
  commitBookingChange,
  extraTaken,
  type ExtraWrite,
  getBookingEntry,
  getTokenRecord,
  readLedgerDays,
} from "../store/bookings.ts";
import { getEventType } from "../store/event-types.ts";
import { getUser } from "../store/users.ts";
import type { BookingRecord, TokenPurpose } from "../store/records.ts";
import { tokenHash } from "./booking-links.ts";
import { capWrites, firmCounters, guestHoldWrites, sideEffects } from "./booking-plan.ts";
import { isOffered, newBooking, parseStart, tokenRecords } from "./book-slot.ts";
import { bookingToken } from "./booking-links.ts";
import { calendarConflict } from "./calendar-busy.ts";

export type DecideRefusal = TransitionRefusal | "not_found" | "too_late" | "duplicate_request";
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
  return (await getBookingEntry(app.kv, rec.bookingId)).value;
}

export async function decideByToken(
  app: App,
  token: string,
  action: "confirm" | "reject",
  /** A rejection's personal message to the guest (stored as the cancel reason is). */
  reason?: string,
): Promise<DecideResult> {
  const booking = await bookingForToken(app, token, action);
  if (!booking) return { ok: false, reason: "not_found" };
  return await decideBooking(app, booking.id, action, "host", {
    reason: action === "reject" ? reason : undefined,
  });
}

/** A guest cancels with their booking link, unless the event type's cutoff has passed. */
export async function cancelByGuest(
  app: App,
  token: string,
  reason: string,
): Promise<DecideResult> {
  const booking = await bookingForToken(app, token, "guest");
  if (!booking) return { ok: false, reason: "not_found" };
  return await decideBooking(app, booking.id, "cancel", "guest", { reason, enforceCutoff: true });
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
    /** Writes committed with the change (an Idempotency-Key record); see `ExtraWrite`. */
    extra?: ExtraWrite[];
  } = {},
): Promise<DecideResult> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const nowMs = app.now();
    const current = await getBookingEntry(app.kv, bookingId);
    if (!current.value) return { ok: false, reason: "not_found" };
    const b = current.value;
    if (opts.hostId !== undefined && b.hostId !== opts.hostId) {
      return { ok: false, reason: "not_found" };
    }
    const t = decideTransition(b, action, nowMs);
    if (!t.ok) return { ok: false, reason: t.reason, booking: b };
    const et = await getEventType(app.kv, b.hostId, b.eventTypeId);
    if (
      opts.enforceCutoff && et &&
      withinCutoff(b.startMs, eventTypeRules(et).cancelCutoffHours, nowMs)
    ) {
      return { ok: false, reason: "too_late", booking: b };
    }

    const ledgers = await readLedgerDays(
      app.kv,
      b.hostId,
      utcDaysTouched(b.blockStartMs, b.blockEndMs),
    );
    let nextLedgers;
    if (t.status === "CONFIRMED") {
      const firmed = firmHold(ledgers.map, b.id, nowMs);
      if (!firmed.ok) return { ok: false, reason: "expired", booking: b };
      nextLedgers = firmed.ledgers;
    } else {
      nextLedgers = releaseHold(ledgers.map, b.id, nowMs);
    }
    const next: BookingRecord = {
      ...b,
      status: t.status,
      reservedUntilMs: t.status === "PENDING" ? b.reservedUntilMs : null,
      decidedAtMs: nowMs,
      endReason: t.endReason === "cancelled"
        ? (by === "host" ? "cancelled_by_host" : "cancelled_by_guest")
        : t.endReason,
      cancelReason: opts.reason?.trim() ? opts.reason.trim().slice(0, 500) : null,
      history: [...b.history, { status: t.status, atMs: nowMs, by }],
    };
    const guarded = t.status === "CONFIRMED"
      ? await firmCounters(app, et, b, next, nowMs)
      : [...await counterRelease(app, et, b, nowMs)];
    const committed = await commitBookingChange(app.kv, {
      hostId: b.hostId,
      created: [],
      updated: [{ current, next }],
      ledgers,
      nextLedgers,
      guarded,
      outbox: sideEffects(b, next, nowMs),
      extra: opts.extra,
    });
    if (committed) {
      app.kickOutbox();
      return { ok: true, booking: next };
    }
    if (await extraTaken(app.kv, opts.extra)) {
      return { ok: false, reason: "duplicate_request", booking: b };
    }
  }
  throw new Error("decideBooking: too much contention");
}

async function counterRelease(
  app: App,
  et: Awaited<ReturnType<typeof getEventType>>,
  b: BookingRecord,
  nowMs: number,
) {
  const caps = await capWrites(app, et, { remove: b }, nowMs);
  const holds = await guestHoldWrites(app, { remove: b }, nowMs);
  return [...(caps.ok ? caps.writes : []), ...(holds.ok ? holds.writes : [])];
}

export type RescheduleResult =
  | { ok: true; booking: BookingRecord; guestToken: string }
  | {
    ok: false;
    reason:
      | DecideRefusal
      | "slot_unavailable"
      | "slot_taken"
      | "cap_reached"
      | "too_many_pending"
      | "calendar_unavailable";
    booking?: BookingRecord;
  };

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
  return await rescheduleBooking(app, old, startText, "guest", opts.extra);
}

/**
 * The host moves one of their bookings (the API): the same change as a guest's, without the
 * guest's cancellation cutoff, and the successor is confirmed at once — the host chose the time.
 * Another host's booking is "not_found".
 */
export async function rescheduleByHost(
  app: App,
  hostId: string,
  bookingId: string,
  startText: string,
  opts: { extra?: ExtraWrite[] } = {},
): Promise<RescheduleResult> {
  const old = (await getBookingEntry(app.kv, bookingId)).value;
  if (!old || old.hostId !== hostId) return { ok: false, reason: "not_found" };
  return await rescheduleBooking(app, old, startText, "host", opts.extra);
}

async function rescheduleBooking(
  app: App,
  old: BookingRecord,
  startText: string,
  by: "guest" | "host",
  extra: ExtraWrite[] | undefined,
): Promise<RescheduleResult> {
  const start = parseStart(startText);
  if (!start) return { ok: false, reason: "slot_unavailable" };
  const host = await getUser(app.kv, old.hostId);
  const et = await getEventType(app.kv, old.hostId, old.eventTypeId);
  if (!host || !et || !et.active) return { ok: false, reason: "not_found" };
  const durationMin = chooseDuration(et, old.durationMin) ?? et.durationMin;
  if (!(await isOffered(app, host, et, start, durationMin))) {
    return { ok: false, reason: "slot_unavailable" };
  }

  return await app.hostLock.run(host.id, async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const nowMs = app.now();
      const current = await getBookingEntry(app.kv, old.id);
      if (!current.value) return { ok: false, reason: "not_found" };
      const b = current.value;
      const t = decideTransition(b, "cancel", nowMs);
      if (!t.ok) {
        return {
          ok: false,
          reason: b.endReason === "rescheduled" ? "cancelled" : t.reason,
          booking: b,
        };
      }
      if (by === "guest" && withinCutoff(b.startMs, eventTypeRules(et).cancelCutoffHours, nowMs)) {
        return { ok: false, reason: "too_late", booking: b };
      }

      const proposed: BookingRecord = {
        ...newBooking(
          app,
          host,
          et,
          {
            startMs: start.epochMilliseconds,
            durationMin,
            name: b.guestName,
            email: b.guestEmail,
            note: b.guestNote,
            timeZone: b.guestTimeZone,
            answers: b.answers,
            clock: b.guestClock,
            locale: b.guestLocale,
          },
          nowMs,
          by,
        ),
        rescheduledFromId: b.id,
      };
      const successor: BookingRecord = by === "host" && proposed.status === "PENDING"
        ? {
          ...proposed,
          status: "CONFIRMED",
          reservedUntilMs: null,
          decidedAtMs: nowMs,
          history: [{ status: "CONFIRMED", atMs: nowMs, by }],
        }
        : proposed;
      const retired: BookingRecord = {
        ...b,
        status: "CANCELLED",
        reservedUntilMs: null,
        decidedAtMs: nowMs,
        endReason: "rescheduled",
        rescheduledToId: successor.id,
        history: [...b.history, { status: "CANCELLED", atMs: nowMs, by }],
      };
      const days = [
        ...utcDaysTouched(b.blockStartMs, b.blockEndMs),
        ...utcDaysTouched(successor.blockStartMs, successor.blockEndMs),
      ];
      const ledgers = await readLedgerDays(app.kv, host.id, days);
      const decision = decideHold(releaseHold(ledgers.map, b.id, nowMs), {
        bookingId: successor.id,
        startMs: successor.blockStartMs,
        endMs: successor.blockEndMs,
        holdUntilMs: successor.reservedUntilMs,
      }, nowMs);
      if (!decision.ok) return { ok: false, reason: "slot_taken" };
      const conflict = await calendarConflict(app, host.id, {
        startMs: successor.blockStartMs,
        endMs: successor.blockEndMs,
      }, nowMs);
      if (conflict) {
        return {
          ok: false,
          reason: conflict === "slot_taken" ? "slot_taken" : "calendar_unavailable",
        };
      }
      // Untouched days keep what releaseHold left them (the old booking removed).
      const nextLedgers = releaseHold(ledgers.map, b.id, nowMs);
      for (const [day, entries] of decision.ledgers) nextLedgers.set(day, entries);
      const caps = await capWrites(app, et, { remove: b, add: successor }, nowMs);
      if (!caps.ok) return { ok: false, reason: caps.reason };
      const holds = await guestHoldWrites(app, { remove: b, add: successor }, nowMs);
      if (!holds.ok) return { ok: false, reason: holds.reason };
      const committed = await commitBookingChange(app.kv, {
        hostId: host.id,
        created: [successor],
        updated: [{ current, next: retired }],
        ledgers,
        nextLedgers,
        guarded: [...caps.writes, ...holds.writes],
        tokens: await tokenRecords(app, successor),
        outbox: [...sideEffects(b, retired, nowMs), ...sideEffects(null, successor, nowMs)],
        extra,
      });
      if (committed) {
        app.kickOutbox();
        return {
          ok: true,
          booking: successor,
          guestToken: await bookingToken(app, successor, "guest"),
        };
      }
      if (await extraTaken(app.kv, extra)) {
        return { ok: false, reason: "duplicate_request", booking: b };
      }
    }
    throw new Error("rescheduleByGuest: too much contention");
  });
}
