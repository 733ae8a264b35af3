/**
 * Where a guest may move their booking (ADR 044, amendment of 2026-11-27). Pure: the caller
 * reads the booking (and, for a booking made before the times were recorded on it, its link).
 *
 * A booking made through a one-off link moves only to one of the times its host offered: the
 * host chose those for this guest, often on a secret event type, and a move to any of the type's
 * times handed the guest what the host had kept from them. Every other booking — the public
 * page's, a plain single-use link's (it offered every time of the type), a poll's pick (its
 * guest is one invitee of several; the poll's other times were answered by all of them and are
 * released at the pick) — moves within the event type's times, as its guest could book them.
 * The host's own moves are never limited by this (they offered the times).
 */
import type { BookingRecord, SingleUseLinkRecord } from "./model/records.ts";

/** The starts (epoch ms) a guest's move may land on; null = any time the event type offers. */
export function guestMoveStarts(
  booking: Pick<BookingRecord, "offeredStarts">,
  link: Pick<SingleUseLinkRecord, "offeredStarts"> | null = null,
): readonly number[] | null {
  return booking.offeredStarts ?? link?.offeredStarts ?? null;
}

/** Whether a guest may move their booking to `startMs` (still to be checked free, as every move). */
export function isGuestMoveOffered(allowed: readonly number[] | null, startMs: number): boolean {
  return allowed === null || allowed.includes(startMs);
}
