/**
 * Confirmed bookings written into the host's calendar on a real Radicale, read back by a second
 * client; cancellation deletes; an outage makes slots fail closed (driven by the memory app's
 * clock) while the write retries, and after the restart the event exists exactly once.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { fetchCalendarObjects } from "tsdav";
import { getIcs, haltRadicale, listHrefs, MIN, setupCaldav, vevent } from "./caldav-helpers.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import { calendarBusy } from "../../src/lib/server/services/calendar-busy.ts";
import { syncDueAccounts } from "../../src/lib/server/services/sync-calendars.ts";
import { getSlotPage } from "../../src/lib/server/services/slot-page.ts";
import { listBookingsForHost, retryDelivery } from "../../src/lib/server/services/host-bookings.ts";
import {
  listCalendarAccounts,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { writeBack } from "../../src/lib/server/services/calendar-writeback.ts";
import { getBookingWriteback } from "../../src/lib/server/store/writebacks.ts";
import type { TestApp } from "../support/memory-app.ts";
import { getInsights } from "../../src/lib/server/services/insights.ts";
import { settleCounts } from "../../src/lib/server/services/insights-count.ts";
import { translator } from "../../src/lib/server/i18n.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();

const GUEST = {
  name: "Doe; Jane, Jr.",
  email: "jane@example.test",
  note: "Bring slides, please;\nthanks, J.",
};
// Monday 23 Nov 2026, 13:00 Berlin.
const SLOT = "2026-11-23T12:00:00Z";

async function book(app: TestApp, start = SLOT) {
  const res = await bookSlot(app, {
    username: "host",
    slug: "call",
    start,
    ...GUEST,
    timeZone: "Europe/Berlin",
  });
  assert.ok(res.ok, JSON.stringify(res));
  assert.equal(res.status, "CONFIRMED");
  return res.bookingId;
}

async function page(app: TestApp, date = "2026-11-23") {
  const p = await getSlotPage(app, {
    username: "host",
    slug: "call",
    timeZone: "Europe/Berlin",
    date,
  });
  assert.ok(p.ok);
  return p;
}

Deno.test({
  ...opts,
  name:
    "caldav writeback: a confirmed booking becomes one VEVENT that a second client reads back and ical.js parses; it does not block its slot twice; cancelling deletes it",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    const id = await book(app);
    await deliverOutbox(app, app.now());
    const url = `${dav.calendarUrl("work")}${id}.ics`;
    const text = await getIcs(dav, url);
    assert.ok(text, "the event is in the calendar");
    const vevent = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent("vevent")!;
    const ev = new ICAL.Event(vevent);
    assert.equal(ev.uid, `${id}@invito.test`);
    assert.equal(ev.summary, "Intro call with Doe; Jane, Jr.");
    assert.equal(ev.startDate.toJSDate().toISOString(), "2026-11-23T12:00:00.000Z");
    assert.equal(ev.endDate.toJSDate().toISOString(), "2026-11-23T12:30:00.000Z");
    // A note that spans lines is quoted under its label (issue 10, #7), escaping intact.
    assert.match(
      ev.description,
      /Note from Doe; Jane, Jr\.:\n> Bring slides, please;\n> thanks, J\./,
    );
    const attendee = vevent.getFirstProperty("attendee")!;
    assert.equal(attendee.getParameter("cn"), "Doe; Jane, Jr.");
    assert.equal(attendee.getFirstValue(), "mailto:jane@example.test");
    assert.equal(attendee.getParameter("schedule-agent"), "CLIENT");
    assert.equal(vevent.getFirstPropertyValue("organizer"), "mailto:host@example.test");
    // A second, independent CalDAV client (tsdav) finds it with a time-range query.
    const objects = await fetchCalendarObjects({
      calendar: { url: dav.calendarUrl("work") },
      timeRange: { start: "2026-11-23T00:00:00Z", end: "2026-11-24T00:00:00Z" },
      headers: { authorization: dav.authHeader },
    });
    assert.deepEqual(objects.map((o) => new URL(o.url).pathname), [`/alice/work/${id}.ics`]);

    const rows = await listBookingsForHost(app, host, "all");
    assert.deepEqual(rows[0].calendarEntry, { calendarName: "Work", writtenAtMs: app.now() });

    // Synced back, Invito's own event adds no calendar busy time (the booking blocks already).
    app.clock.ms += 15 * MIN;
    await syncDueAccounts(app, app.now());
    const busy = await calendarBusy(
      app,
      host.id,
      Date.parse("2026-11-23T00:00:00Z"),
      Date.parse("2026-11-24T00:00:00Z"),
      app.now(),
    );
    assert.deepEqual(busy, { busy: [], unknown: [] });
    assert.ok(
      !(await page(app)).slots.some((x) => x.start === SLOT),
      "the booking itself still blocks",
    );

    const cancelled = await decideBooking(app, id, "cancel", "host", { hostId: host.id });
    assert.ok(cancelled.ok);
    await deliverOutbox(app, app.now());
    assert.equal(await getIcs(dav, url), null, "cancelling deleted the event");
    assert.equal(await getBookingWriteback(app.kv, id), null);
    assert.ok((await page(app)).slots.some((x) => x.start === SLOT), "the time is free again");
  },
});

Deno.test({
  ...opts,
  name:
    "caldav fail closed: with Radicale stopped the cache serves until it is 2 × the sync interval old, then no slots are offered and booking is refused; the write retries and after the restart exists exactly once",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    await dav.putIcs(
      "work",
      "dentist.ics",
      vevent("dentist@test", ["DTSTART:20261123T090000Z", "DTEND:20261123T100000Z"]),
    );
    await syncAccountNow(app, host.id, s.accountId);
    const id = await book(app);
    const syncedAt = app.now();

    await haltRadicale(dav);
    const first = await deliverOutbox(app, app.now());
    assert.equal(first.retried, 1, "the calendar write waits for a retry; the mails went out");
    const row = (await listBookingsForHost(app, host, "all"))[0];
    assert.equal(row.state, "confirmed", "the booking stays confirmed");
    assert.deepEqual(row.delivery.map((d) => [d.kind, d.state, d.attempts]), [[
      "calendar",
      "retrying",
      1,
    ]]);
    assert.match(
      row.delivery[0].error!,
      // One text for every connection failure (no port-scan oracle, issue 10 #9); retried, and
      // no advice to check an address that worked.
      /^The calendar server could not be reached: the connection failed, timed out or was refused\. Invito will try again\.$/,
      row.delivery[0].error!,
    );
    // A German host reads the same in German (the job's log keeps the English), on the bookings
    // page and on the insights page's calendar writes.
    const german =
      "Der Kalenderserver war nicht erreichbar: Die Verbindung schlug fehl, lief in eine Zeitüberschreitung oder wurde abgewiesen. Invito versucht es erneut.";
    const inGerman = (await listBookingsForHost(app, host, "all", "de"))[0];
    assert.equal(inGerman.delivery[0].error, german);
    await settleCounts();
    const insights = await getInsights(
      app,
      host,
      { range: null, from: null, to: null, eventType: null },
      translator("de"),
    );
    assert.ok(insights.ok);
    assert.equal(insights.data.health.calendarWrites.problem?.detail, german);

    // 20 minutes: the sync fails, but a 20-minute-old cache is still trusted.
    app.clock.ms = syncedAt + 20 * MIN;
    assert.deepEqual(await syncDueAccounts(app, app.now()), { synced: 0, failed: 1, skipped: 0 });
    let p = await page(app);
    assert.equal(p.unavailable, false);
    assert.ok(p.slots.some((x) => x.label === "11:00"));
    assert.ok(!p.slots.some((x) => x.label === "10:00"), "the cached event still blocks");

    // Just past 2 × 15 minutes without a successful read: fail closed.
    app.clock.ms = syncedAt + 30 * MIN + 1;
    await syncDueAccounts(app, app.now());
    p = await page(app);
    assert.equal(p.unavailable, true);
    assert.deepEqual(p.slots, []);
    assert.ok(p.days.every((d) => d.slots === 0));
    const refused = await bookSlot(app, {
      username: "host",
      slug: "call",
      start: "2026-11-23T14:00:00Z",
      ...GUEST,
      timeZone: "UTC",
    });
    assert.deepEqual(refused, { ok: false, reason: "calendar_unavailable" });
    const dash = await listCalendarAccounts(app, host.id);
    assert.equal(dash.paused, true);
    assert.match(dash.accounts[0].error!, /could not be reached/);

    const second = await deliverOutbox(app, app.now());
    assert.equal(second.retried, 1);

    await dav.restart();
    app.clock.ms += 6 * MIN; // past the 5-minute backoff
    const third = await deliverOutbox(app, app.now());
    assert.equal(third.done, 1);
    // A redelivery (say the process died after the PUT, before the job was marked done) rewrites the same event.
    const job = {
      v: 1 as const,
      id: "x",
      dueMs: 0,
      attempts: 1,
      createdAtMs: 0,
      lastError: null,
      claimedBy: null,
    };
    assert.deepEqual(
      await writeBack(
        app,
        { ...job, payload: { kind: "writeback", op: "put", bookingId: id } },
        app.now(),
      ),
      { ok: true },
    );
    const hrefs = await listHrefs(dav, "work");
    assert.deepEqual(hrefs.filter((h) => h.includes(id)), [`/alice/work/${id}.ics`]);
    const uids = await Promise.all(
      hrefs.map(async (h) => /UID:(.+)\r?\n/.exec((await getIcs(dav, `${dav.url}${h}`))!)![1]),
    );
    assert.equal(uids.filter((u) => u === `${id}@invito.test`).length, 1, "written exactly once");

    // The next sync reads the calendar again and booking opens up.
    await syncDueAccounts(app, app.now());
    p = await page(app);
    assert.equal(p.unavailable, false);
    assert.ok(p.slots.some((x) => x.label === "11:00"));
    assert.ok(!p.slots.some((x) => x.label === "10:00" || x.label === "13:00"));
  },
});

Deno.test({
  ...opts,
  name:
    "caldav writeback: a write that failed for good can be retried from the bookings page and is then written",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    const id = await book(app);
    await haltRadicale(dav);
    for (let i = 0; i < 6; i++) {
      await deliverOutbox(app, app.now());
      app.clock.ms += 13 * 60 * MIN;
    }
    const row = (await listBookingsForHost(app, host, "all"))[0];
    const failed = row.delivery.find((d) => d.kind === "calendar")!;
    assert.equal(failed.state, "failed");
    await dav.restart();
    assert.equal(
      await retryDelivery(app, "someone-else", failed.id),
      false,
      "only the host's own bookings",
    );
    assert.equal(await retryDelivery(app, host.id, failed.id), true);
    assert.equal(
      await retryDelivery(app, host.id, failed.id),
      false,
      "a second click does nothing",
    );
    await deliverOutbox(app, app.now());
    assert.ok(await getIcs(dav, `${dav.calendarUrl("work")}${id}.ics`));
    const after = (await listBookingsForHost(app, host, "all"))[0];
    assert.deepEqual(after.delivery, []);
    assert.equal(after.calendarEntry?.calendarName, "Work");
  },
});

Deno.test({
  ...opts,
  name:
    "caldav writeback: a rescheduled booking is the same event moved in place — same resource and UID, a higher SEQUENCE — and a cancellation removes it",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    const id = await book(app);
    await deliverOutbox(app, app.now());
    const url = `${dav.calendarUrl("work")}${id}.ics`;
    const before = new ICAL.Event(
      new ICAL.Component(ICAL.parse((await getIcs(dav, url))!)).getFirstSubcomponent("vevent")!,
    );
    const { rescheduleByHost } = await import("../../src/lib/server/services/decide-booking.ts");
    const moved = await rescheduleByHost(app, host.id, id, "2026-11-24T09:00:00Z");
    assert.ok(moved.ok, JSON.stringify(moved));
    await deliverOutbox(app, app.now());
    // Still one resource, at the same address, holding the new time.
    assert.deepEqual(await listHrefs(dav, "work"), [new URL(url).pathname]);
    const after = new ICAL.Event(
      new ICAL.Component(ICAL.parse((await getIcs(dav, url))!)).getFirstSubcomponent("vevent")!,
    );
    assert.equal(after.uid, before.uid);
    assert.ok(after.sequence > before.sequence, `${after.sequence} > ${before.sequence}`);
    assert.equal(after.startDate.toJSDate().toISOString(), "2026-11-24T09:00:00.000Z");
    assert.equal(await getBookingWriteback(app.kv, id), null, "the record moved to the successor");
    assert.equal((await getBookingWriteback(app.kv, moved.booking.id))?.href, url);
    // Cancelling the moved booking removes the one event.
    assert.ok(
      (await decideBooking(app, moved.booking.id, "cancel", "host", { hostId: host.id })).ok,
    );
    await deliverOutbox(app, app.now());
    assert.deepEqual(await listHrefs(dav, "work"), []);
  },
});
