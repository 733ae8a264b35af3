import assert from "node:assert/strict";
import { importHolidays } from "./holidays.ts";
import { getAvailabilityRules, saveTimeOff } from "./availability.ts";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";

const dates = (r: ReturnType<typeof importHolidays>) => r.ok ? r.add.map((t) => t.from) : [];

Deno.test("holidays: east of UTC, the host's own date decides the next 12 months (New Zealand around New Year)", async () => {
  // 2027-01-01T12:00Z is already 2 January (01:00) in Auckland: New Year's Day 2027 is past
  // there, and New Year's Day 2028 is within the next 12 months.
  const app = await memoryApp({ nowIso: "2027-01-01T12:00:00Z" });
  const host = await createHost(app, { timeZone: "Pacific/Auckland" });
  const r = importHolidays(app, host, { country: "NZ", region: "", existing: [] });
  assert.ok(r.ok);
  assert.equal(r.place, "New Zealand");
  assert.equal(dates(r)[0], "2027-01-02");
  assert.ok(!dates(r).includes("2027-01-01"));
  assert.ok(dates(r).includes("2028-01-01"));
  assert.deepEqual(r.add[0], {
    from: "2027-01-02",
    to: "2027-01-02",
    reason: "Day after New Year's Day",
  });
  assert.ok(r.add.every((t) => t.from === t.to), "one whole day per holiday");
  app.close();
});

Deno.test("holidays: west of UTC, the host's own date decides (United States around New Year)", async () => {
  // 2027-01-01T05:00Z is still 31 December (21:00) in Los Angeles: New Year's Day 2027 is ahead,
  // and the substitute day on Friday 2027-12-31 lies past the 12 months.
  const app = await memoryApp({ nowIso: "2027-01-01T05:00:00Z" });
  const host = await createHost(app, { timeZone: "America/Los_Angeles" });
  const r = importHolidays(app, host, { country: "US", region: "", existing: [] });
  assert.ok(r.ok);
  assert.deepEqual(r.add[0], { from: "2027-01-01", to: "2027-01-01", reason: "New Year's Day" });
  assert.ok(dates(r).includes("2027-12-25"));
  assert.ok(!dates(r).includes("2027-12-31"));
  app.close();
});

Deno.test("holidays: a region adds its own (Bavaria's Epiphany), re-importing adds nothing, and the rows save as time off", async () => {
  const app = await memoryApp({ nowIso: "2026-12-30T10:00:00Z" });
  const host = await createHost(app, { timeZone: "Europe/Berlin" });
  const national = importHolidays(app, host, { country: "DE", region: "", existing: [] });
  const bavaria = importHolidays(app, host, { country: "DE", region: "BY", existing: [] });
  assert.ok(national.ok && bavaria.ok);
  assert.equal(bavaria.place, "Germany (Bayern)");
  assert.ok(!dates(national).includes("2027-01-06"));
  assert.ok(dates(bavaria).includes("2027-01-06"));
  assert.equal(bavaria.add.find((t) => t.from === "2027-01-06")?.reason, "Epiphany");
  assert.ok(dates(bavaria).includes("2027-01-01"));

  // Saved, then imported again: nothing new, everything counted as already there.
  assert.deepEqual(await saveTimeOff(app, host, bavaria.add), { ok: true });
  const saved = (await getAvailabilityRules(app, host)).timeOff;
  assert.equal(saved.length, bavaria.add.length);
  const again = importHolidays(app, host, { country: "DE", region: "BY", existing: saved });
  assert.ok(again.ok);
  assert.deepEqual(again.add, []);
  assert.equal(again.alreadyCovered, bavaria.add.length);
  // A longer stretch of time off over Christmas swallows the holidays inside it.
  const covered = importHolidays(app, host, {
    country: "DE",
    region: "",
    existing: [{ from: "2026-12-20", to: "2027-01-10" }],
  });
  assert.ok(covered.ok && !dates(covered).includes("2027-01-01"));

  const bad = importHolidays(app, host, { country: "XX", region: "", existing: [] });
  assert.deepEqual(bad, { ok: false, error: "Choose a country" });
  const badRegion = importHolidays(app, host, { country: "DE", region: "ZZ", existing: [] });
  assert.ok(!badRegion.ok);
  app.close();
});
