/**
 * Deleting a team (ADR 016, "Deleting a team"), pure: only an owner, who types the team's name
 * to confirm, and only while none of its bookings is still ahead — the owner cancels those
 * first (the team's Bookings page tells each guest), so that no guest is left with a meeting
 * whose team is gone. What the deletion writes (the team, its address held for nobody, its
 * member and invitation indexes) fits one atomic write by construction: `teamDeletionBudget`.
 */
import type { BookingStatus, TeamRecord } from "./model/records.ts";
import { isLiveBooking } from "./booking.ts";
import { MAX_MEMBERS, roleOf } from "./team-membership.ts";

export type TeamDeletionRefusal =
  | { ok: false; reason: "forbidden" }
  | { ok: false; reason: "name_mismatch" }
  | { ok: false; reason: "upcoming"; upcoming: number };

/** The name as typed and as stored, compared without outer spaces and with runs of space as one. */
const spaced = (s: string) => s.normalize("NFC").trim().replace(/\s+/g, " ");

/** Whether a booking still lies ahead: pending or confirmed, and not yet over. */
export function isBookingAhead(
  b: { status: BookingStatus; reservedUntilMs: number | null; endMs: number },
  nowMs: number,
): boolean {
  return isLiveBooking(b, nowMs) && b.endMs > nowMs;
}

/**
 * Whether `userId` may delete `team` now: an owner, who typed its name (as the page shows it),
 * while `upcoming` of its bookings lie ahead (`isBookingAhead`).
 */
export function decideTeamDeletion(
  team: TeamRecord,
  userId: string,
  typedName: string,
  upcoming: number,
): { ok: true } | TeamDeletionRefusal {
  if (roleOf(team, userId) !== "owner") return { ok: false, reason: "forbidden" };
  if (spaced(typedName) !== spaced(team.name)) return { ok: false, reason: "name_mismatch" };
  if (upcoming > 0) return { ok: false, reason: "upcoming", upcoming };
  return { ok: true };
}

/**
 * The deletion's one atomic write: it checks the team record and removes the record and its
 * slug index, holds the slug (one set), and removes each member's index and each pending
 * invitation's three keys, with the settings revision and a commit receipt (one set each: a lost
 * answer is settled by reading it, ADR 038). Members and invitations together are at most
 * MAX_MEMBERS, so the
 * write stays far inside remote KV's limits (≤ 10 checks, ≤ 1,000 mutations) by construction.
 */
export function teamDeletionBudget(members: number, invitations: number) {
  return { checks: 1, mutations: 3 + members + 3 * invitations + 2 };
}

/** The largest deletion write there can be (every place a pending invitation). */
export const TEAM_DELETION_MAX = teamDeletionBudget(0, MAX_MEMBERS);
