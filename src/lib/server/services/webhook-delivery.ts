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
import { newOutboxRecord } from "../store/outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { getActiveUser, getUser, newId } from "../store/users.ts";
import { unseal } from "../integrations/crypto.ts";
import { safeFetch, SafeFetchError } from "../integrations/safe-fetch.ts";
import { translator } from "../i18n.ts";
import { webhookOffMail } from "../integrations/mail-templates/webhook.ts";
import {
  afterFailure,
  type AttemptResult,
  classifyAttempt,
  nextAttemptAtMs,
  parseRetryAfter,
  subscribesTo,
} from "../domain/webhooks.ts";
import { bookingResource } from "./booking-resource.ts";
import {
  activeSecrets,
  deliveryJob,
  DISABLED_FAILING,
  EXCERPT_CHARS,
  TIMEOUT_MS,
} from "./webhooks.ts";

// ---------------------------------------------------------------------------------------------
// Outbox performers

/** `skipped`: done, but nothing was sent (not counted as a delivery). */
export type WebhookJobOutcome =
  | { ok: true; skipped?: boolean }
  | { ok: false; error: string; retryAtMs: number };

/** A `webhook_event` job: writes the message and one delivery per matching subscription, once. */
export async function fanOutEvent(app: App, job: OutboxRecord): Promise<WebhookJobOutcome> {
  const p = job.payload;
  if (p.kind !== "webhook_event") throw new Error("not a webhook_event job");
  const booking = await getBooking(app.kv, p.bookingId);
  if (!booking) return { ok: true };
  // Everyone the booking belongs to: its host, or a team booking's members (the round-robin
  // assignee, every attendee of a collective one), each to their own subscriptions.
  const people = booking.personIds ?? [booking.hostId];
  let body: string | null = null;
  // A move: what the host wrote with it (the guest's mail shows it), kept on the booking it
  // retired; a guest's own move carries none.
  const previous = p.event === "booking.rescheduled" && booking.rescheduledFromId
    ? await getBooking(app.kv, booking.rescheduledFromId)
    : null;
  const reason = previous ? hostMoveReason(previous) : null;
  for (const personId of people) {
    const subs = (await listSubscriptions(app.kv, personId)).filter((s) =>
      s.enabled && subscribesTo(s.events, p.event)
    );
    // A closed account's subscriptions ended with it (issue 22).
    if (subs.length === 0 || !(await getActiveUser(app.kv, personId))) continue;
    const nowMs = app.now();
    body ??= JSON.stringify({
      type: p.event,
      timestamp: new Date(job.createdAtMs).toISOString(),
      data: {
        sequence: p.seq,
        // Who made this change (the history entry the event was queued with): guest, host, system.
        // A detail filled in later (a video link) is the system's, not the last change's author's.
        by: p.event === "booking.updated" ? "system" : booking.history[p.seq - 1]?.by ?? null,
        ...(p.event === "booking.rescheduled" ? { reason } : {}),
        booking: await bookingResource(app, booking),
      },
    });
    // One message per person (the host's keeps the id it always had), each written once.
    const messageId = personId === booking.hostId ? `msg_${job.id}` : `msg_${job.id}_${personId}`;
    const msg: WebhookMessageRecord = {
      v: 1,
      id: messageId,
      hostId: personId,
      event: p.event,
      body,
      createdAtMs: nowMs,
    };
    const jobs = subs.map((s) => deliveryJob(personId, s.id, messageId, nowMs));
    // False means an earlier run of this job fanned it out already: nothing more to do.
    if (await insertMessage(app.kv, msg, jobs)) app.kickOutbox();
  }
  return { ok: true };
}

/** A `host_event` job (`hostEventJob`): the message and one delivery per matching subscription, once per person. */
export async function fanOutHostEvent(app: App, job: OutboxRecord): Promise<WebhookJobOutcome> {
  const p = job.payload;
  if (p.kind !== "host_event") throw new Error("not a host_event job");
  for (const personId of p.personIds) {
    const subs = (await listSubscriptions(app.kv, personId)).filter((s) =>
      s.enabled && subscribesTo(s.events, p.event)
    );
    // A closed account's subscriptions ended with it (issue 22).
    if (subs.length === 0 || !(await getActiveUser(app.kv, personId))) continue;
    const nowMs = app.now();
    const messageId = p.personIds.length === 1 ? `msg_${p.ref}` : `msg_${p.ref}_${personId}`;
    const msg: WebhookMessageRecord = {
      v: 1,
      id: messageId,
      hostId: personId,
      event: p.event,
      body: p.body,
      createdAtMs: nowMs,
    };
    const jobs = subs.map((s) => deliveryJob(personId, s.id, messageId, nowMs));
    // False: an earlier run of this job fanned it out already.
    if (await insertMessage(app.kv, msg, jobs)) app.kickOutbox();
  }
  return { ok: true };
}

/** The Standard Webhooks signature header: one `v1,…` per secret that signs now. */
export async function signatureHeader(
  app: App,
  sub: WebhookSubscriptionRecord,
  messageId: string,
  at: Date,
  body: string,
): Promise<string> {
  const sigs: string[] = [];
  // Loaded with the first delivery: a server without subscriptions never holds it (issue 26).
  const { Webhook } = await import("standardwebhooks");
  for (const s of activeSecrets(sub, at.getTime())) {
    const secret = await unseal(app.credentialKey, s.sealed);
    if (secret) sigs.push(new Webhook(secret).sign(messageId, at, body));
  }
  return sigs.join(" ");
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
  // A deleted subscription, an expired message, a switched-off endpoint or a closed account (its
  // subscriptions ended with it, deliveries already queued included): nothing to send.
  if (!sub0 || !msg || !sub0.enabled) return { ok: true, skipped: true };
  if (!(await getActiveUser(app.kv, p.hostId))) return { ok: true, skipped: true };

  const at = new Date(app.now());
  const headers = {
    "content-type": "application/json",
    "user-agent": "Invito-Webhooks/1",
    "webhook-id": msg.id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": await signatureHeader(app, sub0, msg.id, at, msg.body),
  };
  const started = performance.now();
  let result: AttemptResult;
  let excerpt = "";
  let error: string | null = null;
  try {
    const res = await safeFetch({
      allowPrivate: app.config.allowPrivateWebhooks,
      timeoutMs: TIMEOUT_MS,
      maxBytes: 256 * 1024,
      maxRedirects: 0,
    })(sub0.url, { method: "POST", headers, body: msg.body });
    excerpt = (await res.text()).slice(0, EXCERPT_CHARS);
    result = { kind: "answer", status: res.status, retryAfter: res.headers.get("retry-after") };
    if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    error = err.message;
    // A refused address will not become allowed by waiting; a too-large answer is still an answer.
    result = { kind: "no_answer", permanent: err.kind === "forbidden_address" };
  }
  const durationMs = Math.round(performance.now() - started);
  const nowMs = app.now();
  const verdict = classifyAttempt(result);
  const retryAtMs = verdict === "retry"
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
  await recordAttempt(app, p.hostId, p.subscriptionId, attempt, verdict === "delivered");
  if (retryAtMs !== null) return { ok: false, error: error ?? "failed", retryAtMs };
  return { ok: true };
}

/** The log entry and the subscription's health in one write; disabling mails the host. */
async function recordAttempt(
  app: App,
  hostId: string,
  subId: string,
  attempt: WebhookAttemptRecord,
  delivered: boolean,
) {
  for (let i = 0; i < 5; i++) {
    const cur = await getSubscriptionEntry(app.kv, hostId, subId);
    if (!cur.value) return await logAttempt(app.kv, hostId, subId, attempt);
    const sub = cur.value;
    const nowMs = app.now();
    let next: WebhookSubscriptionRecord;
    const jobs: OutboxRecord[] = [];
    if (delivered) {
      next = { ...sub, failingSinceMs: null, lastSuccessMs: nowMs };
    } else {
      const f = afterFailure(sub.failingSinceMs, nowMs);
      next = { ...sub, failingSinceMs: f.failingSinceMs };
      if (f.disable && sub.enabled) {
        next.enabled = false;
        next.disabledReason = DISABLED_FAILING;
        const host = await getUser(app.kv, hostId);
        if (host) jobs.push(disabledMail(app, host, sub, nowMs));
      }
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
