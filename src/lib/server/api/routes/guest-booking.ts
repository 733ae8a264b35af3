/**
 * Public: a guest books a slot (POST /bookings), through the booking form's own rules and under
 * a required Idempotency-Key.
 */
import * as v from "valibot";
import type { BookingRecord, EventTypeRecord } from "../../domain/model/records.ts";
import { type ApiResponse, ok, problem } from "../http.ts";
import * as S from "../schemas/index.ts";
import { bookSlot } from "../../services/book-slot.ts";
import { recordBookingOutcome } from "../../ops/metrics.ts";
import {
  type BookingResource,
  bookingResource,
  guestResourceNow,
} from "../../services/booking-resource.ts";
import { isoInstant } from "../../../shared/format.ts";
import { anonymousScope } from "../../services/idempotency.ts";
import { isActive } from "../../domain/admin.ts";
import { bookingById, bookingMadeFor, hostByUsername } from "../../services/booking-reads.ts";
import { BookingForm } from "../../../shared/forms/booking.ts";
import {
  type Ctx,
  english,
  idempotent,
  issuesToFields,
  keyScope,
  locationOf,
  noPublicHost,
  refused,
  type Route,
} from "./context.ts";

/** Field names of the booking form → the API's. */
const BOOKING_FIELDS: Record<string, string> = { tz: "timeZone" };

async function createBooking(ctx: Ctx): Promise<ApiResponse> {
  const b = ctx.body as v.InferOutput<typeof S.BookingCreate>;
  const instant = S.instantOf(b.start);
  const start = instant.toString();
  // The booking form's own rules (trimming, lengths, a valid email) decide here too.
  const form = v.safeParse(BookingForm, {
    name: b.name,
    email: b.email,
    note: b.note ?? "",
    start,
    tz: b.timeZone,
  });
  if (!form.success) {
    return problem(ctx.base, "validation", { errors: issuesToFields(form.issues, BOOKING_FIELDS) });
  }
  const host = await hostByUsername(ctx.app, b.username);
  if (!host || !isActive(host)) return await noPublicHost(ctx, b.username);
  const startMs = instant.epochMilliseconds;
  const email = form.output.email;
  return await idempotent(
    ctx,
    ctx.auth
      ? keyScope(ctx)
      : await anonymousScope(ctx.ip, ctx.req.headers.get("authorization"), email),
    async (extraFor) => {
      const target = { kind: "new_booking", hostId: host.id, startMs, email } as const;
      // The answer as the booking's plan makes it, carried by the key's commit record in the
      // booking's own commit: a retry replays it and nothing is written after (issue 26). The
      // plan's last attempt is the one that committed.
      let planned: { id: string; body: BookingResource } | null = null;
      const result = await bookSlot(ctx.app, {
        username: host.username,
        slug: b.eventType.toLowerCase(),
        start,
        name: form.output.name,
        email,
        note: form.output.note,
        timeZone: b.timeZone,
        durationMin: b.durationMin ?? null,
        clock: b.clock,
        rawAnswers: Object.fromEntries(
          Object.entries(b.answers ?? {}).map(([id, value]) => [`q_${id}`, value]),
        ),
        unknownAnswers: "refuse",
        locationChoice: b.location === undefined ? undefined : String(b.location),
        phone: b.phone,
        guests: (b.guests ?? []).join(", "),
        source: b.source ?? null,
        skip: b.skip?.join(","),
        origin: "api",
        extra: (made) => {
          const body = made &&
            guestResourceNow(ctx.app, made.booking, made.eventType, made.nowMs, made.guestToken());
          planned = body && { id: made!.booking.id, body };
          return extraFor(target, body ? { status: 201, body } : undefined);
        },
      });
      recordBookingOutcome(result.ok ? result.status.toLowerCase() : result.reason);
      if (result.ok) {
        const booking = result.booking ?? (await bookingById(ctx.app, result.bookingId))!;
        const kept = planned as { id: string; body: BookingResource } | null;
        if (kept?.id === booking.id) {
          return {
            ...ok(kept.body, 201, { location: locationOf(ctx, "/bookings", booking.id) }),
            kept: true,
          };
        }
        // The guest's token bookSlot made is for the booking it names (the first date of a series).
        const token = booking.id === result.bookingId ? result.guestToken : undefined;
        return created(ctx, booking, result.booking && result.eventType, token);
      }
      if (result.reason === "conflict") return "duplicate";
      if (result.reason === "invalid_answers") {
        return problem(ctx.base, "invalid_answers", {
          errors: Object.entries(result.errors).map(([field, message]) => ({
            field: field.replace(/^q_/, "answers."),
            message: english(message),
          })),
        });
      }
      // A series refused for some of its dates: which (index, for `skip`, and start).
      if ("notFree" in result && result.notFree) {
        const p = refused(ctx, result.reason);
        const notFree = result.notFree.map((d) => ({
          index: d.index,
          start: isoInstant(d.startMs),
        }));
        return { ...p, body: { ...(p.body as object), notFree } };
      }
      return refused(ctx, result.reason);
    },
    async (target) => {
      if (target.kind !== "new_booking") return refused(ctx, "duplicate_request");
      const made = await bookingMadeFor(ctx.app, target.hostId, target.startMs, target.email);
      return made ? await created(ctx, made) : refused(ctx, "duplicate_request");
    },
    { created: "/bookings" },
  );
}

async function created(
  ctx: Ctx,
  booking: BookingRecord,
  eventType?: EventTypeRecord,
  guestToken?: string,
): Promise<ApiResponse> {
  const body = await bookingResource(ctx.app, booking, { guestLinks: true, eventType, guestToken });
  return ok(body, 201, { location: locationOf(ctx, "/bookings", booking.id) });
}

/**
 * Booking changes go through the engine, which may answer `busy` (503) under contention; a
 * suspended host takes none (410).
 */
const COMMON_BOOKING_PROBLEMS = [400, 401, 404, 409, 410, 413, 415, 429, 503];

/** POST /bookings */
export const guestBookingRoutes: Route[] = [
  {
    method: "POST",
    path: "/bookings",
    operationId: "createBooking",
    summary: "Book a slot as a guest",
    description:
      "Goes through the same rules as the booking page: the slot must be offered, free on the " +
      "host's calendars, within caps, and the guest may hold only a few pending requests. " +
      "Answers the booking with its status and the guest's own links to manage it. On a " +
      "repeating event type this books the whole series (all or nothing) and answers its first " +
      "date; every date is a booking of its own with a `series` field.",
    tag: "Public",
    auth: "none",
    body: S.BookingCreate,
    bodyName: "BookingCreate",
    idempotency: "required",
    success: { 201: "Booking" },
    problems: COMMON_BOOKING_PROBLEMS,
    run: createBooking,
  },
];
