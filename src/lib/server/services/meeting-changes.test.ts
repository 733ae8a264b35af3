/**
 * What guests and hosts meet when a meeting changes: a recurring series' mails, calendar and
 * "this date and the later ones" after some dates changed (docs/decisions/048-recurring-series.md),
 * the host's answer to a series whose first date the guest cancelled, a new pick's SEQUENCE after
 * "request new time", and a meeting that has taken place.
 */
import assert from "node:assert/strict";
import {
  cancelByGuest,
  decideBooking,
  decideByToken,
  requestNewTime,
  rescheduleByGuest,
  rescheduleByHost,
} from "./decide-booking.ts";
import { viewByToken } from "./booking-view.ts";
import { bookForGuest } from "./host-book.ts";
import { bookingLinks } from "./booking-links.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { listHostBookings } from "../store/bookings.ts";
import ICAL from "ical.js";
import { oneChat, seriesOf4 } from "../../../../tests/support/series.ts";

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

Deno.test("series mails: each event of series.ics links to its own date's page, not the first date's", async () => {
  const { app, dates } = await seriesOf4(false);
  const all = await dates();
  const mail = app.mailer.sent.find((m) => m.to === "pat@example.test" && m.attachments?.length);
  assert.ok(mail, "the guest's mail carries series.ics");
  const ics = mail.attachments!.find((a) => a.filename === "series.ics")!.content as string;
  const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents("vevent");
  assert.equal(events.length, 4);
  for (const ev of events) {
    const start = ev.getFirstPropertyValue("dtstart") as ICAL.Time;
    const date = all.find((b) => b.startMs === start.toJSDate().getTime())!;
    const own = (await bookingLinks(app, date)).guest;
    assert.equal(ev.getFirstPropertyValue("url"), own, `${day(date.startMs)}: its own page`);
    assert.match(String(ev.getFirstPropertyValue("description")), new RegExp(own));
  }
  app.close();
});

Deno.test("series mails: a confirmation after the guest cancelled one pending date lists the dates that were confirmed, as series.ics does", async () => {
  const { app, dates } = await seriesOf4(true);
  let all = await dates();
  assert.ok((await decideBooking(app, all[2].id, "cancel", "guest", { reason: "away" })).ok);
  await deliverOutbox(app, app.now());
  const before = app.mailer.sent.length;
  assert.ok((await decideBooking(app, all[0].id, "confirm", "host")).ok);
  await deliverOutbox(app, app.now());
  all = await dates();
  const confirmed = all.filter((b) => b.status === "CONFIRMED").map((b) => day(b.startMs));
  assert.deepEqual(confirmed, ["2026-11-23", "2026-11-30", "2026-12-14"]);
  const mails = app.mailer.sent.slice(before).filter((m) => /2026|Nov|Dec/.test(m.text));
  const guest = mails.find((m) => m.to === "pat@example.test");
  assert.ok(guest, "the guest is told");
  assert.match(guest.text, /3 dates/);
  assert.doesNotMatch(guest.text, /Dec(ember)? 7|7 Dec/, "the cancelled date is not listed");
  for (const m of mails) assert.doesNotMatch(m.text, /4 dates/, `to ${m.to}`);
  app.close();
});

Deno.test("series: 'this date and the later ones' takes the dates after it in time, also when one was moved past or before it", async () => {
  const { app, dates } = await seriesOf4(false);
  let all = await dates();
  // The second date (Nov 30) moves to Dec 10: after the third (Dec 7).
  const moved = await rescheduleByGuest(
    app,
    (await bookingLinks(app, all[1])).tokens.guest,
    "2026-12-10T09:00:00Z",
  );
  assert.ok(moved.ok, JSON.stringify(moved));
  all = (await dates()).filter((b) => b.status !== "CANCELLED");
  assert.deepEqual(all.map((b) => day(b.startMs)), [
    "2026-11-23",
    "2026-12-07",
    "2026-12-10",
    "2026-12-14",
  ]);
  // On Dec 7's page: "this date and the later ones".
  const dec7 = all[1];
  const c = await cancelByGuest(app, (await bookingLinks(app, dec7)).tokens.guest, "", {
    scope: "rest",
  });
  assert.ok(c.ok, JSON.stringify(c));
  const live = (await dates()).filter((b) => b.status === "CONFIRMED").map((b) => day(b.startMs));
  assert.deepEqual(live, ["2026-11-23"], "Dec 10 is later than Dec 7: cancelled too");
  app.close();
});

Deno.test("request new time: the new time's invitation has a higher SEQUENCE than the cancellation before it, so a calendar takes it over the cancel", async () => {
  const { app, host, booking: r } = await oneChat();
  await deliverOutbox(app, app.now());
  const docs = () =>
    app.mailer.sent.filter((m) => m.to === "gita@example.test" && m.icalEvent).map((m) => ({
      method: m.icalEvent!.method,
      uid: /\nUID:(.+)\r?\n/.exec(m.icalEvent!.content)![1].trim(),
      seq: Number(/\nSEQUENCE:(\d+)/.exec(m.icalEvent!.content)![1]),
    }));
  const asked = await requestNewTime(app, host.id, r.bookingId, "I am ill");
  assert.ok(asked.ok);
  await deliverOutbox(app, app.now());
  const picked = await rescheduleByGuest(app, r.guestToken, "2026-11-24T10:00:00Z");
  assert.ok(picked.ok, JSON.stringify(picked));
  await deliverOutbox(app, app.now());
  const sent = docs();
  assert.deepEqual(sent.map((d) => d.method), ["REQUEST", "CANCEL", "REQUEST"]);
  assert.equal(new Set(sent.map((d) => d.uid)).size, 1, "one meeting, one UID");
  assert.ok(sent[1].seq > sent[0].seq && sent[2].seq > sent[1].seq, JSON.stringify(sent));
  app.close();
});

Deno.test("series: the host's Confirm link of a date the guest cancelled still decides the dates that wait, and its page shows them", async () => {
  const { app, dates } = await seriesOf4(true);
  let all = await dates();
  const confirmToken = (await bookingLinks(app, all[0])).tokens.confirm;
  // The guest cancels the first date, the one the host's request mail links to.
  assert.ok((await decideBooking(app, all[0].id, "cancel", "guest", { reason: "" })).ok);
  const page = await viewByToken(app, confirmToken, "confirm");
  assert.equal(page?.state, "pending", "the page offers the decision for the dates that wait");
  assert.equal(page?.id, all[1].id);
  const pressed = await decideByToken(app, confirmToken, "confirm");
  assert.ok(pressed.ok, JSON.stringify(pressed));
  all = await dates();
  assert.deepEqual(all.map((b) => b.status), ["CANCELLED", "CONFIRMED", "CONFIRMED", "CONFIRMED"]);
  app.close();
});

Deno.test("a meeting that has taken place cannot be moved by the host or given back to the guest to pick a new time", async () => {
  const { app, host, booking: r } = await oneChat();
  app.clock.ms = Date.parse("2026-11-23T10:30:00Z"); // it ended just now
  const asked = await requestNewTime(app, host.id, r.bookingId, "too late");
  assert.equal(asked.ok ? "asked" : asked.reason, "meeting_over");
  const moved = await rescheduleByHost(app, host.id, r.bookingId, "2026-11-24T10:00:00Z");
  assert.equal(moved.ok ? "moved" : moved.reason, "meeting_over");
  assert.equal((await listHostBookings(app.kv, host.id))[0].status, "CONFIRMED", "left as it was");
  app.close();
});

Deno.test("book for a guest: the guest's zone and language are theirs, in their mail", async () => {
  const { app, host } = await oneChat();
  const r = await bookForGuest(app, host, {
    slug: "chat",
    start: "2026-11-24T10:00:00Z",
    name: "Kenji",
    email: "kenji@example.test",
    note: "",
    timeZone: "Asia/Tokyo",
    locale: "de",
  });
  assert.ok(r.ok, JSON.stringify(r));
  const b = (await listHostBookings(app.kv, host.id)).find((x) =>
    x.guestEmail === "kenji@example.test"
  )!;
  assert.equal(b.guestTimeZone, "Asia/Tokyo");
  assert.equal(b.guestLocale, "de");
  await deliverOutbox(app, app.now());
  const mail = app.mailer.sent.find((m) => m.to === "kenji@example.test")!;
  assert.match(mail.text, /19:00/, "10:00 UTC is 19:00 in Tokyo");
  assert.match(mail.subject + mail.text, /Dienstag|bestätigt|Termin/i, "in German");
  // Another language than ours is not taken: the host's then.
  const other = await bookForGuest(app, host, {
    slug: "chat",
    start: "2026-11-25T10:00:00Z",
    name: "Lea",
    email: "lea@example.test",
    note: "",
    locale: "xx",
  });
  assert.ok(other.ok);
  const lea = (await listHostBookings(app.kv, host.id)).find((x) =>
    x.guestEmail === "lea@example.test"
  )!;
  assert.equal(lea.guestLocale, host.locale);
  app.close();
});
