import assert from "node:assert/strict";
import { seriesTargets, seriesWide } from "./series-bookings.ts";
import { parseSkip } from "./book-series.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import { bookSlot } from "./book-slot.ts";
import { listHostBookings } from "../store/bookings.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../../../../tests/support/teams.ts";
import { seriesOf4 } from "../../../../tests/support/series.ts";
import ICAL from "ical.js";

const date = (index: number, status: BookingRecord["status"]) =>
  ({
    id: `b${index}`,
    status,
    startMs: Date.UTC(2026, 10, 23 + 7 * index, 9),
    series: { id: "s", index, count: 5 },
  }) as BookingRecord;
const all = [
  date(0, "CONFIRMED"),
  date(1, "CANCELLED"),
  date(2, "PENDING"),
  date(3, "CONFIRMED"),
  date(4, "PENDING"),
];

Deno.test("seriesWide: confirm, reject and expiry reach the whole series; cancel only when asked for the rest", () => {
  assert.equal(seriesWide("confirm", undefined), true);
  assert.equal(seriesWide("reject", "one"), true);
  assert.equal(seriesWide("cancel", undefined), false);
  assert.equal(seriesWide("cancel", "one"), false);
  assert.equal(seriesWide("cancel", "rest"), true);
  assert.equal(seriesWide("expire", undefined), true);
});

Deno.test("seriesTargets: a confirm reaches every other pending date; a cancel of the rest the later live dates, in order", () => {
  assert.deepEqual(seriesTargets(all[2], all, "confirm").map((b) => b.id), ["b4"]);
  assert.deepEqual(seriesTargets(all[0], all, "reject").map((b) => b.id), ["b2", "b4"]);
  assert.deepEqual(seriesTargets(all[2], all, "cancel").map((b) => b.id), ["b3", "b4"]);
  assert.deepEqual(seriesTargets(all[0], all, "cancel").map((b) => b.id), ["b2", "b3", "b4"]);
  assert.deepEqual(seriesTargets(all[4], all, "cancel"), []);
});

Deno.test("parseSkip: indices in range, comma separated; anything else is refused", () => {
  assert.deepEqual([...parseSkip("", 12)!], []);
  assert.deepEqual([...parseSkip(undefined, 12)!], []);
  assert.deepEqual([...parseSkip("2, 5,5", 12)!].sort(), [2, 5]);
  assert.equal(parseSkip("12", 12), null);
  assert.equal(parseSkip("-1", 12), null);
  assert.equal(parseSkip("a", 12), null);
  assert.equal(parseSkip("1,,2", 12), null);
});

Deno.test("a pending series nobody answers expires whole, with one mail to the guest and one to the host listing its dates", async () => {
  const { createEventType, createHost, memoryApp, WORKDAYS } = await import(
    "../../../../tests/support/memory-app.ts"
  );
  const { bookSlot } = await import("./book-slot.ts");
  const { expireHolds } = await import("../jobs/expire-holds.ts");
  const { deliverOutbox } = await import("../jobs/deliver-outbox.ts");
  const { listHostBookings } = await import("../store/bookings.ts");
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, { username: "coach", weekly: WORKDAYS });
    await createEventType(app, host, {
      slug: "weekly",
      durationMin: 60,
      requiresConfirmation: true,
      bookingWindowDays: 90,
      series: { everyWeeks: 1, count: 3, freeOnly: false },
    });
    const r = await bookSlot(app, {
      username: "coach",
      slug: "weekly",
      start: "2026-11-23T09:00:00Z",
      name: "Pat",
      email: "pat@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
    await deliverOutbox(app, app.now());
    const before = app.mailer.sent.length;
    assert.equal(before, 2, "one request mail each");
    app.clock.ms += app.config.bookingTtlMs + 60_000;
    const { expired } = await expireHolds(app, app.now());
    assert.equal(expired, 3);
    const all = await listHostBookings(app.kv, host.id);
    assert.deepEqual(all.map((b) => b.endReason), ["expired", "expired", "expired"]);
    await deliverOutbox(app, app.now());
    const mails = app.mailer.sent.slice(before);
    assert.deepEqual(mails.map((m) => m.to).sort(), ["coach@example.test", "pat@example.test"]);
    for (const m of mails) assert.match(m.text, /This series has 3 dates:/);
  } finally {
    app.close();
  }
});

Deno.test("seriesDates: a date in a week whose cap is reached is not free; the others are", async () => {
  const { createEventType, createHost, memoryApp, WORKDAYS } = await import(
    "../../../../tests/support/memory-app.ts"
  );
  const { bookSlot } = await import("./book-slot.ts");
  const { seriesDates } = await import("./book-series.ts");
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, { username: "coach", weekly: WORKDAYS });
    const et = await createEventType(app, host, {
      slug: "weekly",
      durationMin: 60,
      requiresConfirmation: false,
      bookingWindowDays: 90,
      maxPerWeek: 1,
      series: { everyWeeks: 1, count: 2, freeOnly: true },
    });
    const WEEK = 7 * 86_400_000;
    const r = await bookSlot(app, {
      username: "coach",
      slug: "weekly",
      start: "2026-11-23T09:00:00Z",
      name: "First",
      email: "first@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
    // Two dates of a new series from the second week, an hour later: that week is full.
    const dates = await seriesDates(app, host, et, Date.parse("2026-11-30T10:00:00Z"), 60);
    assert.deepEqual(dates.map((d) => d.free), [false, true]);
    assert.equal(dates[1].startMs, Date.parse("2026-11-30T10:00:00Z") + WEEK);
  } finally {
    app.close();
  }
});

Deno.test("a weekly series booked at the second 23:30 of Santiago's autumn Saturday starts at the time the guest picked", async () => {
  // 2026-04-05 00:00 −03 → 2026-04-04 23:00 −04: Saturday's 23:00–24:00 happens twice.
  const app = await memoryApp({ nowIso: "2026-03-30T12:00:00Z" });
  try {
    const host = await createHost(app, {
      username: "coach",
      timeZone: "America/Santiago",
      weekly: EVERY_DAY_ALL_DAY,
    });
    await createEventType(app, host, {
      slug: "weekly",
      durationMin: 30,
      requiresConfirmation: false,
      bookingWindowDays: 90,
      series: { everyWeeks: 1, count: 2, freeOnly: false },
    });
    const r = await bookSlot(app, {
      username: "coach",
      slug: "weekly",
      start: "2026-04-05T03:30:00Z", // the second 23:30 (−04)
      name: "Pat",
      email: "pat@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
    const starts = (await listHostBookings(app.kv, host.id)).map((b) => b.startMs).sort();
    // The next Saturday's 23:30 is −04 too.
    assert.deepEqual(starts.map((ms) => new Date(ms).toISOString()), [
      "2026-04-05T03:30:00.000Z",
      "2026-04-12T03:30:00.000Z",
    ]);
  } finally {
    app.close();
  }
});

Deno.test("cancel this and the later dates: each date's cancellation reaches guest and host in date order (a date the host moved too), one at a time", async () => {
  const { seriesOf4 } = await import("../../../../tests/support/series.ts");
  const { deliverOutbox } = await import("../jobs/deliver-outbox.ts");
  const { moveBookingByHost } = await import("./host-reschedule.ts");
  const { cancelByGuest } = await import("./decide-booking.ts");
  const { bookingToken } = await import("./booking-links.ts");
  const { app, host, dates } = await seriesOf4(false);
  try {
    // The host moves the third date (Mon 7 Dec) to Tuesday: it stays third in time.
    const third = (await dates())[2];
    const moved = await moveBookingByHost(app, host, third.id, { start: "2026-12-08T09:00:00Z" });
    assert.ok(moved.ok, JSON.stringify(moved));
    await deliverOutbox(app, app.now());
    // Hand-offs take their time, as an SMTP server's do, and not all the same: the first date's
    // mails yield to the event loop longer, so mails handed over side by side would arrive out
    // of date order.
    const arrived: { to: string; date: string }[] = [];
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    const send = app.mailer.send.bind(app.mailer);
    app.mailer.send = async (mail) => {
      const date = /DTSTART:(\d{8})/.exec(String(mail.icalEvent?.content ?? ""))?.[1] ?? "";
      if (inFlight.has(mail.to!)) overlaps.push(`${mail.to} ${date}`);
      inFlight.add(mail.to!);
      const turns = date === "20261123" ? 20 : 1;
      for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
      arrived.push({ to: mail.to!, date });
      inFlight.delete(mail.to!);
      return await send(mail);
    };
    const first = (await dates())[0];
    const token = await bookingToken(app, first, "guest");
    assert.ok((await cancelByGuest(app, token, "", { scope: "rest" })).ok);
    await deliverOutbox(app, app.now());
    const order = (to: string) => arrived.filter((m) => m.to === to).map((m) => m.date);
    const inDateOrder = ["20261123", "20261130", "20261208", "20261214"];
    assert.deepEqual(order("pat@example.test"), inDateOrder);
    assert.deepEqual(order("coach@example.test"), inDateOrder);
    assert.deepEqual(overlaps, [], "one date's mail at a time to each reader");
  } finally {
    app.close();
  }
});

Deno.test("a series' confirmation tells the guest its invitation is the first date's and series.ics adds all four (it said the invitation adds 'the meeting'; a mail client adds only that one date)", async () => {
  const { app } = await seriesOf4(false);
  const mail = app.mailer.sent.find((m) =>
    m.to === "pat@example.test" && m.subject.startsWith("Confirmed")
  );
  assert.ok(mail, app.mailer.sent.map((m) => `${m.to}: ${m.subject}`).join("\n"));
  // What a calendar client adds by itself: the invitation, one event (the first date).
  const invite = new ICAL.Component(ICAL.parse(mail.icalEvent!.content));
  assert.equal(invite.getAllSubcomponents("vevent").length, 1);
  const seriesIcs = mail.attachments?.find((a) => a.filename === "series.ics");
  assert.ok(seriesIcs);
  const all = new ICAL.Component(ICAL.parse(seriesIcs.content));
  assert.equal(all.getAllSubcomponents("vevent").length, 4);
  assert.doesNotMatch(mail.text, /The attached invitation adds the meeting to your calendar/);
  assert.match(
    mail.text,
    /The attached invitation is the first date’s; series\.ics, also attached, adds all 4 dates to your calendar at once\./,
  );
  app.close();
});
