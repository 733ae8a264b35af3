/**
 * A booking that blocks several people's time at once (a collective team event). Their busy
 * entries may not fit one atomic write's checks, so the booking is taken in steps
 * (docs/decisions/002-booking-engine.md, "Multi-person holds"):
 *
 * 1. a coordinator record (`holding` until a short deadline) is written;
 * 2. one person at a time, in a canonical order (sorted ids), a guarded write adds that person's
 *    hold entry — busy for everyone else from that moment;
 * 3. the final commit checks the coordinator alone, creates the booking and marks the
 *    coordinator `committed`.
 *
 * On any refusal the holds are released at once; after a crash they stop blocking at the
 * deadline (a hold past it counts as free only for a write that also abandons its coordinator,
 * so a late final commit fails), and the cleanup job (jobs/release-holds.ts) removes them.
 * The page and the rotation of a team are issue 12's; this is the engine's part.
 */
import type { App } from "../app.ts";
import { type NewBookingInput, newBookingRecord } from "../domain/booking.ts";
import {
  type Change,
  type ExtraWrite,
  type GuardedWrite,
  type Key,
  MAX_TEAM,
  type Refusal,
  TEAM_HOLD_MS,
} from "../domain/booking-engine/index.ts";
import { successorIdentity } from "../domain/calendar-identity.ts";
import { isCollectiveSeat } from "../domain/seats.ts";
import type { BookingRecord, CoordinatorRecord, EventTypeRecord } from "../domain/model/records.ts";
import { newId } from "../store/users.ts";
import { randomToken } from "../integrations/crypto.ts";
import { bookingToken } from "./booking-links.ts";
import { engineRules, readAhead, runChange } from "./transaction.ts";

export type TeamBookInput =
  & Omit<NewBookingInput, "id" | "tokenSalt" | "by" | "eventType">
  & {
    eventType: EventTypeRecord;
    /** Whose time the booking blocks (the host need not be one of them). */
    personIds: string[];
    extra?: ExtraWrite[];
    /** A record checked and replaced in the final commit (issue 12: the round-robin rotation). */
    rotation?: GuardedWrite;
    /** A team booking: every person must still be a member of this team record at the commit. */
    rosterKey?: Key;
    /**
     * Moving a multi-person booking: the new time is held like a new booking (the old booking's
     * own time counting as free), and the final commit retires the old booking in the same write.
     * The guest's details and the meeting's calendar identity carry over.
     */
    reschedule?: {
      old: BookingRecord;
      by: "guest" | "host";
      enforceCutoff: boolean;
      /** The acting host: someone else's booking is "not_found". */
      hostId?: string;
      /** The host's message to the guest (a host's move). */
      reason?: string;
      /**
       * A collective time's seat that is its meeting's last (services/team-seats.ts): that
       * meeting, whose time the new one may overlap; the commit frees it or is refused.
       */
      frees?: string;
      /**
       * The host asked the guest of this collective time's seat for a new time (it left its
       * meeting then): the commit links it to the new seat instead of retiring it.
       */
      rebook?: true;
    };
    /** The first seat of a collective seated time: its commit writes the time's ledger. */
    seat?: { perTime: number };
    /** The booking's id and link salt, when the caller needs the id before (an index of it). */
    identity?: { id: string; tokenSalt: string };
    /** Called after each step, for tests that stop the protocol midway (a crash). */
    onStep?: (step: "open" | "hold" | "commit", personId?: string) => Promise<void> | void;
  };

export type TeamBookResult =
  | { ok: true; booking: BookingRecord; guestToken: string }
  | { ok: false; reason: Refusal | "busy" };

export async function bookForPersons(app: App, input: TeamBookInput): Promise<TeamBookResult> {
  const personIds = [...new Set(input.personIds)].sort();
  if (personIds.length === 0 || personIds.length > MAX_TEAM) {
    return { ok: false, reason: "too_large" };
  }
  const identity = input.identity ?? { id: newId(app.now()), tokenSalt: randomToken(16) };
  const coordinatorId = newId(app.now());
  const guestToken = await bookingToken(app, identity, "guest");
  const rules = engineRules(app, input.eventType);
  const moving = input.reschedule;
  const booking = (nowMs: number): BookingRecord => ({
    ...newBookingRecord(
      { ...input, ...identity, by: moving?.by ?? "guest" },
      nowMs,
      rules.bookingTtlMs,
    ),
    personIds,
    coordinatorId,
    ...(moving
      ? {
        rescheduledFromId: moving.old.id,
        // The same meeting under its own name (as engine moves: reschedule.ts successorRecord).
        eventTitle: moving.old.eventTitle,
        ...successorIdentity(moving.old, rules.calendarHost),
        ...(moving.old.additionalGuests ? { additionalGuests: moving.old.additionalGuests } : {}),
        ...(moving.old.additionalGuestReaders
          ? { additionalGuestReaders: moving.old.additionalGuestReaders }
          : {}),
        ...(moving.old.invitedBy ? { invitedBy: moving.old.invitedBy } : {}),
        ...(moving.old.declined ? { declined: moving.old.declined } : {}),
        ...(moving.old.source ? { source: moving.old.source } : {}),
      }
      : {}),
  });
  const draft = booking(app.now());
  const coordinator: CoordinatorRecord = {
    v: 1,
    id: coordinatorId,
    bookingId: identity.id,
    state: "holding",
    untilMs: app.now() + TEAM_HOLD_MS,
    personIds,
    eventTypeId: input.eventType.id,
    startMs: draft.blockStartMs,
    endMs: draft.blockEndMs,
    holdUntilMs: null,
    ...(moving ? { replaces: moving.old.id } : {}),
    ...(moving && isCollectiveSeat(moving.old) ? { frees: moving.frees ?? null } : {}),
  };
  const opened = await runChange(app, { rules, change: () => ({ kind: "open", coordinator }) });
  if (!opened.ok) return { ok: false, reason: opened.reason };
  await input.onStep?.("open");

  const commit = (nowMs: number): Change => ({
    kind: "commit",
    coordinatorId,
    booking: booking(nowMs),
    extra: input.extra,
    rotation: input.rotation,
    rosterKey: input.rosterKey,
    ...(input.seat ? { seat: input.seat } : {}),
    retire: moving
      ? {
        bookingId: moving.old.id,
        by: moving.by,
        enforceCutoff: moving.enforceCutoff,
        hostId: moving.hostId,
        reason: moving.reason,
        ...(moving.rebook ? { rebook: true as const } : {}),
        // A collective time's seat leaves its own time's ledger and coordinator.
        ...(isCollectiveSeat(moving.old) && !moving.rebook
          ? {
            seat: { startMs: moving.old.startMs, coordinatorId: moving.old.coordinatorId! },
          }
          : {}),
      }
      : undefined,
  });
  const release = () =>
    runChange(app, { rules, change: () => ({ kind: "release", coordinatorId }) });
  const hold = (personId: string): Change => ({ kind: "hold", coordinatorId, personId });
  // Every step's planning data in one pass (every member's time, the commit's guards), not
  // three or four reads per member: on remote KV each read is a round trip. The holds still
  // land one at a time in canonical order, each checking what it was planned on; a step whose
  // data changed meanwhile loses its race and reads again.
  const ahead = await readAhead(app, rules, [
    ...personIds.map((personId) => ({ change: hold(personId), lane: personId })),
    { change: commit(app.now()) },
  ]);
  for (const [i, personId] of personIds.entries()) {
    const held = await runChange(app, {
      lane: personId,
      rules,
      change: () => hold(personId),
      ahead: ahead[i],
    });
    if (!held.ok) {
      await release();
      return { ok: false, reason: held.reason };
    }
    await input.onStep?.("hold", personId);
  }
  const committed = await runChange(app, {
    rules,
    change: commit,
    ahead: ahead[personIds.length],
  });
  if (!committed.ok) {
    await release();
    return { ok: false, reason: committed.reason };
  }
  await input.onStep?.("commit");
  return { ok: true, booking: committed.plan.booking!, guestToken };
}
