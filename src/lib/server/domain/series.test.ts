import assert from "node:assert/strict";
import { inZone, seriesRuleOf, seriesStarts } from "./series.ts";

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

Deno.test("seriesStarts: a weekly Berlin series keeps 10:00 in Berlin across the March change; the instant moves an hour", () => {
  const starts = seriesStarts(Date.parse("2027-03-15T09:00:00Z"), "Europe/Berlin", {
    everyWeeks: 1,
    count: 3,
  });
  assert.deepEqual(starts.map(iso), [
    "2027-03-15T09:00:00Z",
    "2027-03-22T09:00:00Z",
    "2027-03-29T08:00:00Z",
  ]);
});

Deno.test("seriesStarts: a guest in New York sees the series move by their own change first, then Berlin's", () => {
  const starts = seriesStarts(Date.parse("2027-03-08T09:00:00Z"), "Europe/Berlin", {
    everyWeeks: 1,
    count: 4,
  });
  // New York changes on 14 March, Berlin on 28 March: 04:00, 05:00, 05:00, 04:00 there.
  assert.deepEqual(starts.map((ms) => inZone(ms, "America/New_York").time), [
    "04:00",
    "05:00",
    "05:00",
    "04:00",
  ]);
});

Deno.test("seriesStarts: every 2 weeks in Sydney across April's change, and Lord Howe's half hour", () => {
  assert.deepEqual(
    seriesStarts(Date.parse("2027-03-22T23:00:00Z"), "Australia/Sydney", {
      everyWeeks: 2,
      count: 3,
    }).map(iso),
    // 10:00 Sydney on 23 March (UTC+11), 6 April (UTC+10), 20 April (UTC+10).
    ["2027-03-22T23:00:00Z", "2027-04-06T00:00:00Z", "2027-04-20T00:00:00Z"],
  );
  assert.deepEqual(
    seriesStarts(Date.parse("2027-03-29T23:00:00Z"), "Australia/Lord_Howe", {
      everyWeeks: 1,
      count: 2,
    }).map(iso),
    // 10:00 Lord Howe: UTC+11 until 4 April, then UTC+10:30.
    ["2027-03-29T23:00:00Z", "2027-04-05T23:30:00Z"],
  );
});

Deno.test("seriesStarts: a wall time skipped by the spring change is taken as the clock reads after it", () => {
  // 02:30 New York on 7 March 2027, weekly: 14 March has no 02:30 (02:00 → 03:00).
  const starts = seriesStarts(Date.parse("2027-03-07T07:30:00Z"), "America/New_York", {
    everyWeeks: 1,
    count: 2,
  });
  assert.deepEqual(starts.map((ms) => inZone(ms, "America/New_York").time), ["02:30", "03:30"]);
});

Deno.test("seriesRuleOf: every 1–4 weeks, 2–52 occurrences; anything else is no series", () => {
  assert.deepEqual(seriesRuleOf({ everyWeeks: 4, count: 52 }), { everyWeeks: 4, count: 52 });
  for (
    const bad of [
      { everyWeeks: 0, count: 3 },
      { everyWeeks: 5, count: 3 },
      {
        everyWeeks: 1,
        count: 1,
      },
      { everyWeeks: 1, count: 53 },
      { everyWeeks: 1.5, count: 3 },
      null,
    ]
  ) {
    assert.equal(seriesRuleOf(bad), null, JSON.stringify(bad));
  }
  assert.equal(seriesStarts(0, "UTC", { everyWeeks: 4, count: 52 }).length, 52);
});
