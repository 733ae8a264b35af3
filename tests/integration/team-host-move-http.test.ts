/**
 * A round-robin member moves their own team booking from the dashboard, as the page posts it,
 * against the built server. The page is headed "Your free times" and the member writes the
 * guest a message as the meeting's host: the times offered are theirs, and the meeting stays
 * theirs. Before, the page offered every member's times and a time only another member had
 * gave them the meeting, with the mover's message signed by that member. A member who has left
 * the team keeps their bookings, and moves them the same way.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { signInClient } from "../support/team-signin.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { removeFromTeam } from "../../src/lib/server/services/teams.ts";
import type { WeeklyRules } from "../../src/lib/server/domain/availability.ts";

const every = (start: string, end: string): WeeklyRules =>
  Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start, end }]])) as WeeklyRules;

/**
 * Ann (free 09:00-12:00 UTC) and Ben (13:00-17:00) host a round robin; Cleo owns the team. Gail
 * booked 10:00 three days ahead, which only Ann has: the meeting is Ann's. Ann then moves it.
 */
async function moveAnnsMeeting(opts: { annLeft: boolean }) {
  const { dataDir, app: seed, kv } = await seedStore("invito-team-host-move-");
  const { team, users } = await seedTeam(seed, {
    slug: "crew",
    members: [
      { username: "cleo", weekly: every("00:00", "01:00") },
      { username: "ann", weekly: every("09:00", "12:00") },
      { username: "ben", weekly: every("13:00", "17:00") },
    ],
  });
  const [, ann, ben] = users;
  await seedTeamEventType(seed, team, {
    slug: "rr",
    title: "Talk",
    teamMode: "round_robin",
    hostIds: [ann.id, ben.id],
  });
  const day = new Date(seed.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const at = (hhmm: string) => `${day}T${hhmm}:00Z`;
  const booked = await bookTeamSlot(seed, {
    team: "crew",
    slug: "rr",
    start: at("10:00"),
    name: "Gail",
    email: "gail@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(booked.ok, JSON.stringify(booked));
  if (opts.annLeft) await removeFromTeam(seed, team.id, ann.id);
  kv.close();

  await using app = await startApp({ dataDir });
  const annC = await signInClient(app, ann.email);
  const benC = await signInClient(app, ben.email);
  const path = `/dashboard/bookings/${booked.bookingId}/reschedule`;

  const page = await annC.get(`${path}?date=${day}`);
  assert.equal(page.status, 200);
  const offered = [...page.body.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(offered.includes(at("09:00")), `Ann's morning is offered: ${offered.join(" ")}`);
  const hours = offered.map((s) => new Date(s).getUTCHours());
  assert.ok(hours.every((h) => h >= 9 && h < 12), `only Ann's hours: ${offered.join(" ")}`);

  // A time only Ben is free at (posted as a stale or hand-made form would): refused, and the
  // meeting stays where it was, Ann's.
  const refused = await annC.post(`${path}?/move`, { start: at("14:00"), reason: "Sorry - Ann" });
  assert.equal(refused.status, 409, refused.body.slice(0, 300));
  assert.doesNotMatch(
    (await benC.get("/dashboard/bookings")).body,
    /Gail/,
    "the meeting did not become Ben's",
  );

  const moved = await annC.post(`${path}?/move`, { start: at("11:00"), reason: "Sorry - Ann" });
  assert.equal(moved.status, 303, moved.body.slice(0, 300));
  const movedId = new URL(moved.location!, app.baseUrl).searchParams.get("moved")!;
  // Still Ann's: her move page opens for it, Ben's answers that there is no such booking.
  assert.equal((await annC.get(`/dashboard/bookings/${movedId}/reschedule`)).status, 200);
  assert.equal((await benC.get(`/dashboard/bookings/${movedId}/reschedule`)).status, 404);
}

Deno.test({
  name:
    "round robin: a member moving their booking from the dashboard is offered their own free times, keeps the meeting, and a time only another member has is refused",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => moveAnnsMeeting({ annLeft: false }),
});

Deno.test({
  name:
    "round robin: a member who left the team moves their booking the same way: their own free times, and it stays theirs",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => moveAnnsMeeting({ annLeft: true }),
});
