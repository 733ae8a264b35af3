import assert from "node:assert/strict";
import {
  afterAttempt,
  classifyAttempt,
  DISABLE_AFTER_MS,
  eventAudience,
  isAskedDelivery,
  MESSAGE_ID,
  messageIdFor,
  nextAttemptAtMs,
  parseRetryAfter,
  WEBHOOK_RETRY_DELAYS_MS,
} from "./webhooks.ts";

const answer = (status: number) => ({ kind: "answer" as const, status, retryAfter: null });

Deno.test("classifyAttempt: 2xx delivered; 408, 429, 5xx and no answer retried; other 4xx and refused addresses not", () => {
  assert.equal(classifyAttempt(answer(200)), "delivered");
  assert.equal(classifyAttempt(answer(204)), "delivered");
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(classifyAttempt(answer(s)), "retry");
  for (const s of [301, 400, 401, 403, 404, 410, 413, 422]) {
    assert.equal(classifyAttempt(answer(s)), "give_up", String(s));
  }
  assert.equal(classifyAttempt({ kind: "no_answer", permanent: false }), "retry", "timeout");
  assert.equal(classifyAttempt({ kind: "no_answer", permanent: true }), "give_up");
});

Deno.test("parseRetryAfter: seconds or an HTTP date; anything else is ignored", () => {
  const now = Date.parse("2026-11-20T08:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter("Fri, 20 Nov 2026 08:01:30 GMT", now), 90_000);
  assert.equal(parseRetryAfter("Fri, 20 Nov 2026 07:00:00 GMT", now), 0);
  for (const bad of [null, "", "soon", "-5", "1e3", "Someday 99"]) {
    assert.equal(parseRetryAfter(bad, now), null);
  }
});

Deno.test("nextAttemptAtMs: the schedule spans more than three days; Retry-After wins within bounds", () => {
  const total = WEBHOOK_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
  assert.ok(total > DISABLE_AFTER_MS, "one message alone reaches the disable rule");
  assert.equal(nextAttemptAtMs(1, null, 0), 5_000);
  assert.equal(nextAttemptAtMs(1, 60_000, 0), 60_000);
  assert.equal(nextAttemptAtMs(1, 0, 0), 1_000, "at least a second");
  assert.equal(nextAttemptAtMs(1, 7 * 86_400_000, 0), 86_400_000, "at most a day");
  assert.equal(nextAttemptAtMs(WEBHOOK_RETRY_DELAYS_MS.length + 1, null, 0), null);
});

Deno.test("afterAttempt: a run of retried failures starts the streak; a delivery or a refused message ends it", () => {
  assert.deepEqual(afterAttempt(null, "retry", 1000, 1000), {
    failingSinceMs: 1000,
    disable: false,
  });
  assert.deepEqual(afterAttempt(1000, "retry", 1000, 1000 + DISABLE_AFTER_MS - 1), {
    failingSinceMs: 1000,
    disable: false,
  });
  assert.equal(afterAttempt(1000, "retry", 1000, 1000 + DISABLE_AFTER_MS).disable, true);
  assert.deepEqual(afterAttempt(1000, "delivered", 1000, 5000), {
    failingSinceMs: null,
    disable: false,
  });
  // A refused message (a 422, a 410) is final: nothing is left retrying, no streak begins.
  assert.deepEqual(afterAttempt(null, "give_up", 1000, 1000), {
    failingSinceMs: null,
    disable: false,
  });
  assert.deepEqual(afterAttempt(1000, "give_up", 2000, 2000), {
    failingSinceMs: null,
    disable: false,
  });
});

Deno.test("afterAttempt: Monday's refused message, then Friday's one 502 — retried on schedule, not switched off", () => {
  const monday = Date.parse("2026-11-23T09:00:00Z");
  const friday = Date.parse("2026-11-27T09:00:00Z");
  const afterMonday = afterAttempt(null, "give_up", monday, monday);
  assert.equal(afterMonday.failingSinceMs, null);
  const afterFriday = afterAttempt(afterMonday.failingSinceMs, "retry", friday, friday);
  assert.deepEqual(afterFriday, { failingSinceMs: friday, disable: false });
  // A streak stored by the old rule (since Monday's refusal) does not cut Friday's retries short.
  assert.deepEqual(afterAttempt(monday, "retry", friday, friday), {
    failingSinceMs: monday,
    disable: false,
  });
  assert.equal(afterAttempt(monday, "retry", friday, friday + DISABLE_AFTER_MS - 1).disable, false);
  // Friday's delivery failing on every retry for three days switches it off.
  assert.equal(afterAttempt(friday, "retry", friday, friday + DISABLE_AFTER_MS).disable, true);
});

Deno.test("isAskedDelivery: a test event and a Send again are asked for; a fan-out's delivery shares its message's instant", () => {
  const msg = { event: "booking.confirmed", createdAtMs: 5000 };
  assert.equal(isAskedDelivery(msg, { createdAtMs: 5000 }), false, "queued with its message");
  assert.equal(isAskedDelivery(msg, { createdAtMs: 9000 }), true, "Send again");
  assert.equal(
    isAskedDelivery({ event: "webhook.test", createdAtMs: 5000 }, { createdAtMs: 5000 }),
    true,
  );
});

Deno.test("message ids: the owner's is msg_<job>, another person's msg_<job>_<person>; both are accepted", () => {
  const job = "01KB2Z9X4M3N5P6Q7R8S9T0V1W";
  const ann = "01KB2Z9X4M3N5P6Q7R8S9T0ANN";
  const ben = "01KB2Z9X4M3N5P6Q7R8S9T0BEN";
  assert.equal(messageIdFor(job, ann, ann), `msg_${job}`);
  assert.equal(messageIdFor(job, ben, ann), `msg_${job}_${ben}`);
  assert.equal(messageIdFor(job, ben, null), `msg_${job}_${ben}`);
  assert.ok(MESSAGE_ID.test(`msg_${job}`));
  assert.ok(MESSAGE_ID.test(`msg_${job}_${ben}`));
  for (
    const bad of [`msg_${job}_`, `msg_${job}_x`, `msg_${job.slice(1)}`, job, `msg_${job}__${ben}`]
  ) {
    assert.ok(!MESSAGE_ID.test(bad), bad);
  }
});

Deno.test("eventAudience: a booking's people; a booking moved to others tells only those it left", () => {
  const rr = { hostId: "ann", endReason: "rescheduled" };
  assert.deepEqual(eventAudience("booking.cancelled", rr, { hostId: "ben" }), {
    personIds: ["ann"],
    handedOver: true,
  });
  const pair = { hostId: "ann", personIds: ["ann", "ben"], endReason: "rescheduled" };
  assert.deepEqual(
    eventAudience("booking.cancelled", pair, { hostId: "ann", personIds: ["ann", "cat"] }),
    { personIds: ["ben"], handedOver: true },
  );
  assert.deepEqual(
    eventAudience("booking.cancelled", { ...pair, endReason: "cancelled_by_host" }, null),
    { personIds: ["ann", "ben"], handedOver: false },
  );
  assert.deepEqual(eventAudience("booking.confirmed", { hostId: "ann", endReason: null }, null), {
    personIds: ["ann"],
    handedOver: false,
  });
});
