/**
 * A later seat of a collective seated time (docs/decisions/040-seats.md): the meeting's first
 * seat took every member's time by the team protocol (team.ts); this one joins it.
 */
import type { BookingRecord, SeatLedgerRecord } from "../model/records.ts";
import { guestTag, joinsMeeting, liveSeats, tupleOf } from "../seats.ts";
import type { Draft } from "./draft.ts";
import { block, guardOf } from "./core.ts";
import { claimCaps, claimGuestHold } from "./caps.ts";
import { guardMeeting, ledgerOf, seatRoom, writeMeetingBusy } from "./seat-ledger.ts";
import type { EngineRules, Refusal, Snapshot } from "./types.ts";

/**
 * A later seat of a collective seated time (ADR 040): the meeting already blocks every member
 * (its first seat took their time by the team protocol), so the seat is guarded by the time's
 * ledger and the meeting's coordinator — ledger 1 + coordinator 1 + capped periods ≤ 2 + guest
 * fence 1 = 5 checks, whatever the number of members. A time without a live seat (or whose
 * meeting changed since the caller read it) is refused "slot_taken": its first seat is a team
 * commit.
 */
export function joinSeat(
  d: Draft,
  s: Snapshot,
  draft: BookingRecord,
  perTime: number,
  coordinatorId: string,
  rules: EngineRules,
  nowMs: number,
  ignore: ReadonlySet<string>,
): { ok: true; booking: BookingRecord } | { ok: false; reason: Refusal } {
  const read = guardOf<SeatLedgerRecord>(s, ledgerOf(draft));
  const ledger = read.value;
  const live = liveSeats(ledger, nowMs).filter((x) => !ignore.has(x.id));
  const tag = guestTag(draft.guestEmail);
  if (live.some((x) => x.g === tag)) return { ok: false, reason: "already_seated" };
  if (live.length >= perTime) return { ok: false, reason: "seats_full" };
  const sameMeeting = ledger && live.length > 0 && ledger.coordinatorId === coordinatorId &&
    joinsMeeting(ledger, block(draft)) &&
    JSON.stringify([...(ledger.personIds ?? [])].sort()) ===
      JSON.stringify([...draft.personIds!].sort());
  // A meeting its host is cancelling takes no seat (seat.ts `takeSeat` says the same).
  if (!sameMeeting || ledger.closed) return { ok: false, reason: "slot_taken" };
  const { booking: b, room } = seatRoom(ledger, {
    ...draft,
    seat: { meetingId: ledger.meetingId },
    coordinatorId,
  });
  const seats = [...live, {
    id: b.id,
    g: tag,
    h: b.status === "PENDING" ? b.reservedUntilMs : null,
  }];
  d.check(read);
  if (!guardMeeting(d, s, coordinatorId, seats, nowMs)) return { ok: false, reason: "slot_taken" };
  const refused = claimCaps(d, s, b, rules.eventType, ignore, nowMs) ??
    claimGuestHold(d, s, b, ignore, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  d.set(
    read.key,
    {
      ...ledger,
      ...(room ? { room } : {}),
      seats: seats.map(tupleOf),
      seq: (ledger.seq ?? 0) + 1,
    } satisfies SeatLedgerRecord,
  );
  writeMeetingBusy(d, ledger, seats);
  return { ok: true, booking: b };
}
