/**
 * Seated meetings (host): a seat's time with its live seats, and the whole meeting cancelled —
 * by its organiser, or one of a team's by an owner — each cancel under a required
 * Idempotency-Key.
 */
import { type ApiResponse, ok, problem } from "../http.ts";
import * as S from "../schemas/index.ts";
import { bookingState } from "../../services/booking-resource.ts";
import { isoInstant } from "../../../shared/format.ts";
import { seatedTimeOf } from "../../services/seated-times.ts";
import { type CancelMeetingResult, cancelSeatedMeeting } from "../../services/cancel-meeting.ts";
import { cancelTeamMeeting } from "../../services/team-dashboard.ts";
import { eventTypeOfBooking } from "../../services/booking-reads.ts";
import { getOneBooking, ownBooking } from "./bookings.ts";
import { type Ctx, idempotent, keyScope, refused, type Route } from "./context.ts";

/** The live seats of a seat's time, for its host (any of the time's seats names it). */
async function seatedTimeOfBooking(ctx: Ctx): Promise<ApiResponse> {
  const b = await ownBooking(ctx);
  if (!b) return refused(ctx, "not_found");
  if (!b.seat) {
    return problem(ctx.base, "not_supported", {
      said: { key: "api.seat_time_not_seated" },
    });
  }
  const et = await eventTypeOfBooking(ctx.app, b);
  const time = await seatedTimeOf(ctx.app, b, et);
  const nowMs = ctx.app.now();
  return ok({
    meetingId: time.meetingId,
    start: isoInstant(time.startMs),
    capacity: time.capacity,
    taken: time.attendees.length,
    attendees: time.attendees.map((x) => ({
      bookingId: x.id,
      name: x.guestName,
      email: x.guestEmail,
      state: bookingState(x, nowMs),
    })),
  });
}

/** The host cancels the whole meeting a seat belongs to (services/cancel-meeting.ts). */
async function cancelMeeting(ctx: Ctx): Promise<ApiResponse> {
  const reason = (ctx.body as { reason?: string }).reason ?? "";
  return await meetingCancelAnswer(
    ctx,
    () => cancelSeatedMeeting(ctx.app, ctx.auth!.host.id, ctx.params.id, reason),
    () => getOneBooking(ctx),
  );
}

/**
 * A team's owner (or the organiser) cancels one of the team's seated meetings whole: the team
 * page's own cancel, which decides who may (services/team-dashboard.ts).
 */
async function cancelTeamMeetingRoute(ctx: Ctx): Promise<ApiResponse> {
  const reason = (ctx.body as { reason?: string }).reason ?? "";
  return await meetingCancelAnswer(
    ctx,
    () => cancelTeamMeeting(ctx.app, ctx.auth!.host, ctx.params.teamId, ctx.params.id, reason),
    // Nothing commits this key's record with the change (guarded: false): never asked.
    () => Promise.resolve(refused(ctx, "duplicate_request")),
  );
}

/** A whole-meeting cancel under an Idempotency-Key, its result as both routes answer it. */
async function meetingCancelAnswer(
  ctx: Ctx,
  run: () => Promise<CancelMeetingResult | { ok: false; reason: "forbidden" }>,
  recover: () => Promise<ApiResponse>,
): Promise<ApiResponse> {
  return await idempotent(
    ctx,
    keyScope(ctx),
    async () => {
      const res = await run();
      if (res.ok) {
        return ok({
          meetingId: res.meetingId,
          start: isoInstant(res.startMs),
          cancelled: res.cancelled,
        });
      }
      if (res.reason === "not_supported") {
        return problem(ctx.base, "not_supported", {
          said: { key: "api.cancel_meeting_not_seated" },
        });
      }
      // A member who sees the meeting but may not cancel it: not theirs, as the API's reads say.
      if (res.reason === "forbidden") {
        return problem(ctx.base, "not_found", {
          said: { key: "api.cancel_meeting_not_allowed" },
        });
      }
      return refused(ctx, res.reason);
    },
    recover,
    { guarded: false },
  );
}

/** GET /bookings/{id}/attendees, POST …/cancel-meeting (a team's too). */
export const seatedMeetingRoutes: Route[] = [
  {
    method: "GET",
    path: "/bookings/{id}/attendees",
    operationId: "listSeatAttendees",
    summary: "The attendees of a seated time",
    description:
      "For a seat (a booking whose `seat` is set): every live seat of its time — each guest's " +
      "name, address and state — with the time's seats taken and seats per time. Any seat of " +
      "the time names it. A booking that is not a seat answers 409 `not_supported`.",
    tag: "Bookings",
    auth: "read",
    params: S.IdParams,
    success: { 200: "SeatedTime" },
    problems: [401, 403, 404, 409, 429],
    run: seatedTimeOfBooking,
  },
  {
    method: "POST",
    path: "/bookings/{id}/cancel-meeting",
    operationId: "cancelSeatedMeeting",
    summary: "Cancel a seated meeting with every seat",
    description:
      "For a seat (a booking whose `seat` is set; any seat of the time names it): the whole " +
      "meeting is cancelled with one `reason` for every guest. No new seat joins it from the " +
      "first moment; every live seat is cancelled as a host's cancel (each guest mailed in " +
      "their language with a cancellation of their own calendar entry, a `booking.cancelled` " +
      "webhook per seat), you are told once (a team's collective time: each member, each " +
      "calendar written once), and the time is free again. A booking that is not a seat " +
      "answers 409 `not_supported`; a meeting already over 409 `cancelled`. Safe to repeat.",
    tag: "Bookings",
    auth: "write",
    params: S.IdParams,
    body: S.Reason,
    bodyName: "Reason",
    idempotency: "required",
    keyClaimed: true,
    success: { 200: "MeetingCancelled" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429, 503],
    run: cancelMeeting,
  },
  {
    method: "POST",
    path: "/teams/{teamId}/bookings/{id}/cancel-meeting",
    operationId: "cancelTeamSeatedMeeting",
    summary: "Cancel a team's seated meeting with every seat (an owner)",
    description:
      "For an owner of the team (or the meeting's organiser), whether or not they attend: one " +
      "of the team's collective seated meetings (any of its seats names it) is cancelled whole, " +
      "as `POST /bookings/{id}/cancel-meeting` does for its organiser — every live seat " +
      "cancelled with the one `reason`, each guest mailed, each member told once (their mail " +
      "names you) and the time free again. A member who neither owns the team nor organises " +
      "the meeting, and anyone outside the team, is answered 404. A booking that is not a seat " +
      "answers 409 `not_supported`; a meeting already over 409 `cancelled`. Safe to repeat.",
    tag: "Bookings",
    auth: "write",
    params: S.TeamBookingParams,
    body: S.Reason,
    bodyName: "Reason",
    idempotency: "required",
    keyClaimed: true,
    success: { 200: "MeetingCancelled" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429, 503],
    run: cancelTeamMeetingRoute,
  },
];
