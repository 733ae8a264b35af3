/**
 * Microsoft Teams per booking (issue 27) against the local Microsoft Graph of
 * tests/support/microsoft.ts: the meeting is made with the host's calendar event
 * (`isOnlineMeeting`, `onlineMeetingProvider: teamsForBusiness`), `onlineMeeting.joinUrl` is read
 * back and reaches the guest's confirmation; a reschedule keeps the one meeting, a cancellation
 * leaves none.
 */
import assert from "node:assert/strict";
import { startMicrosoft } from "../support/microsoft.ts";
import { connectVia, hostWithEventType, MIN, providerApp } from "./provider-helpers.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking, rescheduleByHost } from "../../src/lib/server/services/decide-booking.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { getEventTypeBySlug, updateEventType } from "../../src/lib/server/store/event-types.ts";
import type { TestApp } from "../support/memory-app.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();
const CAL = "AAMkCalendar=";
const JOIN = /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/\S+$/;

async function drain(app: TestApp, ms = 2 * MIN) {
  for (let t = 0; t <= ms; t += 5_000) {
    await deliverOutbox(app, app.now());
    app.clock.ms += 5_000;
  }
}

Deno.test({
  ...opts,
  name:
    "teams: the meeting is made with the Graph event, its joinUrl reaches the confirmation; reschedule keeps one meeting, cancel leaves none",
  async fn() {
    const m = await startMicrosoft();
    await using _m = m;
    m.calendars = [
      { id: CAL, name: "Calendar", canEdit: true, isDefaultCalendar: true, isRemovable: false },
    ];
    const app = await providerApp(m.env);
    try {
      const host = await hostWithEventType(app);
      const et = (await getEventTypeBySlug(app.kv, host.id, "call"))!;
      await updateEventType(app.kv, host.id, et.id, (cur) => ({
        ...cur,
        locations: [{ kind: "teams", value: "" }],
        location: { kind: "teams", value: "" },
      }));
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok);
      const booked = await bookSlot(app, {
        username: "host",
        slug: "call",
        start: "2026-11-23T13:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(booked.ok && booked.status === "CONFIRMED");
      await drain(app);
      const written = m.live(CAL).find((e) => e.isOnlineMeeting === true)!;
      assert.equal(written.onlineMeetingProvider, "teamsForBusiness");
      const link = (await getBooking(app.kv, booked.bookingId))!.location!.value;
      assert.match(link, JOIN);
      assert.deepEqual(m.liveTeams(CAL), [link]);
      const confirmations = app.mailer.sent.filter((x) =>
        x.to === "jane@example.test" && /^Confirmed/.test(x.subject)
      );
      assert.equal(confirmations.length, 1);
      assert.ok(confirmations[0].text.includes(link), "the guest's confirmation has the link");

      const moved = await rescheduleByHost(app, host.id, booked.bookingId, "2026-11-24T09:00:00Z");
      assert.ok(moved.ok, JSON.stringify(moved));
      await drain(app);
      assert.deepEqual(m.liveTeams(CAL), [link], "one meeting, the same link");

      const cancelled = await decideBooking(app, moved.booking.id, "cancel", "host", {
        hostId: host.id,
      });
      assert.ok(cancelled.ok);
      await drain(app);
      assert.deepEqual(m.liveTeams(CAL), [], "cancelling leaves no meeting");
    } finally {
      app.close();
    }
  },
});
