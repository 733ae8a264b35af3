/**
 * A team's collective seated meeting cancelled whole from the organiser's bookings list, over
 * HTTP against the built server (ADR 040, amended 2026-11-27): one press cancels every seat and
 * frees every member's time; the press said "could not be done" before.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { signInByLink } from "../support/auth.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { settleCounts } from "../../src/lib/server/ops/counts-in-flight.ts";

// A day ahead of the real clock the built server runs on (a fixed date goes stale).
const DAY = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
const AT = `${DAY}T10:00:00Z`;

Deno.test({
  name:
    "team's seated meeting over HTTP: the organiser's row offers 'Cancel this meeting'; one press cancels every seat, says how many guests were told, and frees both members' time",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-team-seats-cancel-");
    const { team, users } = await seedTeam(seedApp, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(seedApp, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    let organiserId = "";
    for (const name of ["Anne", "Ben", "Cleo"]) {
      const r = await bookTeamSlot(seedApp, {
        team: "crew",
        slug: "class",
        start: AT,
        name,
        email: `${name.toLowerCase()}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
      organiserId = (await getBooking(seedApp.kv, r.bookingId))!.hostId;
    }
    const organiser = users.find((u) => u.id === organiserId)!;
    await settleCounts();
    kv.close();
    try {
      await using app = await startApp({ dataDir });
      const c = await signInByLink(app, organiser.email);
      const list = await c.get("/dashboard/bookings");
      assert.equal(list.status, 200);
      assert.match(list.body, /Every seat is cancelled \(3 guests\)/);
      const id = /action="\?\/cancelMeeting"(?:(?!<\/form>)[^])*?name="id" value="([0-9A-Z]{26})"/
        .exec(list.body)?.[1];
      assert.ok(id, "the form names one of the meeting's seats");

      const res = await c.post("/dashboard/bookings?/cancelMeeting", {
        id,
        reason: "Teacher is ill",
      });
      assert.equal(res.status, 200, res.body.slice(0, 400));
      assert.match(res.body, /Meeting cancelled\. 3 guests have been told\./);
      const after = await c.get("/dashboard/bookings");
      assert.doesNotMatch(after.body, /data-seat-state="confirmed"/);
      assert.doesNotMatch(after.body, /data-cancel-meeting=/);
      // The other member's list holds no live seat of it either.
      const other = users.find((u) => u.id !== organiserId)!;
      const theirs = await (await signInByLink(app, other.email)).get("/dashboard/bookings");
      assert.equal(theirs.status, 200);
      assert.doesNotMatch(theirs.body, /data-seat-state="confirmed"/);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
