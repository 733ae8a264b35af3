/**
 * The MCP tools themselves (ADR 036): each tool's name, description, valibot input schema built
 * from the JSON API's own pieces (`api/schemas/`), and the API route it calls. A host's
 * scheduling tools (links, polls, seated meetings, teams) live in host-tools.ts.
 */
import * as v from "valibot";
import { checkRateLimit } from "../services/rate-limit.ts";
import { setDateOverride } from "../services/availability.ts";
import { callRoute } from "../api/handler.ts";
import type { FieldError } from "../api/http.ts";
import * as S from "../api/schemas/index.ts";
import {
  answered,
  argsOf,
  bodyOf,
  d,
  defined,
  hostCall,
  IdempotencyKey,
  Language,
  listFilters,
  listQuery,
  refusal,
  renamedProblem,
  str,
  TeamId,
  type Tool,
  toolArgs,
} from "./tool-kit.ts";
import { HOST_SCHEDULING_TOOLS } from "./host-tools.ts";

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
const BOOK_INPUT = toolArgs({
  ...argsOf(B, BOOK_NAMES),
  idempotency_key: IdempotencyKey,
  language: Language,
});
const L = S.BookingListQuery.entries;
const SQ = S.SlotsQuery.entries;

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
        body: bodyOf(a, B, BOOK_NAMES),
        idempotencyKey: a.idempotency_key as string,
      });
      const out = answered(res);
      if (!out.ok) return { ...out, problem: renamedProblem(out.problem, BOOK_NAMES) };
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
    input: toolArgs({ ...listFilters, event_type: L.eventType, language: Language }),
    run: async (c, a) => answered(await hostCall(c, "listBookings", { query: listQuery(a) })),
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
    name: "request_reschedule",
    title: "Ask a guest to pick a new time",
    description:
      "Cancels a confirmed booking of yours and mails its guest their own link to pick a new " +
      "time (their answers kept), with an optional reason the guest reads; the time is free " +
      "again. As an owner of a team, for a seat of the team's collective seated time another " +
      "member organises, give `team_id` (from list_teams) and the seat's id (from " +
      "list_team_bookings). To move a booking to a time you choose, use reschedule. Needs a " +
      "write key.",
    need: "write",
    readOnly: false,
    destructive: true,
    input: toolArgs({
      id: v.pipe(
        S.Ulid,
        d("The booking's id (from list_bookings, or with `team_id` from list_team_bookings)."),
      ),
      team_id: v.optional(TeamId),
      reason: S.Reason.entries.reason,
      idempotency_key: IdempotencyKey,
      language: Language,
    }),
    run: async (c, a) => {
      const ask = {
        body: defined({ reason: a.reason }),
        idempotencyKey: a.idempotency_key as string,
      };
      return answered(
        a.team_id === undefined
          ? await hostCall(c, "requestReschedule", { params: { id: a.id as string }, ...ask })
          : await hostCall(c, "requestTeamReschedule", {
            params: { teamId: a.team_id as string, id: a.id as string },
            ...ask,
          }),
      );
    },
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
  ...HOST_SCHEDULING_TOOLS,
];
