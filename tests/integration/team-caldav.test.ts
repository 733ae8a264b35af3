/**
 * A collective team event against real CalDAV servers: two members each with their own Radicale
 * (Berlin and New York) and one without a calendar (Sydney). What a member's calendar holds
 * removes the team's slots; a booking is written into each attending member's calendar as the
 * same meeting (one UID, every member and the guest as attendees, read back by a second client);
 * cancelling removes it from both.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startRadicale } from "../support/radicale.ts";
import { memoryApp } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { getIcs, listHrefs, vevent } from "./caldav-helpers.ts";
import {
  addCalendarAccount,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { getSlotPage } from "../../src/lib/server/services/slot-page.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import type { WeeklyRules } from "../../src/lib/server/domain/availability.ts";

registerWriteback();

const daily = (start: string, end: string): WeeklyRules => {
  const r = [{ start, end }];
  return { 1: r, 2: r, 3: r, 4: r, 5: r, 6: r, 7: r };
};

Deno.test({
  name:
    "team caldav: a member busy in Radicale removes collective slots; the booking lands in each member's own calendar as one meeting, and cancelling removes it from both",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using davA = await startRadicale();
    await using davB = await startRadicale();
    const app = await memoryApp({
      nowIso: "2026-11-20T08:00:00Z",
      env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" },
    });
    try {
      await davA.mkcalendar("work", "Work");
      await davB.mkcalendar("work", "Work");
      const { team, users } = await seedTeam(app, {
        members: [
          { username: "berlin", timeZone: "Europe/Berlin", weekly: daily("07:00", "23:00") },
          { username: "newyork", timeZone: "America/New_York", weekly: daily("07:00", "22:00") },
          { username: "sydney", timeZone: "Australia/Sydney", weekly: daily("06:00", "22:00") },
        ],
      });
      await seedTeamEventType(app, team, {
        slug: "panel",
        title: "Panel",
        teamMode: "collective",
        durationMin: 30,
        intervalMin: 30,
      });
      for (const [u, dav] of [[users[0], davA], [users[1], davB]] as const) {
        const res = await addCalendarAccount(app, u, {
          serverUrl: dav.url,
          username: dav.username,
          password: dav.password,
        });
        assert.ok(res.ok, JSON.stringify(res));
      }
      const slots = async () => {
        const p = await getSlotPage(app, {
          username: "",
          team: "crew",
          slug: "panel",
          timeZone: "UTC",
          date: "2026-11-23",
        });
        assert.ok(p.ok);
        assert.equal(p.unavailable, false);
        return p.slots.map((s) => s.start.slice(11, 16));
      };
      // Berlin 06–22Z, New York 12Z–03Z, Sydney from 19Z (06:00 on the 24th).
      assert.deepEqual(await slots(), ["19:00", "19:30", "20:00", "20:30", "21:00", "21:30"]);

      // The Berlin member's own calendar says she is busy 20:00–21:00Z.
      await davA.putIcs(
        "work",
        "busy.ics",
        vevent("busy@test", [
          "SUMMARY:Dentist",
          "DTSTART:20261123T200000Z",
          "DTEND:20261123T210000Z",
        ]),
      );
      const accountA = (await app.kv.list({ prefix: ["calendar_account", users[0].id] }).next())
        .value!.key[2] as string;
      assert.deepEqual(await syncAccountNow(app, users[0].id, accountA), {
        ok: true,
        calendars: 1,
      });
      assert.deepEqual(await slots(), ["19:00", "19:30", "21:00", "21:30"]);
      const refused = await bookTeamSlot(app, {
        team: "crew",
        slug: "panel",
        start: "2026-11-23T20:00:00Z",
        name: "G",
        email: "g@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.deepEqual(refused, { ok: false, reason: "slot_taken" });

      const booked = await bookTeamSlot(app, {
        team: "crew",
        slug: "panel",
        start: "2026-11-23T21:00:00Z",
        name: "Gina Guest",
        email: "gina@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(booked.ok, JSON.stringify(booked));
      await deliverOutbox(app, app.now());
      const uids = new Set<string>();
      for (const dav of [davA, davB]) {
        const hrefs = (await listHrefs(dav, "work")).filter((h) => !h.endsWith("busy.ics"));
        assert.equal(hrefs.length, 1, "exactly one event in each member's calendar");
        const text = await getIcs(dav, new URL(hrefs[0], dav.url).href);
        const ev = new ICAL.Component(ICAL.parse(text!)).getFirstSubcomponent("vevent")!;
        uids.add(String(ev.getFirstPropertyValue("uid")));
        assert.equal(
          new ICAL.Event(ev).startDate.toJSDate().toISOString(),
          "2026-11-23T21:00:00.000Z",
        );
        const attendees = ev.getAllProperties("attendee").map((p) => String(p.getFirstValue()));
        assert.deepEqual(attendees.sort(), [
          "mailto:gina@example.test",
          "mailto:newyork@example.test",
          "mailto:sydney@example.test",
        ]);
        assert.equal(String(ev.getFirstPropertyValue("organizer")), "mailto:berlin@example.test");
      }
      assert.equal(uids.size, 1, "one meeting identity in every member's calendar");

      assert.ok((await decideBooking(app, booked.bookingId, "cancel", "guest")).ok);
      await deliverOutbox(app, app.now());
      for (const dav of [davA, davB]) {
        assert.deepEqual(
          (await listHrefs(dav, "work")).filter((h) => !h.endsWith("busy.ics")),
          [],
          "removed from every member's calendar",
        );
      }
    } finally {
      app.close();
    }
  },
});
