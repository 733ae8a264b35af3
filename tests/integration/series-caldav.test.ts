/**
 * A recurring series in the host's calendar on a real Radicale (issue 25, ADR 048): one event
 * per date under its own UID; cancelling one date removes that event alone, cancelling "this and
 * the later ones" removes theirs — the host's CalDAV calendar and the guest's invitations (as
 * ical.js and python3-icalendar apply them) end with exactly the dates still booked.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { getIcs, listHrefs, setupCaldav } from "./caldav-helpers.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import { createEventType } from "../support/memory-app.ts";
import { applyInvitations } from "../support/calendar-app.ts";
import { listSeriesBookings } from "../../src/lib/server/store/bookings.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import { addCalendarAccount } from "../../src/lib/server/services/calendar-accounts.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();

// Monday 23 Nov 2026, 14:00 Berlin; then every week.
const FIRST = "2026-11-23T13:00:00Z";
const WEEK = 7 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

Deno.test({
  ...opts,
  name:
    "series in CalDAV: five dates are five events with their own UIDs; cancelling the second alone, then the fourth and later, leaves exactly the first and third in the host's calendar and in the guest's",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    await createEventType(app, host, {
      slug: "weekly",
      title: "Coaching",
      durationMin: 60,
      requiresConfirmation: false,
      series: { everyWeeks: 1, count: 5, freeOnly: false },
    });
    const res = await bookSlot(app, {
      username: "host",
      slug: "weekly",
      start: FIRST,
      name: "Ann",
      email: "ann@example.test",
      note: "",
      timeZone: "Europe/Berlin",
    });
    assert.ok(res.ok, JSON.stringify(res));
    await deliverOutbox(app, app.now());
    const read = async () => {
      const out: { uid: string; start: string }[] = [];
      for (const href of await listHrefs(dav, "work")) {
        const text = await getIcs(dav, new URL(href, dav.url).href);
        const v = new ICAL.Event(
          new ICAL.Component(ICAL.parse(text!)).getFirstSubcomponent("vevent")!,
        );
        out.push({ uid: v.uid, start: iso(v.startDate.toJSDate().getTime()) });
      }
      return out.sort((a, b) => a.start.localeCompare(b.start));
    };
    const starts = [0, 1, 2, 3, 4].map((i) => iso(Date.parse(FIRST) + i * WEEK));
    let events = await read();
    assert.deepEqual(events.map((e) => e.start), starts);
    assert.equal(new Set(events.map((e) => e.uid)).size, 5, "one UID per date");

    const dates = await listSeriesBookings(
      app.kv,
      host.id,
      (await app.kv.get<{ series: { id: string } }>(["booking", res.bookingId])).value!.series.id,
    );
    assert.equal(dates.length, 5);
    assert.ok((await decideBooking(app, dates[1].id, "cancel", "host", { hostId: host.id })).ok);
    await deliverOutbox(app, app.now());
    events = await read();
    assert.deepEqual(events.map((e) => e.start), [starts[0], starts[2], starts[3], starts[4]]);
    const rest = await decideBooking(app, dates[3].id, "cancel", "host", {
      hostId: host.id,
      scope: "rest",
    });
    assert.ok(rest.ok && rest.also?.length === 1, JSON.stringify(rest));
    await deliverOutbox(app, app.now());
    events = await read();
    assert.deepEqual(events.map((e) => e.start), [starts[0], starts[2]]);

    // The guest's calendar from their mails: the invitation (series.ics beside the first date's
    // REQUEST) and each cancelled date's CANCEL, applied in order by both parsers.
    const docs = app.mailer.sent.filter((m) => m.to === "ann@example.test").flatMap((m) => [
      ...(m.icalEvent ? [m.icalEvent.content] : []),
      ...(m.attachments ?? []).filter((a) => a.filename === "series.ics").map((a) => a.content),
    ]);
    const cal = await applyInvitations(docs);
    const kept = Object.entries(cal).filter(([, e]) => !("cancelled" in e));
    assert.deepEqual(kept.map(([, e]) => e.start).sort(), [starts[0], starts[2]]);
    // The same UIDs as in the host's calendar.
    assert.deepEqual(kept.map(([uid]) => uid).sort(), events.map((e) => e.uid).sort());
  },
});

Deno.test({
  ...opts,
  name:
    "series in CalDAV: confirming a 52-date series puts 52 events (own UIDs, every date) in the host's calendar; confirmed and then cancelled from the 41st date on before the jobs ran, it ends with exactly the first 40",
  async fn() {
    const DATES = 52;
    const book = async (s: Awaited<ReturnType<typeof setupCaldav>>, email: string) => {
      await createEventType(s.app, s.host, {
        slug: "weekly",
        title: "Coaching",
        durationMin: 60,
        requiresConfirmation: true,
        series: { everyWeeks: 1, count: DATES, freeOnly: false },
      });
      const res = await bookSlot(s.app, {
        username: "host",
        slug: "weekly",
        start: FIRST,
        name: "Ann",
        email,
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(res.ok, JSON.stringify(res));
      await deliverOutbox(s.app, s.app.now());
      // The calendar is connected after booking: its busy times are read a few months ahead, and
      // the later dates would count as busy beyond them (fail closed).
      const added = await addCalendarAccount(s.app, s.host, {
        serverUrl: s.dav.url,
        username: s.dav.username,
        password: s.dav.password,
      });
      assert.ok(added.ok, JSON.stringify(added));
      const id = (await s.app.kv.get<{ series: { id: string } }>(["booking", res.bookingId]))
        .value!.series.id;
      const dates = await listSeriesBookings(s.app.kv, s.host.id, id);
      assert.equal(dates.length, DATES);
      const pressed = await decideBooking(s.app, dates[0].id, "confirm", "host", {
        hostId: s.host.id,
      });
      assert.ok(pressed.ok, JSON.stringify(pressed));
      return dates;
    };
    // Every week at the host's wall time (14:00 Berlin, across DST).
    const first = Temporal.Instant.from(FIRST).toZonedDateTimeISO("Europe/Berlin");
    const starts = Array.from(
      { length: DATES },
      (_, i) => first.add({ weeks: i }).epochMilliseconds,
    );
    const readStarts = async (dav: Awaited<ReturnType<typeof setupCaldav>>["dav"]) => {
      const out: { uid: string; start: number }[] = [];
      for (const href of await listHrefs(dav, "work")) {
        const text = await getIcs(dav, new URL(href, dav.url).href);
        const v = new ICAL.Event(
          new ICAL.Component(ICAL.parse(text!)).getFirstSubcomponent("vevent")!,
        );
        out.push({ uid: v.uid, start: v.startDate.toJSDate().getTime() });
      }
      return out.sort((a, b) => a.start - b.start);
    };
    {
      await using s = await setupCaldav({ connect: false });
      await book(s, "ann@example.test");
      // (bench/series-writeback.ts measures how long this takes.)
      await deliverOutbox(s.app, s.app.now());
      const events = await readStarts(s.dav);
      assert.deepEqual(events.map((e) => e.start), starts);
      assert.equal(new Set(events.map((e) => e.uid)).size, DATES, "one UID per date");
    }
    {
      // Each date's put and its delete stay in order: cancelled before any job ran, the later
      // dates are in no calendar at the end.
      await using s = await setupCaldav({ connect: false });
      const dates = await book(s, "bo@example.test");
      const rest = await decideBooking(s.app, dates[40].id, "cancel", "host", {
        hostId: s.host.id,
        scope: "rest",
      });
      assert.ok(rest.ok, JSON.stringify(rest));
      await deliverOutbox(s.app, s.app.now());
      const events = await readStarts(s.dav);
      assert.deepEqual(events.map((e) => e.start), starts.slice(0, 40));
    }
  },
});
