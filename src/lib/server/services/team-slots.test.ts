/**
 * A team's booking page through the service: collective slots are the intersection of members
 * in Berlin, New York and Sydney, moving as each of their zones changes to or from summer time;
 * round robin offers the union; each member's own hours and bookings count, and a removed member
 * stops counting at once.
 */
import assert from "node:assert/strict";
import { getTeamPage } from "./public-calendar.ts";
import { getSlotPage } from "./slot-page.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { removeMember } from "./teams.ts";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import type { WeeklyRules } from "../domain/availability.ts";

const daily = (start: string, end: string): WeeklyRules => {
  const r = [{ start, end }];
  return { 1: r, 2: r, 3: r, 4: r, 5: r, 6: r, 7: r };
};

async function world() {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { team, users } = await seedTeam(app, {
    members: [
      { username: "berlin", timeZone: "Europe/Berlin", weekly: daily("07:00", "23:00") },
      { username: "newyork", timeZone: "America/New_York", weekly: daily("07:00", "22:00") },
      { username: "sydney", timeZone: "Australia/Sydney", weekly: daily("06:00", "22:00") },
    ],
  });
  const common = { durationMin: 30, intervalMin: 30, bookingWindowDays: 200 };
  await seedTeamEventType(app, team, { slug: "panel", teamMode: "collective", ...common });
  await seedTeamEventType(app, team, { slug: "any", teamMode: "round_robin", ...common });
  return { app, team, users };
}

async function starts(app: Awaited<ReturnType<typeof memoryApp>>, slug: string, date: string) {
  const page = await getSlotPage(app, {
    username: "",
    team: "crew",
    slug,
    timeZone: "UTC",
    date,
  });
  assert.ok(page.ok, JSON.stringify(page));
  return page.slots.map((s) => s.start.slice(11, 16));
}

Deno.test("collective: Berlin, New York and Sydney share only the UTC hours all three offer, across each zone's summer-time change", async () => {
  const { app } = await world();
  // 10 March 2027: Berlin UTC+1 (07–23 = 06–22Z), New York UTC−5, Sydney UTC+11 (06:00 = 19Z).
  assert.deepEqual(await starts(app, "panel", "2027-03-10"), [
    "19:00",
    "19:30",
    "20:00",
    "20:30",
    "21:00",
    "21:30",
  ]);
  // 20 March: New York has moved to UTC−4 (14 March); its day is not the one that binds.
  assert.deepEqual(await starts(app, "panel", "2027-03-20"), [
    "19:00",
    "19:30",
    "20:00",
    "20:30",
    "21:00",
    "21:30",
  ]);
  // 30 March: Berlin is on UTC+2 (28 March): it stops at 21Z.
  assert.deepEqual(await starts(app, "panel", "2027-03-30"), ["19:00", "19:30", "20:00", "20:30"]);
  // 6 April: Sydney is back on UTC+10 (4 April): its day starts at 20Z and now ends at 12Z,
  // an hour after New York (UTC−4) begins.
  assert.deepEqual(await starts(app, "panel", "2027-04-06"), ["11:00", "11:30", "20:00", "20:30"]);
  app.close();
});

Deno.test("round robin: the guest sees every time any member is free; a booking takes one member out, not the time", async () => {
  const { app, team, users } = await world();
  const union = await starts(app, "any", "2027-03-10");
  // Berlin 06–22Z, New York 12Z–03Z (next day), Sydney 19Z–11Z: together the whole day.
  assert.equal(union.length, 48);
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "any",
    start: "2027-03-10T20:00:00Z",
    name: "G",
    email: "g@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(r.ok);
  assert.ok((await starts(app, "any", "2027-03-10")).includes("20:00"), "two others are free");
  // The collective needs everyone: that time is gone there.
  assert.ok(!(await starts(app, "panel", "2027-03-10")).includes("20:00"));
  // Removing the Sydney member takes her hours out of both at once.
  const left = await removeMember(app, users[0], team.id, users[2].id);
  assert.ok(left.ok);
  const page = await getTeamPage(app, "crew");
  assert.deepEqual(page!.eventTypes.map((t) => t.team.members.length), [2, 2]);
  // Without Sydney the collective is Berlin ∩ New York: 12–22Z.
  assert.equal((await starts(app, "panel", "2027-03-10"))[0], "12:00");
  app.close();
});
