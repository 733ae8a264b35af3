/**
 * planChange for team bookings: the worst-case checks of a round-robin assignment (new and
 * rescheduled) stay within remote KV's ten, a collective commit of the largest collective with
 * reminders fits, and the rotation and team record are checked exactly as read.
 */
import assert from "node:assert/strict";
import { type Change, type EngineRules, planChange } from "../domain/booking-engine/index.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { REMOTE_KV_LIMITS } from "../domain/kv-budget.ts";
import { MAX_COLLECTIVE } from "../domain/team-membership.ts";
import { readSnapshot } from "./booking-snapshot.ts";
import { keys } from "./keys.ts";
import type { EventTypeRecord, TeamRecord } from "../domain/model/records.ts";

const H = 3_600_000;
const NOW = Date.parse("2026-11-20T08:00:00Z");
const NO_CALENDARS = () => Promise.resolve({ busy: [], unknown: [] });

const et: EventTypeRecord = {
  v: 1,
  id: "et1",
  userId: "team1",
  teamId: "team1",
  teamMode: "round_robin",
  slug: "call",
  title: "Call",
  description: "",
  durationMin: 120,
  requiresConfirmation: true,
  bookingWindowDays: 60,
  color: "#000",
  active: true,
  confirmedMessage: "",
  rejectedMessage: "",
  createdAtMs: 0,
  updatedAtMs: 0,
  maxPerDay: 3,
  maxPerWeek: 10,
  reminders: [
    { minutesBefore: 60, toHost: true },
    { minutesBefore: 1440, toHost: true },
    { minutesBefore: 30, toHost: true },
    { minutesBefore: 10, toHost: true },
    { minutesBefore: 5, toHost: true },
  ],
};
const rules: EngineRules = {
  bookingTtlMs: 24 * H,
  maxPendingPerGuest: 3,
  eventType: { id: et.id, maxPerDay: 3, maxPerWeek: 10, cancelCutoffHours: null },
  calendarHost: "invito.test",
};
const members = Array.from({ length: MAX_COLLECTIVE }, (_, i) => `m${String(i).padStart(2, "0")}`);
const team: TeamRecord = {
  v: 1,
  id: "team1",
  slug: "crew",
  name: "Crew",
  timeZone: "Pacific/Auckland",
  members: members.map((userId) => ({
    userId,
    role: "member",
    weight: 1,
    priority: 2,
    joinedAtMs: 0,
  })),
  createdAtMs: 0,
  updatedAtMs: 0,
};

/** A two-hour request across UTC midnight, pending: two days, two capped periods, a guest hold. */
const draft = (id: string, startIso = "2026-11-23T23:00:00Z") =>
  newBookingRecord(
    {
      id,
      tokenSalt: "s",
      host: { id: members[0], timeZone: team.timeZone },
      eventType: et,
      startMs: Date.parse(startIso),
      durationMin: 120,
      name: "G",
      email: "g@example.test",
      note: "",
      guestTimeZone: "UTC",
      by: "guest",
      teamId: team.id,
    },
    NOW,
    rules.bookingTtlMs,
  );

const assignment = {
  candidates: members.map((personId) => ({ personId, weight: 1, priority: 2 })),
  takingPart: members,
  rotationKey: keys.teamRotation(et.id),
  rosterKey: keys.team(team.id),
};

Deno.test("assign: the worst case checks 7 keys (two days, two caps, the guest, the rotation, the team) for whichever of 20 candidates it picks", async () => {
  const kv = await Deno.openKv(":memory:");
  await kv.set(keys.team(team.id), team);
  const change: Change = {
    kind: "assign",
    booking: draft("01KB00000000000000000000001"),
    assign: assignment,
  };
  const snap = await readSnapshot(kv, change, rules, NO_CALENDARS);
  const res = planChange(snap, change, rules, NOW);
  assert.ok(res.ok, JSON.stringify(res));
  const prefixes = res.plan.checks.map((c) => String(c.key[0])).sort();
  assert.deepEqual(prefixes, [
    "busy_fence",
    "busy_fence",
    "cap_fence",
    "cap_fence",
    "guest_hold_fence",
    "team",
    "team_rotation",
  ]);
  assert.ok(res.plan.budget.checks <= REMOTE_KV_LIMITS.checks);
  // The guest's pending requests are counted per team.
  assert.ok(
    res.plan.checks.some((c) => String(c.key[1]) === team.id && c.key[0] === "guest_hold_fence"),
  );
  kv.close();
});

Deno.test("assign: a team record that no longer lists the candidates assigns nobody", async () => {
  const kv = await Deno.openKv(":memory:");
  await kv.set(keys.team(team.id), { ...team, members: [] });
  const change: Change = {
    kind: "assign",
    booking: draft("01KB00000000000000000000002"),
    assign: assignment,
  };
  const res = planChange(await readSnapshot(kv, change, rules, NO_CALENDARS), change, rules, NOW);
  assert.deepEqual(res, { ok: false, reason: "slot_taken" });
  kv.close();
});

Deno.test("collective: the commit of the largest collective, confirmed with five reminders to every member, fits one write", async () => {
  const kv = await Deno.openKv(":memory:");
  const b = {
    ...draft("01KB00000000000000000000003"),
    status: "CONFIRMED" as const,
    reservedUntilMs: null,
    personIds: members,
    coordinatorId: "c1",
  };
  await kv.set(keys.coordinator("c1"), {
    v: 1,
    id: "c1",
    bookingId: b.id,
    state: "holding",
    untilMs: NOW + 60_000,
    personIds: members,
    eventTypeId: et.id,
    startMs: b.blockStartMs,
    endMs: b.blockEndMs,
    holdUntilMs: null,
  });
  await kv.set(keys.team(team.id), team);
  const change: Change = {
    kind: "commit",
    coordinatorId: "c1",
    booking: b,
    rosterKey: keys.team(team.id),
  };
  const res = planChange(await readSnapshot(kv, change, rules, NO_CALENDARS), change, rules, NOW);
  assert.ok(res.ok, JSON.stringify(res));
  assert.ok(res.plan.budget.checks <= 5);
  assert.ok(res.plan.budget.mutations <= REMOTE_KV_LIMITS.mutations);
  assert.ok(res.plan.budget.bytes <= REMOTE_KV_LIMITS.bytes);
  const mails = res.plan.jobs.filter((j) => j.payload.kind === "booking_mail");
  assert.equal(mails.length, MAX_COLLECTIVE + 1, "each member and the guest");
  const writes = res.plan.jobs.filter((j) => j.payload.kind === "writeback");
  assert.equal(writes.length, MAX_COLLECTIVE, "a calendar write per member");
  kv.close();
});
