/**
 * A team's owner cancels one of the team's plain (unseated) bookings from the team's bookings
 * (team-dashboard.ts `decideTeamBooking`): each member's cancellation mail names who pressed it.
 */
import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { decideTeamBooking } from "./team-dashboard.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import type { UserRecord } from "../domain/model/records.ts";

/** Olga owns the crew; Ann organises its collective call, which Olga and Ben attend too. */
async function crew() {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const { team, users } = await seedTeam(app, {
    members: [{ username: "olga", role: "owner" }, { username: "ann" }, { username: "ben" }],
  });
  const [olga, ann, ben] = users;
  await seedTeamEventType(app, team, {
    slug: "call",
    title: "Call",
    teamMode: "collective",
    durationMin: 30,
    organiserId: ann.id,
  });
  await seedTeamEventType(app, team, {
    slug: "intro",
    title: "Intro",
    teamMode: "round_robin",
    durationMin: 30,
    hostIds: [ben.id],
  });
  const book = async (slug: string, start: string) => {
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug,
      start,
      name: "Gus",
      email: "gus@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
    return r.bookingId;
  };
  /** The cancellation mail each person got since the last call, by username. */
  const cancelMails = async (title: string) => {
    await deliverOutbox(app, app.now());
    const out = new Map<string, string[]>();
    for (const u of users) {
      out.set(
        u.username,
        app.mailer.sent.filter((m) =>
          m.to === u.email && m.subject.startsWith(`Cancelled: ${title} with Gus`)
        ).map((m) => m.text),
      );
    }
    app.mailer.sent.length = 0;
    return out;
  };
  await deliverOutbox(app, app.now());
  app.mailer.sent.length = 0;
  return { app, team, olga, ann, ben, book, cancelMails };
}

const by = (u: UserRecord, title: string) =>
  new RegExp(`${u.name} cancelled “${title}” of The Crew with Gus on `);

Deno.test("team bookings: the owner cancels a collective call Ann organises — Ann and Ben read that the owner cancelled it, the owner reads 'You cancelled'", async () => {
  const { app, team, olga, ann, ben, book, cancelMails } = await crew();
  try {
    const id = await book("call", "2026-11-23T10:00:00Z");
    assert.equal((await getBooking(app.kv, id))!.hostId, ann.id, "Ann organises");
    const res = await decideTeamBooking(app, olga, team.id, id, "cancel", "Office closed");
    assert.ok(res.ok, JSON.stringify(res));
    const mails = await cancelMails("Call");
    assert.equal(mails.get("olga")!.length, 1);
    assert.match(mails.get("olga")![0], /You cancelled “Call” with Gus on /);
    for (const member of [ann, ben]) {
      const theirs = mails.get(member.username)!;
      assert.equal(theirs.length, 1, member.username);
      assert.match(theirs[0], by(olga, "Call"), member.username);
      assert.doesNotMatch(theirs[0], /You cancelled/, member.username);
      assert.match(theirs[0], /Office closed/);
    }
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team bookings: the organiser's own cancel still reads 'You cancelled' to them and names them to the others", async () => {
  const { app, team, olga, ann, book, cancelMails } = await crew();
  try {
    const id = await book("call", "2026-11-23T11:00:00Z");
    assert.ok((await decideTeamBooking(app, ann, team.id, id, "cancel")).ok);
    const mails = await cancelMails("Call");
    assert.match(mails.get("ann")![0], /You cancelled “Call” with Gus on /);
    for (const name of ["olga", "ben"]) {
      assert.equal(mails.get(name)!.length, 1, name);
      assert.match(mails.get(name)![0], by(ann, "Call"), name);
    }
    assert.ok(olga);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team bookings: the owner cancels a round-robin intro assigned to Ben — Ben reads that the owner cancelled it, not that he did", async () => {
  const { app, team, olga, ben, book, cancelMails } = await crew();
  try {
    const id = await book("intro", "2026-11-23T12:00:00Z");
    assert.equal((await getBooking(app.kv, id))!.hostId, ben.id);
    assert.ok((await decideTeamBooking(app, olga, team.id, id, "cancel")).ok);
    const mails = await cancelMails("Intro");
    assert.equal(mails.get("ben")!.length, 1);
    assert.match(mails.get("ben")![0], by(olga, "Intro"));
    assert.equal(mails.get("olga")!.length, 0, "the owner does not attend it");
  } finally {
    await settleCounts();
    app.close();
  }
});
