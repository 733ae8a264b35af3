import assert from "node:assert/strict";
import {
  afterFailure,
  classifyAttempt,
  DISABLE_AFTER_MS,
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

Deno.test("afterFailure: the streak starts at the first failure and disables after three days", () => {
  assert.deepEqual(afterFailure(null, 1000), { failingSinceMs: 1000, disable: false });
  assert.deepEqual(afterFailure(1000, 1000 + DISABLE_AFTER_MS - 1), {
    failingSinceMs: 1000,
    disable: false,
  });
  assert.equal(afterFailure(1000, 1000 + DISABLE_AFTER_MS).disable, true);
});
