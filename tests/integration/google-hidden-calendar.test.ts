/**
 * Google Calendar's "Hide from list" (CalendarList `hidden`): a calendar the host hides in
 * Google's own list is still theirs. Its events keep blocking time in Invito, it keeps receiving
 * bookings, and it does not come back unchecked when shown again.
 */
import assert from "node:assert/strict";
import { startGoogle } from "../support/google.ts";
import {
  connectVia,
  dayWithout,
  hostWithEventType,
  labels,
  MIN,
  providerApp,
} from "./provider-helpers.ts";
import {
  listCalendarAccounts,
  saveCalendarSettings,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PRIMARY = "ann@example.com";
const TEAM = "team-42@group.calendar.google.com";

Deno.test({
  ...opts,
  name:
    "google: a calendar the host hides from Google's list still blocks its times and still receives bookings (it was dropped and came back unchecked)",
  async fn() {
    const g = await startGoogle();
    await using _g = g;
    g.calendars = [
      { id: PRIMARY, summary: "Ann", accessRole: "owner", primary: true },
      { id: TEAM, summary: "Team", accessRole: "owner" },
    ];
    g.put(TEAM, {
      id: "standup2311",
      status: "confirmed",
      summary: "Stand-up",
      start: { dateTime: "2026-11-23T09:00:00+01:00" },
      end: { dateTime: "2026-11-23T09:30:00+01:00" },
    });
    const app = await providerApp(g.env);
    try {
      const host = await hostWithEventType(app);
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      const before = await listCalendarAccounts(app, host.id);
      const team = before.accounts[0].calendars.find((c) => c.name === "Team")!;
      assert.equal(team.checkConflicts, true);
      const saved = await saveCalendarSettings(app, host.id, {
        conflicts: before.accounts[0].calendars.map((c) => c.id),
        writeback: team.id,
      });
      assert.ok(saved.ok);
      assert.deepEqual(await labels(app, "2026-11-23"), dayWithout("09:00"));

      // The host hides "Team" from the list in Google Calendar; Invito syncs.
      g.calendars[1].hidden = true;
      app.clock.ms += 15 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, true);
      const after = await listCalendarAccounts(app, host.id);
      assert.deepEqual(
        after.accounts[0].calendars.map((c) => [c.name, c.checkConflicts, c.writeback]),
        [["Ann", true, false], ["Team", true, true]],
      );
      assert.deepEqual(await labels(app, "2026-11-23"), dayWithout("09:00"));
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google: the bookings calendar deleted in Google is named on the calendars page, and stays named through a revoked consent and the reconnect (the incident's writes erased it)",
  async fn() {
    const g = await startGoogle();
    await using _g = g;
    g.calendars = [
      { id: PRIMARY, summary: "Ann", accessRole: "owner", primary: true },
      { id: TEAM, summary: "Team", accessRole: "owner" },
    ];
    const app = await providerApp(g.env);
    try {
      const host = await hostWithEventType(app);
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      const cals = (await listCalendarAccounts(app, host.id)).accounts[0].calendars;
      const team = cals.find((c) => c.name === "Team")!;
      assert.ok(
        (await saveCalendarSettings(app, host.id, {
          conflicts: cals.map((c) => c.id),
          writeback: team.id,
        })).ok,
      );
      g.calendars = g.calendars.slice(0, 1); // "Team" deleted in Google Calendar
      app.clock.ms += 15 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, true);
      const said = /“Team”, which received your bookings, was deleted/;
      assert.match((await listCalendarAccounts(app, host.id)).accounts[0].notice ?? "", said);

      g.oauth.revokeAll();
      app.clock.ms += 2 * 60 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, false);
      const revoked = (await listCalendarAccounts(app, host.id)).accounts[0];
      assert.equal(revoked.reconnectNeeded, true);
      assert.match(revoked.notice ?? "", said);

      const again = await connectVia(app, host, "google", g.oauth, { reconnect: result.accountId });
      assert.ok(again.result.ok, JSON.stringify(again.result));
      assert.match((await listCalendarAccounts(app, host.id)).accounts[0].notice ?? "", said);
    } finally {
      app.close();
    }
  },
});
