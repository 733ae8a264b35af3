/**
 * Booking pages reuse a person's busy time only while nothing changed it: a booking, a
 * cancellation, a rejection and a hold running out all show at once, and a view with nothing
 * changed lists nothing again.
 */
import assert from "node:assert/strict";
import { getSlotPage } from "../services/slot-page.ts";
import { bookSlot } from "../services/book-slot.ts";
import { decideBooking } from "../services/decide-booking.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../../../../tests/support/teams.ts";

Deno.test("busy cache: bookings, cancellations, rejections and expired holds show on the next view; an unchanged view lists nothing", async () => {
  const raw = await Deno.openKv(":memory:");
  let lists = 0;
  const kv = new Proxy(raw, {
    get(t, p) {
      if (p === "list") {
        return (...args: Parameters<Deno.Kv["list"]>) => {
          if ((args[0] as { start?: Deno.KvKey }).start?.[0] === "busy") lists++;
          return t.list(...args);
        };
      }
      const v = Reflect.get(t, p);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  const app = await memoryApp({ kv, guard: false });
  const host = await createHost(app, {
    username: "ann",
    timeZone: "UTC",
    weekly: EVERY_DAY_ALL_DAY,
  });
  await createEventType(app, host, { slug: "instant", requiresConfirmation: false });
  await createEventType(app, host, { slug: "ask", requiresConfirmation: true });
  const free = async (start: string, timeZone = "UTC") => {
    const p = await getSlotPage(app, {
      username: "ann",
      slug: "instant",
      timeZone,
      date: "2026-11-23",
    });
    assert.ok(p.ok);
    return p.slots.some((s) => s.start === start);
  };
  const guest = { name: "G", email: "g@example.test", note: "", timeZone: "UTC" };
  const at = "2026-11-23T10:00:00Z";
  assert.ok(await free(at));
  const before = lists;
  assert.ok(await free(at, "Asia/Tokyo"), "the same month from another zone");
  assert.equal(lists, before, "nothing changed: nothing listed again");

  const b = await bookSlot(app, { username: "ann", slug: "instant", start: at, ...guest });
  assert.ok(b.ok);
  assert.equal(await free(at), false, "booked");
  assert.ok((await decideBooking(app, b.bookingId, "cancel", "host")).ok);
  assert.equal(await free(at), true, "cancelled");

  const r = await bookSlot(app, { username: "ann", slug: "ask", start: at, ...guest });
  assert.ok(r.ok);
  assert.equal(await free(at), false, "held by a request");
  assert.ok((await decideBooking(app, r.bookingId, "reject", "host")).ok);
  assert.equal(await free(at), true, "rejected");

  const h = await bookSlot(app, { username: "ann", slug: "ask", start: at, ...guest });
  assert.ok(h.ok);
  assert.equal(await free(at), false);
  const listed = lists;
  app.clock.ms += app.config.bookingTtlMs + 1;
  assert.equal(await free(at), true, "the hold ran out, with no write at all");
  assert.equal(lists, listed, "from the kept list");
  app.close();
});
