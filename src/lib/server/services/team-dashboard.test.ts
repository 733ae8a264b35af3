/**
 * A team's bookings as members see them: who decides requests (round robin: the assigned
 * member; collective: its organiser or an owner), who sees what, the bookings of a removed
 * member staying theirs and visible to owners, caps per team event type, and the round-robin
 * distribution against weighted shares.
 */
import assert from "node:assert/strict";
import { decideTeamBooking, listTeamBookings, roundRobinDistribution } from "./team-dashboard.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { removeMember } from "./teams.ts";
import { keys } from "../store/keys.ts";
import { getTeam } from "../store/teams.ts";
import type { BookingRecord, OutboxRecord } from "../domain/model/records.ts";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import {
  at,
  guest,
  HOUR,
  seedTeam,
  seedTeamEventType,
  T0,
} from "../../../../tests/support/teams.ts";

async function setup() {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [
      { username: "olga" },
      { username: "ann", weight: 2 },
      { username: "ben" },
    ],
  });
  return { app, team, users, owner: users[0], ann: users[1], ben: users[2] };
}

Deno.test("round-robin requests are decided by the member they went to, not by an owner; collective ones by the organiser or an owner, not by another member", async () => {
  const { app, team, owner, ann, ben } = await setup();
  await seedTeamEventType(app, team, {
    slug: "rr",
    teamMode: "round_robin",
    requiresConfirmation: true,
    hostIds: [ann.id, ben.id],
  });
  await seedTeamEventType(app, team, {
    slug: "panel",
    teamMode: "collective",
    requiresConfirmation: true,
    hostIds: [owner.id, ann.id, ben.id],
    organiserId: ann.id,
  });
  const rr = await bookTeamSlot(app, {
    team: "crew",
    slug: "rr",
    start: at(T0 + 9 * HOUR),
    ...guest(1),
  });
  assert.ok(rr.ok);
  const assigned = (await app.kv.get<BookingRecord>(keys.booking(rr.bookingId))).value!.hostId;
  const other = assigned === ann.id ? ben : ann;
  const assignee = assigned === ann.id ? ann : ben;
  assert.deepEqual(
    await decideTeamBooking(app, owner, team.id, rr.bookingId, "confirm"),
    { ok: false, reason: "forbidden" },
  );
  assert.deepEqual(
    await decideTeamBooking(app, other, team.id, rr.bookingId, "confirm"),
    { ok: false, reason: "not_found" },
    "a member who does not attend does not see it",
  );
  assert.ok((await decideTeamBooking(app, assignee, team.id, rr.bookingId, "confirm")).ok);

  const panel = await bookTeamSlot(app, {
    team: "crew",
    slug: "panel",
    start: at(T0 + 12 * HOUR),
    ...guest(2),
  });
  assert.ok(panel.ok);
  const b = (await app.kv.get<BookingRecord>(keys.booking(panel.bookingId))).value!;
  assert.equal(b.hostId, ann.id, "the organiser hosts it");
  assert.deepEqual(
    await decideTeamBooking(app, ben, team.id, panel.bookingId, "confirm"),
    { ok: false, reason: "forbidden" },
  );
  assert.ok((await decideTeamBooking(app, owner, team.id, panel.bookingId, "confirm")).ok);
  // The organiser got the request with its links; the others were told without them.
  const jobs: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() })) {
    jobs.push(e.value);
  }
  const mails = jobs.map((j) => j.payload).filter((p) =>
    p.kind === "booking_mail" && p.bookingId === panel.bookingId
  ) as { mail: string; personId?: string }[];
  assert.deepEqual(
    mails.filter((m) => m.mail.endsWith("request")).map((m) => [m.mail, m.personId]).sort(),
    [["host_request", ann.id], ["member_request", ben.id], ["member_request", owner.id]].sort(),
  );
  app.close();
});

Deno.test("members see the bookings they attend, owners all; a removed member's bookings stay theirs and in the owner's list", async () => {
  const { app, team, owner, ann, ben } = await setup();
  await seedTeamEventType(app, team, {
    slug: "rr",
    teamMode: "round_robin",
    hostIds: [ann.id, ben.id],
  });
  for (let i = 0; i < 4; i++) {
    assert.ok(
      (await bookTeamSlot(app, { team: "crew", slug: "rr", start: at(T0 + i * HOUR), ...guest(i) }))
        .ok,
    );
  }
  const all = await listTeamBookings(app, owner, team.id, "all");
  assert.equal(all!.rows.length, 4);
  const mine = await listTeamBookings(app, ann, team.id, "all");
  assert.ok(mine!.rows.length > 0 && mine!.rows.length < 4);
  assert.ok(mine!.rows.every((r) => r.team!.people === "Host ann"));
  assert.ok((await removeMember(app, owner, team.id, ann.id)).ok);
  assert.equal(await listTeamBookings(app, ann, team.id, "all"), null, "no longer a member");
  const after = await listTeamBookings(app, owner, team.id, "all");
  assert.equal(after!.rows.filter((r) => r.team!.people === "Host ann").length, mine!.rows.length);
  assert.ok(after!.rows.every((r) => r.state === "confirmed"));
  app.close();
});

Deno.test("caps count per team event type in the team's zone, whoever the member", async () => {
  const { app, team } = await setup();
  await seedTeamEventType(app, team, { slug: "rr", teamMode: "round_robin", maxPerDay: 2 });
  const r = [];
  for (let i = 0; i < 3; i++) {
    r.push(
      await bookTeamSlot(app, {
        team: "crew",
        slug: "rr",
        start: at(T0 + (9 + i) * HOUR),
        ...guest(i),
      }),
    );
  }
  assert.deepEqual(r.map((x) => x.ok || x.reason), [true, true, "cap_reached"]);
  app.close();
});

Deno.test("the distribution table counts the last 30 days' round-robin bookings per member against their weighted share", async () => {
  const { app, team, owner, ann, ben } = await setup();
  await seedTeamEventType(app, team, { slug: "rr", teamMode: "round_robin", title: "Calls" });
  for (let i = 0; i < 8; i++) {
    assert.ok(
      (await bookTeamSlot(app, { team: "crew", slug: "rr", start: at(T0 + i * HOUR), ...guest(i) }))
        .ok,
    );
  }
  const [d] = await roundRobinDistribution(app, (await getTeam(app.kv, team.id))!);
  assert.equal(d.eventType.title, "Calls");
  assert.equal(d.total, 8);
  const by = new Map(d.rows.map((r) => [r.userId, r]));
  // Weights 1 (Olga), 2 (Ann), 1 (Ben): shares 2, 4, 2.
  assert.equal(by.get(ann.id)!.share, 4);
  assert.equal(by.get(owner.id)!.share, 2);
  assert.deepEqual([owner, ann, ben].map((u) => by.get(u.id)!.bookings), [2, 4, 2]);
  // Thirty days on, they no longer count.
  app.clock.ms += 31 * 24 * HOUR;
  assert.equal((await roundRobinDistribution(app, (await getTeam(app.kv, team.id))!))[0].total, 0);
  app.close();
});
