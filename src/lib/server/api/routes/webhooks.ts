/** Webhooks (host): subscriptions, their secrets, a test event and the delivery log. */
import type * as v from "valibot";
import type { WebhookEvent, WebhookSubscriptionRecord } from "../../domain/model/records.ts";
import { type ApiResponse, ok, problem } from "../http.ts";
import * as S from "../schemas/index.ts";
import {
  createSubscription,
  deleteSubscription,
  deliveryLog,
  getSubscription,
  listHostSubscriptions,
  openKeptSecret,
  redeliver,
  rotateSecret,
  sendTestEvent,
  type SubscriptionRefusal,
  updateSubscription,
  viewSubscription,
} from "../../services/webhooks.ts";
import {
  type Ctx,
  english,
  locationOf,
  readOnlyRefusal,
  refused,
  replayable,
  type Route,
  stripUndefined,
} from "./context.ts";

function subscriptionRefused(ctx: Ctx, r: SubscriptionRefusal): ApiResponse {
  if (r.reason === "invalid") {
    return problem(ctx.base, "validation", {
      errors: [{ field: r.field, message: english(r.message) }],
    });
  }
  if (r.reason === "too_many") {
    return problem(ctx.base, "validation", {
      errors: [{ field: "", message: "At most 10 webhook subscriptions; delete one first" }],
    });
  }
  return refused(ctx, "not_found");
}

async function listWebhooks(ctx: Ctx): Promise<ApiResponse> {
  const nowMs = ctx.app.now();
  const subs = await listHostSubscriptions(ctx.app, ctx.auth!.host);
  return ok({ data: subs.map((s) => viewSubscription(s, nowMs)) });
}

/**
 * The answer of a change that made a signing secret, sealed: `sealedSecret` is the new secret as
 * the subscription stores it (newest first), never the secret itself.
 */
function sealedAnswer(sub: WebhookSubscriptionRecord, nowMs: number, status: number) {
  return ok(
    { subscription: viewSubscription(sub, nowMs), sealedSecret: sub.secrets[0].sealed },
    status,
  );
}

/**
 * Runs a change whose answer carries a new signing secret. Under an Idempotency-Key its answer is
 * kept for a day, so a client whose answer was lost sends the request again and gets the same
 * secret (one secret made once); what is kept holds it sealed as the subscription does (the
 * credential key, ADR 019), never in the clear. Each answer, fresh or replayed, opens it.
 */
async function withSecret(ctx: Ctx, run: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const res = ctx.idempotencyKey ? await replayable(ctx, run) : await run();
  const body = res.body as
    | { subscription?: unknown; sealedSecret?: Parameters<typeof openKeptSecret>[1] }
    | undefined;
  if (!body?.sealedSecret) return res;
  const secret = await openKeptSecret(ctx.app, body.sealedSecret);
  // A new subscription's address, on a replay too (whose kept answer has no headers).
  const id = (body.subscription as { id?: unknown } | undefined)?.id;
  const headers = res.status === 201 && typeof id === "string"
    ? { ...res.headers, location: locationOf(ctx, "/webhooks", id) }
    : res.headers;
  return { ...res, headers, body: { subscription: body.subscription, secret } };
}

async function createWebhook(ctx: Ctx): Promise<ApiResponse> {
  const body = ctx.body as v.InferOutput<typeof S.SubscriptionCreate>;
  return await withSecret(ctx, async () => {
    const res = await createSubscription(ctx.app, ctx.auth!.host, {
      url: body.url,
      events: body.events as WebhookEvent[],
      description: body.description ?? "",
    });
    if (!res.ok) return subscriptionRefused(ctx, res);
    return sealedAnswer(res.subscription, ctx.app.now(), 201);
  });
}

async function getWebhook(ctx: Ctx): Promise<ApiResponse> {
  const sub = await getSubscription(ctx.app, ctx.auth!.host, ctx.params.id);
  return sub ? ok(viewSubscription(sub, ctx.app.now())) : refused(ctx, "not_found");
}

async function patchWebhook(ctx: Ctx): Promise<ApiResponse> {
  const body = ctx.body as v.InferOutput<typeof S.SubscriptionPatch>;
  const sub = await getSubscription(ctx.app, ctx.auth!.host, ctx.params.id);
  if (!sub) return refused(ctx, "not_found");
  const current = viewSubscription(sub, ctx.app.now());
  const changed = readOnlyRefusal(ctx, S.SUBSCRIPTION_READ_ONLY, body, current);
  if (changed) return changed;
  const res = await updateSubscription(ctx.app, ctx.auth!.host, ctx.params.id, {
    ...stripUndefined({ url: body.url, description: body.description, enabled: body.enabled }),
    ...(body.events ? { events: body.events as WebhookEvent[] } : {}),
  });
  return res.ok
    ? ok(viewSubscription(res.subscription, ctx.app.now()))
    : subscriptionRefused(ctx, res);
}

async function deleteWebhook(ctx: Ctx): Promise<ApiResponse> {
  return (await deleteSubscription(ctx.app, ctx.auth!.host, ctx.params.id))
    ? { status: 204 }
    : refused(ctx, "not_found");
}

async function rotateWebhookSecret(ctx: Ctx): Promise<ApiResponse> {
  return await withSecret(ctx, async () => {
    const res = await rotateSecret(ctx.app, ctx.auth!.host, ctx.params.id);
    return res.ok
      ? sealedAnswer(res.subscription, ctx.app.now(), 200)
      : subscriptionRefused(ctx, res);
  });
}

async function testWebhook(ctx: Ctx): Promise<ApiResponse> {
  const res = await sendTestEvent(ctx.app, ctx.auth!.host, ctx.params.id);
  return res.ok ? ok({ messageId: res.messageId }, 202) : refused(ctx, "not_found");
}

async function listDeliveries(ctx: Ctx): Promise<ApiResponse> {
  const log = await deliveryLog(ctx.app, ctx.auth!.host, ctx.params.id);
  if (!log) return refused(ctx, "not_found");
  return ok({
    data: log.map((a) => ({
      id: a.id,
      messageId: a.messageId,
      event: a.event,
      attempt: a.attempt,
      at: new Date(a.atMs).toISOString(),
      durationMs: a.durationMs,
      status: a.status,
      ok: a.ok,
      error: a.error,
      responseExcerpt: a.responseExcerpt,
      nextRetryAt: a.nextRetryAtMs === null ? null : new Date(a.nextRetryAtMs).toISOString(),
      held: a.held === true,
    })),
  });
}

async function redeliverMessage(ctx: Ctx): Promise<ApiResponse> {
  const done = await redeliver(ctx.app, ctx.auth!.host, ctx.params.id, ctx.params.messageId);
  return done ? ok({ messageId: ctx.params.messageId }, 202) : refused(ctx, "not_found");
}

/** /webhooks and /webhooks/{id}/… */
export const webhookRoutes: Route[] = [
  {
    method: "GET",
    path: "/webhooks",
    operationId: "listWebhooks",
    summary: "Your webhook subscriptions",
    tag: "Webhooks",
    auth: "read",
    success: { 200: "SubscriptionList" },
    problems: [401, 403, 429],
    run: listWebhooks,
  },
  {
    method: "POST",
    path: "/webhooks",
    operationId: "createWebhook",
    summary: "Subscribe a URL to booking events",
    description: "The answer holds the signing secret; it is shown only once. Sent again with " +
      "the same `Idempotency-Key` within a day (an answer that was lost), it is answered with " +
      "the same subscription and secret; Invito keeps that answer with the secret sealed.",
    tag: "Webhooks",
    auth: "write",
    body: S.SubscriptionCreate,
    bodyName: "SubscriptionCreate",
    idempotency: "optional",
    success: { 201: "SubscriptionWithSecret" },
    problems: [400, 401, 403, 413, 415, 429],
    run: createWebhook,
  },
  {
    method: "GET",
    path: "/webhooks/{id}",
    operationId: "getWebhook",
    summary: "One webhook subscription",
    tag: "Webhooks",
    auth: "read",
    params: S.IdParams,
    success: { 200: "Subscription" },
    problems: [401, 403, 404, 429],
    run: getWebhook,
  },
  {
    method: "PATCH",
    path: "/webhooks/{id}",
    operationId: "updateWebhook",
    summary: "Change a subscription, or switch it on or off",
    tag: "Webhooks",
    auth: "write",
    params: S.IdParams,
    body: S.SubscriptionPatch,
    bodyName: "SubscriptionPatch",
    success: { 200: "Subscription" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: patchWebhook,
  },
  {
    method: "DELETE",
    path: "/webhooks/{id}",
    operationId: "deleteWebhook",
    summary: "Delete a subscription",
    tag: "Webhooks",
    auth: "write",
    params: S.IdParams,
    success: { 204: null },
    problems: [401, 403, 404, 429],
    run: deleteWebhook,
  },
  {
    method: "POST",
    path: "/webhooks/{id}/rotate-secret",
    operationId: "rotateWebhookSecret",
    summary: "New signing secret; the old one keeps signing for 24 hours",
    description: "Sent again with the same `Idempotency-Key` within a day (an answer that was " +
      "lost), it is answered with the same new secret, not rotated again.",
    tag: "Webhooks",
    auth: "write",
    params: S.IdParams,
    body: S.Empty,
    idempotency: "optional",
    success: { 200: "SubscriptionWithSecret" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: rotateWebhookSecret,
  },
  {
    method: "POST",
    path: "/webhooks/{id}/test",
    operationId: "testWebhook",
    summary: "Send a `webhook.test` event to this subscription",
    description: "Also to a switched-off subscription (sent once, not retried), so an " +
      "endpoint can be checked before it is switched on again.",
    tag: "Webhooks",
    auth: "write",
    params: S.IdParams,
    body: S.Empty,
    success: { 202: "TestEventAnswer" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: testWebhook,
  },
  {
    method: "GET",
    path: "/webhooks/{id}/deliveries",
    operationId: "listWebhookDeliveries",
    summary: "The delivery log, newest first",
    tag: "Webhooks",
    auth: "read",
    params: S.IdParams,
    success: { 200: "DeliveryList" },
    problems: [401, 403, 404, 429],
    run: listDeliveries,
  },
  {
    method: "POST",
    path: "/webhooks/{id}/deliveries/{messageId}/redeliver",
    operationId: "redeliverWebhook",
    summary: "Send a logged message again (same webhook-id)",
    description: "Also to a switched-off subscription (sent once, not retried). `messageId` is " +
      "`msg_…` as logged, including a team member's `msg_…_…`.",
    tag: "Webhooks",
    auth: "write",
    params: S.MessageParams,
    body: S.Empty,
    success: { 202: "TestEventAnswer" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: redeliverMessage,
  },
];
