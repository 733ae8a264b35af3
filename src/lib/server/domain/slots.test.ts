import assert from "node:assert/strict";
import fc from "fast-check";
import { Temporal } from "./temporal.ts";
import {
  type DateOverride,
  defaultWeeklyRules,
  formatTimeOfDay,
  type TimeOff,
  type TimeRange,
  WEEKDAYS,
  type WeeklyRules,
} from "./availability.ts";
import { type Interval, overlaps } from "./interval.ts";
import {
  computeDayWindows,
  computeSlots,
  computeSlotStartsMs,
  firstDateWithHours,
  type Slot,
  type SlotQuery,
} from "./slots.ts";

const instant = (iso: string) => Temporal.Instant.from(iso);
const ms = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;
const starts = (slots: Slot[]) => slots.map((s) => s.start.toString());
const MINUTE = 60_000;

function everyDay(ranges: TimeRange[]): WeeklyRules {
  return { 1: ranges, 2: ranges, 3: ranges, 4: ranges, 5: ranges, 6: ranges, 7: ranges };
}

/** The host-zone date `date` from its first instant to the next date's first instant. */
function dayQuery(timeZone: string, date: string, overrides: Partial<SlotQuery>): SlotQuery {
  const day = Temporal.PlainDate.from(date);
  return {
    timeZone,
    weekly: defaultWeeklyRules(),
    from: day.toZonedDateTime({ timeZone }).toInstant(),
    until: day.add({ days: 1 }).toZonedDateTime({ timeZone }).toInstant(),
    durationMin: 60,
    busy: [],
    now: instant("2026-01-01T00:00:00Z"),
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// DST matrix: rules before and after 13:00, and one across the transition hour.

const around = [
  { start: "01:00", end: "04:00" },
  { start: "09:00", end: "10:00" },
  { start: "14:00", end: "15:00" },
];

const dstMatrix: {
  name: string;
  timeZone: string;
  date: string;
  durationMin: number;
  acrossMs: number; // real length of 01:00–04:00 that day
  expected: string[];
}[] = [
  {
    name: "Europe/Berlin spring forward (02:00 CET → 03:00 CEST)",
    timeZone: "Europe/Berlin",
    date: "2026-03-29",
    durationMin: 60,
    acrossMs: 2 * 60 * MINUTE,
    expected: [
      "2026-03-29T00:00:00Z", // 01:00 CET
      "2026-03-29T01:00:00Z", // 03:00 CEST (02:00 never happens)
      "2026-03-29T07:00:00Z", // 09:00 CEST
      "2026-03-29T12:00:00Z", // 14:00 CEST
    ],
  },
  {
    name: "Europe/Berlin fall back (03:00 CEST → 02:00 CET)",
    timeZone: "Europe/Berlin",
    date: "2026-10-25",
    durationMin: 60,
    acrossMs: 4 * 60 * MINUTE,
    expected: [
      "2026-10-24T23:00:00Z", // 01:00 CEST
      "2026-10-25T00:00:00Z", // 02:00 CEST
      "2026-10-25T01:00:00Z", // 02:00 CET (the repeated hour)
      "2026-10-25T02:00:00Z", // 03:00 CET
      "2026-10-25T08:00:00Z", // 09:00 CET
      "2026-10-25T13:00:00Z", // 14:00 CET
    ],
  },
  {
    name: "America/New_York spring forward (02:00 EST → 03:00 EDT)",
    timeZone: "America/New_York",
    date: "2026-03-08",
    durationMin: 60,
    acrossMs: 2 * 60 * MINUTE,
    expected: [
      "2026-03-08T06:00:00Z", // 01:00 EST
      "2026-03-08T07:00:00Z", // 03:00 EDT
      "2026-03-08T13:00:00Z", // 09:00 EDT
      "2026-03-08T18:00:00Z", // 14:00 EDT
    ],
  },
  {
    name: "America/New_York fall back (02:00 EDT → 01:00 EST)",
    timeZone: "America/New_York",
    date: "2026-11-01",
    durationMin: 60,
    acrossMs: 4 * 60 * MINUTE,
    expected: [
      "2026-11-01T05:00:00Z", // 01:00 EDT
      "2026-11-01T06:00:00Z", // 01:00 EST (the repeated hour)
      "2026-11-01T07:00:00Z", // 02:00 EST
      "2026-11-01T08:00:00Z", // 03:00 EST
      "2026-11-01T14:00:00Z", // 09:00 EST
      "2026-11-01T19:00:00Z", // 14:00 EST
    ],
  },
  {
    name: "Australia/Sydney fall back (03:00 AEDT → 02:00 AEST)",
    timeZone: "Australia/Sydney",
    date: "2026-04-05",
    durationMin: 60,
    acrossMs: 4 * 60 * MINUTE,
    expected: [
      "2026-04-04T14:00:00Z", // 01:00 AEDT
      "2026-04-04T15:00:00Z", // 02:00 AEDT
      "2026-04-04T16:00:00Z", // 02:00 AEST (the repeated hour)
      "2026-04-04T17:00:00Z", // 03:00 AEST
      "2026-04-04T23:00:00Z", // 09:00 AEST
      "2026-04-05T04:00:00Z", // 14:00 AEST
    ],
  },
  {
    name: "Australia/Sydney spring forward (02:00 AEST → 03:00 AEDT)",
    timeZone: "Australia/Sydney",
    date: "2026-10-04",
    durationMin: 60,
    acrossMs: 2 * 60 * MINUTE,
    expected: [
      "2026-10-03T15:00:00Z", // 01:00 AEST
      "2026-10-03T16:00:00Z", // 03:00 AEDT
      "2026-10-03T22:00:00Z", // 09:00 AEDT
      "2026-10-04T03:00:00Z", // 14:00 AEDT
    ],
  },
  {
    name: "Australia/Lord_Howe fall back by 30 minutes (02:00 +11 → 01:30 +10:30)",
    timeZone: "Australia/Lord_Howe",
    date: "2026-04-05",
    durationMin: 30,
    acrossMs: 3.5 * 60 * MINUTE,
    expected: [
      "2026-04-04T14:00:00Z", // 01:00 +11
      "2026-04-04T14:30:00Z", // 01:30 +11
      "2026-04-04T15:00:00Z", // 01:30 +10:30 (the repeated half hour)
      "2026-04-04T15:30:00Z", // 02:00 +10:30
      "2026-04-04T16:00:00Z",
      "2026-04-04T16:30:00Z",
      "2026-04-04T17:00:00Z", // 03:30 +10:30, ends 04:00
      "2026-04-04T22:30:00Z", // 09:00 +10:30
      "2026-04-04T23:00:00Z",
      "2026-04-05T03:30:00Z", // 14:00 +10:30
      "2026-04-05T04:00:00Z",
    ],
  },
  {
    name: "Australia/Lord_Howe spring forward by 30 minutes (02:00 +10:30 → 02:30 +11)",
    timeZone: "Australia/Lord_Howe",
    date: "2026-10-04",
    durationMin: 30,
    acrossMs: 2.5 * 60 * MINUTE,
    expected: [
      "2026-10-03T14:30:00Z", // 01:00 +10:30
      "2026-10-03T15:00:00Z", // 01:30 +10:30
      "2026-10-03T15:30:00Z", // 02:30 +11 (02:00–02:30 never happens)
      "2026-10-03T16:00:00Z",
      "2026-10-03T16:30:00Z", // 03:30 +11, ends 04:00
      "2026-10-03T22:00:00Z", // 09:00 +11
      "2026-10-03T22:30:00Z",
      "2026-10-04T03:00:00Z", // 14:00 +11
      "2026-10-04T03:30:00Z",
    ],
  },
];

for (const c of dstMatrix) {
  Deno.test(`computeSlots: ${c.name} gives exactly these instants, none lost or doubled`, () => {
    const slots = computeSlots(
      dayQuery(c.timeZone, c.date, { weekly: everyDay(around), durationMin: c.durationMin }),
    );
    assert.deepEqual(starts(slots), c.expected);
    for (const slot of slots) {
      assert.equal(
        slot.end.epochMilliseconds - slot.start.epochMilliseconds,
        c.durationMin * MINUTE,
      );
    }
  });

  Deno.test(`computeDayWindows: ${c.name}: 01:00–04:00 lasts the real elapsed time`, () => {
    const windows = computeDayWindows(
      { timeZone: c.timeZone, weekly: everyDay(around) },
      Temporal.PlainDate.from(c.date),
    );
    assert.equal(windows.length, 3);
    assert.equal(windows[0].endMs - windows[0].startMs, c.acrossMs);
    assert.equal(windows[1].endMs - windows[1].startMs, 60 * MINUTE);
    assert.equal(windows[2].endMs - windows[2].startMs, 60 * MINUTE);
  });
}

Deno.test("computeSlots: 01:00–03:00 on New York's fall-back day is three real hours", () => {
  const slots = computeSlots(
    dayQuery("America/New_York", "2026-11-01", {
      weekly: everyDay([{ start: "01:00", end: "03:00" }]),
      durationMin: 30,
    }),
  );
  assert.equal(slots.length, 6);
  assert.equal(slots[0].start.toString(), "2026-11-01T05:00:00Z");
  assert.equal(slots[5].end.toString(), "2026-11-01T08:00:00Z");
});

Deno.test("computeDayWindows: a range starting inside a spring-forward gap starts when the clock jumps", () => {
  const rules = {
    timeZone: "Europe/Berlin",
    weekly: everyDay([{ start: "02:30", end: "04:00" }, { start: "05:00", end: "06:00" }]),
  };
  const windows = computeDayWindows(rules, Temporal.PlainDate.from("2026-03-29"));
  assert.deepEqual(windows, [
    { startMs: ms("2026-03-29T01:00:00Z"), endMs: ms("2026-03-29T02:00:00Z") },
    { startMs: ms("2026-03-29T03:00:00Z"), endMs: ms("2026-03-29T04:00:00Z") },
  ]);
});

Deno.test("computeDayWindows: a range wholly inside a spring-forward gap has no window", () => {
  const rules = {
    timeZone: "Europe/Berlin",
    weekly: everyDay([{ start: "02:00", end: "03:00" }, { start: "02:15", end: "02:45" }]),
  };
  assert.deepEqual(computeDayWindows(rules, Temporal.PlainDate.from("2026-03-29")), []);
  const lordHowe = {
    timeZone: "Australia/Lord_Howe",
    weekly: everyDay([{ start: "02:00", end: "02:30" }, { start: "02:15", end: "03:00" }]),
  };
  assert.deepEqual(computeDayWindows(lordHowe, Temporal.PlainDate.from("2026-10-04")), [
    { startMs: ms("2026-10-03T15:30:00Z"), endMs: ms("2026-10-03T16:00:00Z") },
  ]);
});

Deno.test("computeDayWindows: 24:00 ends at the next date's first instant, also across a midnight DST change", () => {
  const lateEvening = everyDay([{ start: "22:00", end: "24:00" }]);
  // Ordinary day in Berlin.
  assert.deepEqual(
    computeDayWindows(
      { timeZone: "Europe/Berlin", weekly: lateEvening },
      Temporal.PlainDate.from("2026-06-10"),
    ),
    [{ startMs: ms("2026-06-10T20:00:00Z"), endMs: ms("2026-06-10T22:00:00Z") }],
  );
  // Santiago springs forward at 2026-09-06 00:00 → 01:00: the next date starts at 01:00 -03.
  assert.deepEqual(
    computeDayWindows(
      { timeZone: "America/Santiago", weekly: lateEvening },
      Temporal.PlainDate.from("2026-09-05"),
    ),
    [{ startMs: ms("2026-09-06T02:00:00Z"), endMs: ms("2026-09-06T04:00:00Z") }],
  );
  // Santiago falls back at 2026-04-05 00:00 → 2026-04-04 23:00: 22:00–24:00 is three real hours.
  assert.deepEqual(
    computeDayWindows(
      { timeZone: "America/Santiago", weekly: lateEvening },
      Temporal.PlainDate.from("2026-04-04"),
    ),
    [{ startMs: ms("2026-04-05T01:00:00Z"), endMs: ms("2026-04-05T04:00:00Z") }],
  );
  // And the date after the midnight gap begins at 01:00: 00:00 and 00:30 both map there.
  assert.deepEqual(
    computeDayWindows(
      {
        timeZone: "America/Santiago",
        weekly: everyDay([{ start: "00:00", end: "00:45" }, { start: "00:30", end: "02:00" }]),
      },
      Temporal.PlainDate.from("2026-09-06"),
    ),
    [{ startMs: ms("2026-09-06T04:00:00Z"), endMs: ms("2026-09-06T05:00:00Z") }],
  );
});

Deno.test("computeSlots: a guest's UTC day spans two host dates in Sydney", () => {
  const slots = computeSlots({
    timeZone: "Australia/Sydney",
    weekly: defaultWeeklyRules(), // Mon–Fri 09:00–17:00; 2026-06-01 is a Monday
    from: instant("2026-06-01T00:00:00Z"), // 10:00 AEST Monday
    until: instant("2026-06-02T00:00:00Z"), // 10:00 AEST Tuesday
    durationMin: 30,
    busy: [],
    now: instant("2026-05-01T00:00:00Z"),
  });
  assert.equal(slots.length, 16);
  assert.equal(slots[0].start.toString(), "2026-06-01T00:00:00Z");
  assert.equal(slots[13].start.toString(), "2026-06-01T06:30:00Z"); // 16:30 Monday
  assert.deepEqual(starts(slots.slice(14)), ["2026-06-01T23:00:00Z", "2026-06-01T23:30:00Z"]);
});

// ---------------------------------------------------------------------------------------------
// Rules, overrides, time off, booking window.

const berlinWeek = (overrides: Partial<SlotQuery> = {}): SlotQuery => ({
  timeZone: "Europe/Berlin",
  weekly: defaultWeeklyRules(),
  from: instant("2026-06-01T00:00:00Z"), // Monday
  until: instant("2026-06-08T00:00:00Z"),
  durationMin: 60,
  busy: [],
  now: instant("2026-05-01T00:00:00Z"),
  ...overrides,
});

const datesOf = (slots: Slot[], timeZone = "Europe/Berlin") => [
  ...new Set(slots.map((s) => s.start.toZonedDateTimeISO(timeZone).toPlainDate().toString())),
];

Deno.test("computeSlots: weekly rules give Mon–Fri 09:00–17:00 hourly slots in the host zone", () => {
  const slots = computeSlots(berlinWeek());
  assert.equal(slots.length, 5 * 8);
  assert.deepEqual(datesOf(slots), [
    "2026-06-01",
    "2026-06-02",
    "2026-06-03",
    "2026-06-04",
    "2026-06-05",
  ]);
  assert.equal(slots[0].start.toString(), "2026-06-01T07:00:00Z");
  assert.equal(slots[7].end.toString(), "2026-06-01T15:00:00Z");
});

Deno.test("computeSlots: an override replaces that date's weekly rules, weekend included", () => {
  const overrides: DateOverride[] = [
    { date: "2026-06-02", ranges: [{ start: "13:00", end: "15:00" }] },
    { date: "2026-06-06", ranges: [{ start: "10:00", end: "11:00" }] }, // Saturday
  ];
  const slots = computeSlots(berlinWeek({ overrides }));
  const tuesday = slots.filter((s) => s.start.toString().startsWith("2026-06-02"));
  assert.deepEqual(starts(tuesday), ["2026-06-02T11:00:00Z", "2026-06-02T12:00:00Z"]);
  const saturday = slots.filter((s) => s.start.toString().startsWith("2026-06-06"));
  assert.deepEqual(starts(saturday), ["2026-06-06T08:00:00Z"]);
  assert.equal(slots.length, 4 * 8 + 2 + 1);
});

Deno.test("computeSlots: an empty override makes the date unavailable", () => {
  const slots = computeSlots(berlinWeek({ overrides: [{ date: "2026-06-03", ranges: [] }] }));
  assert.deepEqual(datesOf(slots), ["2026-06-01", "2026-06-02", "2026-06-04", "2026-06-05"]);
});

Deno.test("computeSlots: time off blocks every date from its first to its last, inclusive", () => {
  const timeOff: TimeOff[] = [{ from: "2026-06-02", to: "2026-06-04", reason: "Conference" }];
  const slots = computeSlots(berlinWeek({ timeOff }));
  assert.deepEqual(datesOf(slots), ["2026-06-01", "2026-06-05"]);
});

Deno.test("computeSlots: time off wins over an override on the same date", () => {
  const slots = computeSlots(berlinWeek({
    timeOff: [{ from: "2026-06-06", to: "2026-06-06" }],
    overrides: [{ date: "2026-06-06", ranges: [{ start: "10:00", end: "12:00" }] }],
  }));
  assert.ok(!datesOf(slots).includes("2026-06-06"));
});

Deno.test("computeSlots: the horizon allows slots up to today + horizonDays in the host zone", () => {
  // now = Monday 2026-05-25 23:30 in Berlin: today is Monday, so Tuesday and Wednesday remain.
  const slots = computeSlots(berlinWeek({
    from: instant("2026-05-25T00:00:00Z"),
    now: instant("2026-05-25T21:30:00Z"),
    horizonDays: 2,
  }));
  assert.deepEqual(datesOf(slots), ["2026-05-26", "2026-05-27"]);
});

Deno.test("computeSlots: horizonDays 0 allows only today", () => {
  const slots = computeSlots(berlinWeek({ now: instant("2026-06-01T09:30:00Z"), horizonDays: 0 }));
  assert.deepEqual(datesOf(slots), ["2026-06-01"]);
  assert.equal(slots[0].start.toString(), "2026-06-01T10:00:00Z");
});

Deno.test("computeSlots: no slot starts before now + minimum notice", () => {
  const slots = computeSlots(
    berlinWeek({ now: instant("2026-06-01T08:10:00Z"), minNoticeMin: 120 }),
  );
  // 10:10 Berlin + 2 h = 12:10 local: first hourly start at or after it is 13:00 local.
  assert.equal(slots[0].start.toString(), "2026-06-01T11:00:00Z");
  const exact = computeSlots(
    berlinWeek({ now: instant("2026-06-01T08:00:00Z"), minNoticeMin: 60 }),
  );
  assert.equal(
    exact[0].start.toString(),
    "2026-06-01T09:00:00Z",
    "start == now + notice is allowed",
  );
});

Deno.test("computeSlots: without notice a slot may start exactly now but not before", () => {
  const slots = computeSlots(berlinWeek({ now: instant("2026-06-01T09:00:00Z") }));
  assert.equal(slots[0].start.toString(), "2026-06-01T09:00:00Z");
});

Deno.test("computeSlots: notSameDay removes the rest of today in the host zone", () => {
  const slots = computeSlots(
    berlinWeek({ now: instant("2026-06-01T06:00:00Z"), notSameDay: true }),
  );
  assert.equal(slots[0].start.toString(), "2026-06-02T07:00:00Z");
  assert.equal(slots.length, 4 * 8);
});

Deno.test("computeSlots: 45-minute meetings every 15 minutes fit inside the window", () => {
  const slots = computeSlots(dayQuery("Europe/Berlin", "2026-06-01", {
    weekly: everyDay([{ start: "09:00", end: "10:30" }]),
    durationMin: 45,
    intervalMin: 15,
  }));
  assert.deepEqual(starts(slots), [
    "2026-06-01T07:00:00Z",
    "2026-06-01T07:15:00Z",
    "2026-06-01T07:30:00Z",
    "2026-06-01T07:45:00Z",
  ]);
  assert.ok(
    slots.every((s) => s.end.epochMilliseconds - s.start.epochMilliseconds === 45 * MINUTE),
  );
});

Deno.test("computeSlots: an interval longer than the duration leaves gaps between slots", () => {
  const slots = computeSlots(dayQuery("Europe/Berlin", "2026-06-01", {
    weekly: everyDay([{ start: "09:00", end: "11:00" }]),
    durationMin: 20,
    intervalMin: 45,
  }));
  assert.deepEqual(starts(slots), [
    "2026-06-01T07:00:00Z",
    "2026-06-01T07:45:00Z",
    "2026-06-01T08:30:00Z",
  ]);
});

Deno.test("computeSlots: touching ranges form one window", () => {
  const slots = computeSlots(dayQuery("Europe/Berlin", "2026-06-01", {
    weekly: everyDay([{ start: "09:00", end: "10:00" }, { start: "10:00", end: "11:00" }]),
    durationMin: 90,
    intervalMin: 30,
  }));
  assert.deepEqual(starts(slots), ["2026-06-01T07:00:00Z", "2026-06-01T07:30:00Z"]);
});

Deno.test("computeSlots: busy time removes the slots it touches, and only those", () => {
  const slots = computeSlots(dayQuery("Europe/Berlin", "2026-06-01", {
    weekly: everyDay([{ start: "09:00", end: "13:00" }]),
    durationMin: 60,
    busy: [{ startMs: ms("2026-06-01T08:30:00Z"), endMs: ms("2026-06-01T09:00:00Z") }],
  }));
  assert.deepEqual(starts(slots), [
    "2026-06-01T07:00:00Z",
    "2026-06-01T09:00:00Z",
    "2026-06-01T10:00:00Z",
  ]);
});

Deno.test("computeSlots: one millisecond of overlap with busy time blocks a slot", () => {
  const q = (busy: Interval[]) =>
    starts(computeSlots(dayQuery("Europe/Berlin", "2026-06-01", {
      weekly: everyDay([{ start: "09:00", end: "11:00" }]),
      busy,
    })));
  const nine = ms("2026-06-01T07:00:00Z");
  const ten = ms("2026-06-01T08:00:00Z");
  assert.deepEqual(q([{ startMs: nine - 60 * MINUTE, endMs: nine + 1 }]), ["2026-06-01T08:00:00Z"]);
  assert.deepEqual(q([{ startMs: ten - 1, endMs: ten }]), ["2026-06-01T08:00:00Z"]);
  assert.deepEqual(q([{ startMs: nine - 60 * MINUTE, endMs: nine }]), [
    "2026-06-01T07:00:00Z",
    "2026-06-01T08:00:00Z",
  ]);
});

Deno.test("computeSlots: buffers keep [start − before, end + after) clear of busy time", () => {
  const busy = [{ startMs: ms("2026-06-01T09:00:00Z"), endMs: ms("2026-06-01T10:00:00Z") }];
  const base = {
    weekly: everyDay([{ start: "09:00", end: "15:00" }]), // 07:00Z–13:00Z
    durationMin: 60,
    intervalMin: 30,
    busy,
  };
  assert.deepEqual(starts(computeSlots(dayQuery("Europe/Berlin", "2026-06-01", base))), [
    "2026-06-01T07:00:00Z",
    "2026-06-01T07:30:00Z",
    "2026-06-01T08:00:00Z",
    "2026-06-01T10:00:00Z",
    "2026-06-01T10:30:00Z",
    "2026-06-01T11:00:00Z",
    "2026-06-01T11:30:00Z",
    "2026-06-01T12:00:00Z",
  ]);
  const buffered = computeSlots(
    dayQuery("Europe/Berlin", "2026-06-01", { ...base, bufferBeforeMin: 15, bufferAfterMin: 30 }),
  );
  assert.deepEqual(starts(buffered), [
    "2026-06-01T07:00:00Z",
    "2026-06-01T07:30:00Z", // ends 08:30, + 30 min after = 09:00: touches, allowed
    "2026-06-01T10:30:00Z", // 10:00 would put its 15-minute buffer at 09:45, inside busy
    "2026-06-01T11:00:00Z",
    "2026-06-01T11:30:00Z",
    "2026-06-01T12:00:00Z",
  ]);
});

Deno.test("computeSlots: buffers may reach outside the window, the meeting itself may not", () => {
  const slots = computeSlots(dayQuery("Europe/Berlin", "2026-06-01", {
    weekly: everyDay([{ start: "09:00", end: "10:00" }]),
    durationMin: 60,
    bufferBeforeMin: 30,
    bufferAfterMin: 30,
  }));
  assert.deepEqual(starts(slots), ["2026-06-01T07:00:00Z"]);
});

Deno.test("computeSlots: busy intervals in any order and overlapping each other are handled", () => {
  const busy = [
    { startMs: ms("2026-06-01T11:00:00Z"), endMs: ms("2026-06-01T12:00:00Z") },
    { startMs: ms("2026-06-01T07:00:00Z"), endMs: ms("2026-06-01T08:30:00Z") },
    { startMs: ms("2026-06-01T08:00:00Z"), endMs: ms("2026-06-01T08:45:00Z") },
    { startMs: ms("2026-06-01T13:00:00Z"), endMs: ms("2026-06-01T13:00:00Z") }, // empty
  ];
  const slots = computeSlots(
    dayQuery("Europe/Berlin", "2026-06-01", {
      weekly: everyDay([{ start: "09:00", end: "17:00" }]),
      busy,
    }),
  );
  assert.deepEqual(starts(slots), [
    "2026-06-01T09:00:00Z",
    "2026-06-01T10:00:00Z",
    "2026-06-01T12:00:00Z",
    "2026-06-01T13:00:00Z",
    "2026-06-01T14:00:00Z",
  ]);
});

Deno.test("computeSlots: only slots starting in [from, until) are returned", () => {
  const slots = computeSlots(berlinWeek({
    from: instant("2026-06-01T08:30:00Z"),
    until: instant("2026-06-01T11:00:00Z"),
  }));
  assert.deepEqual(starts(slots), ["2026-06-01T09:00:00Z", "2026-06-01T10:00:00Z"]);
  assert.deepEqual(
    computeSlots(
      berlinWeek({ from: instant("2026-06-02T00:00:00Z"), until: instant("2026-06-01T00:00:00Z") }),
    ),
    [],
  );
});

Deno.test("computeSlots: an invalid time zone throws RangeError", () => {
  assert.throws(() => computeSlots(berlinWeek({ timeZone: "Mars/Olympus_Mons" })), RangeError);
  assert.throws(
    () =>
      computeDayWindows(
        { timeZone: "Nope", weekly: defaultWeeklyRules() },
        Temporal.PlainDate.from("2026-06-01"),
      ),
    RangeError,
  );
});

Deno.test("computeSlots: a zero duration or interval is refused as a bug", () => {
  assert.throws(() => computeSlots(berlinWeek({ durationMin: 0 })), RangeError);
  assert.throws(() => computeSlots(berlinWeek({ intervalMin: -5 })), RangeError);
  assert.throws(() => computeSlots(berlinWeek({ bufferAfterMin: Number.NaN })), RangeError);
  assert.throws(() => computeSlots(berlinWeek({ intervalMin: 1e-9 })), RangeError, "rounds to 0");
});

Deno.test("computeSlots: 30 days with 1,000 busy intervals agree with a brute-force check", () => {
  const from = instant("2026-03-16T00:00:00Z");
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const busy = Array.from({ length: 1000 }, () => {
    const startMs = from.epochMilliseconds + Math.floor(random() * 30 * 24 * 60) * MINUTE;
    return { startMs, endMs: startMs + (15 + Math.floor(random() * 60)) * MINUTE };
  });
  const q: SlotQuery = {
    ...berlinWeek(),
    from,
    until: from.add({ hours: 30 * 24 }),
    durationMin: 30,
    bufferBeforeMin: 5,
    busy,
    now: from,
  };
  const slots = computeSlots(q);
  assert.ok(slots.length > 50, `only ${slots.length} slots: the check would prove little`);
  assert.deepEqual(starts(slots), starts(referenceSlots(q)));
});

// ---------------------------------------------------------------------------------------------
// Properties.

/** Slow and obvious: every date, every grid start, every busy interval, with Temporal. */
function referenceSlots(q: SlotQuery): Slot[] {
  const zone = q.timeZone;
  const toDate = (i: Temporal.Instant) => i.toZonedDateTimeISO(zone).toPlainDate();
  const today = toDate(q.now);
  const step = (q.intervalMin ?? q.durationMin) * MINUTE;
  const out: Slot[] = [];
  for (
    let date = toDate(q.from).subtract({ days: 1 });
    Temporal.PlainDate.compare(date, toDate(q.until).add({ days: 1 })) <= 0;
    date = date.add({ days: 1 })
  ) {
    if (q.notSameDay && Temporal.PlainDate.compare(date, today) <= 0) continue;
    if (
      q.horizonDays !== undefined &&
      Temporal.PlainDate.compare(date, today.add({ days: q.horizonDays })) > 0
    ) continue;
    for (const w of computeDayWindows(q, date)) {
      for (let s = w.startMs; s + q.durationMin * MINUTE <= w.endMs; s += step) {
        if (s < q.from.epochMilliseconds || s >= q.until.epochMilliseconds) continue;
        if (s < q.now.epochMilliseconds + (q.minNoticeMin ?? 0) * MINUTE) continue;
        const probe = {
          startMs: s - (q.bufferBeforeMin ?? 0) * MINUTE,
          endMs: s + (q.durationMin + (q.bufferAfterMin ?? 0)) * MINUTE,
        };
        if (q.busy.some((b) => overlaps(b, probe))) continue;
        out.push({
          start: Temporal.Instant.fromEpochMilliseconds(s),
          end: Temporal.Instant.fromEpochMilliseconds(s + q.durationMin * MINUTE),
        });
      }
    }
  }
  return out;
}

const zones = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "America/Santiago",
  "Asia/Kolkata",
];

/** Non-overlapping ranges on a 15-minute grid (pairs of distinct sorted boundaries). */
const arbRanges: fc.Arbitrary<TimeRange[]> = fc.oneof(
  { arbitrary: fc.constant<TimeRange[]>([]), weight: 1 },
  {
    arbitrary: fc
      .uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 2, maxLength: 6 })
      .map((points) => {
        const sorted = [...points].sort((a, b) => a - b);
        const ranges: TimeRange[] = [];
        for (let i = 0; i + 1 < sorted.length; i += 2) {
          ranges.push({
            start: formatTimeOfDay(sorted[i] * 15),
            end: formatTimeOfDay(sorted[i + 1] * 15),
          });
        }
        return ranges;
      }),
    weight: 4,
  },
);

const arbWeekly: fc.Arbitrary<WeeklyRules> = fc
  .tuple(arbRanges, arbRanges, arbRanges, arbRanges, arbRanges, arbRanges, arbRanges)
  .map((days) => Object.fromEntries(WEEKDAYS.map((d) => [d, days[d - 1]])) as WeeklyRules);

// A zone and an instant: anywhere in 2026-03-01 … 2026-11-20, or shortly before a DST change of
// that zone, so that queries often cross one.
const dstChanges: [string, string][] = [
  ["America/New_York", "2026-03-08T07:00:00Z"],
  ["Europe/Berlin", "2026-03-29T01:00:00Z"],
  ["Australia/Lord_Howe", "2026-04-04T15:00:00Z"],
  ["Australia/Sydney", "2026-04-04T16:00:00Z"],
  ["America/Santiago", "2026-04-05T03:00:00Z"], // at midnight
  ["America/Santiago", "2026-09-06T04:00:00Z"], // at midnight
  ["Australia/Lord_Howe", "2026-10-03T15:30:00Z"],
  ["Australia/Sydney", "2026-10-03T16:00:00Z"],
  ["Europe/Berlin", "2026-10-25T01:00:00Z"],
  ["America/New_York", "2026-11-01T06:00:00Z"],
];
const arbZoneAndFrom: fc.Arbitrary<[string, number]> = fc.oneof(
  fc.tuple(
    fc.constantFrom(...zones),
    fc.integer({ min: 0, max: 264 * 24 * 4 })
      .map((quarterHours) => ms("2026-03-01T00:00:00Z") + quarterHours * 15 * MINUTE),
  ),
  fc.tuple(fc.constantFrom(...dstChanges), fc.integer({ min: -72 * 4, max: 12 * 4 }))
    .map(([[zone, change], quarterHours]): [string, number] => [
      zone,
      ms(change) + quarterHours * 15 * MINUTE,
    ]),
);

/** Busy intervals placed by fractions of the query's span, so they land where slots are. */
const arbBusyShape = (minLength: number) =>
  fc.array(
    fc.record({
      at: fc.double({ min: -0.05, max: 1.05, noNaN: true }),
      lengthMin: fc.integer({ min: 0, max: 480 }),
    }),
    { minLength, maxLength: 30 },
  );

function placeBusy(
  shape: { at: number; lengthMin: number }[],
  fromMs: number,
  untilMs: number,
): Interval[] {
  return shape.map(({ at, lengthMin }) => {
    const startMs = fromMs + Math.round((at * (untilMs - fromMs)) / MINUTE) * MINUTE;
    return { startMs, endMs: startMs + lengthMin * MINUTE };
  });
}

const arbQuery: fc.Arbitrary<SlotQuery> = fc
  .record({
    zoneAndFrom: arbZoneAndFrom,
    weekly: arbWeekly,
    spanHours: fc.integer({ min: 1, max: 6 * 24 }),
    nowOffsetHours: fc.integer({ min: -36, max: 12 }),
    durationMin: fc.constantFrom(15, 20, 30, 45, 60, 90),
    intervalMin: fc.option(fc.constantFrom(5, 10, 15, 30, 60), { nil: undefined }),
    bufferBeforeMin: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    bufferAfterMin: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    minNoticeMin: fc.option(fc.integer({ min: 0, max: 6 * 60 }), { nil: undefined }),
    notSameDay: fc.option(fc.boolean(), { nil: undefined }),
    horizonDays: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    overrideDays: fc.array(fc.tuple(fc.integer({ min: -1, max: 7 }), arbRanges), {
      maxLength: 2,
    }),
    timeOffDays: fc.option(
      fc.tuple(fc.integer({ min: -1, max: 7 }), fc.integer({ min: 0, max: 2 })),
      { nil: undefined },
    ),
    busy: arbBusyShape(0),
  })
  .map((r): SlotQuery => {
    const [timeZone, fromMs] = r.zoneAndFrom;
    const from = Temporal.Instant.fromEpochMilliseconds(fromMs);
    const until = from.add({ hours: r.spanHours });
    const fromDate = from.toZonedDateTimeISO(timeZone).toPlainDate();
    const isoDay = (n: number) => fromDate.add({ days: n }).toString();
    return {
      timeZone,
      weekly: r.weekly,
      overrides: r.overrideDays.map(([n, ranges]) => ({ date: isoDay(n), ranges })),
      timeOff: r.timeOffDays === undefined
        ? undefined
        : [{ from: isoDay(r.timeOffDays[0]), to: isoDay(r.timeOffDays[0] + r.timeOffDays[1]) }],
      from,
      until,
      durationMin: r.durationMin,
      intervalMin: r.intervalMin,
      bufferBeforeMin: r.bufferBeforeMin,
      bufferAfterMin: r.bufferAfterMin,
      busy: placeBusy(r.busy, fromMs, until.epochMilliseconds),
      now: from.add({ hours: r.nowOffsetHours }),
      minNoticeMin: r.minNoticeMin,
      notSameDay: r.notSameDay,
      horizonDays: r.horizonDays,
    };
  });

const RUNS = { numRuns: 150 };

Deno.test("property: computeSlots (and the month's computeSlotStartsMs) equal a brute-force reference on random rules, zones and busy time", () => {
  fc.assert(
    fc.property(arbQuery, (q) => {
      const reference = referenceSlots(q);
      assert.deepEqual(starts(computeSlots(q)), starts(reference));
      assert.deepEqual(computeSlotStartsMs(q), reference.map((s) => s.start.epochMilliseconds));
    }),
    RUNS,
  );
});

Deno.test("property: no slot, buffers included, intersects busy time", () => {
  fc.assert(
    fc.property(arbQuery, (q) => {
      for (const slot of computeSlots(q)) {
        const probe = {
          startMs: slot.start.epochMilliseconds - (q.bufferBeforeMin ?? 0) * MINUTE,
          endMs: slot.end.epochMilliseconds + (q.bufferAfterMin ?? 0) * MINUTE,
        };
        assert.equal(
          slot.end.epochMilliseconds - slot.start.epochMilliseconds,
          q.durationMin * MINUTE,
        );
        for (const b of q.busy) assert.ok(!overlaps(b, probe), `${slot.start} hits busy`);
      }
    }),
    RUNS,
  );
});

Deno.test("property: adding busy time never adds slots", () => {
  fc.assert(
    fc.property(arbQuery, arbBusyShape(1), (q, extra) => {
      const before = new Set(starts(computeSlots(q)));
      const more = placeBusy(extra, q.from.epochMilliseconds, q.until.epochMilliseconds);
      const after = computeSlots({ ...q, busy: [...q.busy, ...more] });
      for (const s of starts(after)) assert.ok(before.has(s), `${s} appeared`);
    }),
    RUNS,
  );
});

Deno.test("property: the order of busy intervals does not matter", () => {
  fc.assert(
    fc.property(
      arbQuery.chain((q) =>
        fc.tuple(
          fc.constant(q),
          fc.shuffledSubarray([...q.busy], { minLength: q.busy.length, maxLength: q.busy.length }),
        )
      ),
      ([q, shuffled]) => {
        assert.deepEqual(starts(computeSlots({ ...q, busy: shuffled })), starts(computeSlots(q)));
      },
    ),
    RUNS,
  );
});

Deno.test("property: every slot lies inside a window of its host-zone date", () => {
  fc.assert(
    fc.property(arbQuery, (q) => {
      const windowsOn = new Map<string, Interval[]>();
      for (const slot of computeSlots(q)) {
        const date = slot.start.toZonedDateTimeISO(q.timeZone).toPlainDate();
        const key = date.toString();
        if (!windowsOn.has(key)) windowsOn.set(key, computeDayWindows(q, date));
        const windows = windowsOn.get(key)!;
        assert.ok(
          windows.some((w) =>
            w.startMs <= slot.start.epochMilliseconds && slot.end.epochMilliseconds <= w.endMs
          ),
          `${slot.start} outside ${date}'s windows`,
        );
      }
    }),
    RUNS,
  );
});

Deno.test("property: slots are sorted by start, unique, and start in [from, until)", () => {
  fc.assert(
    fc.property(arbQuery, (q) => {
      const slots = computeSlots(q);
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i].start.epochMilliseconds;
        assert.ok(s >= q.from.epochMilliseconds && s < q.until.epochMilliseconds);
        if (i > 0) assert.ok(slots[i - 1].start.epochMilliseconds < s, "sorted and unique");
      }
    }),
    RUNS,
  );
});

Deno.test("property: day windows are sorted, disjoint and lie within their date", () => {
  fc.assert(
    fc.property(arbZoneAndFrom, arbWeekly, ([timeZone, atMs], weekly) => {
      const date = Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(timeZone)
        .toPlainDate();
      const windows = computeDayWindows({ timeZone, weekly }, date);
      const dayStart = date.toZonedDateTime({ timeZone }).epochMilliseconds;
      const dayEnd = date.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds;
      for (let i = 0; i < windows.length; i++) {
        assert.ok(windows[i].startMs < windows[i].endMs);
        assert.ok(dayStart <= windows[i].startMs && windows[i].endMs <= dayEnd);
        if (i > 0) assert.ok(windows[i - 1].endMs < windows[i].startMs);
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("firstDateWithHours: today while hours are left, else the next date with hours", () => {
  // defaultWeeklyRules: Monday to Friday. 2026-11-21 is a Saturday (Berlin).
  const q = { timeZone: "Europe/Berlin", weekly: defaultWeeklyRules() };
  const sat = Temporal.PlainDate.from("2026-11-21");
  const at = (iso: string) => ms(iso);
  assert.equal(firstDateWithHours(q, sat, at("2026-11-21T10:00:00Z"))?.toString(), "2026-11-23");
  // A Monday with hours ahead opens on itself; late in the evening, on Tuesday.
  const mon = Temporal.PlainDate.from("2026-11-23");
  assert.equal(firstDateWithHours(q, mon, at("2026-11-23T07:00:00Z"))?.toString(), "2026-11-23");
  assert.equal(firstDateWithHours(q, mon, at("2026-11-23T21:00:00Z"))?.toString(), "2026-11-24");
  // Time off is no day with hours; nothing within reach gives null.
  const off: TimeOff[] = [{ from: "2026-11-23", to: "2026-11-27" }];
  assert.equal(
    firstDateWithHours({ ...q, timeOff: off }, sat, at("2026-11-21T10:00:00Z"))?.toString(),
    "2026-11-30",
  );
  assert.equal(firstDateWithHours({ ...q, weekly: everyDay([]) }, sat, 0, 30), null);
});
