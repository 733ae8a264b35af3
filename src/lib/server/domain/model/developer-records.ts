/** Stored shapes of the developer integrations: API keys, idempotency, webhooks (see records.ts). */
import type { BookingId, UserId } from "./ids.ts";
import type { Sealed } from "../../util/digest.ts";

/**
 * What a webhook subscription can hear of (a booking changed state; a meeting poll changed), in
 * the order they are listed: the one list the type, the API's schema and the docs come from.
 */
export const WEBHOOK_EVENTS = [
  "booking.requested",
  "booking.confirmed",
  "booking.rejected",
  "booking.cancelled",
  "booking.rescheduled",
  "booking.expired",
  // A booking's details changed without a change of state: its video link arrived after it was
  // confirmed (a Google Meet still being made, a provider outage; ADR 042).
  "booking.updated",
  // A routing form was submitted (issue 30).
  "form.submitted",
  "poll.created",
  "poll.voted",
  "poll.booked",
  "poll.closed",
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The event a host's "Send test event" sends; nobody subscribes to it. */
export const TEST_EVENT = "webhook.test";

export type ApiScope = "read" | "write";

export type ApiKeyRecord = {
  v: 1;
  id: string;
  hostId: UserId;
  name: string;
  /** The first characters of the secret, to tell keys apart in the list. */
  prefix: string;
  /** SHA-256 (hex) of the whole secret; the secret itself is never stored. */
  hash: string;
  scopes: ApiScope[];
  expiresAtMs: number | null;
  createdAtMs: number;
  lastUsedAtMs: number | null;
};

export type ApiKeyIndexRecord = { v: 1; hostId: UserId; keyId: string };

export type IdempotencyRecord = {
  v: 1;
  /** SHA-256 of method, path and canonical body: the same key with another request is refused. */
  fingerprint: string;
  state: "running" | "done";
  /** While running: when another request may take over (the first one died). */
  untilMs: number;
  createdAtMs: number;
  status?: number;
  body?: unknown;
};

/** What the committed change was, so a crash between commit and answer can still be answered. */
export type IdempotencyCommitRecord = {
  v: 1;
  fingerprint: string;
  atMs: number;
  target:
    | { kind: "booking"; bookingId: BookingId }
    | { kind: "new_booking"; hostId: UserId; startMs: number; email: string };
  /**
   * The answer, when the change's plan could write it into its own commit (a new booking through
   * the API): status and deflated JSON, as an `idempotency` record keeps it. A retry replays it,
   * and no later write stores it (services/idempotency.ts).
   */
  answer?: { status: number; bodyZ: Uint8Array };
};

export type WebhookSecret = { sealed: Sealed; createdAtMs: number; expiresAtMs: number | null };

export type WebhookSubscriptionRecord = {
  v: 1;
  id: string;
  hostId: UserId;
  url: string;
  description: string;
  events: WebhookEvent[];
  enabled: boolean;
  disabledReason: string | null;
  /** Newest first; an older one is still signed with until it expires (rotation overlap). */
  secrets: WebhookSecret[];
  /** The first failure since the last success; 3 days of failing disables the subscription. */
  failingSinceMs: number | null;
  /**
   * Since when no signing secret opens with this server's key (a store restored without its
   * INVITO_SESSION_SECRET): nothing is sent unsigned, so every delivery fails until a rotation
   * (or the secret the store was written with) makes one readable. Absent while one opens.
   */
  secretUnreadableSinceMs?: number;
  lastSuccessMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
};

export type WebhookMessageRecord = {
  v: 1;
  id: string;
  hostId: UserId;
  event: WebhookEvent | typeof TEST_EVENT;
  /** The exact body sent (and signed) on every attempt. */
  body: string;
  createdAtMs: number;
  /**
   * A booking's event: the booking it is about. Its person's index of messages is keyed by it,
   * so erasing a guest finds the copies a team booking's other members heard (ADR 022).
   */
  bookingId?: BookingId;
};

export type WebhookAttemptRecord = {
  v: 1;
  id: string;
  messageId: string;
  event: string;
  attempt: number;
  atMs: number;
  durationMs: number;
  /** HTTP status; null when no answer came (network, timeout, refused address). */
  status: number | null;
  ok: boolean;
  error: string | null;
  responseExcerpt: string;
  /** When the next attempt is due; null when none will follow. */
  nextRetryAtMs: number | null;
  /** Nothing was sent: no signing secret of the subscription opens (its `error` says so). */
  unsigned?: true;
  /**
   * Not an attempt: the delivery was held, its host's account being suspended, and goes out
   * once it is reactivated. `attempt` counts the attempts made before.
   */
  held?: true;
};
