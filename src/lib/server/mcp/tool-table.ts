/**
 * The MCP tools themselves (ADR 036): each tool's name, description, valibot input schema built
 * from the JSON API's own pieces (`api/schemas/`), and the API route it calls.
 */
import * as v from "valibot";
import type { App } from "../app.ts";
import type { Authenticated } from "../services/api-keys.ts";
import { checkRateLimit } from "../services/rate-limit.ts";
import { setDateOverride } from "../services/availability.ts";
import { IDEMPOTENCY_KEY_RE } from "../services/idempotency.ts";
import { callRoute } from "../api/handler.ts";
import type { ApiResponse, FieldError, ProblemBody } from "../api/http.ts";
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

const d = v.description;

/**
 * A tool's arguments: its own and no others. An argument it does not take is refused by name,
 * never dropped — an agent that sent the API's `guests` to `book` lost the attendees silently.
 */
const toolArgs = <E extends v.ObjectEntries>(entries: E) =>
  v.strictObject(entries, messageRef("mcp.unknown_argument"));

const Language = v.optional(
  v.pipe(
    v.string(),
    v.maxLength(35),
    d("Language of messages and refusals: en, de, fr or es (default: Accept-Language, else en)."),
  ),
);
const IdempotencyKey = v.pipe(
  v.string(),
  v.regex(IDEMPOTENCY_KEY_RE, "1 to 255 printable ASCII characters"),
  d(
    "Any unique string (a UUID is best). Repeating a call with the same key and the same " +
      "arguments answers the first result again instead of doing it twice.",
  ),
);
const B = S.BookingCreate.entries;

/**
 * `book` takes the API's `BookingCreate` field for field (issue 31: the schemas come from one
 * source), so a field the API gains (a place, a phone, extra guests…) is bookable over MCP at
 * once. Only the names differ: snake_case like the other tools, the guest's own name and email
 * under `guest`, and the extra attendees as `additional_guests` (beside `guest`, a plain
 * `guests` reads as the same person).
 */
const BOOK_NAMES: Record<string, string> = {
  eventType: "event_type",
  timeZone: "time_zone",
  durationMin: "duration_min",
  guests: "additional_guests",
};
const GUEST_FIELDS = new Set(["name", "email"]);
const BOOK_INPUT = toolArgs({
  ...Object.fromEntries(
    Object.entries(B).filter(([k]) => !GUEST_FIELDS.has(k)).map((
      [k, s],
    ) => [BOOK_NAMES[k] ?? k, s]),
  ),
  guest: toolArgs({ name: B.name, email: B.email }),
  idempotency_key: IdempotencyKey,
  language: Language,
});

/** The API's field names in a refusal → the `book` arguments an agent sent. */
function bookProblem(p: ProblemBody): ProblemBody {
  if (!p.errors) return p;
  const named = (field: string) =>
    GUEST_FIELDS.has(field) ? `guest.${field}` : BOOK_NAMES[field] ?? field;
  return { ...p, errors: p.errors.map((e) => ({ ...e, field: named(e.field) })) };
}

/** A `book` call's arguments as the API's `POST /bookings` body. */
function bookBody(a: Record<string, unknown>): Record<string, unknown> {
  const guest = a.guest as { name: string; email: string };
  const body: Record<string, unknown> = { name: guest.name, email: guest.email };
  for (const k of Object.keys(B)) {
    if (!GUEST_FIELDS.has(k)) body[k] = a[BOOK_NAMES[k] ?? k];
  }
  return defined(body);
}
const L = S.BookingListQuery.entries;
const SQ = S.SlotsQuery.entries;

export type Outcome =
  | { ok: true; data: Record<string, unknown>; text?: string; links?: ToolResult["content"] }
  | { ok: false; problem: ProblemBody };

type Tool = {
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
  if (res.status >= 400) return { ok: false, problem: res.body as ProblemBody };
  // A kept answer comes as its bytes (uncompressed here: callRoute's request accepts no encoding).
  const raw = res.body instanceof Uint8Array ? new TextDecoder().decode(res.body) : res.body;
  const body = typeof raw === "string" ? JSON.parse(raw) : raw ?? {};
  return { ok: true, data: body as Record<string, unknown> };
}

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));

const str = (x: unknown) => (x === undefined ? undefined : String(x));

export function eventTypeUri(username: string, slug: string): string {
  return `invito://users/${username}/event-types/${slug}`;
}

/** A booking as an agent may see it: no guest links, no tokens. */
type BookingJson = {
  id: string;
  state: string;
  start: string;
  end: string;
  durationMin: number;
  guestStart: string;
  eventType: { slug: string | null; title: string };
  guest: { name: string; email: string; timeZone: string };
  holdUntil: string | null;
};

const decisionInput = {
  id: v.pipe(S.Ulid, d("The booking's id (from list_bookings).")),
  reason: S.Reason.entries.reason,
  idempotency_key: IdempotencyKey,
  language: Language,
};

const hostDecision = (action: "confirm" | "reject" | "cancel"): Tool => ({
  name: action,
  title: action === "confirm"
    ? "Confirm a booking request"
    : action === "reject"
    ? "Reject a booking request"
    : "Cancel a booking",
  description: action === "confirm"
    ? "Confirms a pending request of yours; the guest is told by mail. Needs a write key."
    : action === "reject"
    ? "Rejects a pending request of yours, with an optional reason the guest reads. Needs a write key."
    : "Cancels a booking of yours, with an optional reason the guest reads; for a date of a " +
      'recurring series, scope "rest" cancels the later dates too. Needs a write key.',
  need: "write",
  readOnly: false,
  ...(action === "confirm" ? {} : { destructive: true }),
  input: action === "cancel"
    ? toolArgs({ ...decisionInput, scope: S.CancelBody.entries.scope })
    : toolArgs(decisionInput),
  run: async (c, a) =>
    answered(
      await callRoute(c.app, `${action}Booking`, {
        ip: c.ip,
        auth: c.auth,
        params: { id: a.id as string },
        body: defined({ reason: a.reason, scope: a.scope }),
        idempotencyKey: a.idempotency_key as string,
      }),
    ),
});

export const TOOLS: Tool[] = [
  {
    name: "list_event_types",
    title: "List a host's event types",
    description:
      "The kinds of meeting a host offers (title, length, location, questions to ask the guest). " +
      "Each comes with a resource link holding its details.",
    need: "none",
    readOnly: true,
    input: toolArgs({ username: S.Username, language: Language }),
    run: async (c, a) => {
      const out = answered(
        await callRoute(c.app, "listPublicEventTypes", {
          ip: c.ip,
          auth: null,
          params: { username: a.username as string },
        }),
      );
      if (!out.ok) return out;
      const host = out.data.host as { username: string; name: string };
      const types = out.data.eventTypes as { slug: string; title: string; description: string }[];
      return {
        ...out,
        links: types.map((et) => ({
          type: "resource_link" as const,
          uri: eventTypeUri(host.username, et.slug),
          name: et.slug,
          title: `${et.title} (${host.name})`,
          description: et.description || undefined,
          mimeType: "application/json",
        })),
      };
    },
  },
  {
    name: "find_available_times",
    title: "Find available times",
    description:
      "Free start times of an event type between two dates (inclusive, in `time_zone`): the " +
      "same times the booking page and the slots API offer. Send a slot's `start` to `book`.",
    need: "none",
    readOnly: true,
    input: toolArgs({
      username: S.Username,
      event_type: v.pipe(S.Slug, d("The event type's slug (from list_event_types).")),
      start: SQ.start,
      end: SQ.end,
      time_zone: v.pipe(S.TimeZone, d("The guest's IANA time zone, e.g. Europe/Berlin.")),
      duration: v.optional(
        v.union([
          v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(999)),
          SQ.duration.wrapped,
        ]),
      ),
      language: Language,
    }),
    run: async (c, a) =>
      answered(
        await callRoute(c.app, "listSlots", {
          ip: c.ip,
          auth: null,
          params: { username: a.username as string, slug: a.event_type as string },
          query: defined({
            start: a.start,
            end: a.end,
            timeZone: a.time_zone,
            duration: str(a.duration),
          }) as Record<string, string>,
        }),
      ),
  },
  {
    name: "book",
    title: "Book a time",
    description:
      "Books a start time from find_available_times for a guest, by the same rules as the " +
      "booking page. Ask the guest first what the event type's resource lists under `ask`: its " +
      "questions, the choice of place (`location`), a phone number when the host calls, extra " +
      "guests. The " +
      "answer says whether the booking is confirmed or pending the host's decision and what " +
      "happens next; the guest's links to manage it are sent to the guest by mail only.",
    need: "none",
    readOnly: false,
    input: BOOK_INPUT,
    run: async (c, a, t) => {
      // Like the API's bookings, a guest booking also counts against the booking form's limit.
      const limited = await checkRateLimit(c.app, "booking", c.ip);
      if (!limited.ok) return refusal("rate_limited");
      const res = await callRoute(c.app, "createBooking", {
        ip: c.ip,
        auth: null,
        body: bookBody(a),
        idempotencyKey: a.idempotency_key as string,
      });
      const out = answered(res);
      if (!out.ok) return { ok: false, problem: bookProblem(out.problem) };
      const b = out.data as unknown as BookingJson;
      const next = t.t(b.state === "confirmed" ? "mcp.next_confirmed" : "mcp.next_pending", {
        name: b.guest.name,
        email: b.guest.email,
      });
      const data = {
        status: b.state,
        bookingId: b.id,
        eventType: b.eventType,
        start: b.start,
        end: b.end,
        durationMin: b.durationMin,
        guestStart: b.guestStart,
        holdUntil: b.holdUntil,
        replayed: res.headers?.["idempotent-replayed"] === "true",
        next,
      };
      return { ok: true, data, text: next };
    },
  },
  {
    name: "list_bookings",
    title: "List your bookings",
    description: "Your bookings by start time, with filters. Needs your API key (read).",
    need: "read",
    readOnly: true,
    input: toolArgs({
      status: L.status,
      from: L.from,
      to: L.to,
      event_type: L.eventType,
      cursor: L.cursor,
      limit: v.optional(
        v.union([v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), L.limit.wrapped]),
      ),
      language: Language,
    }),
    run: async (c, a) =>
      answered(
        await callRoute(c.app, "listBookings", {
          ip: c.ip,
          auth: c.auth,
          query: defined({
            status: a.status,
            from: a.from,
            to: a.to,
            eventType: a.event_type,
            cursor: a.cursor,
            limit: str(a.limit),
          }) as Record<string, string>,
        }),
      ),
  },
  hostDecision("confirm"),
  hostDecision("reject"),
  hostDecision("cancel"),
  {
    name: "reschedule",
    title: "Move a booking",
    description:
      "Moves a booking of yours to another offered start (from find_available_times); the " +
      "guest is told by mail. Needs a write key.",
    need: "write",
    readOnly: false,
    input: toolArgs({
      id: v.pipe(S.Ulid, d("The booking's id (from list_bookings).")),
      start: S.RescheduleBody.entries.start,
      idempotency_key: IdempotencyKey,
      language: Language,
    }),
    run: async (c, a) =>
      answered(
        await callRoute(c.app, "rescheduleBooking", {
          ip: c.ip,
          auth: c.auth,
          params: { id: a.id as string },
          body: { start: a.start },
          idempotencyKey: a.idempotency_key as string,
        }),
      ),
  },
  {
    name: "get_availability",
    title: "Your availability",
    description:
      "Your weekly hours, date overrides and time off, in your time zone. Needs your API key (read).",
    need: "read",
    readOnly: true,
    input: toolArgs({ language: Language }),
    run: async (c) =>
      answered(await callRoute(c.app, "getAvailability", { ip: c.ip, auth: c.auth })),
  },
  {
    name: "set_date_override",
    title: "Set one date's hours",
    description:
      "Gives one date its own hours in your time zone (an empty list: unavailable that day; " +
      "null: back to the weekly hours). Other dates stay as they are. Needs a write key.",
    need: "write",
    readOnly: false,
    // It replaces the date's hours (an override already set is gone), as often as it is called.
    destructive: true,
    idempotent: true,
    input: toolArgs({
      date: S.Override.entries.date,
      ranges: v.nullable(S.Override.entries.ranges),
      language: Language,
    }),
    run: async (c, a, t) => {
      const res = await setDateOverride(c.app, c.auth!.host, {
        date: a.date as string,
        ranges: a.ranges as { start: string; end: string }[] | null,
      }, t);
      if (res.ok) return { ok: true, data: { date: a.date, overrides: res.overrides } };
      const errors: FieldError[] = [];
      if (res.errors.date) errors.push({ field: "date", message: res.errors.date });
      for (const m of res.errors.ranges ?? []) errors.push({ field: "ranges", message: m });
      if (res.form) errors.push({ field: "", message: res.form });
      return refusal("validation", errors);
    },
  },
];

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

/** The tool list, with JSON Schemas made from the valibot schemas the tools check with. */
