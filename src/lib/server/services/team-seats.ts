/**
 * A seat of a collective seated time (docs/decisions/040-seats.md): the first seat takes every
 * member's time by the multi-person protocol (services/team-booking.ts), its commit starting the
 * time's ledger; every later seat joins that meeting in one write guarded by the ledger and the
 * meeting's coordinator. Two guests arriving together at an empty time: one starts the meeting,
 * the other's holds meet it and the guest joins — never "full" while a seat is left (Cal.com
 * #15600).
 */
import type { App } from "../app.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { liveSeats } from "../domain/seats.ts";
import { getSeatLedger } from "../store/seats.ts";
import { bookingToken } from "./booking-links.ts";
import { bookForPersons, type TeamBookInput, type TeamBookResult } from "./team-booking.ts";
import { engineRules, runChange } from "./transaction.ts";

/** Starting the meeting and joining it may each lose to the other a few times; then "busy". */
const ATTEMPTS = 4;

/**
 * Moves a guest's seat of a collective seated time to another time of its event type (ADR 040,
 * amended): to a time with a meeting the successor joins it in one write that also retires the
 * old seat (engine `reschedule` with `join`); to an empty time it takes every member's time by
 * the team protocol and its commit retires the old seat. A meeting started or ended meanwhile at
 * the new time sends it the other way, as a new guest's seat (`bookCollectiveSeat`). A seat whose
 * guest the host asked for a new time (`rebook`) left its meeting then: its pick goes the same
 * ways and links it instead of retiring it (engine `rebook` with `join`, or the team commit).
 */
export async function moveCollectiveSeat(
  app: App,
  input: TeamBookInput & {
    identity: { id: string; tokenSalt: string };
    reschedule: NonNullable<TeamBookInput["reschedule"]>;
  },
  perTime: number,
): Promise<TeamBookResult> {
  const et = input.eventType;
  const rules = engineRules(app, et);
  const old = input.reschedule.old;
  const guestToken = await bookingToken(app, input.identity, "guest");
  const personIds = [...new Set(input.personIds)].sort();
  let last: TeamBookResult = { ok: false, reason: "busy" };
  // A team too large for one write to move a seat between two meetings of theirs (every
  // member's entries of both, and their calendars' jobs) is told so, not to try again.
  const refused = (r: Extract<TeamBookResult, { ok: false }>): TeamBookResult =>
    r.reason === "too_large" ? { ok: false, reason: "not_supported" } : r;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const ledger = await getSeatLedger(app.kv, et.id, input.startMs);
    if (ledger?.coordinatorId && liveSeats(ledger, app.now()).length > 0) {
      if (ledger.closed) return { ok: false, reason: "slot_taken" };
      const successor = {
        ...input.identity,
        host: input.host,
        eventType: et,
        startMs: input.startMs,
        durationMin: input.durationMin,
        teamId: input.teamId,
        // The meeting's room is taken in the engine (seat.ts), this one when it has none.
        location: input.location,
      };
      const join = { coordinatorId: ledger.coordinatorId!, personIds };
      const res = await runChange(app, {
        lane: `seats:${et.id}:${input.startMs}`,
        rules,
        // A seat whose guest the host asked for a new time left its meeting then: it is linked.
        change: () =>
          input.reschedule.rebook
            ? {
              kind: "rebook",
              bookingId: old.id,
              by: "guest",
              successor,
              guestTimeZone: input.guestTimeZone,
              hostId: input.reschedule.hostId,
              extra: input.extra,
              join,
            }
            : {
              kind: "reschedule",
              bookingId: old.id,
              by: input.reschedule.by,
              successor,
              guestTimeZone: input.guestTimeZone,
              enforceCutoff: input.reschedule.enforceCutoff,
              hostId: input.reschedule.hostId,
              reason: input.reschedule.reason,
              extra: input.extra,
              join,
            },
      });
      if (res.ok) return { ok: true, booking: res.plan.booking!, guestToken };
      last = refused({ ok: false, reason: res.reason });
      // The meeting ended (or was replaced) since it was read: start one, or join the new one.
      if (res.reason !== "slot_taken") return last;
      continue;
    }
    // The old seat is its meeting's last: the new time may overlap that meeting, which the commit
    // then frees (else it is refused, and read again here). A seat asked for a new time has left.
    const mine = input.reschedule.rebook
      ? null
      : await getSeatLedger(app.kv, old.eventTypeId, old.startMs);
    const live = liveSeats(mine, app.now());
    const frees = mine?.meetingId === old.seat?.meetingId && live.length === 1 &&
        live[0].id === old.id
      ? mine!.meetingId
      : undefined;
    const res = await bookForPersons(app, {
      ...input,
      seat: { perTime },
      reschedule: { ...input.reschedule, frees },
    });
    if (res.ok) return res;
    last = refused(res);
    if (res.reason !== "slot_taken" && res.reason !== "held") return last;
    // Another guest started this time's meeting meanwhile (join it), or one joined the old
    // meeting this seat was the last of (its time is no longer freed): read both again.
    const after = await getSeatLedger(app.kv, et.id, input.startMs);
    if (!frees && (!after?.coordinatorId || liveSeats(after, app.now()).length === 0)) return last;
  }
  return last;
}

export async function bookCollectiveSeat(
  app: App,
  input: TeamBookInput & { identity: { id: string; tokenSalt: string } },
  perTime: number,
): Promise<TeamBookResult> {
  const et = input.eventType;
  const rules = engineRules(app, et);
  const identity = input.identity;
  const guestToken = await bookingToken(app, identity, "guest");
  const personIds = [...new Set(input.personIds)].sort();
  let last: TeamBookResult = { ok: false, reason: "busy" };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const ledger = await getSeatLedger(app.kv, et.id, input.startMs);
    if (ledger?.coordinatorId && liveSeats(ledger, app.now()).length > 0) {
      // Its host is cancelling it: no seat joins, and the time is not free until it is gone.
      if (ledger.closed) return { ok: false, reason: "slot_taken" };
      const coordinatorId = ledger.coordinatorId;
      const res = await runChange(app, {
        // Seats of one time queue behind each other in this process (each changes its ledger).
        lane: `seats:${et.id}:${input.startMs}`,
        rules,
        change: (nowMs) => ({
          kind: "seat",
          booking: {
            ...newBookingRecord({ ...input, ...identity, by: "guest" }, nowMs, rules.bookingTtlMs),
            personIds,
          },
          perTime,
          meetingId: ledger.meetingId,
          coordinatorId,
          extra: input.extra,
        }),
      });
      if (res.ok) return { ok: true, booking: res.plan.booking!, guestToken };
      last = { ok: false, reason: res.reason };
      // The meeting ended (or was replaced) since it was read: start it, or join the new one.
      if (res.reason !== "slot_taken") return last;
      continue;
    }
    const res = await bookForPersons(app, { ...input, seat: { perTime } });
    if (res.ok) return res;
    last = res;
    if (res.reason !== "slot_taken" && res.reason !== "held") return res;
    // Another guest started this time's meeting meanwhile: join it (else the time is taken).
    const after = await getSeatLedger(app.kv, et.id, input.startMs);
    if (!after?.coordinatorId || liveSeats(after, app.now()).length === 0) return res;
  }
  return last;
}
