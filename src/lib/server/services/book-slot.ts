/**
 * A guest books a slot: the service checks that the time is one the host offers, then hands a
 * "create" change to the transaction runner, which decides (overlap, caps, pending requests,
 * external calendars) and commits in one guarded write (domain/booking-engine.ts).
 */
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { computeSlots } from "../domain/slots.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { checkAnswers, chooseDuration, eventTypeRules } from "../domain/event-rules.ts";
import type { ExtraWrite, Refusal, TokenWrite } from "../domain/booking-engine.ts";
import { getUserByUsernameCached, newId } from "../store/users.ts";
import { getEventTypeBySlugCached } from "../store/event-types.ts";
import { getAvailabilityCached } from "../store/availability.ts";
import type { BookingRecord, EventTypeRecord, UserRecord } from "../store/records.ts";
import { randomToken } from "../integrations/crypto.ts";
import { bookingToken, tokenHash } from "./booking-links.ts";
import { engineRules, runChange } from "./transaction.ts";

export type BookInput = {
  username: string;
  slug: string;
  start: string;
  name: string;
  email: string;
  note: string;
  timeZone: string;
  durationMin?: number | null;
  /** How the guest writes times; their mails and booking page follow it. */
  clock?: "12h" | "24h";
  /** The guest's language (BCP 47) as on the page; their mails and booking pages follow it. */
  locale?: string;
  /** Form fields `q_{questionId}` → the guest's answers, checked against the event type's questions. */
  rawAnswers?: Record<string, string | undefined>;
  /** Writes that ride in the booking's own atomic commit (e.g. an Idempotency-Key record). */
  extra?: ExtraWrite[];
  /** Recorded on the booking when it was made through a single-use link. */
  singleUseLinkId?: string;
};

export type BookRefusal =
  | "not_found"
  | "slot_unavailable"
  | "slot_taken"
  | "busy"
  | "too_many_pending"
  | "cap_reached"
  | "calendar_unavailable"
  /** An `extra` write expected absent was there (e.g. a repeated Idempotency-Key). */
  | "conflict";
export type BookResult =
  | { ok: true; bookingId: string; guestToken: string; status: BookingRecord["status"] }
  | { ok: false; reason: BookRefusal }
  | { ok: false; reason: "invalid_answers"; errors: Record<string, string> };

/**
 * Whether `start` is one of the slots the host offers for this event type and duration, by the
 * host's rules (hours, overrides, time off, notice, horizon, interval) — other bookings aside,
 * which the engine decides. A host moving a booking is not held to the notice and horizon.
 */
export async function isOffered(
  app: App,
  host: UserRecord,
  et: EventTypeRecord,
  start: Temporal.Instant,
  durationMin: number,
  opts: { byHost?: boolean } = {},
): Promise<boolean> {
  const availability = await getAvailabilityCached(app.kv, host.id, app.now());
  const rules = eventTypeRules(et);
  const slots = computeSlots({
    timeZone: host.timeZone,
    weekly: availability.weekly,
    overrides: availability.overrides,
    timeOff: availability.timeOff,
    from: start,
    until: start.add({ milliseconds: 1 }),
    durationMin,
    intervalMin: rules.intervalMin ?? undefined,
    busy: [],
    now: Temporal.Instant.fromEpochMilliseconds(app.now()),
    minNoticeMin: opts.byHost ? 0 : rules.minNoticeMin,
    notSameDay: opts.byHost ? false : rules.notSameDay,
    horizonDays: opts.byHost ? undefined : et.bookingWindowDays,
  });
  return slots.length === 1 && slots[0].start.epochMilliseconds === start.epochMilliseconds;
}

export function parseStart(text: string): Temporal.Instant | null {
  try {
    return Temporal.Instant.from(text);
  } catch {
    return null;
  }
}

/** The link tokens a booking in `status` needs: the guest's always, confirm/reject while pending. */
export async function tokenWrites(
  app: App,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
  status: BookingRecord["status"],
): Promise<TokenWrite[]> {
  const purposes = status === "PENDING"
    ? (["guest", "confirm", "reject"] as const)
    : (["guest"] as const);
  return await Promise.all(purposes.map(async (purpose) => ({
    hash: await tokenHash(await bookingToken(app, b, purpose)),
    purpose,
  })));
}

/** An engine refusal in the words of a booking request. */
export function bookRefusal(reason: Refusal | "busy"): BookRefusal {
  switch (reason) {
    case "slot_taken":
    case "cap_reached":
    case "too_many_pending":
    case "calendar_unavailable":
    case "not_found":
    case "busy":
    case "conflict":
      return reason;
    case "too_large":
      return "busy";
    default:
      return "slot_unavailable";
  }
}

export async function bookSlot(app: App, input: BookInput): Promise<BookResult> {
  const host = await getUserByUsernameCached(app.kv, input.username);
  if (!host) return { ok: false, reason: "not_found" };
  const et = await getEventTypeBySlugCached(app.kv, host.id, input.slug);
  if (!et || !et.active) return { ok: false, reason: "not_found" };
  const checked = checkAnswers(eventTypeRules(et).questions, input.rawAnswers ?? {});
  if (!checked.ok) return { ok: false, reason: "invalid_answers", errors: checked.errors };
  const durationMin = chooseDuration(et, input.durationMin);
  const start = parseStart(input.start);
  if (durationMin === null || !start) return { ok: false, reason: "slot_unavailable" };
  if (!(await isOffered(app, host, et, start, durationMin))) {
    return { ok: false, reason: "slot_unavailable" };
  }

  // Identity and link tokens do not depend on what the store holds: derived once and reused by
  // every attempt (a lost race wrote nothing under this id).
  const identity = { id: newId(app.now()), tokenSalt: randomToken(16) };
  const status = et.requiresConfirmation ? "PENDING" : "CONFIRMED";
  const [tokens, guestToken] = await Promise.all([
    tokenWrites(app, identity, status),
    bookingToken(app, identity, "guest"),
  ]);
  const res = await runChange(app, {
    lane: host.id,
    rules: engineRules(app, et),
    change: (nowMs) => ({
      kind: "create",
      booking: newBookingRecord(
        {
          ...identity,
          host,
          eventType: et,
          startMs: start.epochMilliseconds,
          durationMin,
          name: input.name,
          email: input.email,
          note: input.note,
          guestTimeZone: isValidTimeZone(input.timeZone) ? input.timeZone : host.timeZone,
          clock: input.clock,
          locale: input.locale,
          answers: checked.answers,
          by: "guest",
          singleUseLinkId: input.singleUseLinkId,
        },
        nowMs,
        app.config.bookingTtlMs,
      ),
      tokens,
      extra: input.extra,
    }),
  });
  if (!res.ok) return { ok: false, reason: bookRefusal(res.reason) };
  return { ok: true, bookingId: identity.id, guestToken, status };
}
