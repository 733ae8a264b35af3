import assert from "node:assert/strict";
import { createHost, memoryApp, WORKDAYS } from "../../../../tests/support/memory-app.ts";
import { getAvailabilityRules, setDateOverride } from "./availability.ts";
import { translator } from "../i18n.ts";

const NOW = "2026-11-20T08:00:00Z";

Deno.test("setDateOverride: 12 concurrent overrides of different dates all land; the others stay", async () => {
  const app = await memoryApp({ nowIso: NOW });
  const host = await createHost(app, {
    username: "ann",
    timeZone: "Europe/Berlin",
    weekly: WORKDAYS,
  });
  const dates = Array.from({ length: 12 }, (_, i) => `2026-12-${String(i + 1).padStart(2, "0")}`);
  const results = await Promise.all(
    dates.map((date, i) =>
      setDateOverride(app, host, {
        date,
        ranges: i % 2 ? [] : [{ start: "10:00", end: "12:00" }],
      })
    ),
  );
  assert.ok(results.every((r) => r.ok), JSON.stringify(results));
  const a = await getAvailabilityRules(app, host);
  assert.deepEqual(a.overrides.map((o) => o.date), dates);
  // Replacing one date and removing another leaves the rest as they were.
  assert.ok((await setDateOverride(app, host, { date: dates[0], ranges: [] })).ok);
  assert.ok((await setDateOverride(app, host, { date: dates[1], ranges: null })).ok);
  const b = await getAvailabilityRules(app, host);
  assert.deepEqual(b.overrides[0], { date: dates[0], ranges: [] });
  assert.deepEqual(b.overrides.map((o) => o.date), [dates[0], ...dates.slice(2)]);
  app.close();
});

Deno.test("setDateOverride: the override editor's rules refuse, in the reader's language, and nothing is written", async () => {
  const app = await memoryApp({ nowIso: NOW });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  const past = await setDateOverride(
    app,
    host,
    { date: "2026-11-01", ranges: [] },
    translator("de"),
  );
  assert.ok(!past.ok);
  assert.ok(past.errors.date && !/[a-z]+\.[a-z_]+/.test(past.errors.date), past.errors.date);
  const backwards = await setDateOverride(app, host, {
    date: "2026-12-01",
    ranges: [{ start: "12:00", end: "09:00" }],
  });
  assert.ok(!backwards.ok && backwards.errors.ranges?.length);
  assert.deepEqual((await getAvailabilityRules(app, host)).overrides, []);
  app.close();
});
