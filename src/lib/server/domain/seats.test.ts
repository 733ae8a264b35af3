import assert from "node:assert/strict";
import { seatFill } from "./seats.ts";
import type { SeatLedgerRecord, SeatTuple } from "./model/records.ts";

const ledger = (startMs: number, seats: SeatTuple[]): SeatLedgerRecord => ({
  v: 1,
  meetingId: `m${startMs}`,
  eventTypeId: "et",
  hostId: "h",
  startMs,
  blockStartMs: startMs,
  blockEndMs: startMs + 3_600_000,
  seats,
});

Deno.test("seatFill: average fill over the times with a live seat, full times, seats taken of offered; expired holds do not count", () => {
  const nowMs = 1_000;
  const fill = seatFill(
    [
      ledger(0, [["a", "1", null], ["b", "2", null], ["c", "3", 5_000], ["d", "4", null]]),
      ledger(1, [["e", "5", null]]),
      // Only an expired pending seat: no live seat, not a time held.
      ledger(2, [["f", "6", 500]]),
    ],
    4,
    nowMs,
  );
  assert.deepEqual(fill, {
    times: 2,
    seatsTaken: 5,
    seatsOffered: 8,
    fullTimes: 1,
    averageFillPct: 62.5,
  });
  assert.deepEqual(seatFill([], 10, nowMs), {
    times: 0,
    seatsTaken: 0,
    seatsOffered: 0,
    fullTimes: 0,
    averageFillPct: 0,
  });
});
