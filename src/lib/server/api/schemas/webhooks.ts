/** Webhooks: subscriptions, their secrets and the delivery log. */
import * as v from "valibot";
import { MESSAGE_ID, WEBHOOK_EVENTS } from "../../domain/webhooks.ts";
import { d, DateTime, readOnlyFields, Ulid } from "./pieces.ts";
import { FIELD_MAX } from "../../../shared/field-bounds.ts";

const Event = v.picklist(WEBHOOK_EVENTS);

export const Subscription = v.object({
  id: v.string(),
  url: v.string(),
  description: v.string(),
  events: v.array(v.string()),
  enabled: v.boolean(),
  disabledReason: v.nullable(v.string()),
  failingSince: v.nullable(DateTime),
  failingReason: v.pipe(
    v.nullable(v.string()),
    d(
      "Why deliveries fail when it is not the receiver: the signing secret cannot be read with " +
        "the server's key (a store restored without its secret). Nothing is sent unsigned; " +
        "rotate the secret. Null otherwise.",
    ),
  ),
  lastSuccess: v.nullable(DateTime),
  createdAt: DateTime,
  activeSecrets: v.number(),
  previousSecretExpiresAt: v.nullable(DateTime),
});
export const SubscriptionWithSecret = v.object({
  subscription: Subscription,
  secret: v.pipe(
    v.string(),
    d(
      "`whsec_…`: shown only in this answer (and in its replay under the same " +
        "`Idempotency-Key`). Verify with any Standard Webhooks library.",
    ),
  ),
});
export const SubscriptionList = v.object({ data: v.array(Subscription) });
export const SubscriptionCreate = v.strictObject({
  url: v.pipe(v.string(), v.maxLength(FIELD_MAX.url)),
  events: v.pipe(v.array(Event), v.minLength(1), v.maxLength(WEBHOOK_EVENTS.length)),
  description: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
/** What GET answers and PATCH does not set (`readOnlyFields`): deliveries and rotations move the rest. */
export const SUBSCRIPTION_READ_ONLY = readOnlyFields(Subscription, ["id", "createdAt"], [
  "disabledReason",
  "failingSince",
  "failingReason",
  "lastSuccess",
  "activeSecrets",
  "previousSecretExpiresAt",
]);
export const SubscriptionPatch = v.strictObject({
  url: v.optional(v.pipe(v.string(), v.maxLength(FIELD_MAX.url))),
  events: v.optional(v.pipe(v.array(Event), v.minLength(1), v.maxLength(WEBHOOK_EVENTS.length))),
  description: v.optional(v.pipe(v.string(), v.maxLength(200))),
  enabled: v.optional(v.boolean()),
  ...SUBSCRIPTION_READ_ONLY.entries,
});
export const Delivery = v.object({
  id: v.string(),
  messageId: v.pipe(v.string(), d("The `webhook-id` sent.")),
  event: v.string(),
  attempt: v.number(),
  at: DateTime,
  durationMs: v.number(),
  status: v.pipe(v.nullable(v.number()), d("HTTP status; null when no answer came.")),
  ok: v.boolean(),
  error: v.nullable(v.string()),
  responseExcerpt: v.string(),
  nextRetryAt: v.nullable(DateTime),
  held: v.pipe(
    v.boolean(),
    d(
      "Not an attempt: nothing was sent because the account was suspended; the delivery is " +
        "held and goes out once the account is reactivated (`attempt`: the attempts made before).",
    ),
  ),
});
export const DeliveryList = v.object({ data: v.array(Delivery) });
export const MessageParams = v.object({
  id: Ulid,
  messageId: v.pipe(v.string(), v.regex(MESSAGE_ID)),
});
export const TestEventAnswer = v.object({ messageId: v.string() });
