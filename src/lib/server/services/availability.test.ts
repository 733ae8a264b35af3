import assert from "node:assert/strict";
import {
  computeAvailabilityPreview,
  getAvailabilityPreview,
  getAvailabilityRules,
  getWeeklyAvailability,
  saveOverrides,
  saveTimeOff,
  saveWeeklyAvailability,
} from "./availability.ts";
import { createHost, memoryApp, WORKDAYS } from "../../../../tests/support/memory-app.ts";
import {
  applyOverridesIntent,
  applyTimeOffIntent,
  applyWeeklyIntent,
  draftFromWeekly,
  draftsFromOverrides,
  MAX_TIME_OFF,
  overridesFromDrafts,
  parseOverridesForm,
  parseTimeOffForm,
  parseWeeklyForm,
  suggestNextRange,
  summarizeWeekly,
  timeOffFromDrafts,
  weeklyFromDraft,
  type WeeklyValues,
} from "../../shared/forms/availability.ts";

const week = (over: Partial<WeeklyValues>): WeeklyValues => ({
  1: [],
  2: [],
  3: [],
  4: [],
  5: [],
  6: [],
  7: [],
  ...over,
});
const form = (fields: Record<string, string>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
};

Deno.test("saveWeeklyAvailability: valid ranges are saved sorted by start", async () => {
  const app = await memoryApp();
  const host = await createHost(app);
  const res = await saveWeeklyAvailability(
    app,
    host,
    week({ 1: [{ start: "13:00", end: "17:00" }, { start: "09:00", end: "12:00" }] }),
  );
  assert.deepEqual(res, { ok: true });
  const { weekly } = await getWeeklyAvailability(app, host);
  assert.deepEqual(weekly[1], [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "17:00" }]);
  assert.deepEqual(weekly[2], []);
  app.close();
});

Deno.test("saveWeeklyAvailability: overlapping, empty or reversed ranges are refused per weekday and nothing is saved", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { weekly: WORKDAYS });
  const res = await saveWeeklyAvailability(
    app,
    host,
    week({
      1: [{ start: "09:00", end: "12:00" }, { start: "11:00", end: "13:00" }],
      2: [{ start: "10:00", end: "10:00" }],
      3: [{ start: "17:00", end: "09:00" }],
      4: [{ start: "09:00", end: "17:00" }],
    }),
  );
  assert.ok(!res.ok);
  assert.deepEqual(res.errors, {
    1: ["09:00–12:00 overlaps 11:00–13:00"],
    2: ["10:00–10:00 is empty"],
    3: ["17:00–09:00 ends before it starts"],
  });
  assert.deepEqual((await getWeeklyAvailability(app, host)).weekly, WORKDAYS);
  app.close();
});

Deno.test("getWeeklyAvailability: a host who never saved gets Mon–Fri 09:00–17:00", async () => {
  const app = await memoryApp();
  const host = await createHost(app);
  assert.deepEqual(summarizeWeekly((await getWeeklyAvailability(app, host)).weekly, "en"), [
    { days: "Mon–Fri", hours: "09:00–17:00" },
    { days: "Sat, Sun", hours: null },
  ]);
  app.close();
});

Deno.test("weekly form: fields d{day}_start_{i} / d{day}_end_{i} become ranges in index order; unticked days are off", () => {
  const { draft, intent } = parseWeeklyForm(form({
    d1_on: "on",
    d1_start_1: "13:00",
    d1_end_1: "17:00",
    d1_start_0: "09:00",
    d1_end_0: "12:00",
    d2_start_0: "09:00",
    d2_end_0: "17:00",
    intent: "save",
  }));
  assert.deepEqual(intent, { kind: "save" });
  assert.deepEqual(draft[1], {
    on: true,
    ranges: [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "17:00" }],
  });
  assert.deepEqual(weeklyFromDraft(draft)[2], []);
});

Deno.test("weekly form: a day ticked without rows (no JavaScript) gets 09:00–17:00; blank rows are dropped", () => {
  const { draft } = parseWeeklyForm(
    form({ d6_on: "on", d3_on: "on", d3_start_0: "", d3_end_0: "" }),
  );
  assert.deepEqual(draft[6].ranges, [{ start: "09:00", end: "17:00" }]);
  assert.deepEqual(draft[3].ranges, [{ start: "09:00", end: "17:00" }]);
});

Deno.test("weekly form: add, remove and copy Monday edit the draft without saving", () => {
  const base = draftFromWeekly(week({ 1: [{ start: "09:00", end: "12:00" }] }));
  const added = applyWeeklyIntent(base, parseWeeklyForm(form({ intent: "add:1" })).intent);
  assert.deepEqual(added[1].ranges, [{ start: "09:00", end: "12:00" }, {
    start: "13:00",
    end: "14:00",
  }]);
  const offAdded = applyWeeklyIntent(base, { kind: "add", day: 6 });
  assert.deepEqual(offAdded[6], { on: true, ranges: [{ start: "09:00", end: "17:00" }] });
  const removed = applyWeeklyIntent(added, parseWeeklyForm(form({ intent: "remove:1:0" })).intent);
  assert.deepEqual(removed[1].ranges, [{ start: "13:00", end: "14:00" }]);
  const emptied = applyWeeklyIntent(removed, { kind: "remove", day: 1, index: 0 });
  assert.deepEqual(emptied[1], { on: false, ranges: [] });
  const copied = applyWeeklyIntent(added, parseWeeklyForm(form({ intent: "copy_monday" })).intent);
  for (const d of [2, 3, 4, 5] as const) assert.deepEqual(copied[d], added[1]);
  assert.deepEqual(copied[6], added[6]);
  assert.deepEqual(
    base[1].ranges,
    [{ start: "09:00", end: "12:00" }],
    "the input draft is not mutated",
  );
});

Deno.test("weekly form: unknown intents mean save; out-of-range weekdays and indexes are ignored", () => {
  const { draft, intent } = parseWeeklyForm(
    form({ intent: "drop-tables", d8_start_0: "09:00", d1_start_999: "09:00" }),
  );
  assert.deepEqual(intent, { kind: "save" });
  assert.deepEqual(weeklyFromDraft(draft), week({}));
});

Deno.test("suggestNextRange: an hour after the last range, squeezed near midnight, 09:00–17:00 for an empty day", () => {
  assert.deepEqual(suggestNextRange([]), { start: "09:00", end: "17:00" });
  assert.deepEqual(suggestNextRange([{ start: "09:00", end: "17:00" }]), {
    start: "18:00",
    end: "19:00",
  });
  assert.deepEqual(suggestNextRange([{ start: "20:00", end: "23:00" }]), {
    start: "23:00",
    end: "24:00",
  });
});

Deno.test("summarizeWeekly: days with equal hours share a line, in weekday order, named in the reader's language", () => {
  const workday = [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "17:00" }];
  assert.deepEqual(
    summarizeWeekly(
      week({
        1: workday,
        2: workday,
        3: workday,
        5: workday,
        6: [{ start: "10:00", end: "14:00" }],
      }),
      "en",
    ),
    [
      { days: "Mon–Wed, Fri", hours: "09:00–12:00, 13:00–17:00" },
      { days: "Thu, Sun", hours: null },
      { days: "Sat", hours: "10:00–14:00" },
    ],
  );
  assert.deepEqual(summarizeWeekly(week({ 1: workday, 2: workday, 3: workday }), "de")[0], {
    days: "Mo–Mi",
    hours: "09:00–12:00, 13:00–17:00",
  });
});

// ---------------------------------------------------------------------------------------------
// Date overrides and time off. The memory app's clock reads Friday 2026-11-20 08:00 UTC
// (09:00 in Berlin, the host's zone).

const h = (start: string, end: string) => ({ start, end });

Deno.test("saveOverrides: dates get their own hours or none, saved sorted, leaving weekly hours and time off alone", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { weekly: WORKDAYS });
  assert.ok((await saveTimeOff(app, host, [{ from: "2026-12-24", to: "2026-12-31" }])).ok);
  app.clock.ms += 60_000;
  const res = await saveOverrides(app, host, [
    { date: "2026-12-05", ranges: [h("14:00", "16:00"), h("10:00", "12:00")] },
    { date: "2026-11-20", ranges: [] },
  ]);
  assert.deepEqual(res, { ok: true });
  const saved = await getAvailabilityRules(app, host);
  assert.deepEqual(saved.overrides, [
    { date: "2026-11-20", ranges: [] },
    { date: "2026-12-05", ranges: [h("10:00", "12:00"), h("14:00", "16:00")] },
  ]);
  assert.deepEqual(saved.weekly, WORKDAYS);
  assert.deepEqual(saved.timeOff, [{ from: "2026-12-24", to: "2026-12-31" }]);
  assert.equal(saved.updatedAtMs, app.clock.ms);
  app.close();
});

Deno.test("saveOverrides: two overrides for one date, bad ranges or a missing date are refused per row and nothing changes", async () => {
  const app = await memoryApp();
  const host = await createHost(app);
  assert.ok((await saveOverrides(app, host, [{ date: "2026-12-01", ranges: [] }])).ok);
  const before = await getAvailabilityRules(app, host);
  app.clock.ms += 60_000;
  const res = await saveOverrides(app, host, [
    { date: "2026-12-07", ranges: [h("09:00", "12:00")] },
    { date: "2026-12-08", ranges: [h("09:00", "12:00"), h("11:00", "13:00")] },
    { date: "2026-12-07", ranges: [] },
    { date: "", ranges: [] },
    { date: "2026-02-30", ranges: [h("17:00", "09:00")] },
  ]);
  assert.ok(!res.ok);
  assert.deepEqual(res.errors, {
    1: { ranges: ["09:00–12:00 overlaps 11:00–13:00"] },
    2: { date: "Overlapping overrides: Monday 7 December is already listed above; keep one" },
    3: { date: "Choose a date" },
    4: { date: "Enter the date as YYYY-MM-DD", ranges: ["17:00–09:00 ends before it starts"] },
  });
  assert.deepEqual(await getAvailabilityRules(app, host), before);
  app.close();
});

Deno.test("saveOverrides: past dates can be kept or removed but not added or changed; dates over two years ahead are refused", async () => {
  const app = await memoryApp({ nowIso: "2026-11-01T10:00:00Z" });
  const host = await createHost(app);
  assert.ok(
    (await saveOverrides(app, host, [
      { date: "2026-11-10", ranges: [h("10:00", "12:00")] },
      { date: "2026-11-11", ranges: [] },
    ])).ok,
  );
  app.clock.ms = Date.parse("2026-11-20T08:00:00Z");
  // Kept as they are alongside a new future date: fine.
  assert.ok(
    (await saveOverrides(app, host, [
      { date: "2026-11-10", ranges: [h("10:00", "12:00")] },
      { date: "2026-11-11", ranges: [] },
      { date: "2026-11-20", ranges: [] },
    ])).ok,
  );
  const res = await saveOverrides(app, host, [
    { date: "2026-11-10", ranges: [h("10:00", "13:00")] },
    { date: "2026-11-19", ranges: [] },
    { date: "2028-11-21", ranges: [] },
    { date: "2020-01-01", ranges: [] },
  ]);
  assert.ok(!res.ok);
  assert.deepEqual(res.errors, {
    0: {
      date: "Tuesday 10 November is in the past: past dates can be removed, not added or changed",
    },
    1: {
      date: "Thursday 19 November is in the past: past dates can be removed, not added or changed",
    },
    2: { date: "Choose a date within the next 2 years" },
    // Another year's date says its year.
    3: {
      date:
        "Wednesday, 1 January 2020 is in the past: past dates can be removed, not added or changed",
    },
  });
  // Removing a past date is fine.
  assert.ok((await saveOverrides(app, host, [{ date: "2026-11-11", ranges: [] }])).ok);
  assert.deepEqual((await getAvailabilityRules(app, host)).overrides, [{
    date: "2026-11-11",
    ranges: [],
  }]);
  app.close();
});

Deno.test("saveOverrides: 'today' is the host's date, not UTC's", async () => {
  // 23:30 UTC on the 19th is already the 20th in Berlin, still the 19th in New York.
  const app = await memoryApp({ nowIso: "2026-11-19T23:30:00Z" });
  const berlin = await createHost(app, { username: "berlin", timeZone: "Europe/Berlin" });
  const ny = await createHost(app, { username: "ny", timeZone: "America/New_York" });
  assert.ok(!(await saveOverrides(app, berlin, [{ date: "2026-11-19", ranges: [] }])).ok);
  assert.ok((await saveOverrides(app, ny, [{ date: "2026-11-19", ranges: [] }])).ok);
  app.close();
});

Deno.test("saveTimeOff: one entry covers a range of dates; entries are saved sorted, weekly hours and overrides untouched", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { weekly: WORKDAYS });
  assert.ok(
    (await saveOverrides(app, host, [{ date: "2026-12-05", ranges: [h("10:00", "12:00")] }])).ok,
  );
  const res = await saveTimeOff(app, host, [
    { from: "2027-01-04", to: "2027-01-24", reason: "  Skiing " },
    { from: "2026-12-24", to: "2026-12-24" },
  ]);
  assert.deepEqual(res, { ok: true });
  const saved = await getAvailabilityRules(app, host);
  assert.deepEqual(saved.timeOff, [
    { from: "2026-12-24", to: "2026-12-24" },
    { from: "2027-01-04", to: "2027-01-24", reason: "Skiing" },
  ]);
  assert.deepEqual(saved.overrides, [{ date: "2026-12-05", ranges: [h("10:00", "12:00")] }]);
  assert.deepEqual(saved.weekly, WORKDAYS);
  app.close();
});

Deno.test("saveTimeOff: ending before it starts, overlapping another entry, a long reason or missing dates are refused and nothing changes", async () => {
  const app = await memoryApp();
  const host = await createHost(app);
  assert.ok((await saveTimeOff(app, host, [{ from: "2026-12-01", to: "2026-12-02" }])).ok);
  const before = await getAvailabilityRules(app, host);
  const res = await saveTimeOff(app, host, [
    { from: "2026-12-20", to: "2026-12-10" },
    { from: "2027-01-01", to: "2027-01-10" },
    { from: "2027-01-10", to: "2027-01-12" },
    { from: "2027-02-01", to: "2027-02-01", reason: "x".repeat(201) },
    { from: "", to: "2027-03-01" },
    { from: "2027-04-01", to: "2027-04-02", reason: "line\nbreak" },
  ]);
  assert.ok(!res.ok);
  assert.deepEqual(res.errors, {
    0: { to: "The last day is before the first day" },
    2: { from: "Overlaps Friday, 1 January 2027–Sunday, 10 January 2027; make them one entry" },
    3: { reason: "Keep the reason under 201 characters" },
    4: { from: "Choose the first day" },
    5: { reason: "The reason cannot contain line breaks or control characters" },
  });
  assert.deepEqual(await getAvailabilityRules(app, host), before);
  app.close();
});

Deno.test("saveTimeOff: time off that is over can be kept or removed but not added; ongoing time off is fine", async () => {
  const app = await memoryApp({ nowIso: "2026-11-01T10:00:00Z" });
  const host = await createHost(app);
  assert.ok(
    (await saveTimeOff(app, host, [{ from: "2026-11-02", to: "2026-11-06", reason: "Trip" }])).ok,
  );
  app.clock.ms = Date.parse("2026-11-20T08:00:00Z");
  assert.ok(
    (await saveTimeOff(app, host, [
      { from: "2026-11-02", to: "2026-11-06", reason: "Trip" },
      { from: "2026-11-16", to: "2026-11-27" },
    ])).ok,
    "kept as is, and one that started last week but is not over",
  );
  const res = await saveTimeOff(app, host, [
    { from: "2026-11-02", to: "2026-11-06", reason: "Other trip" },
    { from: "2026-11-09", to: "2026-11-13" },
  ]);
  assert.ok(!res.ok);
  assert.deepEqual(Object.keys(res.errors), ["0", "1"]);
  assert.equal(
    res.errors[1].to,
    "This time off is over: past time off can be removed, not added or changed",
  );
  assert.ok((await saveTimeOff(app, host, [])).ok);
  assert.deepEqual((await getAvailabilityRules(app, host)).timeOff, []);
  app.close();
});

Deno.test("availability saves: weekly hours, overrides and time off saved at the same moment all land", async () => {
  const app = await memoryApp();
  const host = await createHost(app);
  const results = await Promise.all([
    saveWeeklyAvailability(app, host, week({ 6: [h("10:00", "14:00")] })),
    saveOverrides(app, host, [{ date: "2026-12-05", ranges: [] }]),
    saveTimeOff(app, host, [{ from: "2026-12-24", to: "2026-12-31" }]),
    ...Array.from(
      { length: 10 },
      (_, i) => saveOverrides(app, host, [{ date: `2026-12-${10 + i}`, ranges: [] }]),
    ),
  ]);
  assert.ok(results.every((r) => r.ok));
  const saved = await getAvailabilityRules(app, host);
  assert.deepEqual(saved.weekly[6], [h("10:00", "14:00")]);
  assert.equal(saved.overrides.length, 1, "one of the override saves wins whole");
  assert.deepEqual(saved.timeOff, [{ from: "2026-12-24", to: "2026-12-31" }]);
  app.close();
});

Deno.test("availability saves: two processes saving different parts at once both land (versionstamp check)", async () => {
  const kv = await Deno.openKv(":memory:");
  const a = await memoryApp({ kv });
  const b = await memoryApp({ kv });
  const host = await createHost(a);
  for (let round = 0; round < 5; round++) {
    const day = `2026-12-${10 + round}`;
    const results = await Promise.all([
      saveOverrides(a, host, [{ date: day, ranges: [] }]),
      saveTimeOff(b, host, [{ from: day, to: day, reason: `r${round}` }]),
      saveWeeklyAvailability(b, host, week({ 7: [h("10:00", `1${round}:30`)] })),
    ]);
    assert.ok(results.every((r) => r.ok));
    const saved = await getAvailabilityRules(a, host);
    assert.deepEqual(saved.overrides, [{ date: day, ranges: [] }]);
    assert.deepEqual(saved.timeOff, [{ from: day, to: day, reason: `r${round}` }]);
    assert.deepEqual(saved.weekly[7], [h("10:00", `1${round}:30`)]);
  }
  kv.close();
});

Deno.test("overrides form: rows o{i}_… in index order; ticked 'off' drops hours; a date with no rows gets 09:00–17:00", () => {
  const { drafts, intent } = parseOverridesForm(form({
    o1_date: "2026-12-08",
    o1_off: "on",
    o1_start_0: "09:00",
    o1_end_0: "10:00",
    o0_date: " 2026-12-07 ",
    o0_start_1: "13:00",
    o0_end_1: "14:00",
    o0_start_0: "09:00",
    o0_end_0: "12:00",
    o2_date: "2026-12-09",
    intent: "save",
  }));
  assert.deepEqual(intent, { kind: "save" });
  assert.deepEqual(overridesFromDrafts(drafts), [
    { date: "2026-12-07", ranges: [h("09:00", "12:00"), h("13:00", "14:00")] },
    { date: "2026-12-08", ranges: [] },
    { date: "2026-12-09", ranges: [h("09:00", "17:00")] },
  ]);
});

Deno.test("overrides form: add, remove, add hours and remove hours edit the list without saving", () => {
  const base = draftsFromOverrides([{ date: "2026-12-07", ranges: [h("09:00", "12:00")] }]);
  const added = applyOverridesIntent(base, parseOverridesForm(form({ intent: "add" })).intent);
  assert.deepEqual(added[1], { date: "", off: false, ranges: [h("09:00", "17:00")] });
  const more = applyOverridesIntent(
    base,
    parseOverridesForm(form({ intent: "add_range:0" })).intent,
  );
  assert.deepEqual(more[0].ranges, [h("09:00", "12:00"), h("13:00", "14:00")]);
  const none = applyOverridesIntent(
    base,
    parseOverridesForm(form({ intent: "remove_range:0:0" })).intent,
  );
  assert.deepEqual(none[0], { date: "2026-12-07", off: true, ranges: [] });
  assert.deepEqual(
    applyOverridesIntent(added, parseOverridesForm(form({ intent: "remove:0" })).intent),
    [added[1]],
  );
  assert.deepEqual(base[0].ranges, [h("09:00", "12:00")], "the input is not mutated");
});

Deno.test("time off form: blank rows are dropped on save but kept while editing; an empty 'to' means one day", () => {
  const saving = parseTimeOffForm(form({
    t0_from: "2026-12-24",
    t0_to: "",
    t0_reason: " Christmas ",
    t1_from: "",
    t1_to: "",
    t1_reason: "",
    t2_from: "2027-01-04",
    t2_to: "2027-01-24",
  }));
  assert.deepEqual(timeOffFromDrafts(saving.drafts), [
    { from: "2026-12-24", to: "2026-12-24", reason: "Christmas" },
    { from: "2027-01-04", to: "2027-01-24" },
  ]);
  const adding = parseTimeOffForm(form({ t0_from: "", t0_to: "", t0_reason: "", intent: "add" }));
  assert.equal(applyTimeOffIntent(adding.drafts, adding.intent).length, 2);
  const removing = parseTimeOffForm(
    form({ t0_from: "2026-12-24", t0_to: "2026-12-24", t1_from: "2027-01-04", intent: "remove:0" }),
  );
  assert.deepEqual(applyTimeOffIntent(removing.drafts, removing.intent).map((d) => d.from), [
    "2027-01-04",
  ]);
});

// ---------------------------------------------------------------------------------------------
// Preview

Deno.test("computeAvailabilityPreview: six weeks from this week's Monday, with weekly hours, overrides and time off marked", () => {
  const days = computeAvailabilityPreview(
    {
      timeZone: "Europe/Berlin",
      weekly: week({
        1: [h("09:00", "12:00"), h("13:00", "17:00")],
        5: [h("09:00", "17:00")],
        6: [h("20:00", "24:00")],
      }),
      overrides: [
        { date: "2026-11-23", ranges: [h("10:00", "11:00")] },
        { date: "2026-11-27", ranges: [] },
        { date: "2026-12-07", ranges: [h("08:00", "09:00")] },
      ],
      timeOff: [{ from: "2026-12-05", to: "2026-12-07", reason: "Away" }],
    },
    "2026-11-20",
  );
  assert.equal(days.length, 42);
  assert.equal(days[0].date, "2026-11-16");
  assert.equal(days[41].date, "2026-12-27");
  const day = (date: string) => days.find((d) => d.date === date)!;
  assert.deepEqual(day("2026-11-16"), {
    date: "2026-11-16",
    weekday: 1,
    label: "Monday 16 November",
    past: true,
    today: false,
    source: "weekly",
    hours: ["09:00–12:00", "13:00–17:00"],
    reason: null,
  });
  assert.equal(day("2026-11-20").today, true);
  assert.equal(day("2026-11-20").past, false);
  assert.deepEqual(
    day("2026-11-21").hours,
    ["20:00–24:00"],
    "a window up to midnight ends at 24:00",
  );
  assert.deepEqual([day("2026-11-23").source, day("2026-11-23").hours], ["override", [
    "10:00–11:00",
  ]]);
  assert.deepEqual([day("2026-11-27").source, day("2026-11-27").hours], ["override", []]);
  assert.deepEqual([day("2026-11-30").source, day("2026-11-30").hours], ["weekly", [
    "09:00–12:00",
    "13:00–17:00",
  ]]);
  for (const date of ["2026-12-05", "2026-12-06", "2026-12-07"]) {
    assert.deepEqual([day(date).source, day(date).hours, day(date).reason], [
      "time_off",
      [],
      "Away",
    ], `time off wins on ${date}`);
  }
  assert.deepEqual(day("2026-11-24").hours, []);
});

Deno.test("computeAvailabilityPreview: hours are wall-clock times in the host's zone on DST days", () => {
  const weekly = week({ 7: [h("01:00", "04:00")] });
  const spring = computeAvailabilityPreview(
    { timeZone: "Europe/Berlin", weekly, overrides: [], timeOff: [] },
    "2026-03-25",
    1,
  );
  // 02:00–03:00 does not exist on 29 March in Berlin: the window is 01:00–04:00 on the clock.
  assert.deepEqual(spring.find((d) => d.date === "2026-03-29")?.hours, ["01:00–04:00"]);
  const sydney = computeAvailabilityPreview(
    {
      timeZone: "Australia/Sydney",
      weekly: week({ 1: [h("09:00", "17:00")] }),
      overrides: [],
      timeOff: [],
    },
    "2026-04-01",
    1,
  );
  assert.deepEqual(sydney[0].hours, ["09:00–17:00"]);
});

Deno.test("getAvailabilityPreview: reads the host's saved rules in the host's zone", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { weekly: WORKDAYS, timeZone: "America/New_York" });
  assert.ok(
    (await saveTimeOff(app, host, [{
      from: "2026-11-26",
      to: "2026-11-27",
      reason: "Thanksgiving",
    }])).ok,
  );
  const days = await getAvailabilityPreview(app, host);
  assert.equal(days.find((d) => d.today)?.date, "2026-11-20");
  assert.deepEqual(days.filter((d) => d.source === "time_off").map((d) => d.date), [
    "2026-11-26",
    "2026-11-27",
  ]);
  assert.deepEqual(days.find((d) => d.date === "2026-11-25")?.hours, ["09:00–17:00"]);
  app.close();
});

Deno.test("parseTimeOffForm: a 101st row is read (t100), so a list one past the limit is refused, not saved without its last rows", () => {
  const fd = new FormData();
  fd.set("intent", "save");
  for (let i = 0; i <= 100; i++) {
    fd.set(`t${i}_from`, "2027-01-01");
    fd.set(`t${i}_to`, "2027-01-01");
  }
  assert.equal(parseTimeOffForm(fd).drafts.length, MAX_TIME_OFF + 1);
});
