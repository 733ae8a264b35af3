/**
 * A guest books a slot. The decision (is this time offered, does it overlap anything live, is a
 * cap reached) and the write (booking, indexes, ledgers, counters, outbox) happen in one atomic
 * operation that checks the versionstamps of everything read; a lost race re-reads and decides
 * again, a bounded number of times.
 */
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { computeSlots } from "../domain/slots.ts";
import { blockedInterval, decideHold, utcDaysTouched } from "../domain/booking.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { checkAnswers, chooseDuration, eventTypeRules } from "../domain/event-rules.ts";
import { getUserByUsernameCached, newId } from "../store/users.ts";
import { getEventTypeBySlugCached } from "../store/event-types.ts";
import { getAvailabilityCached } from "../store/availability.ts";
import {
  commitBookingChange,
  extraTaken,
  type ExtraWrite,
  readBookingGuards,
  readLedgerDays,
} from "../store/bookings.ts";
import type {
  BookingRecord,
  BookingTokenRecord,
  EventTypeRecord,
  UserRecord,
} from "../store/records.ts";
import { randomToken } from "../integrations/crypto.ts";
import { bookingToken, tokenHash } from "./booking-links.ts";
import { capWrites, guestHoldWrites, sideEffects } from "./booking-plan.ts";
import { calendarConflict } from "./calendar-busy.ts";
import { recordRetry } from "../ops/metrics.ts";

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
  /** Writes committed with the booking (an Idempotency-Key record); see `ExtraWrite`. */
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
  | "duplicate_request";
export type BookResult =
  | { ok: true; bookingId: string; guestToken: string; status: BookingRecord["status"] }
  | { ok: false; reason: BookRefusal }
  | { ok: false; reason: "invalid_answers"; errors: Record<string, string> };

const MAX_ATTEMPTS = 8;

/**
 * Whether `start` is one of the slots the host offers for this event type and duration, by the
 * host's rules (hours, overrides, time off, notice, horizon, interval) — other bookings aside,
 * which the ledger decides. `ignoreNotice` lets a host-side reschedule skip nothing else.
 */
export async function isOffered(
  app: App,
  host: UserRecord,
  et: EventTypeRecord,
  start: Temporal.Instant,
  durationMin: number,
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
    minNoticeMin: rules.minNoticeMin,
    notSameDay: rules.notSameDay,
    horizonDays: et.bookingWindowDays,
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

/** A new booking record for `et` at `startMs`; pending holds expire after the configured TTL. */
export function newBooking(
  app: App,
  host: UserRecord,
  et: EventTypeRecord,
  input: {
    startMs: number;
    durationMin: number;
    name: string;
    email: string;
    note: string;
    timeZone: string;
    answers?: BookingRecord["answers"];
    clock?: "12h" | "24h";
    locale?: string;
  },
  nowMs: number,
  by: "guest" | "host",
  /** Kept across retries of one request, so its link tokens are derived once. */
  identity: Pick<BookingRecord, "id" | "tokenSalt"> = {
    id: newId(nowMs),
    tokenSalt: randomToken(16),
  },
): BookingRecord {
  const rules = eventTypeRules(et);
  const pending = et.requiresConfirmation;
  const block = blockedInterval(
    input.startMs,
    input.durationMin,
    rules.bufferBeforeMin,
    rules.bufferAfterMin,
  );
  return {
    v: 1,
    id: identity.id,
    hostId: host.id,
    eventTypeId: et.id,
    eventTitle: et.title,
    durationMin: input.durationMin,
    startMs: input.startMs,
    endMs: input.startMs + input.durationMin * 60_000,
    blockStartMs: block.startMs,
    blockEndMs: block.endMs,
    status: pending ? "PENDING" : "CONFIRMED",
    guestName: input.name,
    guestEmail: input.email,
    guestNote: input.note,
    guestTimeZone: isValidTimeZone(input.timeZone) ? input.timeZone : host.timeZone,
    ...(input.clock === "12h" ? { guestClock: "12h" as const } : {}),
    ...(input.locale ? { guestLocale: input.locale } : {}),
    hostTimeZone: host.timeZone,
    createdAtMs: nowMs,
    reservedUntilMs: pending ? nowMs + app.config.bookingTtlMs : null,
    decidedAtMs: pending ? null : nowMs,
    endReason: null,
    history: [{ status: pending ? "PENDING" : "CONFIRMED", atMs: nowMs, by }],
    tokenSalt: identity.tokenSalt,
    answers: input.answers ?? [],
    location: rules.location,
    reminders: rules.reminders,
    ...(rules.followUps.length ? { followUps: rules.followUps } : {}),
    rescheduledFromId: null,
    rescheduledToId: null,
  };
}

/** Hashes of the link tokens a new booking needs: the guest's always, confirm/reject while pending. */
export async function tokenRecords(
  app: App,
  b: Pick<BookingRecord, "id" | "tokenSalt" | "status">,
) {
  const purposes = b.status === "PENDING"
    ? (["guest", "confirm", "reject"] as const)
    : (["guest"] as const);
  return await Promise.all(purposes.map(async (purpose) => ({
    hash: await tokenHash(await bookingToken(app, b, purpose)),
    record: { v: 1, bookingId: b.id, purpose } satisfies BookingTokenRecord,
  })));
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

  // Identity and link tokens do not depend on what the store holds: derived once, outside the
  // per-host queue, and reused by every retry (a lost race wrote nothing under this id).
  const identity = { id: newId(app.now()), tokenSalt: randomToken(16) };
  const status = et.requiresConfirmation ? "PENDING" : "CONFIRMED";
  const [tokens, guestToken] = await Promise.all([
    tokenRecords(app, { ...identity, status }),
    bookingToken(app, identity, "guest"),
  ]);

  // A crowd on one host (a popular slot just published): a request whose slot is already held
  // is refused on a fresh read instead of queueing behind the others. Refusing is always safe;
  // only a booking needs the queue and the guarded commit.
  if (app.hostLock.busy(host.id)) {
    const nowMs = app.now();
    const { bufferBeforeMin, bufferAfterMin } = eventTypeRules(et);
    const block = blockedInterval(
      start.epochMilliseconds,
      durationMin,
      bufferBeforeMin,
      bufferAfterMin,
    );
    const peek = await readLedgerDays(app.kv, host.id, utcDaysTouched(block.startMs, block.endMs));
    const free = decideHold(
      peek.map,
      { bookingId: identity.id, ...block, holdUntilMs: null },
      nowMs,
    );
    if (!free.ok) return { ok: false, reason: "slot_taken" };
  }

  return await app.hostLock.run(host.id, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const nowMs = app.now();
      const booking = newBooking(
        app,
        host,
        et,
        { ...input, startMs: start.epochMilliseconds, durationMin, answers: checked.answers },
        nowMs,
        "guest",
        identity,
      );
      if (input.singleUseLinkId) booking.singleUseLinkId = input.singleUseLinkId;
      const block = { startMs: booking.blockStartMs, endMs: booking.blockEndMs };
      // The ledgers and the guest's holds in one read, the calendar cache beside it.
      const [guards, conflict] = await Promise.all([
        readBookingGuards(
          app.kv,
          host.id,
          utcDaysTouched(block.startMs, block.endMs),
          booking.guestEmail,
        ),
        calendarConflict(app, host.id, block, nowMs),
      ]);
      const ledgers = guards.ledgers;
      const decision = decideHold(ledgers.map, {
        bookingId: booking.id,
        ...block,
        holdUntilMs: booking.reservedUntilMs,
      }, nowMs);
      if (!decision.ok) return { ok: false, reason: "slot_taken" };
      if (conflict) return { ok: false, reason: conflict };
      const caps = await capWrites(app, et, { add: booking }, nowMs);
      if (!caps.ok) return { ok: false, reason: caps.reason };
      const holds = await guestHoldWrites(app, { add: booking }, nowMs, guards.guestHolds);
      if (!holds.ok) return { ok: false, reason: holds.reason };
      const committed = await commitBookingChange(app.kv, {
        hostId: host.id,
        created: [booking],
        updated: [],
        ledgers,
        nextLedgers: decision.ledgers,
        guarded: [...caps.writes, ...holds.writes],
        tokens,
        outbox: sideEffects(null, booking, nowMs),
        extra: input.extra,
      });
      if (committed) {
        app.kickOutbox();
        return { ok: true, bookingId: booking.id, guestToken, status: booking.status };
      }
      if (await extraTaken(app.kv, input.extra)) return { ok: false, reason: "duplicate_request" };
      // Lost a race with another writer (another process): re-read and decide again.
      recordRetry("book");
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
    }
    return { ok: false, reason: "busy" };
  });
}
