/**
 * Webhooks: a host subscribes URLs to booking events. Every booking change queues one
 * `webhook_event` outbox job (domain/booking-engine/effects.ts); its fan-out writes the signed body once
 * and one delivery job per subscription. Deliveries are signed per the Standard Webhooks
 * specification with its reference library, go through the SSRF guard, are retried on timeouts,
 * 5xx, 408 and 429 (honouring Retry-After), and are logged per subscription. A subscription that
 * has failed for three days is disabled and its host mailed.
 */
import type { App } from "../app.ts";
import { type AuditedField, changedSaid, recordAudit } from "./audit.ts";
import type {
  OutboxRecord,
  UserRecord,
  WebhookAttemptRecord,
  WebhookEvent,
  WebhookMessageRecord,
  WebhookSecret,
  WebhookSubscriptionRecord,
} from "../domain/model/records.ts";
import {
  dropHeldDeliveries,
  getMessage,
  getSubscriptionEntry,
  insertMessage,
  insertSubscription,
  listAttempts,
  listSubscriptions,
  queueDeliveries,
  replaceSubscription,
} from "../store/webhooks.ts";
import { newOutboxRecord } from "../store/outbox.ts";
import { newId } from "../store/users.ts";
import { seal, type Sealed, unseal } from "../integrations/crypto.ts";
import { assertReachable, SafeFetchError } from "../integrations/safe-fetch.ts";
import { type MessageRef, messageRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { storedWordsIn } from "../integrations/calendar-provider.ts";
import { FIELD_MAX } from "../../shared/field-bounds.ts";
import { MESSAGE_ID, subscribesTo, TEST_EVENT, WEBHOOK_EVENTS } from "../domain/webhooks.ts";
import { LOST, untilLanded } from "../store/kv.ts";
import { SECRET_UNREADABLE } from "./webhook-errors.ts";

export { WEBHOOK_EVENTS };
export const MAX_SUBSCRIPTIONS = 10;

/**
 * Why a subscription is off, stored and reported by the API in these words; the dashboard shows
 * them in the host's language.
 */
export const DISABLED_BY_HOST = "Turned off by you.";
export const DISABLED_FAILING = "Every delivery failed for 3 days.";
/** After a rotation the previous secret still signs for this long (receivers switch over). */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
const SECRET_KID = "webhook-secret-v1";
export const TIMEOUT_MS = 15_000;
export const EXCERPT_CHARS = 1_000;

export type SubscriptionView = {
  id: string;
  url: string;
  description: string;
  events: WebhookEvent[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  /** Why deliveries fail when Invito knows it is not the receiver (`SECRET_UNREADABLE`), or null. */
  failingReason: string | null;
  lastSuccess: string | null;
  createdAt: string;
  /** How many secrets currently sign (2 during a rotation's overlap). */
  activeSecrets: number;
  /** The previous secret stops signing at this instant (rotation overlap), or null. */
  previousSecretExpiresAt: string | null;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function viewSubscription(s: WebhookSubscriptionRecord, nowMs: number): SubscriptionView {
  const active = activeSecrets(s, nowMs);
  const previous = active.find((x) => x.expiresAtMs !== null);
  const unreadable = s.secretUnreadableSinceMs ?? null;
  // Failing since the earlier of a receiver's failures and the secret that cannot be read.
  const failing = [s.failingSinceMs, unreadable].filter((x): x is number => x !== null);
  return {
    id: s.id,
    url: s.url,
    description: s.description,
    events: WEBHOOK_EVENTS.filter((e) => subscribesTo(s.events, e)),
    enabled: s.enabled,
    disabledReason: s.disabledReason,
    failingSince: failing.length ? iso(Math.min(...failing)) : null,
    failingReason: unreadable === null ? null : SECRET_UNREADABLE,
    lastSuccess: iso(s.lastSuccessMs),
    createdAt: iso(s.createdAtMs)!,
    activeSecrets: active.length,
    previousSecretExpiresAt: previous ? iso(previous.expiresAtMs) : null,
  };
}

export function activeSecrets(s: WebhookSubscriptionRecord, nowMs: number): WebhookSecret[] {
  return s.secrets.filter((x) => x.expiresAtMs === null || x.expiresAtMs > nowMs);
}

/** `whsec_` + base64 of 32 random bytes: the format Standard Webhooks libraries accept. */
function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return "whsec_" + btoa(String.fromCharCode(...bytes));
}

export type SubscriptionInput = { url: string; events: WebhookEvent[]; description: string };
export type SubscriptionRefusal =
  /** `message`: a catalog reference (`messageRef`), worded by the caller for its reader. */
  | { ok: false; reason: "invalid"; field: "url" | "events"; message: MessageRef }
  | { ok: false; reason: "too_many" | "not_found" };

/**
 * An http(s) URL the SSRF guard lets through; a refusal names the field and says why, the guard's
 * words in `t`'s language (the caller's reader; English for the API).
 */
async function checkUrl(
  app: App,
  text: string,
  t: Translator,
): Promise<SubscriptionRefusal | null> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      reason: "invalid",
      field: "url",
      message: messageRef("dev.url_invalid"),
    };
  }
  if (text.length > FIELD_MAX.url) {
    return { ok: false, reason: "invalid", field: "url", message: messageRef("dev.url_too_long") };
  }
  try {
    await assertReachable(url, { allowPrivate: app.config.allowPrivateWebhooks });
  } catch (err) {
    if (err instanceof SafeFetchError) {
      return {
        ok: false,
        reason: "invalid",
        field: "url",
        message: messageRef("dev.url_refused", { detail: storedWordsIn(err.message, t) }),
      };
    }
    throw err;
  }
  return null;
}

function checkEvents(events: WebhookEvent[]): SubscriptionRefusal | null {
  if (events.length === 0 || events.some((e) => !WEBHOOK_EVENTS.includes(e))) {
    return {
      ok: false,
      reason: "invalid",
      field: "events",
      message: messageRef("dev.events_required"),
    };
  }
  return null;
}

export async function createSubscription(
  app: App,
  host: Pick<UserRecord, "id">,
  input: SubscriptionInput,
  t: Translator = translator("en"),
): Promise<
  { ok: true; secret: string; subscription: WebhookSubscriptionRecord } | SubscriptionRefusal
> {
  const bad = checkEvents(input.events) ?? await checkUrl(app, input.url, t);
  if (bad) return bad;
  if ((await listSubscriptions(app.kv, host.id)).length >= MAX_SUBSCRIPTIONS) {
    return { ok: false, reason: "too_many" };
  }
  const nowMs = app.now();
  const secret = newSecret();
  const sub: WebhookSubscriptionRecord = {
    v: 1,
    id: newId(nowMs),
    hostId: host.id,
    url: new URL(input.url).href,
    description: input.description,
    events: [...new Set(input.events)],
    enabled: true,
    disabledReason: null,
    secrets: [{
      sealed: await seal(app.credentialKey, SECRET_KID, secret),
      createdAtMs: nowMs,
      expiresAtMs: null,
    }],
    failingSinceMs: null,
    lastSuccessMs: null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  await insertSubscription(app.kv, sub);
  await recordAudit(app, {
    kind: "webhook_created",
    actor: host,
    target: { id: sub.id, label: sub.url },
  });
  return { ok: true, secret, subscription: sub };
}

export async function listHostSubscriptions(app: App, host: Pick<UserRecord, "id">) {
  return (await listSubscriptions(app.kv, host.id)).sort((a, b) => a.createdAtMs - b.createdAtMs);
}

export async function getSubscription(app: App, host: Pick<UserRecord, "id">, id: string) {
  if (!/^[0-9A-Z]{26}$/.test(id)) return null;
  return (await getSubscriptionEntry(app.kv, host.id, id)).value;
}

/** Reads, changes and writes a subscription, re-reading when a delivery updated it meanwhile. */
async function changeSubscription<T>(
  app: App,
  hostId: string,
  id: string,
  change: (cur: WebhookSubscriptionRecord) => Promise<
    { next: WebhookSubscriptionRecord | null; result: T } | SubscriptionRefusal
  >,
): Promise<T | SubscriptionRefusal> {
  if (!/^[0-9A-Z]{26}$/.test(id)) return { ok: false, reason: "not_found" };
  return await untilLanded("changeSubscription", async () => {
    const cur = await getSubscriptionEntry(app.kv, hostId, id);
    if (!cur.value) return { ok: false, reason: "not_found" };
    const out = await change(cur.value);
    if ("ok" in out) return out;
    if (
      await replaceSubscription(app.kv, cur as Deno.KvEntry<WebhookSubscriptionRecord>, out.next)
    ) {
      return out.result;
    }
    return LOST;
  });
}

/** A subscription's fields a host sets, as the audit log names them (`changedSaid`). */
function webhookFields(
  cur: WebhookSubscriptionRecord,
  next: WebhookSubscriptionRecord,
): AuditedField[] {
  return [
    { before: cur.url, after: next.url, said: { code: "webhook_url", values: {} } },
    {
      before: [...cur.events].sort(),
      after: [...next.events].sort(),
      said: { code: "webhook_events", values: { n: next.events.length } },
    },
    {
      before: cur.description,
      after: next.description,
      said: { code: "webhook_description", values: {} },
    },
    {
      before: cur.enabled,
      after: next.enabled,
      said: { code: "webhook_switched", values: { enabled: next.enabled ? "on" : "off" } },
    },
  ];
}

export async function updateSubscription(
  app: App,
  host: Pick<UserRecord, "id">,
  id: string,
  input: Partial<SubscriptionInput> & { enabled?: boolean },
  t: Translator = translator("en"),
): Promise<{ ok: true; subscription: WebhookSubscriptionRecord } | SubscriptionRefusal> {
  if (input.events) {
    const bad = checkEvents(input.events);
    if (bad) return bad;
  }
  if (input.url !== undefined) {
    const bad = await checkUrl(app, input.url, t);
    if (bad) return bad;
  }
  const changed = await changeSubscription(app, host.id, id, (cur) => {
    const nowMs = app.now();
    const next: WebhookSubscriptionRecord = {
      ...cur,
      url: input.url !== undefined ? new URL(input.url).href : cur.url,
      events: input.events ? [...new Set(input.events)] : cur.events,
      description: input.description ?? cur.description,
      updatedAtMs: nowMs,
    };
    if (input.enabled === true && !cur.enabled) {
      // Switched back on: a fresh start for the three-day rule.
      Object.assign(next, { enabled: true, disabledReason: null, failingSinceMs: null });
    } else if (input.enabled === false) {
      Object.assign(next, { enabled: false, disabledReason: DISABLED_BY_HOST });
    }
    return Promise.resolve({ next, result: { ok: true as const, subscription: next, was: cur } });
  });
  if (!changed.ok) return changed;
  // What changed, a part each (the events themselves are not secret but would not fit: their
  // count is said); fields sent with the value they had are not a change, and a request that
  // changed nothing has no entry.
  const { was, subscription } = changed;
  const said = changedSaid(webhookFields(was, subscription));
  if (said) {
    await recordAudit(app, {
      kind: "webhook_changed",
      actor: host,
      target: { id, label: subscription.url },
      said,
    });
  }
  return { ok: true, subscription };
}

export async function deleteSubscription(app: App, host: Pick<UserRecord, "id">, id: string) {
  const res = await changeSubscription(
    app,
    host.id,
    id,
    (cur) => Promise.resolve({ next: null, result: { ok: true as const, url: cur.url } }),
  );
  if (res.ok) {
    // Deliveries held while the host is suspended have nowhere to go now.
    await dropHeldDeliveries(app.kv, host.id, id);
    await recordAudit(app, {
      kind: "webhook_deleted",
      actor: host,
      target: { id, label: res.url },
    });
  }
  return res.ok;
}

/**
 * A new signing secret, shown once. The previous one keeps signing (both signatures are sent)
 * for `ROTATION_OVERLAP_MS`, so receivers can switch without dropping a delivery.
 */
export async function rotateSecret(
  app: App,
  host: Pick<UserRecord, "id">,
  id: string,
): Promise<
  { ok: true; secret: string; subscription: WebhookSubscriptionRecord } | SubscriptionRefusal
> {
  const secret = newSecret();
  const sealed = await seal(app.credentialKey, SECRET_KID, secret);
  const rotated = await changeSubscription(app, host.id, id, (cur) => {
    const nowMs = app.now();
    const previous = activeSecrets(cur, nowMs).slice(0, 1).map((s) => ({
      ...s,
      expiresAtMs: Math.min(s.expiresAtMs ?? Infinity, nowMs + ROTATION_OVERLAP_MS),
    }));
    // The new secret is sealed with this server's key: it opens, so deliveries are signed again.
    const { secretUnreadableSinceMs: _unreadable, ...rest } = cur;
    const next: WebhookSubscriptionRecord = {
      ...rest,
      secrets: [{ sealed, createdAtMs: nowMs, expiresAtMs: null }, ...previous],
      updatedAtMs: nowMs,
    };
    return Promise.resolve({ next, result: { ok: true as const, secret, subscription: next } });
  });
  if (rotated.ok) {
    // A new signing secret is a change of the endpoint's credentials.
    await recordAudit(app, {
      kind: "webhook_changed",
      actor: host,
      target: { id, label: rotated.subscription.url },
      said: { code: "webhook_secret_rotated", values: {} },
    });
  }
  return rotated;
}

export async function deliveryLog(
  app: App,
  host: Pick<UserRecord, "id">,
  id: string,
  limit = 50,
): Promise<WebhookAttemptRecord[] | null> {
  if (!(await getSubscription(app, host, id))) return null;
  return await listAttempts(app.kv, host.id, id, limit);
}

export function deliveryJob(
  hostId: string,
  subscriptionId: string,
  messageId: string,
  nowMs: number,
) {
  return newOutboxRecord({ kind: "webhook_delivery", hostId, subscriptionId, messageId }, nowMs);
}

/**
 * "Send test event": a `webhook.test` message to this one subscription, through the same path;
 * also to a switched-off one (asked for: sent once), so a host can check it before switching it
 * back on.
 */
export async function sendTestEvent(
  app: App,
  host: Pick<UserRecord, "id">,
  id: string,
): Promise<{ ok: true; messageId: string } | { ok: false; reason: "not_found" }> {
  const sub = await getSubscription(app, host, id);
  if (!sub) return { ok: false, reason: "not_found" };
  const nowMs = app.now();
  const messageId = `msg_${newId(nowMs)}`;
  const msg: WebhookMessageRecord = {
    v: 1,
    id: messageId,
    hostId: host.id,
    event: TEST_EVENT,
    body: JSON.stringify({
      type: TEST_EVENT,
      timestamp: new Date(nowMs).toISOString(),
      data: { message: "A test event from Invito. Your endpoint is reachable and verifies it." },
    }),
    createdAtMs: nowMs,
  };
  await insertMessage(app.kv, msg, [deliveryJob(host.id, sub.id, messageId, nowMs)]);
  app.kickOutbox();
  return { ok: true, messageId };
}

/**
 * Sends a logged message to this subscription again (same webhook-id: receivers may dedupe),
 * also to a switched-off one (asked for: sent once). A message of the host's own or one of the
 * several people who heard an event (a team booking's member, a team form's owner).
 */
export async function redeliver(
  app: App,
  host: Pick<UserRecord, "id">,
  id: string,
  messageId: string,
): Promise<boolean> {
  const sub = await getSubscription(app, host, id);
  if (!sub || !MESSAGE_ID.test(messageId)) return false;
  const msg = await getMessage(app.kv, messageId);
  if (!msg || msg.hostId !== host.id) return false;
  const job = deliveryJob(host.id, sub.id, messageId, app.now());
  // Made after its message, never at its instant: that is how a delivery reads as asked for
  // (domain/webhooks.ts isAskedDelivery), even on a clock that has not moved. Due at once.
  job.createdAtMs = Math.max(job.createdAtMs, msg.createdAtMs + 1);
  await queueDeliveries(app.kv, [job]);
  app.kickOutbox();
  return true;
}

/**
 * An event that is not a booking's (a poll changed, a form was submitted) as an outbox job the
 * caller commits together with the change, so the event goes out exactly when the change landed
 * (never lost between the two writes, never sent for a change that did not land). `data` is the
 * body's data as it is at the change. Its performer is `fanOutHostEvent` (webhook-delivery.ts).
 */
export function hostEventJob(
  personIds: string[],
  event: WebhookEvent,
  data: Record<string, unknown>,
  nowMs: number,
  ref?: string,
): OutboxRecord {
  const job = newOutboxRecord({
    kind: "host_event",
    personIds,
    event,
    ref: "",
    body: JSON.stringify({ type: event, timestamp: new Date(nowMs).toISOString(), data }),
  }, nowMs);
  if (job.payload.kind === "host_event") job.payload.ref = ref ?? job.id;
  return job;
}

/**
 * A new signing secret as an answer keeps it (sealed as the subscription stores it, ADR 019),
 * opened for the client: only a changed credential key fails, a day at most after sealing.
 */
export async function openKeptSecret(app: App, sealed: Sealed): Promise<string> {
  const secret = await unseal(app.credentialKey, sealed);
  if (secret === null) throw new Error("a kept webhook secret could not be opened");
  return secret;
}
