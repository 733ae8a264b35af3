/**
 * A webhook body a receiver got, checked against what the OpenAPI document's `webhooks` section
 * says of it (`api/schemas/webhook-events.ts`, which the document is built from): a body that
 * drifts from its description fails the test that made it.
 */
import * as v from "valibot";
import { WEBHOOK_PAYLOADS, webhookBody } from "../../src/lib/server/api/schemas/webhook-events.ts";

/** Null when `text` is a body as documented, else what is wrong with it. */
export function undocumentedWebhook(text: string): string | null {
  const body = JSON.parse(text) as { type?: unknown };
  if (typeof body.type !== "string" || !Object.hasOwn(WEBHOOK_PAYLOADS, body.type)) {
    return `an event the document does not list: ${String(body.type)}`;
  }
  const checked = v.safeParse(webhookBody(body.type as keyof typeof WEBHOOK_PAYLOADS), body);
  if (checked.success) return null;
  return `${body.type}: ` +
    checked.issues.map((i) => `${i.path?.map((p) => String(p.key)).join(".") ?? ""}: ${i.message}`)
      .join("; ");
}
