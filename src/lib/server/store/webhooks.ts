/**
 * Webhook subscriptions, messages and the delivery log. A message is written once per event (its
 * key checked absent), together with one outbox delivery job per subscription: the fan-out of an
 * event happens once however often its job runs.
 */
import { type BookingId, keys, type PersonId, type UserId } from "./keys.ts";
import type {
  OutboxRecord,
  WebhookAttemptRecord,
  WebhookMessageRecord,
  WebhookSubscriptionRecord,
} from "../domain/model/records.ts";
import { dequeue, enqueue, getQueuedEntry } from "./outbox.ts";
import { commitOrReread, commitWithReceipt, getValues, MAX_CHECKS } from "./kv.ts";

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

/** One subscription of anyone's (the first by key), or null when the store has none. */
export async function anySubscription(kv: Deno.Kv): Promise<WebhookSubscriptionRecord | null> {
  for await (
    const e of kv.list<WebhookSubscriptionRecord>({ prefix: keys.webhookSubAll() }, { limit: 1 })
  ) return e.value;
  return null;
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
  // A fresh id: the subscription exists exactly when this write landed (ADR 038).
  return (await commitOrReread(
    kv.atomic().check({ key, versionstamp: null }).set(key, sub),
    async () => (await kv.get(key)).versionstamp !== null,
  )).ok;
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
  // Landed with its answer lost: done, not sent again (a second attempt logged, a mail twice).
  return (await commitWithReceipt(kv, op)).ok;
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
 * What writing a message came to: `written`; `exists` (an earlier run of its fan-out wrote it);
 * `stale` (a record its body was built from changed since it was read: read again, build again).
 */
export type MessageWrite = "written" | "exists" | "stale";

/**
 * Writes a message and its delivery jobs at once, unless the message exists, and only while the
 * records its body was built from (`builtFrom`, as read) are unchanged. Erasing a guest rewrites
 * those records and then reads the index of messages once: a body built from the record as it
 * was before the rewrite must either land before that read (and be found) or not land at all.
 */
export async function insertMessage(
  kv: Deno.Kv,
  msg: WebhookMessageRecord,
  jobs: OutboxRecord[],
  builtFrom: Deno.KvEntryMaybe<unknown>[] = [],
): Promise<MessageWrite> {
  const key = keys.webhookMessage(msg.id);
  const op = kv.atomic().check({ key, versionstamp: null });
  for (const entry of builtFrom) op.check(entry);
  op.set(key, msg, { expireIn: WEBHOOK_LOG_TTL_MS })
    .set(messageIndexKey(msg), msg.createdAtMs, { expireIn: WEBHOOK_LOG_TTL_MS });
  for (const job of jobs) enqueue(op, job);
  if ((await op.commit()).ok) return "written";
  // Either check failed; the message itself tells which (an earlier run's is there to stay).
  return (await kv.get(key)).versionstamp ? "exists" : "stale";
}

const messageIndexKey = (msg: WebhookMessageRecord) =>
  keys.webhookMessageByPerson(msg.hostId, msg.bookingId ?? "", msg.id);

/** Queues more deliveries of a message that exists. */
export async function queueDeliveries(kv: Deno.Kv, jobs: OutboxRecord[]): Promise<void> {
  const op = kv.atomic();
  for (const job of jobs) enqueue(op, job);
  await op.commit();
}

/**
 * The writes of an erasure go in batches well inside one remote KV write (ADR 022): a message
 * is two deletes (its body and its index entry), 200 of 1,000 mutations.
 */
const ERASE_BATCH = 100;

/**
 * Erasing a guest (ADR 022): every message whose body `names` is deleted — so it is never sent,
 * neither by a delivery still queued (it finds no body and is skipped) nor by "Send again"
 * (which then says it is gone) — and a logged answer of a receiver that `names` loses its
 * excerpt. The messages read are `hostId`'s own, tried or not, and the copies of the `bookings`
 * (those that named the guest) that the other people of a booking heard (a team booking's
 * members); another booking's messages of theirs are theirs. The log keeps the rest (when, which
 * event, the status). Returns how many messages went.
 */
export async function eraseMessagesNaming(
  kv: Deno.Kv,
  hostId: UserId,
  names: (text: string) => boolean,
  nowMs: number,
  bookings: { id: BookingId; personIds: PersonId[] }[] = [],
): Promise<number> {
  const messageIds = new Set<string>();
  const excerpts: Deno.KvEntry<WebhookAttemptRecord>[] = [];
  // The log as well as the index: a message written before the index was lists only there.
  const hostLog = keys.webhookAttemptHostPrefix(hostId);
  for await (const e of kv.list<WebhookAttemptRecord>({ prefix: hostLog })) {
    messageIds.add(e.value.messageId);
    if (e.value.responseExcerpt && names(e.value.responseExcerpt)) excerpts.push(e);
  }
  const indexIds = async (prefix: Deno.KvKey) => {
    for await (const e of kv.list({ prefix })) messageIds.add(String(e.key[e.key.length - 1]));
  };
  await indexIds(keys.webhookMessageByPersonPrefix(hostId));
  const othersOf = new Map<string, Set<PersonId>>();
  for (const b of bookings) {
    const others = new Set(b.personIds.filter((p) => p !== hostId));
    othersOf.set(b.id, others);
    for (const p of others) await indexIds(keys.webhookMessageByPersonBookingPrefix(p, b.id));
  }
  // What this erasure may take: the host's own, or another person's copy of a booking it rewrote.
  const ours = (m: WebhookMessageRecord) =>
    m.hostId === hostId || (!!m.bookingId && !!othersOf.get(m.bookingId)?.has(m.hostId));
  const gone = (await getValues<WebhookMessageRecord>(
    kv,
    [...messageIds].map((id) => keys.webhookMessage(id)),
  )).filter((m) => ours(m) && names(m.body));
  for (let i = 0; i < gone.length; i += ERASE_BATCH) {
    const op = kv.atomic();
    for (const m of gone.slice(i, i + ERASE_BATCH)) {
      op.delete(keys.webhookMessage(m.id)).delete(messageIndexKey(m));
    }
    await op.commit();
  }
  for (let i = 0; i < excerpts.length; i += ERASE_BATCH) {
    const op = kv.atomic();
    for (const e of excerpts.slice(i, i + ERASE_BATCH)) {
      const left = e.value.atMs + WEBHOOK_LOG_TTL_MS - nowMs;
      if (left > 0) op.set(e.key, { ...e.value, responseExcerpt: "" }, { expireIn: left });
      else op.delete(e.key);
    }
    await op.commit();
  }
  return gone.length;
}

// ---------------------------------------------------------------------------------------------
// Deliveries held while their host is suspended (ADR 043: silent while suspended)

/**
 * What holding a claimed delivery came to: `held`; `moved` (its claim ran out and another run
 * has it, or it is gone: nothing to do here); `changed` (the host's record or the subscription
 * changed since they were read — a reactivation, a deletion: decide again).
 */
export type HoldWrite = "held" | "moved" | "changed";

/**
 * Takes a claimed delivery out of the queue and keeps it under `webhookHeld` until its host is
 * reactivated, with a line in its subscription's log, in one write that checks the job is still
 * where its claim put it and that the host (suspended) and the subscription are as read: a hold
 * that lands after a reactivation would wait for the next one. The job is kept as it was before
 * the claim (the claim's attempt given back: waiting is not failing) and expires at `untilMs`,
 * its message's end: a delivery never outlives what it would send. 3 checks, 3 mutations.
 */
export async function holdDelivery(
  kv: Deno.Kv,
  job: OutboxRecord,
  read: { host: Deno.KvEntryMaybe<unknown>; subscription: Deno.KvEntry<WebhookSubscriptionRecord> },
  attempt: WebhookAttemptRecord,
  untilMs: number,
  nowMs: number,
): Promise<HoldWrite> {
  const queued = await getQueuedEntry(kv, job);
  if (!queued.value) return "moved";
  const sub = read.subscription.value;
  const heldKey = keys.webhookHeld(sub.hostId, sub.id, job.id);
  const held: OutboxRecord = {
    ...job,
    attempts: Math.max(0, job.attempts - 1),
    claimedBy: null,
  };
  const op = kv.atomic().check(queued).check(read.host).check(read.subscription);
  dequeue(op, job);
  op.set(heldKey, held, { expireIn: Math.max(1, untilMs - nowMs) });
  addAttempt(op, sub, attempt);
  // Landed with its answer lost: the job sits under its held key (the key names this job).
  const res = await commitOrReread(op, async () => (await kv.get(heldKey)).versionstamp !== null);
  if (res.ok) return "held";
  return (await getQueuedEntry(kv, job)).value ? "changed" : "moved";
}

/**
 * Queues every delivery held for `hostId` again, due at `dueMs`, in writes of MAX_CHECKS jobs
 * (each checked as read, so two releases at once queue each job once: 10 checks, 20 mutations,
 * a few KB). `lane` gives each its lane (jobs/outbox-lanes.ts), so one subscription's backlog
 * goes out one after another in job id order, the order its events happened. Returns how many.
 */
export async function releaseHeldDeliveries(
  kv: Deno.Kv,
  hostId: UserId,
  dueMs: number,
  lane: (job: OutboxRecord) => string,
): Promise<number> {
  let released = 0;
  // Each round takes what is left first; a lost round (another release took those jobs) reads
  // again. Bounded for a bug's sake, far above any backlog (30 days of one host's events).
  for (let round = 0; round < 100_000; round++) {
    const batch: Deno.KvEntry<OutboxRecord>[] = [];
    for await (
      const e of kv.list<OutboxRecord>({ prefix: keys.webhookHeldPrefix(hostId) }, {
        limit: MAX_CHECKS,
      })
    ) batch.push(e);
    if (batch.length === 0) return released;
    const op = kv.atomic();
    for (const e of batch) {
      op.check(e).delete(e.key);
      enqueue(op, { ...e.value, dueMs, claimedBy: null, lane: lane(e.value) });
    }
    if ((await op.commit()).ok) released += batch.length;
  }
  throw new Error("releaseHeldDeliveries: too many rounds");
}

/** Deletes the deliveries held for a subscription (it was deleted: there is nothing to send to). */
export async function dropHeldDeliveries(
  kv: Deno.Kv,
  hostId: UserId,
  subId: string,
): Promise<void> {
  const held: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: keys.webhookHeldSubPrefix(hostId, subId) })) {
    held.push(e.key);
  }
  for (let i = 0; i < held.length; i += ERASE_BATCH) {
    const op = kv.atomic();
    for (const key of held.slice(i, i + ERASE_BATCH)) op.delete(key);
    await op.commit();
  }
}

/** How many deliveries are held for suspended hosts, counting up to `limit` (for /metrics). */
export async function countHeldDeliveries(kv: Deno.Kv, limit: number): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: keys.webhookHeldAll() }, { limit })) n++;
  return n;
}
