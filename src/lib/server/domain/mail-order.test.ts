import assert from "node:assert/strict";
import { awaitedMailDue, followsMails } from "./mail-order.ts";
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
  assert.equal(awaitedMailDue(cancel, [{ job: cancel, failed: false }]), null);
  const confirmed = job("A", "guest_confirmed", 70);
  assert.equal(awaitedMailDue(cancel, [{ job: confirmed, failed: false }]), 70);
  assert.equal(awaitedMailDue(cancel, [{ job: confirmed, failed: true }]), null, "parked");
  assert.equal(
    awaitedMailDue(cancel, [{ job: job("H", "host_booked", 70), failed: false }]),
    null,
    "the host's mail is another reader's",
  );
  const memberCancel = job("M", "host_cancelled", 10, "ben");
  assert.equal(
    awaitedMailDue(memberCancel, [{ job: job("X", "host_booked", 50, "ann"), failed: false }]),
    null,
  );
  assert.equal(
    awaitedMailDue(memberCancel, [{ job: job("Y", "host_booked", 50, "ben"), failed: false }]),
    50,
  );
});
