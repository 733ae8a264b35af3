import assert from "node:assert/strict";
import fc from "fast-check";
import { inZone, regularSeriesRule, seriesRuleOf, seriesStarts } from "./series.ts";
import {
  naiveOf,
  ODD_ZONES,
  transitionsOf,
  wallClockMs,
} from "../../../../tests/support/wall-clock.ts";

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

Deno.test("seriesStarts: a series picked in the hour a clock change repeats starts when the guest picked, not an hour earlier", () => {
  // Each start lies in the second run of a repeated hour (or half hour); the same wall time
  // read alone would be its first run.
  for (
    const [zone, picked] of [
      ["America/Santiago", "2026-04-05T03:30:00Z"], // Sat 23:30 −04, after 00:00 −03 → 23:00
      ["America/Havana", "2026-11-01T05:30:00Z"], // 00:30 −05, after 01:00 −04 → 00:00
      ["Australia/Lord_Howe", "2026-04-04T15:15:00Z"], // 01:45 +10:30, after 02:00 +11 → 01:30
      ["Europe/Berlin", "2026-10-25T01:30:00Z"], // 02:30 CET, after 03:00 CEST → 02:00
    ] as const
  ) {
    const starts = seriesStarts(Date.parse(picked), zone, { everyWeeks: 1, count: 2 });
    assert.equal(iso(starts[0]), picked, zone);
    // The next week keeps the wall time (there is one of it then).
    assert.equal(inZone(starts[1], zone).time, inZone(starts[0], zone).time, zone);
  }
});

Deno.test("seriesStarts: a weekly Friday series in Apia meets on the Saturday of the week whose Friday the zone skipped", () => {
  // Samoa went from −10 to +14 at the end of 29 December 2011: there was no 30 December.
  const starts = seriesStarts(Date.parse("2011-12-23T20:00:00Z"), "Pacific/Apia", {
    everyWeeks: 1,
    count: 3,
  });
  assert.deepEqual(starts.map((ms) => inZone(ms, "Pacific/Apia")), [
    { date: "2011-12-23", time: "10:00" },
    { date: "2011-12-31", time: "10:00" },
    { date: "2012-01-06", time: "10:00" },
  ]);
});

Deno.test("seriesStarts: the first date is the picked instant and each later one its wall time so many weeks on, read by RFC 5545, in zones with odd clock changes", () => {
  const WEEK = 7 * 86_400_000;
  const MIN = 60_000;
  const from = Date.parse("2010-01-01T00:00:00Z");
  const to = Date.parse("2031-01-01T00:00:00Z");
  const changes = new Map(ODD_ZONES.map((z) => [z, transitionsOf(z, from, to)]));
  const check = (zone: string, firstMs: number, everyWeeks: number, count: number) => {
    const starts = seriesStarts(firstMs, zone, { everyWeeks, count });
    const wall = naiveOf(firstMs, zone);
    const expected = Array.from(
      { length: count },
      (_, i) => i === 0 ? firstMs : wallClockMs(wall + i * everyWeeks * WEEK, zone),
    );
    assert.deepEqual(
      starts.map(iso),
      expected.map(iso),
      `${zone} from ${iso(firstMs)} every ${everyWeeks} week(s)`,
    );
  };
  fc.assert(
    fc.property(
      fc.constantFrom(...ODD_ZONES),
      fc.nat(),
      // The first date up to 8 periods before a change, within 3 hours of its wall time.
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: -180, max: 180 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 2, max: 12 }),
      (zone, pick, periods, minutes, everyWeeks, count) => {
        const list = changes.get(zone)!;
        const at = list[pick % list.length];
        check(zone, at - periods * everyWeeks * WEEK + minutes * MIN, everyWeeks, count);
      },
    ),
    { numRuns: 400 },
  );
});

Deno.test("regularSeriesRule: a series' own starts give back its rule across Berlin's spring change; a moved or missing date gives none", () => {
  const first = Date.parse("2027-03-15T09:00:00Z"); // 10:00 in Berlin, two weeks before the change
  const starts = seriesStarts(first, "Europe/Berlin", { everyWeeks: 2, count: 4 });
  assert.deepEqual(regularSeriesRule(starts, "Europe/Berlin"), { everyWeeks: 2, count: 4 });
  // The same instants read in UTC are not one wall time every two weeks.
  assert.equal(regularSeriesRule(starts, "UTC"), null);
  assert.equal(
    regularSeriesRule([starts[0], starts[1] + 3_600_000, starts[2]], "Europe/Berlin"),
    null,
  );
  assert.equal(regularSeriesRule([starts[0], starts[2], starts[3]], "Europe/Berlin"), null);
});
