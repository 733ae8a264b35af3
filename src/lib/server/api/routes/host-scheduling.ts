/**
 * Hosts schedule (issue 28): meeting polls (create, list, answers, pick a time, close), one-off
 * links with hand-picked times (create, list, revoke) and booking for a guest. Each handler calls
 * the dashboard's own service and maps its result; refusals come from the shared tables.
 */
import * as v from "valibot";
import { type ApiResponse, ok, problem } from "../http.ts";
import * as S from "../schemas/index.ts";
import { closePoll, createPoll, MAX_TIMES, MIN_TIMES } from "../../services/polls.ts";
import { pickPollTime } from "../../services/poll-pick.ts";
import {
  getPollResource,
  listPollResources,
  pollAnswers,
  pollApiResource,
} from "../../services/poll-views.ts";
import {
  getOneOffLink,
  listOneOffLinks,
  MAX_OFFERED,
  mintOneOffLink,
  revokeOneOffLink,
} from "../../services/one-off-links.ts";
import { bookForGuest } from "../../services/host-book.ts";
import { bookingResource } from "../../services/booking-resource.ts";
import { bookingById, bookingMadeFor } from "../../services/booking-reads.ts";
import type { BookingRecord } from "../../domain/model/records.ts";
import { translator } from "../../i18n.ts";
import { GuestFields } from "../../../shared/forms/booking.ts";
import { ONE_OFF_CREATE_WORDS, POLL_CREATE_WORDS } from "../../../shared/host-scheduling-words.ts";
import {
  type Collection,
  type Ctx,
  english,
  idempotent,
  issuesToFields,
  keyScope,
  locationOf,
  refused,
  replayable,
  type Route,
} from "./context.ts";

const en = translator("en");
const invalid = (ctx: Ctx, field: string, message: string) =>
  problem(ctx.base, "validation", { errors: [{ field, message }] });

/** Optional Idempotency-Key on writes that are unique by themselves. */
const maybeReplayed = (ctx: Ctx, run: () => Promise<ApiResponse>, created?: Collection) =>
  ctx.idempotencyKey ? replayable(ctx, run, created) : run();

// ─── Polls ───────────────────────────────────────────────────────────────────────────────

async function createPollRoute(ctx: Ctx): Promise<ApiResponse> {
  const b = ctx.body as v.InferOutput<typeof S.PollCreate>;
  return await maybeReplayed(ctx, async () => {
    const res = await createPoll(ctx.app, ctx.auth!.host, {
      slug: b.eventType,
      title: b.title ?? "",
      starts: b.times,
      reserve: b.hold ?? false,
      until: b.until,
    });
    if (res.ok) {
      const body = await pollApiResource(ctx.app, res.poll);
      return ok(body, 201, { location: locationOf(ctx, "/polls", body.id) });
    }
    const words = en.t(POLL_CREATE_WORDS[res.reason], { min: MIN_TIMES, max: MAX_TIMES });
    switch (res.reason) {
      case "not_found":
        return refused(ctx, "not_found");
      case "not_free":
        return problem(ctx.base, "slot_unavailable", { said: { key: POLL_CREATE_WORDS.not_free } });
      case "bad_title":
        return invalid(ctx, "title", words);
      case "bad_until":
        return invalid(ctx, "until", words);
      case "seated":
      case "series":
        return invalid(ctx, "eventType", words);
      default:
        return invalid(ctx, "times", words);
    }
  }, "/polls");
}

async function listPollsRoute(ctx: Ctx): Promise<ApiResponse> {
  return ok({ data: await listPollResources(ctx.app, ctx.auth!.host) });
}

async function pollAnswersRoute(ctx: Ctx): Promise<ApiResponse> {
  const p = await pollAnswers(ctx.app, ctx.auth!.host, ctx.params.id);
  return p ? ok(p) : refused(ctx, "not_found");
}

async function pickRoute(ctx: Ctx): Promise<ApiResponse> {
  const { start, location, phone } = ctx.body as v.InferOutput<typeof S.PollPick>;
  // A poll books once by itself (its marker rides in the booking's commit): a repeated pick is
  // refused as closed, or answered from the stored answer under the same Idempotency-Key.
  return await maybeReplayed(ctx, async () => {
    const res = await pickPollTime(ctx.app, ctx.auth!.host, ctx.params.id, start, {
      locationChoice: location === undefined ? undefined : String(location),
      phone,
    });
    if (res.ok) {
      const booking = await bookingById(ctx.app, res.bookingId);
      return ok(await bookingResource(ctx.app, booking!), 201, {
        location: locationOf(ctx, "/bookings", res.bookingId),
      });
    }
    if (res.reason === "closed" || res.reason === "conflict") return refused(ctx, "poll_closed");
    if (res.reason === "invalid_answers" && "errors" in res) {
      return problem(ctx.base, "invalid_answers", {
        errors: Object.entries(res.errors).map(([field, message]) => ({
          field,
          message: english(message),
        })),
      });
    }
    return refused(ctx, res.reason);
  }, "/bookings");
}

async function closeRoute(ctx: Ctx): Promise<ApiResponse> {
  const res = await closePoll(ctx.app, ctx.auth!.host, ctx.params.id);
  if (!res.ok) return refused(ctx, res.reason === "closed" ? "poll_closed" : "not_found");
  return ok(await getPollResource(ctx.app, ctx.auth!.host, ctx.params.id));
}

// ─── One-off links ───────────────────────────────────────────────────────────────────────

async function createOneOffRoute(ctx: Ctx): Promise<ApiResponse> {
  const b = ctx.body as v.InferOutput<typeof S.OneOffLinkCreate>;
  return await maybeReplayed(ctx, async () => {
    const res = await mintOneOffLink(ctx.app, ctx.auth!.host, {
      slug: b.eventType,
      starts: b.times,
      note: b.note ?? "",
    });
    if (res.ok) return ok(await getOneOffLink(ctx.app, ctx.auth!.host, res.link.id), 201);
    const words = en.t(ONE_OFF_CREATE_WORDS[res.reason], { max: MAX_OFFERED });
    switch (res.reason) {
      case "not_found":
        return refused(ctx, "not_found");
      case "not_free":
        return problem(ctx.base, "slot_unavailable", {
          said: { key: ONE_OFF_CREATE_WORDS.not_free },
        });
      case "bad_note":
        return invalid(ctx, "note", words);
      case "too_many":
        return invalid(ctx, "", words);
      default:
        return invalid(ctx, "times", words);
    }
  });
}

async function listOneOffRoute(ctx: Ctx): Promise<ApiResponse> {
  return ok({ data: await listOneOffLinks(ctx.app, ctx.auth!.host) });
}

async function revokeOneOffRoute(ctx: Ctx): Promise<ApiResponse> {
  const res = await revokeOneOffLink(ctx.app, ctx.auth!.host, ctx.params.id);
  if (res.ok) return ok(res.link);
  return refused(ctx, res.reason === "already_used" ? "link_used" : "not_found");
}

// ─── Book for a guest ────────────────────────────────────────────────────────────────────

async function bookForGuestRoute(ctx: Ctx): Promise<ApiResponse> {
  const b = ctx.body as v.InferOutput<typeof S.HostBookingCreate>;
  // The dashboard form's own rules for the guest's fields (trimmed, bounded, a valid address).
  const fields = v.safeParse(GuestFields, { name: b.name, email: b.email, note: b.note ?? "" });
  if (!fields.success) {
    return problem(ctx.base, "validation", { errors: issuesToFields(fields.issues) });
  }
  const host = ctx.auth!.host;
  const startMs = S.instantOf(b.start).epochMilliseconds;
  const email = fields.output.email;
  return await idempotent(
    ctx,
    keyScope(ctx),
    async (extraFor) => {
      const res = await bookForGuest(ctx.app, host, {
        slug: b.eventType,
        start: new Date(startMs).toISOString(),
        outsideHours: b.outsideHours,
        name: fields.output.name,
        email,
        note: fields.output.note,
        timeZone: b.timeZone,
        // The dashboard form's "guest's language" (`guest_lang`), the same service field.
        locale: b.language,
        rawAnswers: Object.fromEntries(
          Object.entries(b.answers ?? {}).map(([id, value]) => [`q_${id}`, value]),
        ),
        unknownAnswers: "refuse",
        confirmed: b.confirmed,
        locationChoice: b.location === undefined ? undefined : String(b.location),
        phone: b.phone,
        extra: extraFor({ kind: "new_booking", hostId: host.id, startMs, email }),
      });
      if (res.ok) {
        const booking = await bookingById(ctx.app, res.bookingId);
        return await created(ctx, booking!);
      }
      if (res.reason === "conflict") return "duplicate";
      if (res.reason === "invalid_answers" && "errors" in res) {
        return problem(ctx.base, "invalid_answers", {
          errors: Object.entries(res.errors).map(([field, message]) => ({
            field: field.replace(/^q_/, "answers."),
            message: english(message),
          })),
        });
      }
      return refused(ctx, res.reason);
    },
    async (target) => {
      if (target.kind !== "new_booking") return refused(ctx, "duplicate_request");
      const made = await bookingMadeFor(ctx.app, target.hostId, target.startMs, target.email);
      return made ? await created(ctx, made) : refused(ctx, "duplicate_request");
    },
    { created: "/bookings" },
  );
}

async function created(ctx: Ctx, booking: BookingRecord) {
  return ok(await bookingResource(ctx.app, booking, { guestLinks: true }), 201, {
    location: locationOf(ctx, "/bookings", booking.id),
  });
}

const WRITE_PROBLEMS = [400, 401, 403, 404, 409, 413, 415, 429, 503];

export const hostSchedulingRoutes: Route[] = [
  {
    method: "POST",
    path: "/bookings/for-guest",
    operationId: "bookForGuest",
    summary: "Book a meeting for a guest",
    description:
      "A time agreed elsewhere, entered by you: it goes through the same rules as any booking " +
      "(no overlap, caps, buffers); a start outside your hours needs `outsideHours: true`. The " +
      "guest gets the invitation with their own links, in `language` (default yours). " +
      "`confirmed: true` confirms it at once " +
      "even when the event type asks for confirmation.",
    tag: "Bookings",
    auth: "write",
    body: S.HostBookingCreate,
    bodyName: "HostBookingCreate",
    idempotency: "required",
    success: { 201: "Booking" },
    problems: WRITE_PROBLEMS,
    run: bookForGuestRoute,
  },
  {
    method: "POST",
    path: "/polls",
    operationId: "createPoll",
    summary: "Propose 2–20 of your free times in a meeting poll",
    description:
      "Answers the poll with its invitees' link. With `hold: true` the times are busy for " +
      "everyone else until one is picked, the poll is closed, or it expires; a poll whose times " +
      "cannot all be held is refused. Sends `poll.created`.",
    tag: "Polls",
    auth: "write",
    body: S.PollCreate,
    bodyName: "PollCreate",
    idempotency: "optional",
    success: { 201: "Poll" },
    problems: WRITE_PROBLEMS,
    run: createPollRoute,
  },
  {
    method: "GET",
    path: "/polls",
    operationId: "listPolls",
    summary: "Your meeting polls, newest first",
    tag: "Polls",
    auth: "read",
    success: { 200: "PollList" },
    problems: [401, 403, 429],
    run: listPollsRoute,
  },
  {
    method: "GET",
    path: "/polls/{id}",
    operationId: "getPoll",
    summary: "A poll with every invitee's answers and the counts per time",
    tag: "Polls",
    auth: "read",
    params: S.IdParams,
    success: { 200: "PollAnswers" },
    problems: [401, 403, 404, 429],
    run: pollAnswersRoute,
  },
  {
    method: "POST",
    path: "/polls/{id}/pick",
    operationId: "pickPollTime",
    summary: "Book one of the poll's times",
    description:
      "Booked through the same rules as any booking, confirmed, for the invitees; a poll books " +
      "once. A time taken meanwhile is refused (`slot_taken`) and the poll stays open. Sends " +
      "`poll.booked` and the booking's own events. Answers the booking.",
    tag: "Polls",
    auth: "write",
    params: S.IdParams,
    body: S.PollPick,
    bodyName: "PollPick",
    idempotency: "optional",
    success: { 201: "Booking" },
    problems: WRITE_PROBLEMS,
    run: pickRoute,
  },
  {
    method: "POST",
    path: "/polls/{id}/close",
    operationId: "closePoll",
    summary: "Close a poll without booking",
    description:
      "No more answers or picks; held times are free again at once. Invitees are not mailed: " +
      "their link says the poll is closed. Sends `poll.closed`.",
    tag: "Polls",
    auth: "write",
    params: S.IdParams,
    success: { 200: "Poll" },
    problems: [401, 403, 404, 409, 429],
    run: closeRoute,
  },
  {
    method: "POST",
    path: "/one-off-links",
    operationId: "createOneOffLink",
    summary: "A single-use link offering 1–10 of your free times",
    description:
      "Its page offers only those of the times still free; the first booking spends it. It " +
      "expires at the last offered time.",
    tag: "One-off links",
    auth: "write",
    body: S.OneOffLinkCreate,
    bodyName: "OneOffLinkCreate",
    idempotency: "optional",
    success: { 201: "OneOffLink" },
    problems: WRITE_PROBLEMS,
    run: createOneOffRoute,
  },
  {
    method: "GET",
    path: "/one-off-links",
    operationId: "listOneOffLinks",
    summary: "Your one-off links, newest first",
    tag: "One-off links",
    auth: "read",
    success: { 200: "OneOffLinkList" },
    problems: [401, 403, 429],
    run: listOneOffRoute,
  },
  {
    method: "POST",
    path: "/one-off-links/{id}/revoke",
    operationId: "revokeOneOffLink",
    summary: "Revoke an unused one-off link",
    description: "A used link stays used (`link_used`): its booking is the guest's.",
    tag: "One-off links",
    auth: "write",
    params: S.IdParams,
    success: { 200: "OneOffLink" },
    problems: [401, 403, 404, 410, 429],
    run: revokeOneOffRoute,
  },
];
