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
