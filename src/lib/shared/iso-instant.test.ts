import assert from "node:assert/strict";
import { Temporal } from "temporal-polyfill";
import { isoInstant } from "./format.ts";

Deno.test("isoInstant writes a whole second as Temporal.Instant does, from 1970 to 2099", () => {
  // Every 7 hours 13 minutes 17 seconds over 130 years, and around the leap days.
  const step = (7 * 3600 + 13 * 60 + 17) * 1000;
  let n = 0;
  for (let ms = 0; ms < Date.UTC(2100, 0, 1); ms += step, n++) {
    assert.equal(isoInstant(ms), Temporal.Instant.fromEpochMilliseconds(ms).toString());
  }
  assert.ok(n > 150_000);
  for (const ms of [Date.UTC(2028, 1, 29, 23, 59, 59), Date.UTC(2026, 11, 31, 23, 45)]) {
    assert.equal(isoInstant(ms), Temporal.Instant.fromEpochMilliseconds(ms).toString());
  }
  assert.equal(isoInstant(Date.UTC(2026, 10, 23, 8)), "2026-11-23T08:00:00Z");
});
