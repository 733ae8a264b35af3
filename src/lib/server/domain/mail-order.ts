/**
 * The order a booking's mails reach one reader (docs/decisions/040-seats.md, amended
 * 2026-11-27): a mail that says a booking ended goes after the mails that announced it to the
 * same reader. Lanes keep a booking's jobs in due order within one drain, but due order is not
 * the order things happened: a confirmation whose hand-off failed is due again later, and two
 * servers' clocks differ — so a guest seated just before the host cancelled the class got the
 * cancellation first and then "Confirmed". A booking that ended never announces anything again,
 * so any announcement of it still queued came first: the ending mail waits for it.
 */
import type { MailKind, OutboxPayload, OutboxRecord } from "./model/records.ts";

const GUEST_NEWS = new Set<MailKind>(["guest_pending", "guest_confirmed"]);
const HOST_NEWS = new Set<MailKind>([
  "host_request",
  "host_booked",
  "host_confirmed_copy",
  "member_request",
]);

/** The mails an ending mail follows (to the same reader); null: it follows none. */
const FOLLOWS: Partial<Record<MailKind, ReadonlySet<MailKind>>> = {
  guest_cancelled: GUEST_NEWS,
  guest_rejected: GUEST_NEWS,
  guest_expired: GUEST_NEWS,
  guests_cancelled: new Set<MailKind>(["guests_invited"]),
  host_cancelled: HOST_NEWS,
  host_expired: HOST_NEWS,
  host_meeting_cancelled: HOST_NEWS,
};

/**
 * Whom a booking mail is for, beside its kind: the team member (`personId`; none: the host or the
 * guest), the additional guests' way of reading (`readers`; a poll voter or an invitee of the
 * host reads their own), the invitee who declined (`attendee`). Two mails of one kind about one
 * booking with the same reader reach the same people; with another, other people.
 */
export function mailReader(p: Extract<OutboxPayload, { kind: "booking_mail" }>): string {
  return JSON.stringify([p.personId ?? null, p.readers ?? null, p.attendee ?? null]);
}

export function followsMails(kind: MailKind): boolean {
  return FOLLOWS[kind] !== undefined;
}

/**
 * How soon an ending mail looks again at a mail it follows that a drain is handing over right
 * now: such a job's due time is where its claim runs out (two minutes on, so that a dead
 * worker's job comes back), not when it will have gone — a hand-off takes well under a second.
 */
export const IN_FLIGHT_RECHECK_MS = 1_000;

/**
 * When an ending mail's job may go: null now, else the due time of a mail it follows that is
 * still queued for the same reader (the same member, the same additional guests) — parked ones
 * (failed for good) are not waited for, and one being handed over is looked at again
 * `IN_FLIGHT_RECHECK_MS` from `nowMs`. `queued`: the booking's jobs (store/outbox.ts
 * `listBookingJobs`), the job itself among them.
 */
export function awaitedMailDue(
  job: OutboxRecord,
  queued: readonly { job: OutboxRecord; failed: boolean }[],
  nowMs: number,
): number | null {
  const p = job.payload;
  if (p.kind !== "booking_mail") return null;
  const follows = FOLLOWS[p.mail];
  if (!follows) return null;
  let due: number | null = null;
  for (const q of queued) {
    const o = q.job.payload;
    if (q.failed || q.job.id === job.id || o.kind !== "booking_mail") continue;
    if (!follows.has(o.mail) || mailReader(o) !== mailReader(p)) continue;
    const at = q.job.claimedBy === null
      ? q.job.dueMs
      : Math.min(q.job.dueMs, nowMs + IN_FLIGHT_RECHECK_MS);
    due = Math.max(due ?? 0, at);
  }
  return due;
}
