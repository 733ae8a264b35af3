/**
 * Webhook deliveries of a suspended host (ADR 043: silent while suspended): held, never sent
 * and never lost, and queued again in order when the host is reactivated.
 */
import type { App } from "../app.ts";
import type {
  OutboxRecord,
  WebhookAttemptRecord,
  WebhookMessageRecord,
  WebhookSubscriptionRecord,
} from "../domain/model/records.ts";
import type { JobOutcome } from "../jobs/job-outcome.ts";
import {
  getSubscriptionEntry,
  holdDelivery,
  type HoldWrite,
  listSubscriptions,
  releaseHeldDeliveries,
  replaceSubscription,
  WEBHOOK_LOG_TTL_MS,
} from "../store/webhooks.ts";
import { getActiveUser, newId } from "../store/users.ts";
import { HELD } from "./webhook-errors.ts";

/**
 * A delivery of a suspended host, held until a reactivation queues it again
 * (`releaseHeldDeliveries`). Its log says it is held (a line of its own, with no retry time: the
 * one its last attempt named passes while it waits), and it is no attempt: the claim's attempt is
 * given back, so its retries resume where they were; no failure is counted.
 *
 * What is kept is bounded by what would be sent anyway: a held delivery expires with its
 * message (`WEBHOOK_LOG_TTL_MS`, 30 days after the event, when Send again could not send it
 * either), and a suspended host's events are few — their pages take no bookings; guests cancel,
 * requests expire — each at most one small job per subscription (≤ MAX_SUBSCRIPTIONS), no body.
 * A host suspended for longer hears, once reactivated, of the last 30 days.
 */
export async function holdUntilReactivated(
  app: App,
  job: OutboxRecord,
  msg: WebhookMessageRecord,
  read: Parameters<typeof holdDelivery>[2],
): Promise<HoldWrite> {
  const nowMs = app.now();
  const attempt: WebhookAttemptRecord = {
    v: 1,
    id: newId(nowMs),
    messageId: msg.id,
    event: msg.event,
    // The attempts made before: this is none.
    attempt: Math.max(0, job.attempts - 1),
    atMs: nowMs,
    durationMs: 0,
    status: null,
    ok: false,
    error: HELD,
    responseExcerpt: "",
    nextRetryAtMs: null,
    held: true,
  };
  const untilMs = msg.createdAtMs + WEBHOOK_LOG_TTL_MS;
  return await holdDelivery(app.kv, job, read, attempt, untilMs, nowMs);
}

/**
 * A `webhook_release` job, queued by the write that reactivated a host: every delivery held
 * while they were suspended is queued again, due now, in the order its events happened (one
 * subscription's one after another: `releaseHeldDeliveries`). The time held is no time failing:
 * a subscription's failing streak moves on by the suspension's length, so the three-day rule
 * does not switch off an endpoint at its first failure after a long suspension.
 */
export async function releaseHeld(app: App, job: OutboxRecord): Promise<JobOutcome> {
  const p = job.payload;
  if (p.kind !== "webhook_release") throw new Error("not a webhook_release job");
  // Suspended again meanwhile: that suspension's reactivation releases them. Closed: deleting
  // its subscriptions dropped them.
  if (!(await getActiveUser(app.kv, p.hostId))) return { ok: true, skipped: true };
  // The reactivation's write made this job: from then on deliveries were not held.
  const heldMs = Math.max(0, job.createdAtMs - p.suspendedAtMs);
  for (const sub of await listSubscriptions(app.kv, p.hostId)) {
    if (sub.failingSinceMs !== null && sub.failingSinceMs < job.createdAtMs) {
      await moveStreak(app, p.hostId, sub.id, heldMs, job.createdAtMs);
    }
  }
  const released = await releaseHeldDeliveries(app.kv, p.hostId, app.now(), (held) =>
    // One lane per subscription: its backlog goes out one after another, in order.
    `webhook:${held.payload.kind === "webhook_delivery" ? held.payload.subscriptionId : ""}`);
  if (released) app.kickOutbox();
  return { ok: true };
}

/** A subscription's failing streak later by `heldMs` (never past `untilMs`), if it is as read. */
async function moveStreak(
  app: App,
  hostId: string,
  subId: string,
  heldMs: number,
  untilMs: number,
) {
  for (let i = 0; i < 5; i++) {
    const cur = await getSubscriptionEntry(app.kv, hostId, subId);
    const sub = cur.value;
    // Gone, or a delivery since reactivating already moved it on.
    if (!sub || sub.failingSinceMs === null || sub.failingSinceMs >= untilMs) return;
    const failingSinceMs = Math.min(sub.failingSinceMs + heldMs, untilMs);
    const next: WebhookSubscriptionRecord = { ...sub, failingSinceMs };
    if (await replaceSubscription(app.kv, cur as Deno.KvEntry<WebhookSubscriptionRecord>, next)) {
      return;
    }
  }
}
