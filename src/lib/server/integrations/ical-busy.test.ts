import assert from "node:assert/strict";
import fc from "fast-check";
import { busyFromIcs } from "./ical-busy.ts";
import { type BusyParseOptions } from "./ical-context.ts";
import { ianaZoneFor } from "./windows-zones.ts";
import type { Interval } from "../domain/interval.ts";
import {
  ODD_ZONES,
  offsetMinutesAt,
  transitionsOf,
  wallClockMs,
} from "../../../../tests/support/wall-clock.ts";

const FIXTURES = new URL("../../../../tests/fixtures/ics/", import.meta.url);
const fixture = (name: string) => Deno.readTextFileSync(new URL(name, FIXTURES));

const RANGE = {
  fromMs: Date.parse("2026-10-01T00:00:00Z"),
  toMs: Date.parse("2027-02-01T00:00:00Z"),
};
// A generous time budget per event: what these tests assert must follow from the counted limits
// (steps, occurrences), not from how busy the machine is. The budget itself has its own tests.
const opts = (o: Partial<BusyParseOptions> = {}): BusyParseOptions => ({
  ...RANGE,
  hostTimeZone: "America/Chicago",
  eventBudgetMs: 10_000,
  ...o,
});
const fmt = (w: Interval) =>
  `${new Date(w.startMs).toISOString().replace(":00.000Z", "Z")}/${
    new Date(w.endMs).toISOString().replace(":00.000Z", "Z")
  }`;
const list = (ws: Interval[]) => ws.map(fmt).sort();

function vcal(...events: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", ...events, "END:VCALENDAR", ""]
    .join("\r\n");
}
function vevent(lines: string[]): string {
  return ["BEGIN:VEVENT", "DTSTAMP:20261101T000000Z", ...lines, "END:VEVENT"].join("\r\n");
}

Deno.test("busyFromIcs: a Google export blocks the weekly series minus its EXDATE, the moved instance where it went, all-day dates in the host zone and floating times in X-WR-TIMEZONE", () => {
  const r = busyFromIcs(fixture("google-export.ics"), opts());
  assert.deepEqual(r.skipped, []);
  const got = list(r.windows);
  // Tuesdays 10:00 Berlin: 08:00Z in summer time, 09:00Z after 25 Oct.
  assert.ok(got.includes("2026-10-20T08:00Z/2026-10-20T09:00Z"));
  assert.ok(got.includes("2026-11-03T09:00Z/2026-11-03T10:00Z"));
  assert.ok(!got.some((w) => w.startsWith("2026-11-24T09:00")), "EXDATE removes 24 Nov");
  assert.ok(!got.some((w) => w.startsWith("2026-12-01T09:00")), "the override replaces 1 Dec …");
  assert.ok(got.includes("2026-12-02T13:00Z/2026-12-02T14:00Z"), "… with Wednesday 14:00 Berlin");
  // All-day 26–27 Nov in the host's zone (Chicago, UTC−6).
  assert.ok(got.includes("2026-11-26T06:00Z/2026-11-28T06:00Z"));
  // A floating 09:00 read in the calendar's X-WR-TIMEZONE (Berlin), not the host's zone.
  assert.ok(got.includes("2026-11-30T08:00Z/2026-11-30T08:30Z"));
  // STATUS:CANCELLED and TRANSP:TRANSPARENT block nothing.
  assert.ok(!got.some((w) => w.startsWith("2026-12-03T15:00")));
  assert.ok(!got.some((w) => w.startsWith("2026-12-08T06:00")));
  assert.equal(r.windows.length, 18);
});

Deno.test("busyFromIcs: a Nextcloud export skips TRANSP:TRANSPARENT and expands DURATION with COUNT", () => {
  const r = busyFromIcs(fixture("nextcloud-export.ics"), opts());
  assert.deepEqual(list(r.windows), [
    "2026-11-23T13:30Z/2026-11-23T14:30Z",
    "2026-11-25T08:00Z/2026-11-25T08:45Z",
    "2026-11-26T08:00Z/2026-11-26T08:45Z",
    "2026-11-27T08:00Z/2026-11-27T08:45Z",
  ]);
});

Deno.test("busyFromIcs: an iCloud series in America/New_York keeps 09:00 local across the DST change and stops at UNTIL", () => {
  const r = busyFromIcs(fixture("icloud-export.ics"), opts());
  assert.deepEqual(list(r.windows), [
    "2026-10-30T13:00Z/2026-10-30T13:30Z", // EDT
    "2026-11-06T14:00Z/2026-11-06T14:30Z", // EST from 1 Nov
    "2026-11-13T14:00Z/2026-11-13T14:30Z",
    "2026-11-20T14:00Z/2026-11-20T14:30Z",
    "2026-11-27T14:00Z/2026-11-27T14:30Z", // 4 Dec 14:00Z is after UNTIL 13:59:59Z
    "2026-12-01T16:00Z/2026-12-01T17:00Z",
  ]);
});

Deno.test("busyFromIcs: an Outlook export maps Windows zone names (quoted or not), uses a customised VTIMEZONE and treats BUSYSTATUS:FREE as free", () => {
  const r = busyFromIcs(fixture("outlook-export.ics"), opts({ hostTimeZone: "Europe/Berlin" }));
  assert.deepEqual(r.skipped, []);
  assert.deepEqual(list(r.windows), [
    "2026-11-26T12:00Z/2026-11-26T13:30Z", // TZID="W. Europe Standard Time" 13:00
    "2026-11-30T14:00Z/2026-11-30T15:00Z", // "Customized Time Zone" (−05:00 in November) 09:00
    "2026-12-27T23:00Z/2026-12-30T23:00Z", // all-day OOF 28–30 Dec in Berlin; Christmas is TRANSPARENT
  ]);
});

Deno.test("busyFromIcs: a Mozilla-prefixed TZID resolves to its IANA zone", () => {
  const r = busyFromIcs(fixture("thunderbird-mozilla-tzid.ics"), opts());
  assert.deepEqual(list(r.windows), ["2026-12-02T21:00Z/2026-12-02T22:00Z"]);
});

Deno.test("busyFromIcs: an unknown TZID without VTIMEZONE counts as UTC and is logged once", () => {
  const warnings: string[] = [];
  const text = fixture("unknown-tzid.ics").replaceAll(
    "Mars/Olympus_Mons",
    "Mars/Olympus_Mons_Test",
  );
  const a = busyFromIcs(text, opts({ warn: (m) => warnings.push(m) }));
  busyFromIcs(text, opts({ warn: (m) => warnings.push(m) }));
  assert.deepEqual(list(a.windows), ["2026-12-03T10:00Z/2026-12-03T11:00Z"]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Mars\/Olympus_Mons_Test/);
});

Deno.test("busyFromIcs: one malformed event is skipped and reported, the rest of the file still blocks", () => {
  const r = busyFromIcs(fixture("malformed-event.ics"), opts());
  assert.deepEqual(list(r.windows), ["2026-12-02T10:00Z/2026-12-02T11:00Z"]);
  assert.deepEqual(r.skipped.map((s) => s.uid).sort(), [
    "backwards-0001@broken.example",
    "broken-0001@broken.example",
  ]);
  assert.ok(r.complete);
});

Deno.test("busyFromIcs: text that is not iCalendar is reported as skipped, never thrown", () => {
  const r = busyFromIcs("<html><body>Not a calendar</body></html>", opts());
  assert.deepEqual(r.windows, []);
  assert.equal(r.skipped.length, 1);
  assert.match(r.skipped[0].reason, /not valid iCalendar/);
});

Deno.test("busyFromIcs: expansion bombs (SECONDLY forever, a two-billion COUNT, impossible BYSETPOS rules) are stopped by the counted limits and skipped", () => {
  // Each is stopped by a count (occurrences in the window, steps of the walk), whatever the
  // machine's speed: the per-event time budget is far away here (opts), and has its own test
  // below. No wall-clock bound: on a loaded box the same 50,000 steps took 1.5-4.5 s.
  const expected: Record<string, RegExp> = {
    "bomb-secondly.ics": /more than 5000 occurrences in the sync window/,
    "bomb-huge-count.ics": /recurrence needs more than 50000 steps/,
  };
  for (const [name, reason] of Object.entries(expected)) {
    const r = busyFromIcs(fixture(name), opts());
    assert.ok(r.complete);
    // February 30th never happens; whatever else expands is skipped as a whole.
    assert.deepEqual(r.windows, [], name);
    assert.equal(r.skipped.length, 1, name);
    assert.match(r.skipped[0].reason, reason, name);
  }
  const setpos = busyFromIcs(fixture("bomb-bysetpos.ics"), opts());
  assert.ok(setpos.complete);
  // February 30th never happens, and the minutely BYSETPOS rule is skipped as a whole.
  assert.deepEqual(setpos.skipped.map((s) => s.uid), ["bomb-bysetpos-3@bomb.example"]);
  assert.match(setpos.skipped[0].reason, /recurrence needs more than 50000 steps/);
});

Deno.test("busyFromIcs: an event whose walk outlasts its time budget is skipped and the rest still blocks", () => {
  // Steps are not all equally dear (a BYSETPOS step can expand a whole set): the budget bounds
  // the time as well. With the steps' cap out of the way, only the budget can stop this one.
  const text = vcal(
    vevent(["UID:a@x", "DTSTART:20261102T100000Z", "DTEND:20261102T110000Z"]),
    vevent([
      "UID:forever@x",
      "DTSTART:20100101T000000Z",
      "DURATION:PT1M",
      "RRULE:FREQ=MINUTELY;COUNT=2000000000",
    ]),
  );
  const r = busyFromIcs(text, opts({ eventBudgetMs: 1, maxIterations: Number.MAX_SAFE_INTEGER }));
  assert.ok(r.complete);
  assert.deepEqual(list(r.windows), ["2026-11-02T10:00Z/2026-11-02T11:00Z"]);
  assert.deepEqual(r.skipped.map((s) => s.uid), ["forever@x"]);
  assert.match(r.skipped[0].reason, /recurrence took more than 1 ms/);
});

Deno.test("busyFromIcs: a weekly series whose walk was paused past the budget (a busy machine) still blocks its times; a walk over it twice is skipped", () => {
  // The process stops for 300 ms once, in the middle of the walk (the OS ran another process, a
  // collector paused): a full npm test saw a weekly series skipped as "took more than 250 ms".
  const text = vcal(
    vevent([
      "UID:weekly@x",
      "DTSTART:20261006T100000Z",
      "DURATION:PT1H",
      "RRULE:FREQ=WEEKLY;COUNT=8",
    ]),
  );
  const realNow = performance.now.bind(performance);
  let calls = 0;
  let pause = 0;
  performance.now = () => (++calls === 5 ? (pause = 300) : 0, realNow() + pause);
  try {
    const r = busyFromIcs(text, opts({ eventBudgetMs: 250 }));
    assert.deepEqual(r.skipped, []);
    assert.equal(r.windows.length, 8, list(r.windows).join(" ")); // 6 Oct … 24 Nov
  } finally {
    performance.now = realNow;
  }
  // Paused on every walk: not a pause but the event's own cost, and skipped.
  performance.now = () => realNow() + 300 * Math.floor(++calls / 4);
  try {
    const r = busyFromIcs(text, opts({ eventBudgetMs: 250 }));
    assert.deepEqual(r.skipped.map((s) => s.reason), ["recurrence took more than 250 ms"]);
    assert.deepEqual(r.windows, []);
  } finally {
    performance.now = realNow;
  }
});

Deno.test("busyFromIcs: a monthly 'fifth Monday' rule started in 1900 blocks its one date in the window, walked from near the window", () => {
  // It used to be walked month by month from 1900: on a quiet machine it finished inside the
  // event's time budget and blocked 30 November, on a busy one it was skipped as a bomb. Now it
  // starts near the window, so a few steps reach it.
  const r = busyFromIcs(fixture("bomb-bysetpos.ics"), opts({ maxIterations: 200 }));
  assert.deepEqual(list(r.windows), ["2026-11-30T09:00Z/2026-11-30T10:00Z"]);
  const yearly = vcal(vevent([
    "UID:yearly@x",
    "DTSTART:19010315T140000Z",
    "DURATION:PT1H",
    "RRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=11;BYDAY=-1FR",
  ]));
  // Every second year from 1901 (odd years): 2027 is in the rule, 2026 is not; the window ends 2027-02-01.
  assert.deepEqual(list(busyFromIcs(yearly, opts({ maxIterations: 200 })).windows), []);
  const odd = busyFromIcs(
    yearly,
    opts({
      fromMs: Date.parse("2027-10-01T00:00:00Z"),
      toMs: Date.parse("2028-01-01T00:00:00Z"),
      maxIterations: 200,
    }),
  );
  assert.deepEqual(list(odd.windows), ["2027-11-26T14:00Z/2027-11-26T15:00Z"]);
});

Deno.test("busyFromIcs: more than 5,000 occurrences of one event inside the window skip that event", () => {
  const text = vcal(
    vevent([
      "UID:every-15-min@x",
      "DTSTART:20261001T000000Z",
      "DURATION:PT5M",
      "RRULE:FREQ=MINUTELY;INTERVAL=15",
    ]),
  );
  const r = busyFromIcs(text, opts());
  assert.deepEqual(r.windows, []);
  assert.match(r.skipped[0].reason, /more than 5000 occurrences/);
});

Deno.test("busyFromIcs: a calendar-wide deadline stops parsing and marks the result incomplete", () => {
  const text = vcal(vevent(["UID:a@x", "DTSTART:20261101T100000Z", "DTEND:20261101T110000Z"]));
  const r = busyFromIcs(text, opts({ deadline: performance.now() - 1 }));
  assert.equal(r.complete, false);
});

Deno.test("busyFromIcs: a daily series started in 2012 is walked from near the window and keeps its local time", () => {
  const text = vcal(vevent([
    "UID:standup@x",
    "DTSTART;TZID=Europe/Berlin:20120102T091500",
    "DTEND;TZID=Europe/Berlin:20120102T093000",
    "RRULE:FREQ=DAILY;INTERVAL=2",
  ]));
  const started = performance.now();
  const r = busyFromIcs(
    text,
    opts({ fromMs: Date.parse("2026-11-23T00:00:00Z"), toMs: Date.parse("2026-11-30T00:00:00Z") }),
  );
  assert.ok(performance.now() - started < 200);
  // Every second day from 2 Jan 2012: 23 Nov 2026 is day 5439 (odd) → 24, 26, 28 Nov.
  assert.deepEqual(list(r.windows), [
    "2026-11-24T08:15Z/2026-11-24T08:30Z",
    "2026-11-26T08:15Z/2026-11-26T08:30Z",
    "2026-11-28T08:15Z/2026-11-28T08:30Z",
  ]);
});

Deno.test("busyFromIcs: a RECURRENCE-ID written in UTC still replaces its instance of a TZID series, and a cancelled override frees its slot", () => {
  const text = vcal(
    vevent([
      "UID:s@x",
      "DTSTART;TZID=Europe/Berlin:20261102T100000",
      "DTEND;TZID=Europe/Berlin:20261102T110000",
      "RRULE:FREQ=DAILY;COUNT=3",
    ]),
    vevent([
      "UID:s@x",
      "RECURRENCE-ID:20261103T090000Z",
      "DTSTART:20261103T150000Z",
      "DTEND:20261103T160000Z",
    ]),
    vevent([
      "UID:s@x",
      "RECURRENCE-ID;TZID=Europe/Berlin:20261104T100000",
      "DTSTART;TZID=Europe/Berlin:20261104T100000",
      "DTEND;TZID=Europe/Berlin:20261104T110000",
      "STATUS:CANCELLED",
    ]),
  );
  assert.deepEqual(list(busyFromIcs(text, opts()).windows), [
    "2026-11-02T09:00Z/2026-11-02T10:00Z",
    "2026-11-03T15:00Z/2026-11-03T16:00Z",
  ]);
});

Deno.test("busyFromIcs: an instance moved into the window from outside it blocks where it went", () => {
  const text = vcal(
    vevent([
      "UID:m@x",
      "DTSTART:20270301T100000Z",
      "DTEND:20270301T110000Z",
      "RRULE:FREQ=WEEKLY;COUNT=2",
    ]),
    vevent([
      "UID:m@x",
      "RECURRENCE-ID:20270308T100000Z",
      "DTSTART:20261210T100000Z",
      "DTEND:20261210T110000Z",
    ]),
  );
  assert.deepEqual(list(busyFromIcs(text, opts()).windows), [
    "2026-12-10T10:00Z/2026-12-10T11:00Z",
  ]);
});

Deno.test("busyFromIcs: an all-day event blocks its whole date in the host's zone, 23 hours on a spring-forward day", () => {
  const text = vcal(
    vevent(["UID:d@x", "DTSTART;VALUE=DATE:20270328", "DTEND;VALUE=DATE:20270329"]),
  );
  const r = busyFromIcs(
    text,
    opts({ hostTimeZone: "Europe/Berlin", toMs: Date.parse("2027-04-01T00:00:00Z") }),
  );
  assert.deepEqual(list(r.windows), ["2027-03-27T23:00Z/2027-03-28T22:00Z"]);
});

Deno.test("busyFromIcs: Invito's own written events (UID bookingId@host) are left out", () => {
  const text = vcal(
    vevent([
      "UID:01JDK3V3W5XQ7Y8Z9A0B1C2D3E@invito.test",
      "DTSTART:20261201T100000Z",
      "DTEND:20261201T110000Z",
    ]),
  );
  const own = (uid: string) => uid.endsWith("@invito.test");
  assert.deepEqual(busyFromIcs(text, opts({ isOwnUid: own })).windows, []);
  assert.equal(busyFromIcs(text, opts()).windows.length, 1);
});

Deno.test("busyFromIcs: windows are clipped to the requested range", () => {
  const text = vcal(vevent(["UID:long@x", "DTSTART:20250101T000000Z", "DTEND:20300101T000000Z"]));
  assert.deepEqual(busyFromIcs(text, opts()).windows, [{
    startMs: RANGE.fromMs,
    endMs: RANGE.toMs,
  }]);
});

/** A naive wall time (see tests/support/wall-clock.ts) as iCalendar writes it: 20260405T035000. */
const icsWall = (naiveMs: number) =>
  new Date(naiveMs).toISOString().slice(0, 19).replaceAll("-", "").replaceAll(":", "");

Deno.test("busyFromIcs: on Chatham's autumn morning an event at 03:50 blocks 03:50, whatever event of that hour was read before it", () => {
  // 2026-04-05 03:45 +13:45 → 02:45 +12:45: 02:45–03:45 happens twice, 03:50 once.
  const at = (uid: string, time: string) =>
    vevent([`UID:${uid}`, `DTSTART;TZID=Pacific/Chatham:20260405T${time}`, "DURATION:PT10M"]);
  const chatham = opts({
    hostTimeZone: "Pacific/Chatham",
    fromMs: Date.parse("2026-04-01T00:00:00Z"),
    toMs: Date.parse("2026-04-10T00:00:00Z"),
  });
  const expected = [
    "2026-04-04T13:30Z/2026-04-04T13:40Z", // 03:15 +13:45, the first of the two
    "2026-04-04T15:05Z/2026-04-04T15:15Z", // 03:50 +12:45
  ];
  assert.deepEqual(
    list(busyFromIcs(vcal(at("a", "031500"), at("b", "035000")), chatham).windows),
    expected,
  );
  assert.deepEqual(
    list(busyFromIcs(vcal(at("b", "035000"), at("a", "031500")), chatham).windows),
    expected,
  );
});

Deno.test("busyFromIcs: events at wall times around clock changes block the instant the zone's clock reads them (RFC 5545), in zones with odd changes, in any order", () => {
  const MIN = 60_000;
  const changes = new Map(
    ODD_ZONES.map((z) => [
      z,
      transitionsOf(z, Date.parse("2010-01-01T00:00:00Z"), Date.parse("2031-01-01T00:00:00Z")),
    ]),
  );
  // A wall time within 90 minutes of one of the two wall times at which the clock changes.
  const wallNear = (zone: string, change: number, after: boolean, minutes: number) =>
    change + offsetMinutesAt(after ? change : change - 1, zone) * MIN + minutes * MIN;
  fc.assert(
    fc.property(
      fc.constantFrom(...ODD_ZONES),
      fc.nat(),
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -90, max: 90 })), {
        minLength: 2,
        maxLength: 6,
      }),
      (zone, pick, times) => {
        const ofZone = changes.get(zone)!;
        const change = ofZone[pick % ofZone.length];
        const walls = times.map(([after, minutes]) => wallNear(zone, change, after, minutes));
        const text = vcal(
          ...walls.map((w, i) =>
            vevent([`UID:e${i}@x`, `DTSTART;TZID=${zone}:${icsWall(w)}`, "DURATION:PT5M"])
          ),
        );
        const r = busyFromIcs(
          text,
          opts({ hostTimeZone: zone, fromMs: change - 2 * 86_400_000, toMs: change + 86_400_000 }),
        );
        assert.deepEqual(
          r.windows.map((w) => new Date(w.startMs).toISOString()),
          walls.map((w) => new Date(wallClockMs(w, zone)).toISOString()),
          `${zone}: ${walls.map(icsWall).join(", ")}`,
        );
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("busyFromIcs: a daily or weekly series keeps its wall time across odd clock changes, walked from long before them", () => {
  const MIN = 60_000;
  const DAY = 86_400_000;
  const changes = new Map(
    ODD_ZONES.map((z) => [
      z,
      transitionsOf(z, Date.parse("2011-01-01T00:00:00Z"), Date.parse("2031-01-01T00:00:00Z")),
    ]),
  );
  fc.assert(
    fc.property(
      fc.constantFrom(...ODD_ZONES),
      fc.nat(),
      fc.constantFrom(["DAILY", 1], ["DAILY", 2], ["WEEKLY", 1]) as fc.Arbitrary<
        [string, number]
      >,
      fc.integer({ min: 3, max: 400 }), // days from the first date to the change
      fc.integer({ min: -180, max: 180 }), // its wall time, from the change's
      (zone, pick, [freq, interval], daysBefore, minutes) => {
        const ofZone = changes.get(zone)!;
        const change = ofZone[pick % ofZone.length];
        const first = change + offsetMinutesAt(change - 1, zone) * MIN + minutes * MIN -
          daysBefore * DAY;
        const text = vcal(vevent([
          "UID:r@x",
          `DTSTART;TZID=${zone}:${icsWall(first)}`,
          "DURATION:PT30M",
          `RRULE:FREQ=${freq};INTERVAL=${interval}`,
        ]));
        const fromMs = change - 3 * DAY;
        const toMs = change + 3 * DAY;
        const step = (freq === "WEEKLY" ? 7 : 1) * interval * DAY;
        const expected: string[] = [];
        for (let wall = first; wall < toMs + 2 * DAY; wall += step) {
          const startMs = wallClockMs(wall, zone);
          const endMs = startMs + 30 * MIN;
          if (startMs < toMs && endMs > fromMs) {
            expected.push(
              fmt({ startMs: Math.max(startMs, fromMs), endMs: Math.min(endMs, toMs) }),
            );
          }
        }
        const r = busyFromIcs(text, opts({ hostTimeZone: zone, fromMs, toMs }));
        assert.deepEqual(r.skipped, []);
        assert.deepEqual(list(r.windows), expected.sort(), `${zone} ${text}`);
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("ianaZoneFor: Windows names, quotes, Mozilla prefixes and IANA names; null for nonsense", () => {
  assert.equal(ianaZoneFor("W. Europe Standard Time"), "Europe/Berlin");
  assert.equal(ianaZoneFor('"Eastern Standard Time"'), "America/New_York");
  assert.equal(ianaZoneFor("/mozilla.org/20050126_1/America/New_York"), "America/New_York");
  assert.equal(ianaZoneFor("/softwarestudio.org/Olson_20011030_5/Europe/Paris"), "Europe/Paris");
  assert.equal(ianaZoneFor("europe/berlin"), "Europe/Berlin");
  assert.equal(ianaZoneFor("Z"), "UTC");
  assert.equal(ianaZoneFor("Customized Time Zone"), null);
  assert.equal(ianaZoneFor("Mars/Olympus_Mons"), null);
});

Deno.test("ianaZoneFor: every Windows zone Microsoft Graph may name resolves through CLDR, including ones a hand-kept table missed", () => {
  // Added to Windows/CLDR after the old hand-kept table was written.
  assert.equal(ianaZoneFor("Yukon Standard Time"), "America/Whitehorse");
  assert.equal(ianaZoneFor("Volgograd Standard Time"), "Europe/Volgograd");
  assert.equal(ianaZoneFor("South Sudan Standard Time"), "Africa/Juba");
  assert.equal(ianaZoneFor("w. europe standard time"), "Europe/Berlin");
  assert.equal(ianaZoneFor("Coordinated Universal Time"), "UTC");
});
