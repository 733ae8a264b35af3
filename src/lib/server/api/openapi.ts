/**
 * The OpenAPI 3.1 document, built from the route table and the valibot schemas the API validates
 * with (converted by `@valibot/to-json-schema`), never written by hand.
 */
import * as v from "valibot";
import { toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import { COMPONENTS } from "./schemas/index.ts";
import { ROUTES } from "./routes/index.ts";
import { REFUSALS } from "../../shared/refusals.ts";
import { WEBHOOK_EVENTS, WEBHOOK_RETRY_DELAYS_MS } from "../domain/webhooks.ts";
import {
  BOOKING_BODY_STATE,
  SENT_EVENTS,
  WEBHOOK_PAYLOADS,
  webhookBody,
} from "./schemas/webhook-events.ts";
import { API_BODY_LIMIT } from "../http/body-limit.ts";

type Json = Record<string, unknown>;

const CONVERT = {
  target: "draft-2020-12" as const,
  errorMode: "ignore" as const,
  definitions: COMPONENTS,
  overrideRef: (c: { referenceId: string }) => `#/components/schemas/${c.referenceId}`,
};

function schemaOf(schema: v.GenericSchema): Json {
  const out = toJsonSchema(schema, CONVERT) as unknown as Json;
  delete out.$schema;
  delete out.$defs;
  return out;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid request: `errors` lists each field and what is wrong with it.",
  401: "No valid API key (unknown, revoked and expired keys get the same answer). A public " +
    "endpoint needs none, but a key sent to it must be valid.",
  403: "The API key lacks the scope this operation needs.",
  404: "Not found (another host's resources are not found either).",
  409: "Refused: the `type` names why (slot taken, cap reached, calendar unavailable, …).",
  408: "The body did not arrive in time.",
  410: "Gone: the link was used or has expired (`link_used`, `link_expired`); a used link's " +
    "booking stays the guest's. On a host's public routes: the host is not taking bookings at " +
    "the moment (`host_not_taking_bookings`: their account is suspended; meetings already " +
    "booked are not affected).",
  413: `The body is larger than ${API_BODY_LIMIT / 1024} KB (${API_BODY_LIMIT} bytes).`,
  415: "The body is not `application/json`, or is compressed (send it without `Content-Encoding`).",
  429: "Too many requests; wait for `Retry-After` seconds.",
  503: "Too many changes at once (nothing was changed); retry after `Retry-After` seconds.",
};

/**
 * What an Idempotency-Key does, per kind of write (ADR 018, amended 2026-11-26): a booking or
 * booking change (the key required) writes the key's record in its own commit, so requests
 * racing under one key all run and every one is answered with what the first made; other writes
 * (the key optional, and the few required ones marked `keyClaimed`) claim the key first and
 * refuse a twin that still runs.
 */
function idempotencyKeyText(kind: "required" | "optional", claimed = false): string {
  const races = kind === "required" && !claimed
    ? "Requests racing under one key make the change once and are all answered with it " +
      "(replayed), also a retry that arrives while the first request still runs. "
    : "A retry that arrives while the first request still runs is refused with 409 " +
      "(`idempotency_in_progress`); try again after it. ";
  return "A unique key per change (a random UUID). Retrying with the same key and body replays " +
    "the first answer (with `Idempotent-Replayed: true`) and changes nothing. " + races +
    "The same key with another body is refused with 409 (`idempotency_key_reused`). Keys are " +
    "kept for 24 hours and belong to their caller: the API key, or without one the client's " +
    "address and the guest's email — another caller's key is never replayed to you. " +
    "Placeholders copied from examples (`<unique-key>`, `your-key`, `0000…`) are refused with " +
    "400.";
}

/** What a 201 makes that has an address of its own (`GET …/{id}`), named by its `Location`. */
const LOCATED = new Set(["Booking", "EventType", "Poll", "SubscriptionWithSecret"]);
const LOCATION_HEADER = {
  Location: {
    description: "The absolute URL of what was made (its `GET`), on a replay too.",
    schema: { type: "string", format: "uri" },
  },
};

/** The headers every delivery carries (Standard Webhooks). */
const WEBHOOK_HEADERS: Json[] = [
  {
    name: "webhook-id",
    in: "header",
    required: true,
    description: "The message's id (`msg_…`): the same on every retry and redelivery, so a " +
      "receiver can drop a message it has already handled.",
    schema: { type: "string" },
  },
  {
    name: "webhook-timestamp",
    in: "header",
    required: true,
    description: "When this attempt was sent, in seconds since 1970 (signed with the body: " +
      "refuse one far from your clock).",
    schema: { type: "string", pattern: "^[0-9]+$" },
  },
  {
    name: "webhook-signature",
    in: "header",
    required: true,
    description: "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` " +
      "under the subscription's secret (`whsec_…`: the key is the base64 after the prefix). For " +
      "24 hours after a rotation two signatures are sent, space-separated; accept either. Any " +
      "Standard Webhooks library verifies it.",
    schema: { type: "string" },
  },
];

/** "webhook.test" → "webhookWebhookTest": an operation id for a delivery. */
function webhookOperationId(event: string): string {
  return "webhook" + event.split(/[._]/).map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

/** OpenAPI 3.1's `webhooks`: one POST per event the app sends (`schemas/webhook-events.ts`). */
function webhooksSection(): Record<string, Json> {
  const days = WEBHOOK_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) / 86_400_000;
  const delivery = "Sent to every enabled subscription of this event (`POST /webhooks`), signed " +
    "per the Standard Webhooks specification. A 2xx answer delivers it; a timeout, a network " +
    "error, 408, 429 or 5xx is retried with the same `webhook-id` over about " +
    `${days.toFixed(1)} days (after \`Retry-After\` when given); any other answer (a 3xx ` +
    "included: redirects are not followed) is final. A subscription without a success for 3 " +
    "days is switched off. While its host's account is suspended nothing is sent: deliveries " +
    "are held and go out after reactivation, in the order their events happened. Nothing is " +
    "sent unsigned. Bodies may gain fields: ignore those you do not know.";
  const out: Record<string, Json> = {};
  for (const event of SENT_EVENTS) {
    out[event] = {
      post: {
        operationId: webhookOperationId(event),
        summary: WEBHOOK_PAYLOADS[event].summary,
        description: WEBHOOK_PAYLOADS[event].booking
          ? `${delivery} ${BOOKING_BODY_STATE}`
          : delivery,
        tags: ["Webhooks"],
        parameters: WEBHOOK_HEADERS,
        requestBody: {
          required: true,
          content: { "application/json": { schema: schemaOf(webhookBody(event)) } },
        },
        responses: {
          "2XX": { description: "Delivered." },
          default: { description: "Not delivered: retried or final, as described above." },
        },
        security: [],
      },
    };
  }
  return out;
}

export function openApiDocument(base: string): Json {
  const schemas = toJsonSchemaDefs(COMPONENTS, {
    target: "draft-2020-12",
    errorMode: "ignore",
    overrideRef: CONVERT.overrideRef,
  }) as unknown as Record<string, Json>;
  for (const s of Object.values(schemas)) delete s.$schema;
  const paths: Record<string, Json> = {};
  for (const r of ROUTES) {
    const parameters: Json[] = [];
    const addParams = (schema: v.GenericSchema | undefined, where: "path" | "query") => {
      if (!schema) return;
      const js = schemaOf(schema) as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        const { description, ...rest } = prop as Json;
        parameters.push({
          name,
          in: where,
          required: where === "path" || (js.required ?? []).includes(name),
          schema: rest,
          ...(description ? { description } : {}),
        });
      }
    };
    addParams(r.params, "path");
    addParams(r.query, "query");
    if (r.idempotency) {
      parameters.push({
        name: "Idempotency-Key",
        in: "header",
        required: r.idempotency === "required",
        description: idempotencyKeyText(r.idempotency, r.keyClaimed),
        schema: { type: "string", minLength: 1, maxLength: 255 },
      });
    }
    const responses: Json = {};
    for (const [status, name] of Object.entries(r.success)) {
      responses[status] = name
        ? {
          description: "Success",
          ...(status === "201" && LOCATED.has(name) ? { headers: LOCATION_HEADER } : {}),
          content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } },
        }
        : { description: "Done (no body)" };
    }
    // Every body is bounded by the API's body policy (http/body-limit.ts), refused as a problem.
    const problems = r.body ? [...new Set([...r.problems, 408, 413])].sort() : r.problems;
    for (const status of problems) {
      responses[String(status)] = {
        description: STATUS_TEXT[status] ?? "Problem",
        content: {
          "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
        },
      };
    }
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: r.bodyName
                  ? { $ref: `#/components/schemas/${r.bodyName}` }
                  : schemaOf(r.body),
              },
            },
          },
        }
        : {}),
      responses,
      // A public endpoint: no key, or a valid one (a dead key is refused there too).
      security: r.auth === "none" ? [{}, { apiKey: [] }] : [{ apiKey: [r.auth] }],
    };
    const path = r.path;
    paths[path] = { ...(paths[path] ?? {}), [r.method.toLowerCase()]: op };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Invito API",
      version: "1.0.0",
      description: [
        "Book and manage meetings on this Invito server.",
        "",
        "- Public endpoints (event types, slots, booking as a guest) need no key; a key sent " +
        "to them is checked like anywhere else (a revoked or unknown one is refused with 401).",
        "- Everything else needs a personal API key from the dashboard (Developers), sent as " +
        "`Authorization: Bearer inv_…`, with the scope `read` or `write`.",
        "- Errors are RFC 9457 problem details (`application/problem+json`); `type` is stable " +
        "per reason. Every refusal is one, those of the server in front of the API included " +
        "(405 for a method no endpoint answers, 413, 408).",
        `- Request bodies are JSON of at most ${API_BODY_LIMIT / 1024} KB (${API_BODY_LIMIT} ` +
        "bytes): a larger one is refused with 413 `payload_too_large` before it is read, a body " +
        "that stops arriving with 408 `request_timeout`.",
        `- Webhooks (events: ${WEBHOOK_EVENTS.join(", ")}) are signed per the Standard ` +
        "Webhooks specification.",
      ].join("\n"),
    },
    servers: [{ url: `${base}/api/v1` }],
    "x-body-limit-bytes": API_BODY_LIMIT,
    tags: [
      "Public",
      "Bookings",
      "Event types",
      "Availability",
      "Account",
      "Webhooks",
      "Routing forms",
      "Polls",
      "One-off links",
    ].map((
      name,
    ) => ({ name })),
    paths,
    webhooks: webhooksSection(),
    components: {
      schemas,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "A personal API key (`inv_…`) from the dashboard.",
        },
      },
    },
    "x-problem-types": Object.fromEntries(
      Object.entries(REFUSALS).map(([reason, r]) => [
        `${base}/docs/api#problem-${reason.replaceAll("_", "-")}`,
        { reason, status: r.status, title: r.title },
      ]),
    ),
  };
}
