/**
 * A seated time in the host's calendar on a real Radicale (issue 25): one event per time under
 * one UID, its confirmed seats as attendees, SEQUENCE up with every change; each guest's
 * invitation names only the host and themselves; the last seat to go removes the meeting.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { getIcs, listHrefs, setupCaldav } from "./caldav-helpers.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import { createEventType } from "../support/memory-app.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();

// Monday 23 Nov 2026, 13:00 Berlin.
const SLOT = "2026-11-23T12:00:00Z";

Deno.test({
  ...opts,
  name:
    "seats in CalDAV: three seats are one event with three attendees; a cancelled seat leaves the others with SEQUENCE+1; guests' invitations name only the host and themselves; the last seat removes the meeting",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    await createEventType(app, host, {
      slug: "class",
      title: "Class",
      durationMin: 60,
      requiresConfirmation: false,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    const ids: string[] = [];
    for (const g of ["ann", "ben", "cay"]) {
      const res = await bookSlot(app, {
        username: "host",
        slug: "class",
        start: SLOT,
        name: g.toUpperCase(),
        email: `${g}@example.test`,
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(res.ok, JSON.stringify(res));
      ids.push(res.bookingId);
      await deliverOutbox(app, app.now());
    }
    const read = async () => {
      const hrefs = await listHrefs(dav, "work");
      const events = [];
      for (const href of hrefs) {
        const text = await getIcs(dav, new URL(href, dav.url).href);
        const v = new ICAL.Component(ICAL.parse(text!)).getFirstSubcomponent("vevent")!;
        events.push({
          uid: String(v.getFirstPropertyValue("uid")),
          sequence: Number(v.getFirstPropertyValue("sequence")),
          attendees: v.getAllProperties("attendee").map((p) => String(p.getFirstValue())).sort(),
        });
      }
      return events;
    };
    let events = await read();
    assert.equal(events.length, 1, "one meeting in the host's calendar");
    assert.deepEqual(events[0].attendees, [
      "mailto:ann@example.test",
      "mailto:ben@example.test",
      "mailto:cay@example.test",
    ]);
    const uid = events[0].uid;
    assert.ok(!ids.some((id) => uid.startsWith(id)), "the meeting's own UID, not a seat's");
    const seq = events[0].sequence;
    // Each guest's invitation: the host organises, the guest alone attends.
    for (const g of ["ann", "ben", "cay"]) {
      const mails = app.mailer.sent.filter((m) => m.to === `${g}@example.test` && m.icalEvent);
      assert.equal(mails.length, 1, g);
      const v = new ICAL.Component(ICAL.parse(mails[0].icalEvent!.content))
        .getFirstSubcomponent("vevent")!;
      assert.deepEqual(
        v.getAllProperties("attendee").map((p) => String(p.getFirstValue())),
        [`mailto:${g}@example.test`],
      );
      assert.equal(v.getFirstPropertyValue("organizer"), "mailto:host@example.test");
    }
    // The host's calendar has the meeting once: no .ics per seat in the host's mails.
    assert.equal(
      app.mailer.sent.filter((m) => m.to === "host@example.test" && m.icalEvent).length,
      0,
    );
    assert.ok(
      (await decideBooking(app, ids[1], "cancel", "host", { hostId: host.id })).ok,
    );
    await deliverOutbox(app, app.now());
    events = await read();
    assert.equal(events.length, 1);
    assert.equal(events[0].uid, uid);
    assert.ok(events[0].sequence > seq, `SEQUENCE ${events[0].sequence} after ${seq}`);
    assert.deepEqual(events[0].attendees, ["mailto:ann@example.test", "mailto:cay@example.test"]);
    for (const id of [ids[0], ids[2]]) {
      assert.ok((await decideBooking(app, id, "cancel", "host", { hostId: host.id })).ok);
    }
    await deliverOutbox(app, app.now());
    assert.deepEqual(await read(), [], "the last seat removed the meeting");
  },
});
