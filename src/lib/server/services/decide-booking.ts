/**
 * Status changes after booking: confirm, reject, cancel, expire. Each is the same shape: read
 * the booking and its ledgers, decide in domain/, commit with versionstamp checks; a lost race
 * re-reads, and the second of two racing decisions sees the first one's result.
 */
import type { App } from "../app.ts";
import { type BookingAction, decideTransition, firmHold, releaseHold, type TransitionRefusal } from "../domain/booking.ts";
import {
  getBookingEntry,
  getTokenRecord,
  type GuestHoldsWrite,
  readGuestHolds,
  readLedgers,
  updateBookingStatus,
} from "../store/bookings.ts";
import { newOutboxRecord } from "../store/outbox.ts";
import type { BookingRecord, MailKind, OutboxRecord, TokenPurpose } from "../store/records.ts";
import { tokenHash } from "./booking-links.ts";

export type DecideResult =
  | { ok: true; booking: BookingRecord }
  | { ok: false; reason: TransitionRefusal | "not_found"; booking?: BookingRecord };

type Actor = "guest" | "host" | "system";

/** The booking a link token opens, if the token exists and was made for this purpose. */
export async function bookingForToken(app: App, token: string, purpose: TokenPurpose): Promise<BookingRecord | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const rec = await getTokenRecord(app.kv, await tokenHash(token));
  if (!rec || rec.purpose !== purpose) return null;
  return (await getBookingEntry(app.kv, rec.bookingId)).value;
}

export async function decideByToken(app: App, token: string, action: "confirm" | "reject"): Promise<DecideResult> {
  const booking = await bookingForToken(app, token, action);
  if (!booking) return { ok: false, reason: "not_found" };
  return await decideBooking(app, booking.id, action, "host");
}

export async function decideBooking(
  app: App,
  bookingId: string,
  action: BookingAction,
  by: Actor,
  opts: { reason?: string; hostId?: string } = {},
): Promise<DecideResult> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const nowMs = app.now();
    const current = await getBookingEntry(app.kv, bookingId);
    if (!current.value) return { ok: false, reason: "not_found" };
    const b = current.value;
    if (opts.hostId !== undefined && b.hostId !== opts.hostId) return { ok: false, reason: "not_found" };
    const t = decideTransition(b, action, nowMs);
    if (!t.ok) return { ok: false, reason: t.reason, booking: b };

    const ledgers = await readLedgers(app.kv, b.hostId, b.blockStartMs, b.blockEndMs);
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
      endReason: t.endReason === "cancelled" ? (by === "host" ? "cancelled_by_host" : "cancelled_by_guest") : t.endReason,
      cancelReason: opts.reason ?? null,
      history: [...b.history, { status: t.status, atMs: nowMs, by }],
    };
    const outbox = mailsFor(b, next, nowMs);
    let guestHolds: GuestHoldsWrite | undefined;
    if (b.status === "PENDING") {
      const entry = await readGuestHolds(app.kv, b.hostId, b.guestEmail);
      if (entry.value) {
        guestHolds = { entry, next: { v: 1, holds: entry.value.holds.filter((h) => h.bookingId !== b.id && h.untilMs > nowMs) } };
      }
    }
    if (await updateBookingStatus(app.kv, { current, next, ledgers, nextLedgers, outbox, guestHolds })) {
      app.kickOutbox();
      return { ok: true, booking: next };
    }
  }
  throw new Error("decideBooking: too much contention");
}

/** The side effects of one transition, queued in the same write so they happen once. */
function mailsFor(before: BookingRecord, after: BookingRecord, nowMs: number): OutboxRecord[] {
  const job = (mail: MailKind) => newOutboxRecord({ kind: "booking_mail", mail, bookingId: after.id }, nowMs);
  const out: OutboxRecord[] = [];
  if (after.status === "CONFIRMED") {
    out.push(job("guest_confirmed"), job("host_confirmed_copy"));
    out.push(newOutboxRecord({ kind: "writeback", op: "put", bookingId: after.id }, nowMs));
  } else if (after.status === "REJECTED") {
    out.push(job("guest_rejected"));
  } else if (after.status === "CANCELLED") {
    out.push(job(after.endReason === "expired" ? "guest_expired" : "guest_cancelled"));
    if (after.endReason === "cancelled_by_guest") out.push(job("host_cancelled"));
    if (before.status === "CONFIRMED") out.push(newOutboxRecord({ kind: "writeback", op: "delete", bookingId: after.id }, nowMs));
  }
  return out;
}
