/**
 * What every API route module shares: the request context a handler receives, the shape of a
 * route (its schemas, scope, Idempotency-Key and documented answers), and the few helpers that
 * map refusals, run a change under an Idempotency-Key and word validation issues in English.
 */
import * as v from "valibot";
import type { App } from "../../app.ts";
import type { Authenticated } from "../../services/api-keys.ts";
import { type ApiResponse, type FieldError, problem } from "../http.ts";
import type * as S from "../schemas/index.ts";
import { parseInstant, type ReadOnlyFields } from "../schemas/pieces.ts";
import { isRefusalReason, isRetryable } from "../../../shared/refusals.ts";
import { suspendedHostName } from "../../services/public-calendar.ts";
import { translateRef } from "../../../shared/i18n.ts";
import { translator } from "../../i18n.ts";
import {
  type Answer,
  type CommitTarget,
  type ExtraFor,
  requestFingerprint,
  runIdempotent,
} from "../../services/idempotency.ts";

export type Ctx = {
  app: App;
  req: Request;
  ip: string;
  /** The request path below /api/v1, e.g. "/bookings/01J…/confirm". */
  path: string;
  base: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  auth: Authenticated | null;
  idempotencyKey: string | null;
};

type AnySchema = v.GenericSchema;

export type Route = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI path template below /api/v1. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag:
    | "Public"
    | "Bookings"
    | "Event types"
    | "Availability"
    | "Account"
    | "Webhooks"
    | "Routing forms"
    | "Polls"
    | "One-off links";
  auth: "none" | "read" | "write";
  params?: AnySchema;
  query?: AnySchema;
  body?: AnySchema;
  bodyName?: keyof typeof S.COMPONENTS;
  idempotency?: "required" | "optional";
  /**
   * A required key whose change does not commit the key's record itself (`idempotent`'s
   * `guarded: false`): the key is claimed first, so a twin that arrives while the first runs is
   * refused (409 `idempotency_in_progress`) rather than answered with the change. The
   * document says so for these routes (openapi.ts).
   */
  keyClaimed?: true;
  /** Success statuses → component name (or null for no body). */
  success: Record<number, keyof typeof S.COMPONENTS | null>;
  /** Problem statuses this route may answer (besides the ones every route may). */
  problems: number[];
  run: (ctx: Ctx) => Promise<ApiResponse>;
};

export const refused = (ctx: Ctx, reason: string, extra: { errors?: FieldError[] } = {}) =>
  problem(ctx.base, isRefusalReason(reason) ? reason : "not_found", extra);

/**
 * A public route found no host or page under `username`: a suspended host's is a 410 that says
 * so, as their booking pages do (a program told "not found" told its person the host is gone).
 */
export const noPublicHost = async (ctx: Ctx, username: string) =>
  refused(
    ctx,
    await suspendedHostName(ctx.app, username) === null ? "not_found" : "host_not_taking_bookings",
  );

export const keyScope = (ctx: Ctx) => (ctx.auth ? `key:${ctx.auth.key.id}` : "anon");

/** Collections whose members a 201 names in its `Location`. */
export type Collection = "/bookings" | "/event-types" | "/polls" | "/webhooks";

/** Where a resource the API made lives: the `Location` of the 201 that made it. */
export const locationOf = (ctx: Ctx, collection: Collection, id: string): string =>
  `${ctx.base}/api/v1${collection}/${id}`;

/**
 * Runs a state change under the request's Idempotency-Key: replays, refuses reuse and
 * concurrency, and stores the answer. Refusals that may pass on a retry are not kept. The
 * first answer goes with the headers the change gave it; a replay, whose answer is kept without
 * headers, names a 201's resource again from its body (`created`: where its members live).
 */
export async function idempotent(
  ctx: Ctx,
  scope: string,
  /** `kept`: the change's commit carried its answer (`extraFor`'s second argument). */
  change: (extraFor: ExtraFor) => Promise<ApiResponse & { kept?: boolean } | "duplicate">,
  recover: (target: CommitTarget) => Promise<ApiResponse>,
  opts: {
    /** The change commits `extraFor`'s record itself (services/idempotency.ts `guarded`). */
    guarded?: boolean;
    created?: Collection;
  } = {},
): Promise<ApiResponse> {
  const fingerprint = await requestFingerprint(ctx.req.method, ctx.path, ctx.body);
  let fresh: Record<string, string> | undefined;
  let said: ApiResponse["said"];
  const out = await runIdempotent(
    ctx.app,
    { scope, key: ctx.idempotencyKey!, fingerprint, guarded: opts.guarded ?? true },
    async (extraFor) => {
      const res = await change(extraFor);
      if (res === "duplicate") return { duplicate: true };
      fresh = res.headers;
      said = res.said;
      const reason = (res.body as { reason?: string } | undefined)?.reason;
      const retryable = res.status >= 400 && reason !== undefined && isRefusalReason(reason) &&
        isRetryable(reason);
      return {
        answer: { status: res.status, body: res.body ?? null },
        keep: !retryable,
        kept: res.kept,
      };
    },
    async (commit) => toAnswer(await recover(commit.target)),
  );
  if (!out.ok) return problem(ctx.base, out.reason);
  if (out.answer.body === null && out.answer.status >= 400) {
    return problem(ctx.base, "duplicate_request");
  }
  if (!out.replayed) {
    return {
      status: out.answer.status,
      body: out.answer.body ?? undefined,
      headers: fresh,
      ...(said ? { said } : {}),
    };
  }
  const headers: Record<string, string> = { "idempotent-replayed": "true" };
  const id = (out.answer.body as { id?: unknown } | null)?.id;
  if (out.answer.status === 201 && opts.created && typeof id === "string") {
    headers.location = locationOf(ctx, opts.created, id);
  }
  return { status: out.answer.status, body: out.answer.body ?? undefined, headers };
}

const toAnswer = (r: ApiResponse): Answer => ({ status: r.status, body: r.body ?? null });

/**
 * An optional Idempotency-Key on writes outside bookings: the same request is answered from the
 * stored answer. (These writes are naturally idempotent or unique by slug, so no commit record.)
 */
export async function replayable(
  ctx: Ctx,
  run: () => Promise<ApiResponse>,
  created?: Collection,
): Promise<ApiResponse> {
  return await idempotent(
    ctx,
    keyScope(ctx),
    () => run(),
    () => Promise.resolve(refused(ctx, "duplicate_request")),
    { guarded: false, created },
  );
}

/**
 * The API speaks English: the shared form schemas' messages are catalog references (ADR 015),
 * worded here in English like the problem details.
 */
export function english(message: string): string {
  return translateRef(translator("en"), message);
}

/**
 * valibot issues → `{ field, message }`, first message per field; `rename` maps field names.
 * `schema`: what was parsed, so that an unknown field's message lists the fields taken there.
 */
export function issuesToFields(
  issues: v.BaseIssue<unknown>[],
  rename: Record<string, string> = {},
  schema?: AnySchema,
  /** What the schema read: a body's fields, or an address's query parameters. */
  from: "body" | "query" = "body",
): FieldError[] {
  const seen = new Map<string, string>();
  for (const issue of issues) {
    const keys = issue.path?.map((p) => String(p.key)) ?? [];
    const raw = keys.join(".");
    const field = rename[raw] ?? raw;
    if (!seen.has(field)) {
      seen.set(field, objectMessage(issue, keys, schema, from) ?? english(issue.message));
    }
  }
  return [...seen].map(([field, message]) => ({ field, message }));
}

/** A body that is JSON but no object (an array, a string, null). */
export const NOT_AN_OBJECT = "Send a JSON object";

const OBJECT_TYPES = new Set(["object", "strict_object", "loose_object"]);

/**
 * An object schema's own issues in words a program's author acts on; valibot's ("Invalid key:
 * Expected never but received \"titel\"") name neither the mistake nor the fix. Null for others.
 */
function objectMessage(
  issue: v.BaseIssue<unknown>,
  keys: string[],
  schema: AnySchema | undefined,
  from: "body" | "query",
): string | null {
  if (issue.kind !== "schema" || !OBJECT_TYPES.has(issue.type)) return null;
  if (issue.message.startsWith("Invalid type:")) {
    return keys.length === 0 ? NOT_AN_OBJECT : "Must be an object";
  }
  if (!issue.message.startsWith("Invalid key:")) return null;
  if (issue.expected !== "never") return "Required";
  const taken = schema ? entriesAt(schema, keys.slice(0, -1)) : null;
  if (from === "query" && taken) {
    return `Unknown parameter; this address takes: ${taken.join(", ")}`;
  }
  if (!taken) return "Unknown field; check its spelling against the API reference";
  return taken.length
    ? `Unknown field; this object takes: ${taken.join(", ")}`
    : "Unknown field; send an empty object {}";
}

/** The field names an object schema takes at `keys` (through optional, nullable and pipes). */
function entriesAt(schema: AnySchema, keys: string[]): string[] | null {
  type Node = { entries?: Record<string, Node>; wrapped?: Node; item?: Node };
  let node: Node | undefined = schema as unknown as Node;
  const unwrap = (n: Node | undefined) => {
    while (n?.wrapped) n = n.wrapped;
    return n;
  };
  for (const key of keys) {
    node = unwrap(node);
    node = /^\d+$/.test(key) && node?.item ? node.item : node?.entries?.[key];
  }
  node = unwrap(node);
  return node?.entries ? Object.keys(node.entries) : null;
}

/**
 * A write that took back what the resource's GET answered: its read-only fields that name it
 * (`readOnlyFields`' `fixed`) pass when sent as they are now (`current`, the resource as GET
 * answers it) and are refused, each named, when changed. An instant counts as unchanged however
 * it is written (`…T08:00:00.000Z`, `…T09:00:00+01:00`): a client that parsed it and wrote it
 * back means the same time. Null when nothing read-only was changed.
 */
export function readOnlyRefusal(
  ctx: Ctx,
  fields: ReadOnlyFields,
  sent: Record<string, unknown>,
  current: Record<string, unknown>,
): ApiResponse | null {
  const errors: FieldError[] = [];
  for (const field of fields.fixed) {
    const value = sent[field];
    if (value === undefined || sameValue(value, current[field])) continue;
    const hint = fields.hints[field];
    errors.push({
      field,
      message: `Read-only: it cannot be changed${hint ? ` here (${hint})` : ""}; it is ` +
        `${JSON.stringify(current[field])}. Send it as GET answers it, or leave it out`,
    });
  }
  return errors.length ? problem(ctx.base, "validation", { errors }) : null;
}

/** The body without the read-only fields it took back: what the write is to set. */
export function writable<T extends Record<string, unknown>>(fields: ReadOnlyFields, body: T): T {
  const out = { ...body };
  for (const k of Object.keys(fields.entries)) delete out[k];
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (JSON.stringify(a) === JSON.stringify(b)) return true;
  if (typeof a !== "string" || typeof b !== "string") return false;
  const [x, y] = [parseInstant(a), parseInstant(b)];
  return x !== null && y !== null && x.epochNanoseconds === y.epochNanoseconds;
}

/** The object without its undefined fields (a PATCH changes only what was sent). */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
}
