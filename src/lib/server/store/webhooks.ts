/**
 * Webhook subscriptions, messages and the delivery log. A message is written once per event (its
 * key checked absent), together with one outbox delivery job per subscription: the fan-out of an
 * event happens once however often its job runs.
 */
import { keys, type UserId } from "./keys.ts";
import type {
  OutboxRecord,
  WebhookAttemptRecord,
  WebhookMessageRecord,
  WebhookSubscriptionRecord,
} from "../domain/model/records.ts";
import { enqueue } from "./outbox.ts";

/** Messages and attempts are kept this long for the log and for redelivery. */
export const WEBHOOK_LOG_TTL_MS = 30 * 86_400_000;

export async function listSubscriptions(
  kv: Deno.Kv,
  hostId: UserId,
): Promise<WebhookSubscriptionRecord[]> {
  const out: WebhookSubscriptionRecord[] = [];
  for await (
    const e of kv.list<WebhookSubscriptionRecord>({ prefix: keys.webhookSubPrefix(hostId) })
  ) out.push(e.value);
  return out;
}

export async function getSubscriptionEntry(
  kv: Deno.Kv,
  hostId: UserId,
  subId: string,
): Promise<Deno.KvEntryMaybe<WebhookSubscriptionRecord>> {
  return await kv.get<WebhookSubscriptionRecord>(keys.webhookSub(hostId, subId));
}

export async function insertSubscription(
  kv: Deno.Kv,
  sub: WebhookSubscriptionRecord,
): Promise<boolean> {
  const key = keys.webhookSub(sub.hostId, sub.id);
  return (await kv.atomic().check({ key, versionstamp: null }).set(key, sub).commit()).ok;
}

/** Replaces a subscription read as `current` (versionstamp-checked), with extra jobs queued. */
export async function replaceSubscription(
  kv: Deno.Kv,
  current: Deno.KvEntry<WebhookSubscriptionRecord>,
  next: WebhookSubscriptionRecord | null,
  opts: { attempt?: WebhookAttemptRecord; jobs?: OutboxRecord[] } = {},
): Promise<boolean> {
  const op = kv.atomic().check(current);
  if (next) op.set(current.key, next);
  else op.delete(current.key);
  if (opts.attempt) addAttempt(op, current.value, opts.attempt);
  for (const job of opts.jobs ?? []) enqueue(op, job);
  return (await op.commit()).ok;
}

function addAttempt(
  op: Deno.AtomicOperation,
  sub: WebhookSubscriptionRecord,
  attempt: WebhookAttemptRecord,
) {
  op.set(keys.webhookAttempt(sub.hostId, sub.id, attempt.id), attempt, {
    expireIn: WEBHOOK_LOG_TTL_MS,
  });
}

/** Records an attempt without touching the subscription (it was deleted or changed meanwhile). */
export async function logAttempt(
  kv: Deno.Kv,
  hostId: UserId,
  subId: string,
  attempt: WebhookAttemptRecord,
): Promise<void> {
  await kv.set(keys.webhookAttempt(hostId, subId, attempt.id), attempt, {
    expireIn: WEBHOOK_LOG_TTL_MS,
  });
}

/** The newest attempts of a subscription first. */
export async function listAttempts(
  kv: Deno.Kv,
  hostId: UserId,
  subId: string,
  limit: number,
): Promise<WebhookAttemptRecord[]> {
  const out: WebhookAttemptRecord[] = [];
  for await (
    const e of kv.list<WebhookAttemptRecord>(
      { prefix: keys.webhookAttemptPrefix(hostId, subId) },
      { reverse: true, limit },
    )
  ) out.push(e.value);
  return out;
}

export async function getMessage(
  kv: Deno.Kv,
  messageId: string,
): Promise<WebhookMessageRecord | null> {
  return (await kv.get<WebhookMessageRecord>(keys.webhookMessage(messageId))).value;
}

/**
 * Writes a message and its delivery jobs at once, unless the message exists (false then: the
 * fan-out already happened).
 */
export async function insertMessage(
  kv: Deno.Kv,
  msg: WebhookMessageRecord,
  jobs: OutboxRecord[],
): Promise<boolean> {
  const key = keys.webhookMessage(msg.id);
  const op = kv.atomic().check({ key, versionstamp: null })
    .set(key, msg, { expireIn: WEBHOOK_LOG_TTL_MS });
  for (const job of jobs) enqueue(op, job);
  return (await op.commit()).ok;
}

/** Queues more deliveries of a message that exists. */
export async function queueDeliveries(kv: Deno.Kv, jobs: OutboxRecord[]): Promise<void> {
  const op = kv.atomic();
  for (const job of jobs) enqueue(op, job);
  await op.commit();
}
