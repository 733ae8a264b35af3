/**
 * POST /bookings names a wrong choice as the field it is (an outside check): a length the event
 * type does not offer was refused 409 `slot_unavailable` (the slots endpoint answers the same
 * mistake 400 naming `duration`), and a place index on an event type without that many places,
 * or dates to `skip` on one that does not repeat, were taken without a word.
 */
import assert from "node:assert/strict";
import { apiClient, apiHost } from "../../../../tests/support/api.ts";

const START = "2026-11-23T09:00:00Z";

Deno.test("API POST /bookings: a length not offered, a place not offered, or dates to skip on an event type that does not repeat are a 400 naming the field; nothing is booked", async () => {
  const { app } = await apiHost();
  const { call } = apiClient(app);
  const body = {
    username: "ann",
    eventType: "intro",
    start: START,
    timeZone: "UTC",
    name: "Gail",
    email: "gail@example.test",
  };
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ durationMin: 720 }, "durationMin", /durations/],
    [{ location: 0 }, "location", /places/],
    [{ skip: [1] }, "skip", /does not repeat/],
  ];
  for (const [i, [extra, field, words]] of cases.entries()) {
    const res = await call("POST", "/bookings", { body: { ...body, ...extra }, idem: `k${i}` });
    assert.equal(res.status, 400, `${field}: ${res.text}`);
    // deno-lint-ignore no-explicit-any
    const errors = (res.body as any).errors as { field: string; message: string }[];
    assert.deepEqual(errors.map((e) => e.field), [field], res.text);
    assert.match(errors[0].message, words);
  }
  // The same request without the wrong choice books.
  const ok = await call("POST", "/bookings", { body, idem: "ok" });
  assert.equal(ok.status, 201, ok.text);
});
