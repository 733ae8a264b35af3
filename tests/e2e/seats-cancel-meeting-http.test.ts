/**
 * The host cancels a whole seated meeting from the bookings list, over HTTP against the built
 * server (ADR 040, amended 2026-11-27): one press on the time's row instead of one per seat;
 * every seat is cancelled and the time is offered again with all its seats.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { signInByLink } from "../support/auth.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { settleCounts } from "../../src/lib/server/ops/counts-in-flight.ts";

// A day ahead of the real clock the built server runs on (a fixed date goes stale).
const DAY = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
const AT = `${DAY}T10:00:00Z`;

Deno.test({
  name:
    "seated meeting over HTTP: the host's row offers 'Cancel this meeting'; one press with a reason cancels every seat, says how many guests were told, and frees the time; a hidden count shows in the host's own picker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-seats-cancel-");
    const allDay = [{ start: "00:00", end: "24:00" }];
    const host = await createHost(seedApp, {
      username: "seats",
      timeZone: "UTC",
      weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
    });
    await createEventType(seedApp, host, {
      slug: "class",
      durationMin: 60,
      requiresConfirmation: false,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    await createEventType(seedApp, host, {
      slug: "quiet",
      durationMin: 60,
      requiresConfirmation: false,
      seats: { perTime: 4, showAttendees: false, hideCount: true },
    });
    for (const name of ["Anne", "Ben", "Cleo"]) {
      const r = await bookSlot(seedApp, {
        username: "seats",
        slug: "class",
        start: AT,
        name,
        email: `${name.toLowerCase()}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
    }
    await settleCounts();
    kv.close();
    try {
      await using app = await startApp({ dataDir });
      const base = app.baseUrl;
      const c = await signInByLink(app, "seats@example.test");
      const list = await c.get("/dashboard/bookings");
      assert.equal(list.status, 200);
      assert.match(list.body, /data-cancel-meeting=/);
      assert.match(list.body, /Cancel this meeting/);
      assert.match(list.body, /Every seat is cancelled \(3 guests\)/);
      const id = /action="\?\/cancelMeeting"(?:(?!<\/form>)[^])*?name="id" value="([0-9A-Z]{26})"/
        .exec(list.body)?.[1];
      assert.ok(id, "the form names one of the meeting's seats");

      const res = await c.post("/dashboard/bookings?/cancelMeeting", {
        id,
        reason: "Teacher is ill",
      });
      assert.equal(res.status, 200, res.body.slice(0, 400));
      assert.match(res.body, /Meeting cancelled\. 3 guests have been told\./);
      const after = await c.get("/dashboard/bookings");
      assert.doesNotMatch(after.body, /data-seat-state="confirmed"/);
      assert.doesNotMatch(after.body, /data-cancel-meeting=/);

      // A type whose count is hidden from guests: the host's own picker still shows it.
      const guestPage = await (await fetch(`${base}/calendar/seats/quiet?tz=UTC&date=${DAY}`))
        .text();
      assert.doesNotMatch(guestPage, /data-seats-left=/);
      const picker = await c.get(`/dashboard/bookings/new?type=quiet&date=${DAY}`);
      assert.match(picker.body, /data-seats-left="4"/);

      // The time is offered again with every seat.
      const page = await (await fetch(`${base}/calendar/seats/class?tz=UTC&date=${DAY}`))
        .text();
      const left = new RegExp(`data-slot="${AT}"(?:(?!</a>)[^])*?data-seats-left="(\\d+)"`)
        .exec(page);
      assert.equal(left?.[1], "5");
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
