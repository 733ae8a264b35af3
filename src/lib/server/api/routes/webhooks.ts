/** Webhooks (host): subscriptions, their secrets, a test event and the delivery log. */
import type * as v from "valibot";
import type { WebhookEvent } from "../../domain/model/records.ts";
import { type ApiResponse, ok, problem } from "../http.ts";
import * as S from "../schemas/index.ts";
import {
  createSubscription,
  deleteSubscription,
  deliveryLog,
  getSubscription,
  listHostSubscriptions,
  redeliver,
  rotateSecret,
  sendTestEvent,
  type SubscriptionRefusal,
  updateSubscription,
  viewSubscription,
} from "../../services/webhooks.ts";
import { type Ctx, english, refused, replayable, type Route, stripUndefined } from "./context.ts";

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

async function createWebhook(ctx: Ctx): Promise<ApiResponse> {
  const body = ctx.body as v.InferOutput<typeof S.SubscriptionCreate>;
  const run = async () => {
    const res = await createSubscription(ctx.app, ctx.auth!.host, {
      url: body.url,
      events: body.events as WebhookEvent[],
      description: body.description ?? "",
    });
    if (!res.ok) return subscriptionRefused(ctx, res);
    return ok(
      { subscription: viewSubscription(res.subscription, ctx.app.now()), secret: res.secret },
      201,
    );
  };
  return ctx.idempotencyKey ? await replayable(ctx, run) : await run();
}

async function getWebhook(ctx: Ctx): Promise<ApiResponse> {
  const sub = await getSubscription(ctx.app, ctx.auth!.host, ctx.params.id);
  return sub ? ok(viewSubscription(sub, ctx.app.now())) : refused(ctx, "not_found");
}

async function patchWebhook(ctx: Ctx): Promise<ApiResponse> {
  const body = ctx.body as v.InferOutput<typeof S.SubscriptionPatch>;
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
  const run = async () => {
    const res = await rotateSecret(ctx.app, ctx.auth!.host, ctx.params.id);
    return res.ok
      ? ok({ subscription: viewSubscription(res.subscription, ctx.app.now()), secret: res.secret })
      : subscriptionRefused(ctx, res);
  };
  return ctx.idempotencyKey ? await replayable(ctx, run) : await run();
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
    description: "The answer holds the signing secret; it is shown only once.",
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
    tag: "Webhooks",
    auth: "write",
    params: S.MessageParams,
    body: S.Empty,
    success: { 202: "TestEventAnswer" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: redeliverMessage,
  },
];
