/**
 * Webhook outbox performers: the fan-out of one booking event (or a host event, `host_event`)
 * into one signed body and one delivery job per subscription, and the signed delivery itself
 * (Standard Webhooks).
 */
import { hostMoveReason } from "../domain/booking.ts";
import type { App } from "../app.ts";
import type {
  OutboxRecord,
  UserRecord,
  WebhookAttemptRecord,
  WebhookEvent,
  WebhookMessageRecord,
  WebhookSubscriptionRecord,
} from "../domain/model/records.ts";
import {
  getMessage,
  getSubscriptionEntry,
  insertMessage,
  listSubscriptions,
  logAttempt,
  replaceSubscription,
} from "../store/webhooks.ts";
import { getQueuedEntry, newOutboxRecord } from "../store/outbox.ts";
import { getBooking, getBookingEntry } from "../store/bookings.ts";
import { getUser, getUserEntry, newId } from "../store/users.ts";
import { unseal } from "../integrations/crypto.ts";
import { safeFetch, SafeFetchError } from "../integrations/safe-fetch.ts";
import { translator } from "../i18n.ts";
import { webhookOffMail } from "../integrations/mail-templates/webhook.ts";
import {
  afterAttempt,
  type AttemptResult,
  classifyAttempt,
  eventAudience,
  isAskedDelivery,
  messageIdFor,
  nextAttemptAtMs,
  parseRetryAfter,
  subscribesTo,
  type Verdict,
} from "../domain/webhooks.ts";
import { bookingResource } from "./booking-resource.ts";
import { holdUntilReactivated } from "./webhook-held.ts";
import { CANNOT_SIGN, HELD, redirectError } from "./webhook-errors.ts";
import {
  activeSecrets,
  deliveryJob,
  DISABLED_FAILING,
  EXCERPT_CHARS,
  TIMEOUT_MS,
} from "./webhooks.ts";

// ---------------------------------------------------------------------------------------------
// Outbox performers

/** How much of a receiver's answer is read; a larger one is judged by its status alone. */
const ANSWER_MAX_BYTES = 256 * 1024;

/**
 * `skipped`: done, but nothing was sent (not counted as a delivery). `failed`: done, but not
 * delivered — the receiver refused the message, its address was refused, or its retries ran out
 * — with what went wrong (counted as a failed delivery). `held`: its host is suspended and the
 * job was moved out of the queue until a reactivation (`holdDelivery`): nothing left to settle,
 * nothing to count. `waiting`: run again at `retryAtMs` without using an attempt.
 */
export type WebhookJobOutcome =
  | { ok: true; skipped?: boolean; failed?: string; held?: true }
  | { ok: false; error: string; retryAtMs: number; waiting?: true };

/**
 * A lost race of a fan-out's write (a record its body was built from changed after the read) is
 * read and built again this many times in one run; then the outbox runs the job again.
 */
const FAN_OUT_READS = 5;

/**
 * One event as the fan-out read it: who hears it, the records it was read from (its message is
 * written only while they are unchanged), and each person's message.
 */
type Fan = {
  personIds: readonly string[];
  builtFrom: Deno.KvEntryMaybe<unknown>[];
  message: (personId: string, nowMs: number) => Promise<WebhookMessageRecord>;
};

/**
 * Writes `event`'s message and one delivery per matching subscription for each person `read`
 * names, once. `read` returns null when there is nothing to send (any more). A write that loses
 * to a change of what the event was read from reads again and builds the bodies still to write
 * from the records as they are now: erasing a guest rewrites those records before it reads the
 * messages, so a body naming the guest either landed before (and is found and deleted) or is
 * built again without them. A person whose message this run wrote keeps it as it was written
 * (one webhook-id, one body).
 */
async function fanOut(
  app: App,
  event: WebhookEvent,
  read: () => Promise<Fan | null>,
): Promise<WebhookJobOutcome> {
  const done = new Set<string>();
  for (let round = 0; round < FAN_OUT_READS; round++) {
    const fan = await read();
    if (!fan) return { ok: true };
    let stale = false;
    for (const personId of fan.personIds) {
      if (done.has(personId)) continue;
      const subs = (await listSubscriptions(app.kv, personId)).filter((s) =>
        s.enabled && subscribesTo(s.events, event)
      );
      // A closed account's subscriptions ended with it (issue 22). A suspended one's are kept,
      // silent while suspended (ADR 043): its messages are written and their deliveries held
      // (`deliverWebhook`), to go out when it is reactivated.
      const person = subs.length === 0 ? null : await getUser(app.kv, personId);
      if (!person || person.closedAtMs) continue;
      const nowMs = app.now();
      const msg = await fan.message(personId, nowMs);
      const jobs = subs.map((s) => deliveryJob(personId, s.id, msg.id, nowMs));
      const put = await insertMessage(app.kv, msg, jobs, fan.builtFrom);
      if (put === "stale") {
        stale = true;
        break;
      }
      // "exists": an earlier run of this job fanned it out already.
      done.add(personId);
      if (put === "written") app.kickOutbox();
    }
    if (!stale) return { ok: true };
  }
  return { ok: false, error: "what the event is about kept changing", retryAtMs: app.now() };
}

/** A `webhook_event` job: writes the message and one delivery per matching subscription, once. */
export function fanOutEvent(app: App, job: OutboxRecord): Promise<WebhookJobOutcome> {
  const p = job.payload;
  if (p.kind !== "webhook_event") throw new Error("not a webhook_event job");
  return fanOut(app, p.event, async () => {
    const entry = await getBookingEntry(app.kv, p.bookingId);
    const booking = entry.value;
    if (!booking) return null;
    // Everyone the booking belongs to: its host, or a team booking's members (the round-robin
    // assignee, every attendee of a collective one), each to their own subscriptions; a booking
    // handed to other people tells those it left.
    const successor = p.event === "booking.cancelled" && booking.rescheduledToId
      ? await getBooking(app.kv, booking.rescheduledToId)
      : null;
    const audience = eventAudience(p.event, booking, successor);
    // A move: what the host wrote with it, or with their request for a new time that the
    // guest's move answers (the guest's mail shows it too), kept on the booking it retired; a
    // guest's own move carries none. Its words are in the body: read for the write to check.
    const previous = p.event === "booking.rescheduled" && booking.rescheduledFromId
      ? await getBookingEntry(app.kv, booking.rescheduledFromId)
      : null;
    const reason = previous?.value ? hostMoveReason(previous.value) : null;
    let body: string | null = null;
    return {
      personIds: audience.personIds,
      builtFrom: previous ? [entry, previous] : [entry],
      message: async (personId, nowMs) => {
        body ??= JSON.stringify({
          type: p.event,
          timestamp: new Date(job.createdAtMs).toISOString(),
          data: {
            sequence: p.seq,
            // Who made this change (the history entry the event was queued with): guest, host,
            // system. A detail filled in later (a video link) is the system's, not the last
            // change's author's.
            by: p.by ??
              (p.event === "booking.updated" ? "system" : booking.history[p.seq - 1]?.by ?? null),
            ...(p.event === "booking.rescheduled" ? { reason } : {}),
            // The booking went to another member (or host): it left this person's calendar.
            ...(audience.handedOver ? { reason: "handed_over" } : {}),
            booking: await bookingResource(app, booking),
          },
        });
        // One message per person (the host's keeps the id it always had), each written once.
        return {
          v: 1,
          id: messageIdFor(job.id, personId, booking.hostId),
          hostId: personId,
          event: p.event,
          body,
          createdAtMs: nowMs,
          bookingId: booking.id,
        };
      },
    };
  });
}

/**
 * A `host_event` job (`hostEventJob`): the message and one delivery per matching subscription,
 * once per person. The body rides in the job: its messages are written only while the job is
 * still queued where its claim put it, since erasing a guest drops a queued job whose body names
 * them (store/outbox.ts `dropHostEventsNaming`) before it reads the messages.
 */
export function fanOutHostEvent(app: App, job: OutboxRecord): Promise<WebhookJobOutcome> {
  const p = job.payload;
  if (p.kind !== "host_event") throw new Error("not a host_event job");
  return fanOut(app, p.event, async () => {
    const entry = await getQueuedEntry(app.kv, job);
    // Dropped by an erasure, or taken over by another run after this one's lease ran out.
    if (!entry.value) return null;
    return {
      personIds: p.personIds,
      builtFrom: [entry],
      message: (personId, nowMs) =>
        Promise.resolve({
          v: 1,
          id: messageIdFor(p.ref, personId, p.personIds.length === 1 ? personId : null),
          hostId: personId,
          event: p.event,
          body: p.body,
          createdAtMs: nowMs,
        }),
    };
  });
}

/**
 * The Standard Webhooks signature header: one `v1,…` per secret that signs now and opens with
 * this server's key; null when none opens (a store restored without its INVITO_SESSION_SECRET),
 * and then nothing may be sent. A previous secret that does not open is left out: after a
 * rotation that followed such a restore the new secret alone signs, as the receiver was just
 * given it.
 */
export async function signatureHeader(
  app: App,
  sub: WebhookSubscriptionRecord,
  messageId: string,
  at: Date,
  body: string,
): Promise<string | null> {
  const sigs: string[] = [];
  // Loaded with the first delivery: a server without subscriptions never holds it (issue 26).
  const { Webhook } = await import("standardwebhooks");
  for (const s of activeSecrets(sub, at.getTime())) {
    const secret = await unseal(app.credentialKey, s.sealed);
    if (secret) sigs.push(new Webhook(secret).sign(messageId, at, body));
  }
  return sigs.length ? sigs.join(" ") : null;
}

/** A `webhook_delivery` job: one attempt, logged; the outcome decides the outbox's next step. */
export async function deliverWebhook(app: App, job: OutboxRecord): Promise<WebhookJobOutcome> {
  const p = job.payload;
  if (p.kind !== "webhook_delivery") throw new Error("not a webhook_delivery job");
  const [subEntry, msg] = await Promise.all([
    getSubscriptionEntry(app.kv, p.hostId, p.subscriptionId),
    getMessage(app.kv, p.messageId),
  ]);
  const sub0 = subEntry.value;
  // A deleted subscription, an expired message or a closed account (its subscriptions ended
  // with it, deliveries already queued included): nothing to send. A switched-off endpoint gets
  // only what its host asks for (a test event, Send again), and that once.
  if (!sub0 || !msg) return { ok: true, skipped: true };
  if (!sub0.enabled && !isAskedDelivery(msg, job)) return { ok: true, skipped: true };
  const hostEntry = await getUserEntry(app.kv, p.hostId);
  const host = hostEntry.value;
  if (!host || host.closedAtMs) return { ok: true, skipped: true };
  // Suspended: nothing is sent, and nothing is lost (ADR 043).
  if (host.suspendedAtMs) {
    const put = await holdUntilReactivated(app, job, msg, {
      host: hostEntry,
      subscription: subEntry as Deno.KvEntry<WebhookSubscriptionRecord>,
    });
    if (put === "held") return { ok: true, held: true };
    // Another run has it now (its claim ran out): nothing of ours to settle.
    if (put === "moved") return { ok: true, skipped: true };
    // Reactivated (or the subscription changed) since it was read: look again in a moment.
    return { ok: false, error: HELD, retryAtMs: app.now() + 1_000, waiting: true };
  }

  const at = new Date(app.now());
  const signature = await signatureHeader(app, sub0, msg.id, at, msg.body);
  // Never sent unsigned: a receiver that verifies would drop it, one that does not would trust
  // a body anyone could have sent. Waiting cannot make the secret readable, so this delivery
  // ends here (failed, not retried); its message stays for Send again once the host rotated.
  if (signature === null) return await notSigned(app, job, msg);
  const headers = {
    "content-type": "application/json",
    "user-agent": "Invito-Webhooks/1",
    "webhook-id": msg.id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
  };
  const started = performance.now();
  let result: AttemptResult;
  let excerpt = "";
  let error: string | null = null;
  try {
    const res = await safeFetch({
      allowPrivate: app.config.allowPrivateWebhooks,
      timeoutMs: TIMEOUT_MS,
      maxBytes: ANSWER_MAX_BYTES,
      // A redirect is the receiver's answer (refused as sent, with where it pointed): never followed.
      redirects: "return",
    })(sub0.url, { method: "POST", headers, body: msg.body });
    excerpt = (await res.text()).slice(0, EXCERPT_CHARS);
    result = { kind: "answer", status: res.status, retryAfter: res.headers.get("retry-after") };
    if (res.status >= 300 && res.status < 400 && res.status !== 304) {
      error = redirectError(res.headers.get("location"), sub0.url);
    } else if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    if (err.kind === "too_large" && err.status !== undefined) {
      // A too-large answer is still an answer: its status decides (a 2xx is delivered).
      result = { kind: "answer", status: err.status, retryAfter: null };
      if (err.status < 200 || err.status >= 300) error = `HTTP ${err.status}`;
    } else {
      error = err.message;
      // A refused address will not become allowed by waiting.
      result = { kind: "no_answer", permanent: err.kind === "forbidden_address" };
    }
  }
  const durationMs = Math.round(performance.now() - started);
  const nowMs = app.now();
  const verdict = classifyAttempt(result);
  // A switched-off endpoint is not retried: what its host asked for is tried once.
  const retryAtMs = verdict === "retry" && sub0.enabled
    ? nextAttemptAtMs(
      job.attempts,
      result.kind === "answer" ? parseRetryAfter(result.retryAfter, nowMs) : null,
      nowMs,
    )
    : null;
  const attempt: WebhookAttemptRecord = {
    v: 1,
    id: newId(nowMs),
    messageId: msg.id,
    event: msg.event,
    attempt: job.attempts,
    atMs: at.getTime(),
    durationMs,
    status: result.kind === "answer" ? result.status : null,
    ok: verdict === "delivered",
    error,
    responseExcerpt: excerpt,
    nextRetryAtMs: retryAtMs,
  };
  await recordAttempt(app, p.hostId, p.subscriptionId, attempt, verdict, job.createdAtMs);
  if (retryAtMs !== null) return { ok: false, error: error ?? "failed", retryAtMs };
  // Done either way; not delivered is a failed delivery (refused, or out of retries).
  return verdict === "delivered" ? { ok: true } : { ok: true, failed: error ?? "failed" };
}

/**
 * A delivery no secret of its subscription can sign: logged as an attempt that sent nothing,
 * with what to do, and the subscription marked (`secretUnreadableSinceMs`) so the dashboard and
 * the API say why it fails. Done and failed (Insights counts it so), never retried: only a
 * rotation, or the secret the store was written with, helps. Not a run of failed retries
 * either: the receiver was never asked, so the three-day rule does not switch it off for this.
 */
async function notSigned(
  app: App,
  job: OutboxRecord,
  msg: WebhookMessageRecord,
): Promise<WebhookJobOutcome> {
  const p = job.payload;
  if (p.kind !== "webhook_delivery") throw new Error("not a webhook_delivery job");
  const nowMs = app.now();
  const attempt: WebhookAttemptRecord = {
    v: 1,
    id: newId(nowMs),
    messageId: msg.id,
    event: msg.event,
    attempt: job.attempts,
    atMs: nowMs,
    durationMs: 0,
    status: null,
    ok: false,
    error: CANNOT_SIGN,
    responseExcerpt: "",
    nextRetryAtMs: null,
    unsigned: true,
  };
  await recordAttempt(app, p.hostId, p.subscriptionId, attempt, "unsigned", job.createdAtMs);
  return { ok: true, failed: CANNOT_SIGN };
}

/**
 * The log entry and the subscription's health in one write; disabling mails the host.
 * `deliveryStartMs`: when this delivery was queued (its first attempt), for the three-day rule.
 * `unsigned`: nothing was sent (`notSigned`); the failing streak is left as it was.
 */
async function recordAttempt(
  app: App,
  hostId: string,
  subId: string,
  attempt: WebhookAttemptRecord,
  verdict: Verdict | "unsigned",
  deliveryStartMs: number,
) {
  for (let i = 0; i < 5; i++) {
    const cur = await getSubscriptionEntry(app.kv, hostId, subId);
    if (!cur.value) return await logAttempt(app.kv, hostId, subId, attempt);
    const sub = cur.value;
    const nowMs = app.now();
    const jobs: OutboxRecord[] = [];
    // A signed attempt: a secret opens (again), whatever the receiver answered.
    const { secretUnreadableSinceMs: unreadableSince, ...signed } = sub;
    const health = verdict === "unsigned"
      ? { failingSinceMs: sub.failingSinceMs, disable: false }
      : afterAttempt(sub.failingSinceMs, verdict, deliveryStartMs, nowMs);
    const next: WebhookSubscriptionRecord = {
      ...signed,
      failingSinceMs: health.failingSinceMs,
      ...(verdict === "delivered" ? { lastSuccessMs: nowMs } : {}),
      ...(verdict === "unsigned" ? { secretUnreadableSinceMs: unreadableSince ?? nowMs } : {}),
    };
    if (health.disable && sub.enabled) {
      next.enabled = false;
      next.disabledReason = DISABLED_FAILING;
      const host = await getUser(app.kv, hostId);
      if (host) jobs.push(disabledMail(app, host, sub, nowMs));
    }
    if (
      await replaceSubscription(app.kv, cur as Deno.KvEntry<WebhookSubscriptionRecord>, next, {
        attempt,
        jobs,
      })
    ) {
      if (jobs.length) app.kickOutbox();
      return;
    }
  }
  await logAttempt(app.kv, hostId, subId, attempt);
}

function disabledMail(app: App, host: UserRecord, sub: WebhookSubscriptionRecord, nowMs: number) {
  const mail = webhookOffMail({
    url: sub.url,
    hostName: host.name,
    developersUrl: `${app.config.baseUrl.href.replace(/\/$/, "")}/dashboard/developers`,
    t: translator(host.locale),
  });
  return newOutboxRecord({ kind: "raw_mail", to: host.email, ...mail }, nowMs);
}
