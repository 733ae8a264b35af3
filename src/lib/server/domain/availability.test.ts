import assert from "node:assert/strict";
import {
  defaultWeeklyRules,
  formatTimeOfDay,
  isIsoDate,
  parseTimeOfDay,
  validateDateOverride as validateDateOverrideRefs,
  validateRanges as validateRangesRefs,
  validateTimeOff as validateTimeOffRefs,
  validateWeeklyRules as validateWeeklyRulesRefs,
} from "./availability.ts";
import { translateRef } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

// The checks return message references; read here as an English reader would.
const en = translator("en");
const words = <R extends { ok: boolean; errors?: string[] }>(r: R): R =>
  r.ok ? r : { ...r, errors: r.errors!.map((ref) => translateRef(en, ref)) };
const validateRanges = (...a: Parameters<typeof validateRangesRefs>) =>
  words(validateRangesRefs(...a));
const validateDateOverride = (...a: Parameters<typeof validateDateOverrideRefs>) =>
  words(validateDateOverrideRefs(...a));
const validateTimeOff = (...a: Parameters<typeof validateTimeOffRefs>) =>
  words(validateTimeOffRefs(...a));
function validateWeeklyRules(...a: Parameters<typeof validateWeeklyRulesRefs>) {
  const r = validateWeeklyRulesRefs(...a);
  if (r.ok) return r;
  const errors: typeof r.errors = {};
  for (const [day, list] of Object.entries(r.errors)) {
    errors[Number(day) as 1] = list!.map((ref) => translateRef(en, ref));
  }
  return { ...r, errors };
}

Deno.test("parseTimeOfDay: reads HH:MM as minutes, 24:00 as the end of the day", () => {
  assert.equal(parseTimeOfDay("00:00"), 0);
  assert.equal(parseTimeOfDay("09:30"), 570);
  assert.equal(parseTimeOfDay("23:59"), 1439);
  assert.equal(parseTimeOfDay("24:00"), 1440);
});

Deno.test("parseTimeOfDay: refuses anything that is not a strict HH:MM time", () => {
  for (
    const text of ["9:00", "09:0", "24:01", "25:00", "09:60", "0900", " 09:00", "09:00:00", ""]
  ) {
    assert.equal(parseTimeOfDay(text), null, text);
  }
});

Deno.test("formatTimeOfDay: writes minutes as HH:MM and round-trips every minute of the day", () => {
  assert.equal(formatTimeOfDay(0), "00:00");
  assert.equal(formatTimeOfDay(545), "09:05");
  assert.equal(formatTimeOfDay(1440), "24:00");
  for (let m = 0; m <= 1440; m++) assert.equal(parseTimeOfDay(formatTimeOfDay(m)), m);
  assert.throws(() => formatTimeOfDay(1441), RangeError);
  assert.throws(() => formatTimeOfDay(1.5), RangeError);
});

Deno.test("defaultWeeklyRules: Monday to Friday 09:00–17:00, weekend empty, a fresh copy each time", () => {
  const rules = defaultWeeklyRules();
  for (const day of [1, 2, 3, 4, 5] as const) {
    assert.deepEqual(rules[day], [{ start: "09:00", end: "17:00" }]);
  }
  assert.deepEqual(rules[6], []);
  assert.deepEqual(rules[7], []);
  rules[1].push({ start: "18:00", end: "19:00" });
  assert.equal(defaultWeeklyRules()[1].length, 1);
});

Deno.test("validateRanges: sorts valid ranges and allows touching ones", () => {
  assert.deepEqual(
    validateRanges([
      { start: "13:00", end: "14:00" },
      { start: "12:00", end: "13:00" },
      { start: "22:00", end: "24:00" },
    ]),
    {
      ok: true,
      ranges: [
        { start: "12:00", end: "13:00" },
        { start: "13:00", end: "14:00" },
        { start: "22:00", end: "24:00" },
      ],
    },
  );
  assert.deepEqual(validateRanges([]), { ok: true, ranges: [] });
});

Deno.test("validateRanges: refuses overlapping ranges and names both", () => {
  assert.deepEqual(
    validateRanges([{ start: "11:00", end: "13:00" }, { start: "09:00", end: "12:00" }]),
    { ok: false, errors: ["09:00–12:00 overlaps 11:00–13:00"] },
  );
  assert.deepEqual(
    validateRanges([{ start: "08:00", end: "18:00" }, { start: "09:00", end: "10:00" }, {
      start: "11:00",
      end: "12:00",
    }]),
    {
      ok: false,
      errors: ["08:00–18:00 overlaps 09:00–10:00", "08:00–18:00 overlaps 11:00–12:00"],
    },
  );
});

Deno.test("validateRanges: refuses empty and reversed ranges", () => {
  assert.deepEqual(validateRanges([{ start: "09:00", end: "09:00" }]), {
    ok: false,
    errors: ["09:00–09:00 is empty"],
  });
  assert.deepEqual(validateRanges([{ start: "09:00", end: "08:00" }]), {
    ok: false,
    errors: ["09:00–08:00 ends before it starts"],
  });
  assert.deepEqual(validateRanges([{ start: "24:00", end: "24:00" }]), {
    ok: false,
    errors: ["24:00–24:00 is empty"],
  });
});

Deno.test("validateRanges: refuses times that are not HH:MM, once per list", () => {
  assert.deepEqual(
    validateRanges([{ start: "9:00", end: "17:00" }, { start: "18:00", end: "25:00" }]),
    { ok: false, errors: ["Times must be HH:MM"] },
  );
  // Data from a form may be anything.
  const junk = [{ start: 9, end: null }] as unknown as { start: string; end: string }[];
  assert.deepEqual(validateRanges(junk), { ok: false, errors: ["Times must be HH:MM"] });
});

Deno.test("validateWeeklyRules: returns sorted rules, or errors under the weekday they belong to", () => {
  const rules = defaultWeeklyRules();
  rules[2] = [{ start: "14:00", end: "15:00" }, { start: "09:00", end: "10:00" }];
  const ok = validateWeeklyRules(rules);
  assert.ok(ok.ok);
  assert.deepEqual(ok.rules[2], [{ start: "09:00", end: "10:00" }, {
    start: "14:00",
    end: "15:00",
  }]);

  rules[3] = [{ start: "10:00", end: "09:00" }];
  rules[6] = [{ start: "09:00", end: "12:00" }, { start: "11:00", end: "13:00" }];
  assert.deepEqual(validateWeeklyRules(rules), {
    ok: false,
    errors: {
      3: ["10:00–09:00 ends before it starts"],
      6: ["09:00–12:00 overlaps 11:00–13:00"],
    },
  });
});

Deno.test("isIsoDate: accepts real YYYY-MM-DD dates only", () => {
  assert.ok(isIsoDate("2026-02-28"));
  assert.ok(isIsoDate("2028-02-29"));
  for (const text of ["2026-02-29", "2026-13-01", "2026-1-01", "20260101", "2026-01-01T00:00"]) {
    assert.ok(!isIsoDate(text), text);
  }
});

Deno.test("validateDateOverride: checks the date and the ranges; [] means unavailable", () => {
  assert.deepEqual(validateDateOverride({ date: "2026-12-24", ranges: [] }), {
    ok: true,
    override: { date: "2026-12-24", ranges: [] },
  });
  assert.deepEqual(
    validateDateOverride({ date: "2026-12-32", ranges: [{ start: "10:00", end: "10:00" }] }),
    { ok: false, errors: ["Date must be YYYY-MM-DD", "10:00–10:00 is empty"] },
  );
});

Deno.test("validateTimeOff: accepts a one-day span and refuses a reversed one", () => {
  assert.deepEqual(validateTimeOff({ from: "2026-08-03", to: "2026-08-03", reason: "Dentist" }), {
    ok: true,
    timeOff: { from: "2026-08-03", to: "2026-08-03", reason: "Dentist" },
  });
  assert.deepEqual(validateTimeOff({ from: "2026-08-10", to: "2026-08-03" }), {
    ok: false,
    errors: ["2026-08-10–2026-08-03 ends before it starts"],
  });
  assert.deepEqual(validateTimeOff({ from: "soon", to: "2026-08-03" }), {
    ok: false,
    errors: ["Dates must be YYYY-MM-DD"],
  });
});
