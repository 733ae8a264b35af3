/**
 * A team's owner cancels a collective seated meeting someone else organises (team-dashboard.ts
 * `cancelTeamMeeting`, the organiser's whole-meeting cancel underneath): who may, what each
 * member's mail says about who pressed it, and presses of the owner and the organiser at once.
 */
import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { cancelSeatedMeeting } from "./cancel-meeting.ts";
import { cancelTeamMeeting } from "./team-dashboard.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import type { OutboxRecord } from "../domain/model/records.ts";

const AT = "2026-11-23T10:00:00Z";

/** Olga owns the team and attends; Ann organises; Ben attends. Three seats of six taken. */
async function ownersClass() {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const { team, users } = await seedTeam(app, {
    members: [{ username: "olga", role: "owner" }, { username: "ann" }, { username: "ben" }],
  });
  const [olga, ann, ben] = users;
  const et = await seedTeamEventType(app, team, {
    slug: "class",
    title: "Class",
    teamMode: "collective",
    durationMin: 60,
    organiserId: ann.id,
    seats: { perTime: 6, showAttendees: false, hideCount: false },
  });
  const ids: string[] = [];
  for (const name of ["Anne", "Bea", "Cy"]) {
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug: "class",
      start: AT,
      name,
      email: `${name.toLowerCase()}@example.test`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
    ids.push(r.bookingId);
  }
  assert.equal((await getBooking(app.kv, ids[0]))!.hostId, ann.id, "Ann organises");
  await deliverOutbox(app, app.now());
  app.mailer.sent.length = 0;
  return { app, team, olga, ann, ben, et, ids };
}

async function outbox(app: { kv: Deno.Kv }): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: ["outbox"] })) out.push(e.value);
  return out.filter((j) => j && typeof j === "object" && "payload" in j);
}

Deno.test("team seats: an owner who attends cancels the meeting Ann organises — the owner reads 'You cancelled', Ann and Ben read that Olga did; a member who neither owns nor organises it is refused", async () => {
  const { app, team, olga, ann, ben, ids } = await ownersClass();
  try {
    const refused = await cancelTeamMeeting(app, ben, team.id, ids[0], "no");
    assert.deepEqual(refused, { ok: false, reason: "forbidden" });
    assert.equal((await getBooking(app.kv, ids[0]))!.status, "CONFIRMED");

    const res = await cancelTeamMeeting(app, olga, team.id, ids[1], "Studio flooded");
    assert.ok(res.ok && res.cancelled === 3, JSON.stringify(res));
    await deliverOutbox(app, app.now());
    const told = (who: { email: string }) =>
      app.mailer.sent.filter((m) => m.to === who.email && /^Cancelled: Class, /.test(m.subject));
    const mine = told(olga);
    assert.equal(mine.length, 1);
    assert.match(mine[0].text, /You cancelled “Class”/);
    for (const member of [ann, ben]) {
      const theirs = told(member);
      assert.equal(theirs.length, 1, member.username);
      assert.match(theirs[0].text, /Host olga cancelled “Class” of The Crew on .+ for every guest/);
      assert.match(theirs[0].text, /Studio flooded/);
    }
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: the owner and the organiser press 'Cancel the meeting' many times at once — every seat ends cancelled, each guest told once, each member told once", async () => {
  for (let run = 0; run < 3; run++) {
    const { app, team, olga, ann, et, ids } = await ownersClass();
    try {
      const presses = await Promise.all(
        Array.from(
          { length: 10 },
          (_, i) =>
            i % 2
              ? cancelTeamMeeting(app, olga, team.id, ids[i % 3], "Owner")
              : cancelSeatedMeeting(app, ann.id, ids[i % 3], "Organiser"),
        ),
      );
      const answered = presses.filter((p) => p.ok);
      assert.ok(answered.length >= 1, JSON.stringify(presses));
      for (const p of presses) {
        assert.ok(p.ok ? p.cancelled === 3 : p.reason === "cancelled", JSON.stringify(presses));
      }
      for (const id of ids) assert.equal((await getBooking(app.kv, id))!.status, "CANCELLED");
      assert.equal(await getSeatLedger(app.kv, et.id, Date.parse(AT)), null);
      const jobs = (await outbox(app)).flatMap((j) =>
        j.payload.kind === "booking_mail" ? [j.payload] : []
      );
      const guests = jobs.filter((p) => p.mail === "guest_cancelled").map((p) => p.bookingId);
      assert.deepEqual(guests.sort(), [...ids].sort(), "each guest told once");
      const members = jobs.filter((p) => p.mail === "host_meeting_cancelled");
      assert.equal(members.length, 3, "each member told once");
      await deliverOutbox(app, app.now());
      assert.equal(
        app.mailer.sent.filter((m) => /^Cancelled: Class, /.test(m.subject) && m.to === ann.email)
          .length,
        1,
      );
    } finally {
      await settleCounts();
      app.close();
    }
  }
});
