/**
 * A guest's own cancel that takes the last seat out of a seated meeting (ADR 040, amended): the
 * host is told the meeting is now empty — cancelled, the time free again — with that guest
 * named, not only that one guest left; a guest leaving while others stay is told as before.
 * Over a real SMTP peer; the `.ics` read by ical.js.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { mailerTo, type ReceivedMail, startSmtp } from "../../../../tests/support/smtp.ts";
import { bookSlot } from "./book-slot.ts";
import { cancelByGuest } from "./decide-booking.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { seatedMeetingUid } from "../domain/calendar-identity.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";

const HOST = "hank@example.test";
const AT = "2026-11-23T10:00:00Z";
const allDay = [{ start: "00:00", end: "24:00" }];

function eventOf(m: ReceivedMail) {
  assert.ok(m.calendar, `${m.subject}: no .ics`);
  const cal = new ICAL.Component(ICAL.parse(m.calendar));
  const ve = cal.getFirstSubcomponent("vevent")!;
  return {
    method: String(cal.getFirstPropertyValue("method")),
    uid: String(ve.getFirstPropertyValue("uid")),
  };
}

Deno.test({
  name:
    "seats: the last guest's own cancel tells the host the meeting is empty — cancelled, the time free — naming that guest; earlier guests' cancels say one guest left, also when two leave before any mail goes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    app.mailer = mailerTo(smtp);
    try {
      const host = await createHost(app, {
        username: "hank",
        email: HOST,
        timeZone: "UTC",
        weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
      });
      await createEventType(app, host, {
        slug: "class",
        title: "Class",
        durationMin: 60,
        requiresConfirmation: false,
        seats: { perTime: 5, showAttendees: false, hideCount: false },
      });
      const seats = [];
      for (const name of ["Anne", "Ben", "Cy"]) {
        const r = await bookSlot(app, {
          username: "hank",
          slug: "class",
          start: AT,
          name,
          email: `${name.toLowerCase()}@example.test`,
          note: "",
          timeZone: "UTC",
        });
        assert.ok(r.ok, JSON.stringify(r));
        seats.push(r);
      }
      const meetingId = (await getBooking(app.kv, seats[0].bookingId))!.seat!.meetingId;
      await deliverOutbox(app, app.now());
      const hostMails = () => smtp.mails.filter((m) => m.to.includes(HOST));
      await smtp.waitForMail(() => hostMails().length >= 3, 5_000);

      // Anne leaves; Ben and Cy stay: one guest left the class.
      let seen = hostMails().length;
      assert.ok((await cancelByGuest(app, seats[0].guestToken, "")).ok);
      await deliverOutbox(app, app.now());
      await smtp.waitForMail(() => hostMails().length >= seen + 1, 5_000);
      const anne = hostMails().slice(seen);
      assert.equal(anne.length, 1);
      assert.equal(anne[0].subject, "Cancelled: Class with Anne");

      // Ben and then Cy leave before any mail goes: Cy's cancel emptied the meeting.
      seen = hostMails().length;
      assert.ok((await cancelByGuest(app, seats[1].guestToken, "")).ok);
      assert.ok((await cancelByGuest(app, seats[2].guestToken, "Moving away")).ok);
      await deliverOutbox(app, app.now());
      await smtp.waitForMail(() => hostMails().length >= seen + 2, 5_000);
      const last = hostMails().slice(seen);
      const ben = last.find((m) => m.subject.includes("Ben"));
      assert.equal(ben?.subject, "Cancelled: Class with Ben", last.map((m) => m.subject).join());
      const empty = last.filter((m) => m !== ben);
      assert.equal(empty.length, 1, last.map((m) => m.subject).join(" | "));
      assert.match(empty[0].subject, /^Cancelled: Class, .+ — no guests left$/);
      assert.match(empty[0].text, /Cy cancelled their seat at “Class” on /);
      assert.match(empty[0].text, /Nobody else has a seat, so the meeting is cancelled/);
      assert.match(empty[0].text, /Moving away/);
      const ev = eventOf(empty[0]);
      assert.equal(ev.method, "CANCEL");
      assert.equal(ev.uid, seatedMeetingUid(meetingId, app.config.baseUrl.hostname));
    } finally {
      await settleCounts();
      app.close();
    }
  },
});
