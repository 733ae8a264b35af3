/**
 * Repeat rules whose INTERVAL steps past the window: the window gets exactly the occurrences of
 * the rule's first period, as a calendar app shows them (the intervals here are long enough to
 * take the shortened path and short enough for ical.js to walk unshortened; the endless ones,
 * INTERVAL=99999999999999999999, are in tests/fixtures/ics/bomb-huge-interval.ics, which the ICS
 * fuzz runs in a process it can kill).
 */
import assert from "node:assert/strict";
import { busyFromIcs } from "./ical-busy.ts";
import type { BusyParseOptions } from "./ical-context.ts";

const opts: BusyParseOptions = {
  fromMs: Date.parse("2026-11-01T00:00:00Z"),
  toMs: Date.parse("2027-02-01T00:00:00Z"),
  hostTimeZone: "Europe/Berlin",
  eventBudgetMs: 10_000,
};

const busy = (rule: string, dtstart: string) =>
  busyFromIcs(
    [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//test//EN",
      "BEGIN:VEVENT",
      "UID:long-interval@example.test",
      "DTSTAMP:20261101T000000Z",
      `DTSTART:${dtstart}`,
      "DURATION:PT1H",
      `RRULE:${rule}`,
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n"),
    opts,
  ).windows.map((w) => new Date(w.startMs).toISOString()).sort();

Deno.test("busyFromIcs: a weekly rule on two days every 5,000 weeks blocks both days of its first week, nothing after", () => {
  assert.deepEqual(busy("FREQ=WEEKLY;INTERVAL=5000;BYDAY=MO,WE", "20261123T090000Z"), [
    "2026-11-23T09:00:00.000Z",
    "2026-11-25T09:00:00.000Z",
  ]);
});

Deno.test("busyFromIcs: a monthly rule on the 30th and 31st every 3,000 months, starting the 30th, blocks both days of its first month", () => {
  assert.deepEqual(busy("FREQ=MONTHLY;INTERVAL=3000;BYMONTHDAY=30,31", "20261230T090000Z"), [
    "2026-12-30T09:00:00.000Z",
    "2026-12-31T09:00:00.000Z",
  ]);
});

Deno.test("busyFromIcs: a yearly rule every 400 years that began in November blocks its December day of the first year", () => {
  assert.deepEqual(
    busy("FREQ=YEARLY;INTERVAL=400;BYMONTH=11,12;BYMONTHDAY=28", "20261128T090000Z"),
    [
      "2026-11-28T09:00:00.000Z",
      "2026-12-28T09:00:00.000Z",
    ],
  );
});

Deno.test("busyFromIcs: a daily rule every 3 days (an interval inside the window) is not shortened", () => {
  assert.equal(busy("FREQ=DAILY;INTERVAL=3", "20261101T090000Z").length, 31);
});
