/**
 * A guest moving their seat to another time, as a host without a calendar connected sees it by
 * mail (docs/decisions/040-seats.md): the seated time's meeting is one event in the host's
 * calendar, updated per seat. Over a real SMTP peer, every .ics read by ical.js, and applied in
 * the order it arrived as the host's calendar app would.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import {
  mailerTo,
  type ReceivedMail,
  type SmtpHandle,
  startSmtp,
} from "../../../../tests/support/smtp.ts";
import { applyInvitations } from "../../../../tests/support/calendar-app.ts";
import { bookSlot } from "./book-slot.ts";
import { cancelByGuest, rescheduleByGuest } from "./decide-booking.ts";
import { moveBookingByHost } from "./host-reschedule.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { seatedMeetingUid } from "../domain/calendar-identity.ts";
import { performers } from "../jobs/deliver-outbox.ts";
import { keys } from "../store/keys.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import { listHostCalendars, setWriteback } from "../store/calendars.ts";
import type { CalendarAccountRecord, CalendarRecord, UserRecord } from "../domain/model/records.ts";
import type { App } from "../app.ts";

const HOST = "hank@example.test";
const AT = "2026-11-23T10:00:00Z";
const LATER = "2026-11-23T14:00:00Z";
const allDay = [{ start: "00:00", end: "24:00" }];

/** The one event of a mail's .ics, with its METHOD. */
function eventOf(m: ReceivedMail) {
  assert.ok(m.calendar, `${m.subject}: no .ics`);
  const cal = new ICAL.Component(ICAL.parse(m.calendar));
  const [ve, ...more] = cal.getAllSubcomponents("vevent");
  assert.equal(more.length, 0, "one event per mail");
  return {
    method: String(cal.getFirstPropertyValue("method")),
    uid: String(ve.getFirstPropertyValue("uid")),
    sequence: Number(ve.getFirstPropertyValue("sequence")),
    start: (ve.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().toISOString(),
    attendees: ve.getAllProperties("attendee").map((p) => String(p.getParameter("cn"))),
  };
}

/**
 * Host "hank" (UTC, English, no calendar connected) with a 3-seat "Class"; Sam and Tina hold
 * seats at AT, their mails delivered.
 */
async function seated(smtp: SmtpHandle) {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  app.mailer = mailerTo(smtp);
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
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  const book = async (name: string) => {
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
    return r;
  };
  const hostMails = () => smtp.mails.filter((m) => m.to.includes(HOST));
  /** Delivers the outbox; the host's mails that came of it. */
  const deliver = async (expect: number) => {
    const before = hostMails().length;
    await deliverOutbox(app, app.now());
    await smtp.waitForMail(() => hostMails().length >= before + expect, 5_000);
    return hostMails().slice(before);
  };
  const sam = await book("Sam");
  const tina = await book("Tina");
  const booked = await deliver(2);
  const meeting = (await getBooking(app.kv, sam.bookingId))!.seat!.meetingId;
  const oldUid = seatedMeetingUid(meeting, app.config.baseUrl.hostname);
  return { app, host, sam, tina, booked, oldUid, hostMails, deliver };
}

Deno.test({
  name:
    "seats: a guest moves their seat — the host's calendar by mail drops them from the old time's meeting (cancelled once empty) and adds them to the new one's; the mail says who moved from when to when",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const { app, sam, tina, booked, oldUid, hostMails, deliver } = await seated(smtp);
    try {
      const first = eventOf(booked[1]);
      assert.equal(first.uid, oldUid);
      assert.deepEqual(first.attendees, ["Sam", "Tina"]);

      // Sam moves to 14:00, where nobody sits yet.
      const moved = await rescheduleByGuest(app, sam.guestToken, LATER);
      assert.ok(moved.ok, JSON.stringify(moved));
      const samMoved = await deliver(2);
      const samOld = samMoved.find((m) => eventOf(m).uid === oldUid);
      assert.ok(samOld, `a mail updates the old time's meeting: ${samMoved.map((m) => m.subject)}`);
      const left = eventOf(samOld);
      assert.equal(left.method, "REQUEST", "the meeting at 10:00 goes on with Tina");
      assert.deepEqual(left.attendees, ["Tina"]);
      assert.ok(left.sequence > first.sequence, `${left.sequence} > ${first.sequence}`);
      assert.equal(left.start, new Date(AT).toISOString());
      // The host reads who moved, from when to when.
      assert.match(samOld.subject, /Sam/);
      assert.match(samOld.text, /Sam.*10:00.*14:00/s);
      const samNew = samMoved.find((m) => m !== samOld)!;
      const joined = eventOf(samNew);
      const newMeeting = moved.booking.seat!.meetingId;
      const newUid = seatedMeetingUid(newMeeting, app.config.baseUrl.hostname);
      assert.notEqual(newUid, oldUid);
      assert.equal(joined.uid, newUid);
      assert.equal(joined.method, "REQUEST");
      assert.deepEqual(joined.attendees, ["Sam"]);
      assert.equal(joined.start, new Date(LATER).toISOString());

      // Tina follows: the 10:00 meeting is empty and cancelled; the 14:00 one has both.
      const followed = await rescheduleByGuest(app, tina.guestToken, LATER);
      assert.ok(followed.ok, JSON.stringify(followed));
      const tinaMoved = await deliver(2);
      const tinaOld = tinaMoved.find((m) => eventOf(m).uid === oldUid);
      assert.ok(tinaOld, tinaMoved.map((m) => m.subject).join(" | "));
      const ended = eventOf(tinaOld);
      assert.equal(ended.method, "CANCEL", "nobody is left at 10:00");
      assert.ok(ended.sequence > left.sequence, `${ended.sequence} > ${left.sequence}`);
      assert.match(tinaOld.text, /Tina.*10:00.*14:00/s);
      const both = eventOf(tinaMoved.find((m) => m !== tinaOld)!);
      assert.equal(both.uid, newUid);
      assert.deepEqual(both.attendees, ["Sam", "Tina"]);
      assert.ok(both.sequence > joined.sequence, `${both.sequence} > ${joined.sequence}`);

      // The host's calendar, every .ics applied in the order it came: one class, at 14:00.
      const calendar = await applyInvitations(hostMails().map((m) => m.calendar!));
      assert.deepEqual(Object.keys(calendar), [newUid]);
      assert.equal(calendar[newUid].start, LATER);
      assert.equal(calendar[newUid].summary, "Class with 2 guests");
    } finally {
      await settleCounts();
      app.close();
    }
  },
});

Deno.test({
  name:
    "seats: the host moves a guest's seat — their mail about the old time's meeting says they moved it, and carries that meeting without the guest",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const { app, host, sam, booked, oldUid, deliver } = await seated(smtp);
    try {
      const before = eventOf(booked[1]);
      const moved = await moveBookingByHost(app, host, sam.bookingId, { start: LATER, reason: "" });
      assert.ok(moved.ok, JSON.stringify(moved));
      const mails = await deliver(2);
      const old = mails.find((m) => eventOf(m).uid === oldUid);
      assert.ok(old, mails.map((m) => m.subject).join(" | "));
      assert.match(old.text, /You moved Sam’s seat at “Class” from .*10:00.* to .*14:00/s);
      const ev = eventOf(old);
      assert.equal(ev.method, "REQUEST");
      assert.deepEqual(ev.attendees, ["Tina"]);
      assert.ok(ev.sequence > before.sequence);
    } finally {
      await settleCounts();
      app.close();
    }
  },
});

/** A CalDAV calendar the host's bookings are written to (the writes themselves stubbed). */
async function connectCalendar(app: App, host: UserRecord) {
  const account: CalendarAccountRecord = {
    v: 1,
    id: "acc",
    hostId: host.id,
    serverUrl: "https://dav.example.org/",
    username: "hank",
    password: { v: 1, kid: "test", iv: "", ct: "" },
    principalUrl: "https://dav.example.org/principals/hank/",
    homeUrl: "https://dav.example.org/calendars/hank/",
    createdAtMs: app.now(),
  };
  const calendar: CalendarRecord = {
    v: 1,
    id: "work",
    hostId: host.id,
    accountId: "acc",
    url: "https://dav.example.org/calendars/hank/work/",
    displayName: "Work",
    color: null,
    writable: true,
    checkConflicts: false,
    createdAtMs: app.now(),
  };
  await app.kv.atomic()
    .set(keys.calendarAccount(host.id, "acc"), account)
    .set(keys.calendarOfAccount(host.id, "acc", "work"), calendar)
    .commit();
  const [entry] = await listHostCalendars(app.kv, host.id);
  assert.ok(await setWriteback(app.kv, host.id, { calendar: entry }));
}

Deno.test({
  name:
    "seats: a host whose bookings are written to their calendar gets no second mail about a seat's move — the written event is their copy, and the move's mail names both times",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const { app, host, sam, hostMails } = await seated(smtp);
    const before = performers.writeback;
    const written: string[] = [];
    performers.writeback = (_app, job) => {
      if (job.payload.kind === "writeback") written.push(job.payload.bookingId);
      return Promise.resolve({ ok: true });
    };
    try {
      await connectCalendar(app, host);
      const moved = await rescheduleByGuest(app, sam.guestToken, LATER);
      assert.ok(moved.ok, JSON.stringify(moved));
      const mailed = hostMails().length;
      await deliverOutbox(app, app.now());
      const mail = await smtp.waitForMail((m) =>
        m.to.includes(HOST) && /^Rescheduled — Confirmed: Class with Sam/.test(m.subject)
      );
      assert.match(mail.text, /Moved from .*10:00.* to .*14:00/s);
      assert.deepEqual(
        hostMails().slice(mailed).map((m) => m.subject),
        ["Rescheduled — Confirmed: Class with Sam"],
      );
      assert.ok(written.includes(sam.bookingId), "the old meeting is written again");
    } finally {
      performers.writeback = before;
      await settleCounts();
      app.close();
    }
  },
});

Deno.test({
  name:
    "seats: the host's 'Seat moved' mail and its calendar entry link the guest's current booking row (the moved one is not listed); a seat's cancellation links a seat still in that meeting",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const { app, sam, tina, deliver } = await seated(smtp);
    try {
      const urlOf = (m: ReceivedMail) => {
        const cal = new ICAL.Component(ICAL.parse(m.calendar!));
        return String(cal.getFirstSubcomponent("vevent")!.getFirstPropertyValue("url"));
      };
      const row = (id: string) => `/dashboard/bookings?booking=${id}#booking-${id}`;
      const moved = await rescheduleByGuest(app, sam.guestToken, LATER);
      assert.ok(moved.ok, JSON.stringify(moved));
      const mails = await deliver(2);
      const seatMoved = mails.find((m) => /moved/i.test(m.subject))!;
      assert.ok(seatMoved, mails.map((m) => m.subject).join(" | "));
      assert.ok(urlOf(seatMoved).endsWith(row(moved.booking.id)), urlOf(seatMoved));
      assert.ok(seatMoved.text.includes(row(moved.booking.id)), seatMoved.text);
      assert.ok(!seatMoved.text.includes(row(sam.bookingId)));
      // Tina cancels her seat at 10:00 while Uma keeps hers: the meeting's entry links a seat
      // still in it (Uma's row), not the cancelled one's.
      const third = await bookSlot(app, {
        username: "hank",
        slug: "class",
        start: AT,
        name: "Uma",
        email: "uma@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(third.ok);
      await deliver(1);
      const gone = await cancelByGuest(app, tina.guestToken, "");
      assert.ok(gone.ok, JSON.stringify(gone));
      const [cancelMail] = await deliver(1);
      assert.ok(urlOf(cancelMail).endsWith(row(third.bookingId)), urlOf(cancelMail));
    } finally {
      await settleCounts();
      app.close();
    }
  },
});
