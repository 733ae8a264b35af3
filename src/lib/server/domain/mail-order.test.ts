import assert from "node:assert/strict";
import { awaitedMailDue, followsMails, IN_FLIGHT_RECHECK_MS } from "./mail-order.ts";
import type { MailKind, OutboxRecord } from "./model/records.ts";

const job = (id: string, mail: MailKind, dueMs: number, personId?: string): OutboxRecord => ({
  v: 1,
  id,
  dueMs,
  payload: { kind: "booking_mail", mail, bookingId: "B", ...(personId ? { personId } : {}) },
  attempts: 0,
  createdAtMs: 0,
  lastError: null,
  claimedBy: null,
});

Deno.test("mail order: an ending mail waits for the announcement still queued for the same reader, not for a parked one, another member's or another reader's", () => {
  const cancel = job("C", "guest_cancelled", 10);
  assert.equal(followsMails("guest_cancelled"), true);
  assert.equal(followsMails("guest_confirmed"), false);
  assert.equal(awaitedMailDue(cancel, [{ job: cancel, failed: false }], 0), null);
  const confirmed = job("A", "guest_confirmed", 70);
  assert.equal(awaitedMailDue(cancel, [{ job: confirmed, failed: false }], 0), 70);
  assert.equal(awaitedMailDue(cancel, [{ job: confirmed, failed: true }], 0), null, "parked");
  assert.equal(
    awaitedMailDue(cancel, [{ job: job("H", "host_booked", 70), failed: false }], 0),
    null,
    "the host's mail is another reader's",
  );
  const memberCancel = job("M", "host_cancelled", 10, "ben");
  assert.equal(
    awaitedMailDue(memberCancel, [{ job: job("X", "host_booked", 50, "ann"), failed: false }], 0),
    null,
  );
  assert.equal(
    awaitedMailDue(memberCancel, [{ job: job("Y", "host_booked", 50, "ben"), failed: false }], 0),
    50,
  );
});

Deno.test("mail order: a mail being handed over is looked at again in a moment, not when its claim runs out", () => {
  const reject = job("R", "guest_rejected", 1_000);
  const pending = job("P", "guest_pending", 1_000);
  // As store/outbox.ts `claim` leaves it: due where the claim runs out, two minutes on.
  const handing = { ...pending, dueMs: 121_000, claimedBy: "worker-1" };
  assert.equal(
    awaitedMailDue(reject, [{ job: handing, failed: false }], 1_000),
    1_000 + IN_FLIGHT_RECHECK_MS,
  );
  // A claim that runs out sooner than that: its time.
  assert.equal(
    awaitedMailDue(reject, [{ job: { ...handing, dueMs: 1_200 }, failed: false }], 1_000),
    1_200,
  );
  // Not claimed: waited for until it is due, as before.
  assert.equal(
    awaitedMailDue(reject, [{ job: { ...pending, dueMs: 90_000 }, failed: false }], 1_000),
    90_000,
  );
});
