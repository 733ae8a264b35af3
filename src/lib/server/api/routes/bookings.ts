/**
 * Bookings (host): list by start time with a cursor (a team's too), read one, and the host's
 * changes — confirm, reject, cancel, request a reschedule (of a team's seat also by its owner),
 * reschedule — each under a required Idempotency-Key. Seated meetings: seated-meetings.ts.
 */
import type { BookingRecord } from "../../domain/model/records.ts";
import type { ExtraWrite } from "../../domain/booking-engine/index.ts";
import { type ApiResponse, ok, problem, type Said } from "../http.ts";
import * as S from "../schemas/index.ts";
import {
  decideBooking,
  type DecideResult,
  requestNewTime,
  rescheduleByHost,
  type RescheduleResult,
} from "../../services/decide-booking.ts";
import { bookingResource } from "../../services/booking-resource.ts";
import {
  decideTeamBooking,
  teamBookingFor,
  teamBookingsPage,
} from "../../services/team-dashboard.ts";
import {
  bookingById,
  type BookingListFilter,
  hostsBooking,
  listHostBookingsPage,
} from "../../services/booking-reads.ts";
import { listOwnEventTypes } from "../../services/event-types.ts";
import { base64url, fromBase64url } from "../../util/digest.ts";
import { type Ctx, idempotent, keyScope, locationOf, refused, type Route } from "./context.ts";

function encodeCursor(last: [number, string]) {
  return base64url(new TextEncoder().encode(JSON.stringify(last)));
}

function decodeCursor(text: string): [number, string] | null {
  try {
    const x = JSON.parse(new TextDecoder().decode(fromBase64url(text)));
    return Array.isArray(x) && x.length === 2 && Number.isSafeInteger(x[0]) &&
        typeof x[1] === "string" && /^[0-9A-Z]{26}$/.test(x[1])
      ? [x[0], x[1]]
      : null;
  } catch {
    return null;
  }
}

/** A list's query as its filter (an event type aside), or the problem with it. */
function listFilter(ctx: Ctx): { filter: BookingListFilter } | { refused: ApiResponse } {
  const q = ctx.query;
  const limit = q.limit ? Number(q.limit) : 50;
  const after = q.cursor ? decodeCursor(q.cursor) : undefined;
  if (after === null) {
    return {
      refused: problem(ctx.base, "validation", {
        errors: [{ field: "cursor", message: "Not a cursor from this list" }],
      }),
    };
  }
  const fromMs = q.from ? S.instantOf(q.from).epochMilliseconds : undefined;
  const toMs = q.to ? S.instantOf(q.to).epochMilliseconds : undefined;
  if (fromMs !== undefined && toMs !== undefined && toMs < fromMs) {
    return {
      refused: problem(ctx.base, "validation", {
        errors: [{ field: "to", message: "Must not be before `from`" }],
      }),
    };
  }
  return { filter: { after, fromMs, toMs, status: q.status, limit } };
}

/** A page of bookings as both lists answer it. */
async function bookingPage(
  ctx: Ctx,
  { bookings, next }: { bookings: BookingRecord[]; next: [number, string] | null },
): Promise<ApiResponse> {
  return ok({
    data: await Promise.all(bookings.map((b) => bookingResource(ctx.app, b))),
    nextCursor: next ? encodeCursor(next) : null,
  });
}

async function listBookings(ctx: Ctx): Promise<ApiResponse> {
  const q = ctx.query;
  const host = ctx.auth!.host;
  const f = listFilter(ctx);
  if ("refused" in f) return f.refused;
  let eventTypeId: string | null = null;
  if (q.eventType) {
    const types = await listOwnEventTypes(ctx.app, host);
    const et = types.find((t) => t.id === q.eventType || t.slug === q.eventType!.toLowerCase());
    // An unknown event type simply has no bookings (no oracle for other hosts' ids).
    eventTypeId = et?.id ?? "-";
  }
  return await bookingPage(
    ctx,
    await listHostBookingsPage(ctx.app, host.id, { ...f.filter, eventTypeId }),
  );
}

/** A team's bookings as its member sees them (owners all of them): services/team-dashboard.ts. */
async function listTeamBookings(ctx: Ctx): Promise<ApiResponse> {
  const f = listFilter(ctx);
  if ("refused" in f) return f.refused;
  const page = await teamBookingsPage(ctx.app, ctx.auth!.host, ctx.params.teamId, f.filter);
  return page ? await bookingPage(ctx, page) : refused(ctx, "not_found");
}

export async function ownBooking(ctx: Ctx): Promise<BookingRecord | null> {
  return await hostsBooking(ctx.app, ctx.auth!.host.id, ctx.params.id);
}

export async function getOneBooking(ctx: Ctx): Promise<ApiResponse> {
  const b = await ownBooking(ctx);
  return b ? ok(await bookingResource(ctx.app, b)) : refused(ctx, "not_found");
}

/**
 * A host's change of one booking in place (confirm, reject, cancel, request reschedule) under an
 * Idempotency-Key: answered with the booking as it now stands; a replay reads it again (`read`:
 * as the caller may read it, by default their own booking). `forbidden`: the words for a team's
 * member who sees the booking but may not change it, answered as not theirs (404).
 */
async function changeInPlace(
  ctx: Ctx,
  run: (extra: ExtraWrite[]) => Promise<DecideResult | { ok: false; reason: "forbidden" }>,
  opts: { read?: () => Promise<BookingRecord | null>; forbidden?: Said } = {},
): Promise<ApiResponse> {
  const id = ctx.params.id;
  const read = opts.read ?? (() => ownBooking(ctx));
  return await idempotent(
    ctx,
    keyScope(ctx),
    async (extraFor) => {
      const res = await run(extraFor({ kind: "booking", bookingId: id }));
      if (res.ok) return ok(await bookingResource(ctx.app, res.booking));
      if (res.reason === "conflict") return "duplicate";
      if (res.reason === "forbidden") {
        return problem(ctx.base, "not_found", opts.forbidden ? { said: opts.forbidden } : {});
      }
      // A series' confirm or reject that could not reach every date: which, and why.
      if (res.reason === "series_partial") {
        const p = problem(ctx.base, "series_partial");
        const failed = (res.failed ?? []).map((f) => ({
          bookingId: f.bookingId,
          start: new Date(f.startMs).toISOString(),
          reason: f.reason,
        }));
        return { ...p, body: { ...(p.body as object), failed } };
      }
      return refused(ctx, res.reason);
    },
    async () => {
      const b = await read();
      return b ? ok(await bookingResource(ctx.app, b)) : refused(ctx, "not_found");
    },
  );
}

/** Confirm, reject, cancel: the dashboard's own decision service. */
function decide(action: "confirm" | "reject" | "cancel") {
  return (ctx: Ctx): Promise<ApiResponse> => {
    const { reason, scope } = ctx.body as { reason?: string; scope?: "one" | "rest" };
    return changeInPlace(ctx, (extra) =>
      decideBooking(ctx.app, ctx.params.id, action, "host", {
        hostId: ctx.auth!.host.id,
        reason,
        extra,
        ...(action === "cancel" && scope ? { scope } : {}),
      }));
  };
}

/** "Request reschedule": cancelled with a reason; the guest picks a new time with their link. */
function requestReschedule(ctx: Ctx): Promise<ApiResponse> {
  const reason = (ctx.body as { reason?: string }).reason ?? "";
  return changeInPlace(
    ctx,
    (extra) => requestNewTime(ctx.app, ctx.auth!.host.id, ctx.params.id, reason, { extra }),
  );
}

/**
 * A team's owner (or the organiser) asks the guest of a seat of one of the team's collective
 * seated times for a new time: the team page's own "Ask to reschedule…", which decides who may
 * (services/team-dashboard.ts `decideTeamBooking`, by `teamAccess`).
 */
function requestTeamReschedule(ctx: Ctx): Promise<ApiResponse> {
  const reason = (ctx.body as { reason?: string }).reason ?? "";
  const { teamId, id } = ctx.params;
  const user = ctx.auth!.host;
  return changeInPlace(
    ctx,
    (extra) => decideTeamBooking(ctx.app, user, teamId, id, "request", reason, { extra }),
    {
      read: () => teamBookingFor(ctx.app, user, teamId, id),
      forbidden: { key: "api.request_reschedule_not_allowed" },
    },
  );
}

async function reschedule(ctx: Ctx): Promise<ApiResponse> {
  const id = ctx.params.id;
  const { start, reason, outsideHours } = ctx.body as {
    start: string;
    reason?: string;
    outsideHours?: boolean;
  };
  return await idempotent(
    ctx,
    keyScope(ctx),
    async (extraFor) => {
      const res: RescheduleResult = await rescheduleByHost(ctx.app, ctx.auth!.host.id, id, start, {
        extra: extraFor({ kind: "booking", bookingId: id }),
        reason,
        outsideHours,
      });
      if (res.ok) return await moved(ctx, res.booking);
      if (res.reason === "conflict") return "duplicate";
      return refused(ctx, res.reason);
    },
    async () => {
      const old = await ownBooking(ctx);
      const successor = old?.rescheduledToId
        ? await bookingById(ctx.app, old.rescheduledToId)
        : null;
      return successor ? await moved(ctx, successor) : refused(ctx, "duplicate_request");
    },
    { created: "/bookings" },
  );
}

/** A reschedule's answer: the new booking it made, and where it is. */
async function moved(ctx: Ctx, booking: BookingRecord): Promise<ApiResponse> {
  return ok(await bookingResource(ctx.app, booking), 201, {
    location: locationOf(ctx, "/bookings", booking.id),
  });
}

/** GET /bookings[/{id}], POST /bookings/{id}/… */
export const bookingRoutes: Route[] = [
  {
    method: "GET",
    path: "/bookings",
    operationId: "listBookings",
    summary: "Your bookings by start time",
    tag: "Bookings",
    auth: "read",
    query: S.BookingListQuery,
    success: { 200: "BookingPage" },
    problems: [400, 401, 403, 429],
    run: listBookings,
  },
  {
    method: "GET",
    path: "/teams/{teamId}/bookings",
    operationId: "listTeamBookings",
    summary: "A team's bookings by start time",
    description:
      "The bookings of a team you are in (`GET /teams`), whoever hosts each: an owner reads " +
      "every one of them, a member the ones they attend. Filters and cursor as in " +
      "`GET /bookings`. A seat's `seat.meetingId` names its meeting, which an owner cancels " +
      "whole with `POST /teams/{teamId}/bookings/{id}/cancel-meeting`; an owner asks one seat's " +
      "guest for a new time with `POST /teams/{teamId}/bookings/{id}/request-reschedule`. A " +
      "team you are not in answers 404.",
    tag: "Bookings",
    auth: "read",
    params: S.TeamParams,
    query: S.TeamBookingListQuery,
    success: { 200: "BookingPage" },
    problems: [400, 401, 403, 404, 429],
    run: listTeamBookings,
  },
  {
    method: "GET",
    path: "/bookings/{id}",
    operationId: "getBooking",
    summary: "One of your bookings",
    tag: "Bookings",
    auth: "read",
    params: S.IdParams,
    success: { 200: "Booking" },
    problems: [401, 403, 404, 429],
    run: getOneBooking,
  },
  ...(["confirm", "reject", "cancel"] as const).map((action): Route => ({
    method: "POST",
    path: `/bookings/{id}/${action}`,
    operationId: `${action}Booking`,
    summary: action === "confirm"
      ? "Confirm a pending request"
      : action === "reject"
      ? "Reject a pending request (with a reason for the guest)"
      : "Cancel a booking (with a reason for the guest)",
    tag: "Bookings",
    auth: "write",
    params: S.IdParams,
    body: action === "cancel" ? S.CancelBody : S.Reason,
    bodyName: action === "cancel" ? "CancelBody" : "Reason",
    idempotency: "required",
    success: { 200: "Booking" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429, 503],
    run: decide(action),
  })),
  {
    method: "POST",
    path: "/bookings/{id}/request-reschedule",
    operationId: "requestReschedule",
    summary: "Cancel a booking and ask the guest to pick a new time",
    description:
      "The booking is cancelled (`endReason: reschedule_requested`) with the `reason`, its time " +
      "is freed, and the guest is mailed their own link to pick a new time once, with their " +
      "answers kept. Only a confirmed booking of yours, not a team's — except a guest's seat of a " +
      "team's collective seated time you organise: it leaves its meeting at once, and the guest's " +
      "pick takes a seat at the new time. A team's owner asks for a seat of a time another " +
      "member organises with `POST /teams/{teamId}/bookings/{id}/request-reschedule`. A meeting " +
      "with several invitees (booked from a poll) answers 409 `invitees_meeting`: move it for " +
      "everyone instead. A request " +
      "still awaiting your decision answers 409 `not_confirmed` (confirm it, or reject it with " +
      "a message); a booking that has ended answers 409 with how it ended.",
    tag: "Bookings",
    auth: "write",
    params: S.IdParams,
    body: S.Reason,
    bodyName: "Reason",
    idempotency: "required",
    success: { 200: "Booking" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429, 503],
    run: requestReschedule,
  },
  {
    method: "POST",
    path: "/teams/{teamId}/bookings/{id}/request-reschedule",
    operationId: "requestTeamReschedule",
    summary: "Ask a guest of a team's seated time to pick a new time (an owner)",
    description:
      "For an owner of the team (or the time's organiser), whether or not they attend: a " +
      "confirmed seat of one of the team's collective seated times (its booking id, from " +
      "`GET /teams/{teamId}/bookings`) is cancelled (`endReason: reschedule_requested`) with the " +
      "`reason` and leaves its meeting at once, and the guest is mailed their own link to pick a " +
      "new time once, with their answers kept; their pick takes a seat at the new time. As " +
      "`POST /bookings/{id}/request-reschedule` does for the organiser; the members' mails name " +
      "you. A member who neither owns the team nor organises the time, and anyone outside the " +
      "team, is answered 404. A team's booking that is not such a seat answers 409 " +
      "`team_booking`; a seat no longer confirmed, or a time already past, 409.",
    tag: "Bookings",
    auth: "write",
    params: S.TeamBookingParams,
    body: S.Reason,
    bodyName: "Reason",
    idempotency: "required",
    success: { 200: "Booking" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429, 503],
    run: requestTeamReschedule,
  },
  {
    method: "POST",
    path: "/bookings/{id}/reschedule",
    operationId: "rescheduleBooking",
    summary: "Move a booking to another time",
    description:
      "The booking is cancelled as rescheduled and a confirmed successor is made at the new " +
      "time, in one change; the guest keeps the calendar entry (same UID, higher SEQUENCE) and " +
      "gets the `reason`. A time outside your hours needs `outsideHours: true`; a time over " +
      "another live booking is always refused. Answers the new booking.",
    tag: "Bookings",
    auth: "write",
    params: S.IdParams,
    body: S.RescheduleBody,
    bodyName: "RescheduleBody",
    idempotency: "required",
    success: { 201: "Booking" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429, 503],
    run: reschedule,
  },
];
