/**
 * Crowds booking over remote KV while booking writes' answers break off inside their body (the
 * test server's `cutWriteBody`): the write was applied, or refused by a check, and Deno's KV
 * Connect client throws instead of telling which. Two service instances, each with Deno's own
 * client. The store sends such a write again (a booking write always checks what it read, so a
 * landed first makes the second fail), and the engine settles a failed one by reading its probe
 * (ADR 038): the invariant holds and every guest gets the answer they would have had.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, guestInput, WORKDAYS } from "../support/memory-app.ts";
import { remoteApps } from "../support/remote-apps.ts";
import { allBookings, liveOverlaps } from "../support/overlaps.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { isLiveBooking } from "../../src/lib/server/domain/booking.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const AT = "2026-11-23T10:00:00Z";

const guest = (i: number | string, slug: string, start = AT) => guestInput(i, start, slug);

Deno.test({
  ...opts,
  name:
    "remote KV: 24 guests on one slot on two processes while booking writes' answers break off: exactly one booking, every other guest told the time is taken, none sees an error",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(r.a, host, {
      slug: "call",
      durationMin: 30,
      intervalMin: 15,
      requiresConfirmation: true,
    });
    // A third of the crowd asks for 10:15, which overlaps 10:00: overlap, not only the same start.
    r.server.faults.set({ cutWriteBody: 4, matchKey: "booking" });
    const posts = await Promise.all(
      Array.from(
        { length: 24 },
        (_, i) => bookSlot(r.app(i), guest(i, "call", i % 3 === 2 ? "2026-11-23T10:15:00Z" : AT)),
      ),
    );
    r.server.faults.set({ cutWriteBody: 0 });
    const outcomes = posts.map((p) => (p.ok ? "ok" : p.reason));
    assert.equal(outcomes.filter((o) => o === "ok").length, 1, outcomes.join(", "));
    assert.ok(
      outcomes.every((o) => o === "ok" || o === "slot_taken"),
      `every other guest is told the time is taken: ${outcomes.join(", ")}`,
    );
    const all = await allBookings(r.kv);
    assert.equal(all.length, 1, "one booking stored");
    const won = posts.find((p) => p.ok);
    assert.ok(won?.ok);
    assert.equal(all[0].id, won.bookingId, "the booking stored is the one its guest was told of");
    assert.deepEqual(liveOverlaps(all, r.a.now()), []);
    assert.equal(r.server.stats().injected.cutWriteBody, 4, "four answers broke off");
    assert.deepEqual(r.server.stats().refused, []);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: 30 guests on a 10-seat time on two processes while booking writes' answers break off: exactly 10 seats, one meeting, the others told it is full",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(r.a, host, {
      slug: "class",
      durationMin: 60,
      requiresConfirmation: false,
      seats: { perTime: 10, showAttendees: false, hideCount: false },
    });
    r.server.faults.set({ cutWriteBody: 6, matchKey: "booking" });
    const posts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => bookSlot(r.app(i), guest(i, "class"))),
    );
    r.server.faults.set({ cutWriteBody: 0 });
    const outcomes = posts.map((p) => (p.ok ? "ok" : p.reason));
    assert.equal(outcomes.filter((o) => o === "ok").length, 10, outcomes.join(", "));
    assert.ok(outcomes.every((o) => o === "ok" || o === "seats_full"), outcomes.join(", "));
    const live = (await allBookings(r.kv)).filter((b) => isLiveBooking(b, r.a.now()));
    assert.equal(live.length, 10, "ten seats stored");
    assert.equal(new Set(live.map((b) => b.seat?.meetingId)).size, 1, "in one meeting");
    assert.deepEqual(
      new Set(live.map((b) => b.id)),
      new Set(posts.flatMap((p) => (p.ok ? [p.bookingId] : []))),
      "the seats stored are the ones the guests were told of",
    );
    assert.equal(r.server.stats().injected.cutWriteBody, 6);
    assert.deepEqual(r.server.stats().refused, []);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: the same browser's booking post sent 6 times at once to two processes while the answers break off: every post is answered with the one booking made",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(r.a, host, { slug: "call", durationMin: 30, requiresConfirmation: true });
    r.server.faults.set({ cutWriteBody: 2, matchKey: "booking" });
    const posts = await Promise.all(
      Array.from(
        { length: 6 },
        (_, i) => bookSlot(r.app(i), { ...guest("same", "call"), bookerTag: "tab" }),
      ),
    );
    r.server.faults.set({ cutWriteBody: 0 });
    assert.ok(posts.every((p) => p.ok), JSON.stringify(posts.map((p) => p.ok || p.reason)));
    assert.equal(new Set(posts.map((p) => p.ok && p.bookingId)).size, 1, "one booking answers all");
    assert.equal((await allBookings(r.kv)).length, 1);
    assert.equal(r.server.stats().injected.cutWriteBody, 2);
    assert.deepEqual(r.server.stats().refused, []);
  },
});
