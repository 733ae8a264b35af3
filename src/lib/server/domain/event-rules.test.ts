import assert from "node:assert/strict";
import { choiceProblems } from "./event-rules.ts";
import type { EventTypeRecord } from "./model/records.ts";

// Only the fields the rules read: a 30-minute meeting that may also be 60, at two places.
const et = (extra: Partial<EventTypeRecord> = {}) =>
  ({
    durationMin: 30,
    durations: [30, 60],
    locations: [
      { kind: "link", value: "https://meet.example.test/a" },
      { kind: "phone", value: "+49 30 1234567" },
    ],
    series: null,
    teamId: null,
    ...extra,
  }) as unknown as EventTypeRecord;

Deno.test("choiceProblems: what the event type offers passes; each field it does not is named", () => {
  assert.deepEqual(choiceProblems(et(), { durationMin: 60, locationChoice: "1" }), {});
  assert.deepEqual(choiceProblems(et(), {}), {});
  assert.deepEqual(
    Object.keys(choiceProblems(et(), { durationMin: 45, locationChoice: "2", skip: "1" })).sort(),
    ["durationMin", "location", "skip"],
  );
  // A place index is a whole number below the count: "x", "-1" and "0.5" are not places.
  for (const bad of ["x", "-1", "0.5", "2", ""]) {
    assert.ok(choiceProblems(et(), { locationChoice: bad }).location, bad);
  }
  // Nothing to choose from: every index is one too many.
  assert.ok(choiceProblems(et({ locations: [] }), { locationChoice: "0" }).location);
});

Deno.test("choiceProblems: skip is for a host's own series only (a team's event type never repeats)", () => {
  const series = { everyWeeks: 1, count: 4 } as EventTypeRecord["series"];
  assert.deepEqual(choiceProblems(et({ series }), { skip: "2" }), {});
  assert.ok(choiceProblems(et({ series, teamId: "t1" }), { skip: "2" }).skip);
});
