/**
 * A guest books a slot. The decision (is this time offered, does it overlap anything live) and
 * the write (booking, indexes, ledger, outbox) happen in one atomic operation that checks the
 * ledgers' versionstamps; a lost race re-reads and decides again, a bounded number of times.
 */
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { computeSlots } from "../domain/slots.ts";
import { blockedInterval, decideHold } from "../domain/booking.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { getUserByUsername, newId } from "../store/users.ts";
import { getEventTypeBySlug } from "../store/event-types.ts";
import { getAvailability } from "../store/availability.ts";
import { type GuestHoldsWrite, insertBooking, readGuestHolds, readLedgers } from "../store/bookings.ts";
import { newOutboxRecord } from "../store/outbox.ts";
import type { BookingRecord, BookingTokenRecord, EventTypeRecord, UserRecord } from "../store/records.ts";
import { randomToken } from "../integrations/crypto.ts";
import { bookingToken, tokenHash } from "./booking-links.ts";
import { calendarBusy } from "./calendar-busy.ts";
import { meetsAny } from "../domain/calendar-busy.ts";

export type BookInput = {
  username: string;
  slug: string;
  start: string;
  name: string;
  email: string;
  note: string;
  timeZone: string;
};

export type BookResult =
  | { ok: true; bookingId: string; guestToken: string; status: BookingRecord["status"] }
  | {
    ok: false;
    reason: "not_found" | "slot_unavailable" | "slot_taken" | "busy" | "too_many_pending" | "calendar_unavailable";
  };

const MAX_ATTEMPTS = 8;

/** Whether `start` is one of the slots the host offers, ignoring other bookings (the ledger decides those). */
export async function isOffered(app: App, host: UserRecord, et: EventTypeRecord, start: Temporal.Instant): Promise<boolean> {
  const availability = await getAvailability(app.kv, host.id, app.now());
  const slots = computeSlots({
    timeZone: host.timeZone,
    weekly: availability.weekly,
    overrides: availability.overrides,
    timeOff: availability.timeOff,
    from: start,
    until: start.add({ milliseconds: 1 }),
    durationMin: et.durationMin,
    busy: [],
    now: Temporal.Instant.fromEpochMilliseconds(app.now()),
    horizonDays: et.bookingWindowDays,
  });
  return slots.length === 1 && slots[0].start.epochMilliseconds === start.epochMilliseconds;
}

export async function bookSlot(app: App, input: BookInput): Promise<BookResult> {
  const host = await getUserByUsername(app.kv, input.username);
  if (!host) return { ok: false, reason: "not_found" };
  const et = await getEventTypeBySlug(app.kv, host.id, input.slug);
  if (!et || !et.active) return { ok: false, reason: "not_found" };
  let start: Temporal.Instant;
  try {
    start = Temporal.Instant.from(input.start);
  } catch {
    return { ok: false, reason: "slot_unavailable" };
  }
  if (!(await isOffered(app, host, et, start))) return { ok: false, reason: "slot_unavailable" };

  const startMs = start.epochMilliseconds;
  const endMs = startMs + et.durationMin * 60_000;
  const block = blockedInterval(startMs, et.durationMin);
  const guestTimeZone = isValidTimeZone(input.timeZone) ? input.timeZone : host.timeZone;

  return await app.hostLock.run(host.id, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const nowMs = app.now();
      const id = newId(nowMs);
      const pending = et.requiresConfirmation;
      const reservedUntilMs = pending ? nowMs + app.config.bookingTtlMs : null;
      const booking: BookingRecord = {
        v: 1,
        id,
        hostId: host.id,
        eventTypeId: et.id,
        eventTitle: et.title,
        durationMin: et.durationMin,
        startMs,
        endMs,
        blockStartMs: block.startMs,
        blockEndMs: block.endMs,
        status: pending ? "PENDING" : "CONFIRMED",
        guestName: input.name,
        guestEmail: input.email,
        guestNote: input.note,
        guestTimeZone,
        hostTimeZone: host.timeZone,
        createdAtMs: nowMs,
        reservedUntilMs,
        decidedAtMs: pending ? null : nowMs,
        endReason: null,
        history: [{ status: pending ? "PENDING" : "CONFIRMED", atMs: nowMs, by: "guest" }],
        tokenSalt: randomToken(16),
      };
      const ledgers = await readLedgers(app.kv, host.id, block.startMs, block.endMs);
      const decision = decideHold(ledgers.map, {
        bookingId: id,
        startMs: block.startMs,
        endMs: block.endMs,
        holdUntilMs: reservedUntilMs,
      }, nowMs);
      if (!decision.ok) return { ok: false, reason: "slot_taken" };
      // The host's external calendars, re-checked right before the commit: busy there is taken;
      // a calendar that could not be read for too long makes the time unknown (fail closed).
      const cal = await calendarBusy(app, host.id, block.startMs, block.endMs, nowMs);
      if (meetsAny(block, cal.unknown)) return { ok: false, reason: "calendar_unavailable" };
      if (meetsAny(block, cal.busy)) return { ok: false, reason: "slot_taken" };
      let guestHolds: GuestHoldsWrite | undefined;
      if (pending) {
        // One guest may hold only a few of a host's times at once (anti-spam), checked in the same write.
        const entry = await readGuestHolds(app.kv, host.id, input.email);
        const live = (entry.value?.holds ?? []).filter((h) => h.untilMs > nowMs);
        if (live.length >= app.config.maxPendingPerGuest) return { ok: false, reason: "too_many_pending" };
        guestHolds = { entry, next: { v: 1, holds: [...live, { bookingId: id, untilMs: reservedUntilMs! }] } };
      }

      const [confirmT, rejectT, guestT] = await Promise.all(
        (["confirm", "reject", "guest"] as const).map((p) => bookingToken(app, booking, p)),
      );
      const tokens: { hash: string; record: BookingTokenRecord }[] = [
        { hash: await tokenHash(guestT), record: { v: 1, bookingId: id, purpose: "guest" } },
      ];
      if (pending) {
        tokens.push(
          { hash: await tokenHash(confirmT), record: { v: 1, bookingId: id, purpose: "confirm" } },
          { hash: await tokenHash(rejectT), record: { v: 1, bookingId: id, purpose: "reject" } },
        );
      }
      const mail = (m: Parameters<typeof newOutboxRecord>[0]) => newOutboxRecord(m, nowMs);
      const outbox = pending
        ? [
          mail({ kind: "booking_mail", mail: "host_request", bookingId: id }),
          mail({ kind: "booking_mail", mail: "guest_pending", bookingId: id }),
        ]
        : [
          mail({ kind: "booking_mail", mail: "guest_confirmed", bookingId: id }),
          mail({ kind: "booking_mail", mail: "host_booked", bookingId: id }),
          mail({ kind: "writeback", op: "put", bookingId: id }),
        ];
      const committed = await insertBooking(app.kv, { booking, tokens, ledgers, nextLedgers: decision.ledgers, outbox, guestHolds });
      if (committed) {
        app.kickOutbox();
        return { ok: true, bookingId: id, guestToken: guestT, status: booking.status };
      }
      // Lost a race with another writer (another process): re-read and decide again.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
    }
    return { ok: false, reason: "busy" };
  });
}
