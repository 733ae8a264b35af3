/**
 * Webhook delivery rules, pure: which answers are retried, when the next attempt is due
 * (honouring Retry-After), and when a failing subscription is switched off.
 */
import type { WebhookEvent } from "./model/records.ts";
import { TEST_EVENT } from "./model/developer-records.ts";

export { TEST_EVENT, WEBHOOK_EVENTS } from "./model/developer-records.ts";

/**
 * Events renamed since subscriptions could name them: a stored subscription to the old name
 * hears the new one (`poll.answered` became `poll.voted`, issue 28).
 */
const RENAMED: Record<string, WebhookEvent> = { "poll.answered": "poll.voted" };

/** Whether a subscription's stored event list covers `event` (old names included). */
export function subscribesTo(events: readonly string[], event: WebhookEvent): boolean {
  return events.some((e) => (RENAMED[e] ?? e) === event);
}

/**
 * Delays after the 1st, 2nd, … failed attempt. Standard Webhooks' suggested schedule, stretched
 * past three days so that one undeliverable message alone reaches the disable rule.
 */
export const WEBHOOK_RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** A subscription failing without a single success for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 86_400_000;
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export type AttemptResult =
  | { kind: "answer"; status: number; retryAfter: string | null }
  | { kind: "no_answer"; permanent: boolean };

/** Delivered, worth retrying, or failed for good (this message). */
export function classifyAttempt(r: AttemptResult): "delivered" | "retry" | "give_up" {
  if (r.kind === "no_answer") return r.permanent ? "give_up" : "retry";
  if (r.status >= 200 && r.status < 300) return "delivered";
  if (r.status === 408 || r.status === 429 || r.status >= 500) return "retry";
  // Other 4xx (and 3xx, which are not followed): the receiver refuses this message as sent.
  return "give_up";
}

/** Retry-After as seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const t = value.trim();
  if (/^\d{1,10}$/.test(t)) return Number(t) * 1000;
  // An HTTP date in its IMF-fixdate form ("Fri, 20 Nov 2026 08:01:30 GMT").
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(t)) return null;
  const at = Date.parse(t);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/**
 * When attempt number `attempt` (1-based) failed and should be retried: the receiver's
 * Retry-After when it gave one (bounded to 1 s … 24 h), else the schedule. Null when no attempt
 * is left.
 */
export function nextAttemptAtMs(
  attempt: number,
  retryAfterMs: number | null,
  nowMs: number,
): number | null {
  if (attempt < 1 || attempt > WEBHOOK_RETRY_DELAYS_MS.length) return null;
  const delay = retryAfterMs !== null
    ? Math.min(MAX_RETRY_AFTER_MS, Math.max(1_000, retryAfterMs))
    : WEBHOOK_RETRY_DELAYS_MS[attempt - 1];
  return nowMs + delay;
}

/** What one attempt came to, for the subscription's failing streak. */
export type Verdict = ReturnType<typeof classifyAttempt>;

/**
 * The subscription's failing streak after an attempt, and whether the attempt switches it off.
 *
 * The streak is a run of failed deliveries that are being retried: it starts at such a failure
 * and ends with any delivery, and with any message given up for good (a receiver that refuses a
 * message answered; that message is final and nothing is left retrying because of it). A refused
 * message therefore never starts a streak that a later, unrelated outage would inherit.
 *
 * The subscription goes off when the streak has lasted three days and the delivery that failed
 * now has itself been failing that long (its first attempt at `deliveryStartMs`): a short outage
 * is retried on schedule however old a stored streak is (one left by a refusal before this rule
 * included).
 */
export function afterAttempt(
  failingSinceMs: number | null,
  verdict: Verdict,
  deliveryStartMs: number,
  nowMs: number,
): { failingSinceMs: number | null; disable: boolean } {
  if (verdict !== "retry") return { failingSinceMs: null, disable: false };
  const since = failingSinceMs ?? nowMs;
  return {
    failingSinceMs: since,
    disable: nowMs - Math.max(since, deliveryStartMs) >= DISABLE_AFTER_MS,
  };
}

/**
 * Whether a delivery was asked for by its host ("Send test event", "Send again") rather than
 * queued by an event's fan-out. The fan-out writes a message and its deliveries in one write at
 * one instant, and a test event is never fanned out; "Send again" queues after its message.
 * Asked-for deliveries reach a switched-off endpoint too (once: they are not retried there), so
 * a host can check an endpoint before switching it back on.
 */
export function isAskedDelivery(
  msg: { event: string; createdAtMs: number },
  job: { createdAtMs: number },
): boolean {
  return msg.event === TEST_EVENT || job.createdAtMs !== msg.createdAtMs;
}

/**
 * A message id (the `webhook-id`): `msg_` and the id of the job that made it, and for a message
 * one of several people hears (a team booking's member, a team form's owner) `_` and their id.
 */
export const MESSAGE_ID = /^msg_[0-9A-Z]{26}(?:_[0-9A-Z]{26})?$/;

/** The id of the message `personId` hears of the job `ref`: the job's own for `ownerId`. */
export function messageIdFor(ref: string, personId: string, ownerId: string | null): string {
  return personId === ownerId ? `msg_${ref}` : `msg_${ref}_${personId}`;
}

/**
 * Who hears a booking's event, and why it reached them. Everyone the booking belongs to (its
 * host, or a team booking's members) — except a booking moved to other people (a round-robin
 * move given to another member, an admin's hand-over): its `booking.cancelled` goes only to the
 * people it left (`handedOver`), since the successor's `booking.rescheduled` reaches those who
 * attend it.
 */
export function eventAudience(
  event: WebhookEvent,
  booking: { hostId: string; personIds?: string[]; endReason?: string | null },
  successor: { hostId: string; personIds?: string[] } | null,
): { personIds: string[]; handedOver: boolean } {
  const people = booking.personIds ?? [booking.hostId];
  if (event !== "booking.cancelled" || booking.endReason !== "rescheduled" || !successor) {
    return { personIds: people, handedOver: false };
  }
  const staying = new Set(successor.personIds ?? [successor.hostId]);
  return { personIds: people.filter((p) => !staying.has(p)), handedOver: true };
}
