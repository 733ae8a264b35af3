/**
 * Webhook delivery rules, pure: which answers are retried, when the next attempt is due
 * (honouring Retry-After), and when a failing subscription is switched off.
 */
import type { WebhookEvent } from "./model/records.ts";

export { WEBHOOK_EVENTS } from "./model/developer-records.ts";

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

/** After a failed attempt: the failing streak's start, and whether the subscription goes off. */
export function afterFailure(
  failingSinceMs: number | null,
  nowMs: number,
): { failingSinceMs: number; disable: boolean } {
  const since = failingSinceMs ?? nowMs;
  return { failingSinceMs: since, disable: nowMs - since >= DISABLE_AFTER_MS };
}
