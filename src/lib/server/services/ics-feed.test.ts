import assert from "node:assert/strict";
import ICAL from "ical.js";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { bookSlot } from "./book-slot.ts";
import { decideBooking } from "./decide-booking.ts";
import { feedForToken, feedUrls, regenerateFeed } from "./ics-feed.ts";

const tokenOf = (url: string) => /\/feed\/([^/]+)\.ics$/.exec(url)![1];

Deno.test("ICS feed: live bookings as CONFIRMED and TENTATIVE with guest, location, answers and a manage link", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "intro",
    title: 'Intro; call, "quoted"',
    requiresConfirmation: true,
    location: { kind: "in_person", value: "Main St 1, Berlin" },
    questions: [{ id: "co", label: "Company", type: "short", required: true }],
  });
  const book = async (start: string, name: string) => {
    const r = await bookSlot(app, {
      username: "ann",
      slug: "intro",
      start,
      name,
      email: `${name.split(" ")[0].toLowerCase()}@example.com`,
      note: "Line one\nline two; with, punctuation",
      timeZone: "UTC",
      rawAnswers: { q_co: "ACME, Inc." },
    });
    assert.ok(r.ok);
    return r.bookingId;
  };
  const confirmed = await book("2026-11-23T08:00:00Z", "Zoë Doe; Jr.");
  const pending = await book("2026-11-23T09:00:00Z", "Bo Pending");
  const rejected = await book("2026-11-23T10:00:00Z", "Rex Rejected");
  assert.ok((await decideBooking(app, confirmed, "confirm", "host")).ok);
  assert.ok((await decideBooking(app, rejected, "reject", "host")).ok);

  const urls = await feedUrls(app, host);
  assert.match(urls.webcal, /^webcal:\/\/invito\.test\/feed\/[A-Za-z0-9_-]{43}\.ics$/);
  assert.deepEqual(await feedUrls(app, host), urls, "the same URL until regenerated");
  const text = await feedForToken(app, tokenOf(urls.https));
  assert.ok(text);
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
  assert.equal(events.length, 2, "the rejected one is not live");
  const byStatus = Object.fromEntries(
    cal.getAllSubcomponents("vevent").map((v) => [v.getFirstPropertyValue("status"), v]),
  );
  const c = new ICAL.Event(byStatus.CONFIRMED);
  assert.equal(c.startDate.toJSDate().toISOString(), "2026-11-23T08:00:00.000Z");
  // Every character kept, quotes included (TEXT escaping, not replacement: ADR 013).
  assert.equal(c.summary, 'Intro; call, "quoted": Zoë Doe; Jr.');
  assert.equal(c.location, "In person: Main St 1, Berlin");
  assert.match(c.description, /Guest: Zoë Doe; Jr\. <zoë@example\.com>|Guest: Zoë Doe; Jr\. </);
  assert.match(c.description, /Company: ACME, Inc\./);
  // A note over several lines is quoted, so it cannot forge the "Manage:" line.
  assert.match(c.description, /Note:\n> Line one\n> line two; with, punctuation/);
  assert.match(
    c.description,
    new RegExp(
      `Manage: http://invito\\.test/dashboard/bookings\\?booking=${confirmed}#booking-${confirmed}`,
    ),
  );
  assert.equal(c.uid, `${confirmed}@invito.test`);
  const p = new ICAL.Event(byStatus.TENTATIVE);
  assert.match(p.summary, /^\[Request\]/);
  assert.equal(p.uid, `${pending}@invito.test`);

  // A new URL; the old one stops working at once.
  const fresh = await regenerateFeed(app, host);
  assert.notEqual(fresh.https, urls.https);
  assert.equal(await feedForToken(app, tokenOf(urls.https)), null);
  assert.ok(await feedForToken(app, tokenOf(fresh.https)));
  assert.equal(await feedForToken(app, "not-a-token"), null);
  app.close();
});

Deno.test("ICS feed: a seated time is one event under the meeting's UID with every live seat's guest attending", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "class",
    title: "Class",
    requiresConfirmation: false,
    seats: { perTime: 5, showAttendees: false, hideCount: false },
  });
  const ids: string[] = [];
  for (const g of ["ann", "ben", "cay"]) {
    const r = await bookSlot(app, {
      username: "ann",
      slug: "class",
      start: "2026-11-23T08:00:00Z",
      name: g,
      email: `${g}@example.com`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok);
    ids.push(r.bookingId);
  }
  assert.ok((await decideBooking(app, ids[1], "cancel", "host")).ok);
  const text = await feedForToken(app, tokenOf((await feedUrls(app, host)).https));
  const vevents = new ICAL.Component(ICAL.parse(text!)).getAllSubcomponents("vevent");
  assert.equal(vevents.length, 1);
  assert.ok(!ids.some((id) => String(vevents[0].getFirstPropertyValue("uid")).startsWith(id)));
  assert.deepEqual(
    vevents[0].getAllProperties("attendee").map((p) => String(p.getFirstValue())).sort(),
    ["mailto:ann@example.com", "mailto:cay@example.com"],
  );
  app.close();
});

Deno.test("ICS feed: a seated time's SEQUENCE and DTSTAMP only grow as guests come and go, so a calendar keeps the newest copy", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "class",
    requiresConfirmation: false,
    seats: { perTime: 5, showAttendees: false, hideCount: false },
  });
  const token = tokenOf((await feedUrls(app, host)).https);
  const seen: { seq: number; stamp: number; who: string[] }[] = [];
  const look = async () => {
    const ev = new ICAL.Component(ICAL.parse((await feedForToken(app, token))!))
      .getFirstSubcomponent("vevent")!;
    seen.push({
      seq: Number(ev.getFirstPropertyValue("sequence")),
      stamp: (ev.getFirstPropertyValue("dtstamp") as ICAL.Time).toJSDate().getTime(),
      who: ev.getAllProperties("attendee").map((p) => String(p.getFirstValue()).slice(7, 10)),
    });
  };
  const ids: string[] = [];
  for (const g of ["amy", "bob", "cid"]) {
    app.clock.ms += 60_000;
    const r = await bookSlot(app, {
      username: "ann",
      slug: "class",
      start: "2026-11-23T10:00:00Z",
      name: g,
      email: `${g}@example.com`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok);
    ids.push(r.bookingId);
    await look();
  }
  for (const id of [ids[2], ids[1]]) {
    app.clock.ms += 60_000;
    assert.ok((await decideBooking(app, id, "cancel", "guest", { reason: "" })).ok);
    await look();
  }
  assert.deepEqual(seen.map((s) => s.who.length), [1, 2, 3, 2, 1]);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].seq > seen[i - 1].seq, `SEQUENCE ${seen.map((s) => s.seq)}`);
    assert.ok(seen[i].stamp > seen[i - 1].stamp, `DTSTAMP ${seen.map((s) => s.stamp)}`);
  }
  app.close();
});
