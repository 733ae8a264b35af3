/**
 * Booking rules, pure: the per-host per-UTC-day ledger decision behind the no-overlap
 * invariant, and the state machine every status change goes through.
 */
import type { Interval } from "./interval.ts";

export type BookingStatus = "PENDING" | "CONFIRMED" | "REJECTED" | "CANCELLED";
export type LedgerEntry = {
  bookingId: string;
  startMs: number;
  endMs: number;
  holdUntilMs: number | null;
};

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

/** A pending hold stops blocking at its expiry even before the expiry job has run. */
export function isLive(e: LedgerEntry, nowMs: number): boolean {
  return e.holdUntilMs === null || e.holdUntilMs > nowMs;
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

export type LedgerDecision =
  | { ok: true; ledgers: Map<string, LedgerEntry[]> }
  | { ok: false; reason: "slot_taken"; conflictWith: string };

/**
 * Adds `entry` to each touched day's ledger unless it overlaps a live entry. Expired holds are
 * dropped on the way so ledgers do not grow with requests nobody answered.
 */
export function decideHold(
  current: Map<string, LedgerEntry[]>,
  entry: LedgerEntry,
  nowMs: number,
): LedgerDecision {
  const next = new Map<string, LedgerEntry[]>();
  for (const day of utcDaysTouched(entry.startMs, entry.endMs)) {
    const live = (current.get(day) ?? []).filter((e) => isLive(e, nowMs));
    for (const e of live) {
      if (e.bookingId !== entry.bookingId && e.startMs < entry.endMs && entry.startMs < e.endMs) {
        return { ok: false, reason: "slot_taken", conflictWith: e.bookingId };
      }
    }
    next.set(
      day,
      [...live.filter((e) => e.bookingId !== entry.bookingId), entry].sort((a, b) =>
        a.startMs - b.startMs
      ),
    );
  }
  return { ok: true, ledgers: next };
}

/** Removes a booking from the ledgers it touches (a decided, cancelled or expired booking). */
export function releaseHold(
  current: Map<string, LedgerEntry[]>,
  bookingId: string,
  nowMs: number,
): Map<string, LedgerEntry[]> {
  const next = new Map<string, LedgerEntry[]>();
  for (const [day, entries] of current) {
    next.set(day, entries.filter((e) => e.bookingId !== bookingId && isLive(e, nowMs)));
  }
  return next;
}

/**
 * Turns a hold into a firm booking. Fails when the hold is gone from any ledger: it expired and
 * its time was pruned (possibly taken by someone else), so confirming it could double-book.
 */
export function firmHold(
  current: Map<string, LedgerEntry[]>,
  bookingId: string,
  nowMs: number,
): { ok: true; ledgers: Map<string, LedgerEntry[]> } | { ok: false } {
  const next = new Map<string, LedgerEntry[]>();
  for (const [day, entries] of current) {
    const mine = entries.find((e) => e.bookingId === bookingId);
    if (!mine || !isLive(mine, nowMs)) return { ok: false };
    next.set(
      day,
      entries.filter((e) => isLive(e, nowMs)).map((e) =>
        e.bookingId === bookingId ? { ...e, holdUntilMs: null } : e
      ),
    );
  }
  return { ok: true, ledgers: next };
}

export type BookingAction = "confirm" | "reject" | "expire" | "cancel";
export type TransitionRefusal =
  | "already_confirmed"
  | "already_rejected"
  | "expired"
  | "cancelled"
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
  if (b.status === "CANCELLED") return b.endReason === "expired" ? "expired" : "cancelled";
  return "not_pending";
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
