import assert from "node:assert/strict";
import fc from "fast-check";
import { Temporal } from "./temporal.ts";
import { defaultWeeklyRules, type WeeklyRules } from "./availability.ts";
import { computeSlots } from "./slots.ts";
import { computeTeamSlots, type TeamMember, type TeamQuery } from "./team.ts";

const ms = (iso: string) => Date.parse(iso);
const MINUTE = 60_000;

// Monday 23 November 2026: Berlin is UTC+1, New York UTC−5, Kolkata UTC+5:30.
const shared = {
  from: Temporal.Instant.from("2026-11-23T00:00:00Z"),
  until: Temporal.Instant.from("2026-11-24T00:00:00Z"),
  durationMin: 30,
  now: Temporal.Instant.from("2026-11-20T00:00:00Z"),
};
const member = (
  timeZone: string,
  busy: TeamMember["busy"] = [],
  weekly: WeeklyRules = defaultWeeklyRules(),
): TeamMember => ({
  timeZone,
  weekly,
  busy,
});
const starts = (q: TeamQuery) => computeTeamSlots(q).map((s) => s.start.toString());

Deno.test("computeTeamSlots: union offers a time when any member is free, intersection only when all are", () => {
  // Both in Berlin (09:00–17:00 = 08:00–16:00Z); Ann is busy 08:00–12:00Z, Ben 10:00–16:00Z.
  const ann = member("Europe/Berlin", [{
    startMs: ms("2026-11-23T08:00:00Z"),
    endMs: ms("2026-11-23T12:00:00Z"),
  }]);
  const ben = member("Europe/Berlin", [{
    startMs: ms("2026-11-23T10:00:00Z"),
    endMs: ms("2026-11-23T16:00:00Z"),
  }]);
  const union = computeTeamSlots({ ...shared, members: [ann, ben], mode: "union" });
  assert.equal(union.length, 12, "08:00–10:00Z (Ben) and 12:00–16:00Z (Ann); 10:00–12:00Z neither");
  assert.ok(!union.some((s) => s.start.toString() === "2026-11-23T10:30:00Z"));
  assert.deepEqual(union[0].members, [1], "08:00Z: only Ben");
  assert.deepEqual(
    union.find((s) => s.start.toString() === "2026-11-23T12:00:00Z")!.members,
    [0],
    "12:00Z: only Ann",
  );
  assert.deepEqual(
    starts({ ...shared, members: [ann, ben], mode: "intersection" }),
    [],
    "never both",
  );
  const free = member("Europe/Berlin");
  assert.deepEqual(
    starts({ ...shared, members: [ben, free], mode: "intersection" }),
    [
      "2026-11-23T08:00:00Z",
      "2026-11-23T08:30:00Z",
      "2026-11-23T09:00:00Z",
      "2026-11-23T09:30:00Z",
    ],
  );
});

Deno.test("computeTeamSlots: members in Berlin and New York share only the hours both work (14:00–16:00Z in November)", () => {
  const team = [member("Europe/Berlin"), member("America/New_York")];
  assert.deepEqual(starts({ ...shared, members: team, mode: "intersection" }), [
    "2026-11-23T14:00:00Z",
    "2026-11-23T14:30:00Z",
    "2026-11-23T15:00:00Z",
    "2026-11-23T15:30:00Z",
  ]);
  const union = computeTeamSlots({ ...shared, members: team, mode: "union" });
  assert.equal(union[0].start.toString(), "2026-11-23T08:00:00Z");
  assert.equal(union.at(-1)!.start.toString(), "2026-11-23T21:30:00Z");
  assert.equal(union.length, 28, "08:00–22:00Z, each start once");
  assert.deepEqual(union.find((s) => s.start.toString() === "2026-11-23T15:00:00Z")!.members, [
    0,
    1,
  ]);
});

Deno.test("computeTeamSlots: a half-hour zone shares 30-minute starts with a whole-hour zone, but no hourly ones", () => {
  // Kolkata 09:00–17:00 = 03:30–11:30Z; Berlin 08:00–16:00Z; overlap 08:00–11:30Z. With 30-minute
  // steps both grids hold every hh:00Z and hh:30Z: 08:00Z … 11:00Z.
  const team = [member("Europe/Berlin"), member("Asia/Kolkata")];
  const both = starts({ ...shared, members: team, mode: "intersection" });
  assert.deepEqual([both.length, both[0], both.at(-1)], [
    7,
    "2026-11-23T08:00:00Z",
    "2026-11-23T11:00:00Z",
  ]);
  // With 60-minute steps Kolkata offers hh:30Z only and Berlin hh:00Z only: nothing in common.
  assert.deepEqual(starts({ ...shared, durationMin: 60, members: team, mode: "intersection" }), []);
});

Deno.test("computeTeamSlots: one member is computeSlots itself; no members give no slots", () => {
  const m = member("Australia/Lord_Howe", [{
    startMs: ms("2026-11-23T00:00:00Z"),
    endMs: ms("2026-11-23T01:00:00Z"),
  }]);
  const alone = computeSlots({ ...shared, ...m }).map((s) => s.start.toString());
  assert.ok(alone.length > 0);
  assert.deepEqual(starts({ ...shared, members: [m], mode: "union" }), alone);
  assert.deepEqual(starts({ ...shared, members: [m], mode: "intersection" }), alone);
  assert.deepEqual(starts({ ...shared, members: [], mode: "union" }), []);
  assert.deepEqual(starts({ ...shared, members: [], mode: "intersection" }), []);
});

Deno.test("computeTeamSlots: across the Berlin DST change the team follows each member's own clock", () => {
  // Sunday 29 March 2026 Berlin springs forward; New York already did on 8 March. Monday 30 March:
  // Berlin 09:00–17:00 = 07:00–15:00Z, New York 09:00–17:00 = 13:00–21:00Z → overlap 13:00–15:00Z.
  const q = {
    ...shared,
    from: Temporal.Instant.from("2026-03-30T00:00:00Z"),
    until: Temporal.Instant.from("2026-03-31T00:00:00Z"),
    now: Temporal.Instant.from("2026-03-20T00:00:00Z"),
    durationMin: 60,
  };
  assert.deepEqual(
    starts({
      ...q,
      members: [member("Europe/Berlin"), member("America/New_York")],
      mode: "intersection",
    }),
    [
      "2026-03-30T13:00:00Z",
      "2026-03-30T14:00:00Z",
    ],
  );
});

Deno.test("computeTeamSlots: property — union is the set union and intersection the common part of the members' slots", () => {
  const busyArb = fc.array(
    fc.record({
      offsetMin: fc.integer({ min: 0, max: 3 * 24 * 60 }),
      lengthMin: fc.integer({ min: 5, max: 240 }),
    }),
    { maxLength: 15 },
  );
  const zoneArb = fc.constantFrom(
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "UTC",
  );
  const from = Temporal.Instant.from("2026-11-23T00:00:00Z");
  fc.assert(
    fc.property(
      fc.array(fc.record({ zone: zoneArb, busy: busyArb }), { minLength: 1, maxLength: 5 }),
      fc.constantFrom(15, 30, 45, 60),
      (raw, durationMin) => {
        const members = raw.map((r) =>
          member(
            r.zone,
            r.busy.map((b) => ({
              startMs: from.epochMilliseconds + b.offsetMin * MINUTE,
              endMs: from.epochMilliseconds + (b.offsetMin + b.lengthMin) * MINUTE,
            })),
          )
        );
        const q = { ...shared, from, until: from.add({ hours: 72 }), durationMin };
        const each = members.map((m) =>
          new Set(computeSlots({ ...q, ...m }).map((s) => s.start.epochMilliseconds))
        );
        const union = computeTeamSlots({ ...q, members, mode: "union" });
        const inter = computeTeamSlots({ ...q, members, mode: "intersection" });
        const all = new Set(each.flatMap((s) => [...s]));
        assert.deepEqual(
          union.map((s) => s.start.epochMilliseconds),
          [...all].sort((a, b) => a - b),
        );
        for (const s of union) {
          const t = s.start.epochMilliseconds;
          assert.deepEqual(s.members, each.flatMap((set, i) => (set.has(t) ? [i] : [])));
          assert.equal(s.end.epochMilliseconds - t, durationMin * MINUTE);
        }
        assert.deepEqual(
          inter.map((s) => s.start.epochMilliseconds),
          [...all].filter((t) => each.every((set) => set.has(t))).sort((a, b) => a - b),
        );
      },
    ),
    { numRuns: 150 },
  );
});
