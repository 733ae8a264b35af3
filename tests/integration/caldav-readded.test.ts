/**
 * A CalDAV account removed and added again (before a new password could be entered on the
 * account, the only way after a password change; or a host tidying up) is the same account: the
 * meetings written through it before are still its own, so cancelling or moving one changes
 * the calendar. Before, the written meetings pointed at the removed account, and a cancelled
 * meeting stayed in the host's calendar, the time looking taken. Real Radicale, and Google's
 * local server (tests/support/google.ts).
 */
import assert from "node:assert/strict";
import { startGoogle } from "../support/google.ts";
import { connectVia, hostWithEventType, providerApp } from "./provider-helpers.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { meetingUid } from "../../src/lib/server/services/writeback-events.ts";
import { getIcs, setupCaldav } from "./caldav-helpers.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import {
  addCalendarAccount,
  listCalendarAccounts,
  removeCalendarAccount,
} from "../../src/lib/server/services/calendar-accounts.ts";

registerWriteback();

Deno.test({
  sanitizeResources: false,
  sanitizeOps: false,
  name:
    "caldav account removed and added again: a meeting written before is deleted from the calendar when cancelled (it stayed), however often the account comes back",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    const book = async (start: string) => {
      const res = await bookSlot(app, {
        username: "host",
        slug: "call",
        start,
        name: "Jo Guest",
        email: "jo@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(res.ok && res.status === "CONFIRMED", JSON.stringify(res));
      return res.bookingId;
    };
    const first = await book("2026-11-23T12:00:00Z");
    const second = await book("2026-11-24T12:00:00Z");
    await deliverOutbox(app, app.now());
    const icsOf = (id: string) => getIcs(dav, `${dav.calendarUrl("work")}${id}.ics`);
    assert.ok(await icsOf(first), "written");
    assert.ok(await icsOf(second), "written");

    assert.equal(await removeCalendarAccount(app, host.id, s.accountId), true);
    const again = await addCalendarAccount(app, host, {
      serverUrl: dav.url,
      username: dav.username,
      password: dav.password,
    });
    assert.ok(again.ok, JSON.stringify(again));
    const listed = (await listCalendarAccounts(app, host.id)).accounts;
    assert.equal(listed.length, 1);
    // The calendar receiving bookings is the host's choice again (as on a first connection).
    assert.deepEqual(listed[0].calendars.map((c) => [c.name, c.writeback]), [["Work", true]]);

    assert.ok((await decideBooking(app, first, "cancel", "host", { hostId: host.id })).ok);
    await deliverOutbox(app, app.now());
    assert.equal(await icsOf(first), null, "the cancelled meeting left the calendar");
    assert.ok(await icsOf(second), "the other meeting is untouched");

    // Removed and added a second time, by five presses at once: one account, the same one (the
    // old id is written only where no account holds it); the other presses are told, not a 5xx.
    assert.equal(await removeCalendarAccount(app, host.id, again.accountId), true);
    const presses = await Promise.all(
      Array.from({ length: 5 }, () =>
        addCalendarAccount(app, host, {
          serverUrl: dav.url,
          username: dav.username,
          password: dav.password,
        })),
    );
    assert.ok(presses.some((p) => p.ok), JSON.stringify(presses));
    for (const p of presses) if (!p.ok) assert.ok(p.message.length > 0);
    assert.deepEqual(
      (await listCalendarAccounts(app, host.id)).accounts.map((a) => a.id),
      [again.accountId],
    );
    assert.ok((await decideBooking(app, second, "cancel", "host", { hostId: host.id })).ok);
    await deliverOutbox(app, app.now());
    assert.equal(await icsOf(second), null);
  },
});

Deno.test({
  sanitizeResources: false,
  sanitizeOps: false,
  name:
    "google account disconnected and connected again: a meeting written before is deleted from the calendar when cancelled (it stayed)",
  async fn() {
    const g = await startGoogle();
    await using _g = g;
    const PRIMARY = "ann@example.com";
    g.calendars = [{ id: PRIMARY, summary: "Ann", accessRole: "owner", primary: true }];
    const app = await providerApp(g.env);
    try {
      const host = await hostWithEventType(app);
      const first = await connectVia(app, host, "google", g.oauth);
      assert.ok(first.result.ok);
      const booked = await bookSlot(app, {
        username: "host",
        slug: "call",
        start: "2026-11-23T13:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(booked.ok && booked.status === "CONFIRMED");
      await deliverOutbox(app, app.now());
      const uid = meetingUid(app, (await getBooking(app.kv, booked.bookingId))!);
      const ours = () => g.live(PRIMARY).filter((e) => e.iCalUID === uid);
      assert.equal(ours().length, 1);

      assert.equal(await removeCalendarAccount(app, host.id, first.result.accountId), true);
      assert.ok((await connectVia(app, host, "google", g.oauth)).result.ok);
      assert.ok(
        (await decideBooking(app, booked.bookingId, "cancel", "host", { hostId: host.id })).ok,
      );
      await deliverOutbox(app, app.now());
      assert.equal(ours().length, 0, "the cancelled meeting left the calendar");
    } finally {
      app.close();
    }
  },
});
