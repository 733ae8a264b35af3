import assert from "node:assert/strict";
import { getWeeklyAvailability, saveWeeklyAvailability } from "./availability.ts";
import { createHost, memoryApp, WORKDAYS } from "../../../../tests/support/memory-app.ts";
import {
  applyWeeklyIntent,
  draftFromWeekly,
  parseWeeklyForm,
  suggestNextRange,
  summarizeWeekly,
  weeklyFromDraft,
  type WeeklyValues,
} from "../../shared/forms.ts";

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
  assert.deepEqual(summarizeWeekly((await getWeeklyAvailability(app, host)).weekly), [
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

Deno.test("summarizeWeekly: days with equal hours share a line, in weekday order", () => {
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
    ),
    [
      { days: "Mon–Wed, Fri", hours: "09:00–12:00, 13:00–17:00" },
      { days: "Thu, Sun", hours: null },
      { days: "Sat", hours: "10:00–14:00" },
    ],
  );
});
