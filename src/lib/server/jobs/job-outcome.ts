/**
 * What performing one outbox job came to. A leaf of its own: performers in services/ return it,
 * and the outbox job (jobs/deliver-outbox.ts) that calls them reads it.
 */
export type JobOutcome = {
  ok: true;
  /** Done, but nothing was delivered (a reminder for a cancelled booking, no calendar). */
  skipped?: boolean;
} | {
  ok: false;
  error: string;
  permanent?: boolean;
  /** The remote side asked for at least this long (429 Retry-After); the usual backoff still applies. */
  retryAfterMs?: number;
  /** The job's own schedule (webhooks: their backoff and Retry-After) instead of the mail one. */
  retryAtMs?: number;
  /**
   * No failure: the job waits for something on its way (a confirmation for its video link) and
   * runs again at `retryAtMs` (or after `retryAfterMs`) — without using an attempt, keeping an
   * error, or telling the health panel of a problem. Whoever returns it bounds the wait.
   */
  waiting?: boolean;
};
