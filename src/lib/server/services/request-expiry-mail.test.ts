/**
 * The host's request mail says what an unanswered request gives back: a seat of a seated time
 * (the time itself stays offered while seats are left), every date of a series, or the time.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { bookSlot } from "./book-slot.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";

const allDay = [{ start: "00:00", end: "24:00" }];

Deno.test("request mail: an unanswered seat request gives back its seat, a series request its dates", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, {
      username: "hank",
      timeZone: "UTC",
      weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
    });
    await createEventType(app, host, {
      slug: "class",
      title: "Class",
      durationMin: 60,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    await createEventType(app, host, {
      slug: "weekly",
      title: "Coaching",
      durationMin: 60,
      bookingWindowDays: 90,
      series: { everyWeeks: 1, count: 3, freeOnly: false },
    });
    await createEventType(app, host, { slug: "call", title: "Call", durationMin: 60 });
    const book = async (slug: string, start: string) => {
      const r = await bookSlot(app, {
        username: "hank",
        slug,
        start,
        name: "Pia",
        email: "pia@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
      app.mailer.sent.length = 0;
      await deliverOutbox(app, app.now());
      const mail = app.mailer.sent.find((m) => m.to === "hank@example.test");
      assert.ok(mail, "the host is asked");
      return mail.text;
    };
    // Before: each said "the request expires in 24 hours and the time is offered again"; a seated
    // time stays offered while seats are left, and a series gives back three dates.
    assert.match(
      await book("class", "2026-11-23T10:00:00Z"),
      /the request expires in 24 hours and the seat is offered again/,
    );
    assert.match(
      await book("weekly", "2026-11-24T10:00:00Z"),
      /the request expires in 24 hours and its 3 dates are offered again/,
    );
    assert.match(
      await book("call", "2026-11-25T10:00:00Z"),
      /the request expires in 24 hours and the time is offered again/,
    );
  } finally {
    app.close();
  }
});
