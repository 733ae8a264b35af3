/**
 * What every MCP tool is made of (ADR 036): the caller, a tool's shape and outcome, the
 * arguments every tool shares (`language`, `idempotency_key`), and the few helpers that call an
 * API route under the caller's key and turn its answer into a tool's.
 */
import * as v from "valibot";
import type { App } from "../app.ts";
import type { Authenticated } from "../services/api-keys.ts";
import { IDEMPOTENCY_KEY_RE } from "../services/idempotency.ts";
import { callRoute } from "../api/handler.ts";
import type { ApiResponse, FieldError, ProblemBody, Said } from "../api/http.ts";
import * as S from "../api/schemas/index.ts";
import { type RefusalReason, REFUSALS } from "../../shared/refusals.ts";
import { messageRef, type Translator } from "../../shared/i18n.ts";

export type McpCaller = {
  app: App;
  ip: string;
  /** The host behind a valid `Authorization: Bearer inv_…`, else null (public tools only). */
  auth: Authenticated | null;
  /** A Bearer key was sent (`sendsApiKey`; with `auth` null: a key we do not know, or no longer). */
  keySent: boolean;
  acceptLanguage: string | null;
};

export type ToolResult = {
  content: (
    | { type: "text"; text: string }
    | {
      type: "resource_link";
      uri: string;
      name: string;
      title?: string;
      description?: string;
      mimeType?: string;
    }
  )[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

export const d = v.description;

/**
 * A tool's arguments: its own and no others. An argument it does not take is refused by name,
 * never dropped — an agent that sent the API's `guests` to `book` lost the attendees silently.
 */
export const toolArgs = <E extends v.ObjectEntries>(entries: E) =>
  v.strictObject(entries, messageRef("mcp.unknown_argument"));

export const Language = v.optional(
  v.pipe(
    v.string(),
    v.maxLength(35),
    d("Language of messages and refusals: en, de, fr or es (default: Accept-Language, else en)."),
  ),
);
export const IdempotencyKey = v.pipe(
  v.string(),
  v.regex(IDEMPOTENCY_KEY_RE, "1 to 255 printable ASCII characters"),
  d(
    "Any unique string (a UUID is best). Repeating a call with the same key and the same " +
      "arguments answers the first result again instead of doing it twice.",
  ),
);
/** A team's id: a team owner's tools take it (`list_team_bookings`, and a change as an owner). */
export const TeamId = v.pipe(S.Ulid, d("The team's id (from list_teams)."));
/** The guest's own fields, which tools take under `guest`. */
const GUEST_FIELDS = new Set(["name", "email"]);

/**
 * An API body's fields as a tool's arguments, field for field (issue 31: a field the API gains
 * is a tool's argument at once): renamed by `names` (snake_case), the guest's name and email
 * under `guest`.
 */
export function argsOf(entries: v.ObjectEntries, names: Record<string, string>): v.ObjectEntries {
  return {
    ...Object.fromEntries(
      Object.entries(entries).filter(([k]) => !GUEST_FIELDS.has(k)).map((
        [k, s],
      ) => [names[k] ?? k, s]),
    ),
    guest: toolArgs({ name: entries.name, email: entries.email }),
  };
}

/** A tool's arguments (`argsOf`) as the API's body. */
export function bodyOf(
  a: Record<string, unknown>,
  entries: v.ObjectEntries,
  names: Record<string, string>,
): Record<string, unknown> {
  const guest = a.guest as { name: string; email: string };
  const body: Record<string, unknown> = { name: guest.name, email: guest.email };
  for (const k of Object.keys(entries)) {
    if (!GUEST_FIELDS.has(k)) body[k] = a[names[k] ?? k];
  }
  return defined(body);
}

export type Outcome =
  | { ok: true; data: Record<string, unknown>; text?: string; links?: ToolResult["content"] }
  | { ok: false; problem: ProblemBody; said?: Said };

export type Tool = {
  name: string;
  title: string;
  description: string;
  need: "none" | "read" | "write";
  input: v.StrictObjectSchema<v.ObjectEntries, string>;
  readOnly: boolean;
  /** It may undo what was there (a booking, a date's hours): `destructiveHint`. */
  destructive?: true;
  /**
   * The same call again changes nothing more: `idempotentHint`. A tool that takes an
   * `idempotency_key` is, by that key; one that sets a value to what it is given is, by itself.
   */
  idempotent?: true;
  run: (c: McpCaller, args: Record<string, unknown>, t: Translator) => Promise<Outcome>;
};

/** A route's answer: the body on success, the problem otherwise. */
export function answered(res: ApiResponse): Outcome {
  if (res.status >= 400) {
    return { ok: false, problem: res.body as ProblemBody, ...(res.said ? { said: res.said } : {}) };
  }
  // A kept answer comes as its bytes (uncompressed here: callRoute's request accepts no encoding).
  const raw = res.body instanceof Uint8Array ? new TextDecoder().decode(res.body) : res.body;
  const body = typeof raw === "string" ? JSON.parse(raw) : raw ?? {};
  return { ok: true, data: body as Record<string, unknown> };
}

export const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));

export const str = (x: unknown) => (x === undefined ? undefined : String(x));

/** A route called under the caller's key. */
export const hostCall = (
  c: McpCaller,
  operationId: string,
  input: Omit<Parameters<typeof callRoute>[2], "ip" | "auth"> = {},
) => callRoute(c.app, operationId, { ip: c.ip, auth: c.auth, ...input });

/** The API's field names in a refusal → the tool's arguments (`argsOf`'s names). */
export function renamedProblem(p: ProblemBody, names: Record<string, string>): ProblemBody {
  if (!p.errors) return p;
  const named = (field: string) =>
    GUEST_FIELDS.has(field) ? `guest.${field}` : names[field] ?? field;
  return { ...p, errors: p.errors.map((e) => ({ ...e, field: named(e.field) })) };
}

/**
 * A booking the host made, without the guest's own links: those (manage, cancel, reschedule)
 * are the guest's and go to the guest by mail only, as `book`'s do.
 */
export function withoutGuestLinks(b: Record<string, unknown>): Record<string, unknown> {
  const { links: _links, ...rest } = b;
  const seat = rest.seat as Record<string, unknown> | null | undefined;
  if (seat && typeof seat === "object" && "links" in seat) {
    const { links: _seatLinks, ...seatRest } = seat;
    rest.seat = seatRest;
  }
  return rest;
}

const L = S.BookingListQuery.entries;
/** `list_bookings`' filters, which a team's list takes too (but its event type). */
export const listFilters = {
  status: L.status,
  from: L.from,
  to: L.to,
  cursor: L.cursor,
  limit: v.optional(
    v.union([v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), L.limit.wrapped]),
  ),
};
export const listQuery = (a: Record<string, unknown>) =>
  defined({
    status: a.status,
    from: a.from,
    to: a.to,
    eventType: a.event_type,
    cursor: a.cursor,
    limit: str(a.limit),
  }) as Record<string, string>;

export function refusal(
  reason: RefusalReason,
  errors?: FieldError[],
): Extract<Outcome, { ok: false }> {
  const r = REFUSALS[reason];
  return {
    ok: false,
    problem: {
      type: reason,
      title: r.title,
      status: r.status,
      detail: r.detail,
      reason,
      ...(errors ? { errors } : {}),
    },
  };
}
