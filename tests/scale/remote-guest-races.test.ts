/**
 * A guest's own races over remote KV: two service instances, each with Deno's KV Connect client,
 * sharing the KV Connect test server (1–8 ms per request), with booking commits whose answers
 * are lost after they landed (Deno's client sends them again and answers `{ ok: false }`; the
 * engine settles them by reading, ADR 038). The same outcomes as the in-memory tests
 * (services/guest-moves.test.ts, repeat-posts.test.ts).
 */
import assert from "node:assert/strict";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { remoteApps } from "../support/remote-apps.ts";
import { allBookings, liveOverlaps } from "../support/overlaps.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { rescheduleByGuest } from "../../src/lib/server/services/decide-booking.ts";
import { mintOneOffLink } from "../../src/lib/server/services/one-off-links.ts";
import { bookWithSingleUseLink } from "../../src/lib/server/services/single-use-links.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { isLiveBooking } from "../../src/lib/server/domain/booking.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const at = (day: string, hm: string) => `2026-11-${day}T${hm}:00Z`;

Deno.test({
  ...opts,
  name:
    "remote KV: a one-off link's guest presses move 12 times at once on two processes, to the link's other time, with lost commit answers: one successor at that time, never a time the link did not offer",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(r.a, host, {
      slug: "chat",
      durationMin: 30,
      intervalMin: 30,
      requiresConfirmation: false,
      secret: true,
    } as never);
    const offered = [at("23", "10:00"), at("23", "14:00"), at("24", "10:00")];
    const made = await mintOneOffLink(r.a, host, { slug: "chat", starts: offered, note: "" });
    assert.ok(made.ok, JSON.stringify(made));
    const booked = await bookWithSingleUseLink(r.b, "ann", made.url.split("/").pop()!, {
      start: offered[0],
      name: "Vip",
      email: "vip@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(booked.ok, JSON.stringify(booked));

    // Half of the presses go to a time the link never offered, on the other process.
    r.server.faults.set({ loseAnswer: 2, matchKey: "booking" });
    const moves = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        rescheduleByGuest(
          r.app(i),
          booked.guestToken,
          i % 2 ? at("24", "10:00") : at("23", "11:00"),
        )),
    );
    r.server.faults.set({ loseAnswer: 0 });
    // The other presses are told the booking has moved (or the time was never offered).
    const outcomes = moves.map((m) => (m.ok ? "ok" : m.reason));
    assert.equal(outcomes.filter((o) => o === "ok").length, 1, outcomes.join(", "));
    moves.forEach((m, i) => {
      if (i % 2 === 0) assert.ok(!m.ok, "a time never offered is refused");
    });
    const won = moves.find((m) => m.ok)!;
    assert.ok(won.ok);
    assert.equal(won.booking.startMs, Date.parse(at("24", "10:00")));
    assert.deepEqual(won.booking.offeredStarts, offered.map(Date.parse));
    assert.equal((await getBooking(r.kv, booked.bookingId))!.rescheduledToId, won.booking.id);
    const all = await allBookings(r.kv);
    const live = all.filter((b) => isLiveBooking(b, r.a.now()));
    assert.deepEqual(live.map((b) => b.id), [won.booking.id], "one live booking: the successor");
    assert.deepEqual(liveOverlaps(all, r.a.now()), []);
    assert.ok(r.server.stats().injected.loseAnswer > 0, "answers were lost");
    assert.deepEqual(r.server.stats().refused, []);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: the same browser's booking post sent 6 times at once to two processes, the first commit's answer lost: every post is answered with the one booking made, nothing more is booked",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(r.a, host, { slug: "call", durationMin: 30, requiresConfirmation: true });
    const form = (tag: string) => ({
      username: "ann",
      slug: "call",
      start: at("23", "10:00"),
      name: "Gita",
      email: "gita@example.test",
      note: "",
      timeZone: "UTC",
      bookerTag: tag,
    });
    for (const round of [0, 1]) {
      const start = at("23", round ? "11:00" : "10:00");
      r.server.faults.set({ loseAnswer: 1, matchKey: "booking" });
      const posts = await Promise.all(
        Array.from({ length: 6 }, (_, i) => bookSlot(r.app(i), { ...form(`tab${round}`), start })),
      );
      r.server.faults.set({ loseAnswer: 0 });
      assert.ok(posts.every((p) => p.ok), JSON.stringify(posts.map((p) => p.ok || p.reason)));
      const ids = new Set(posts.map((p) => p.ok && p.bookingId));
      assert.equal(ids.size, 1, "one booking answers every post");
      // Another browser is told the time is taken.
      const other = await bookSlot(r.b, { ...form("other"), start, email: "hari@example.test" });
      assert.deepEqual(other, { ok: false, reason: "slot_taken" });
    }
    const all = await allBookings(r.kv);
    assert.equal(all.length, 2, "one booking per time");
    assert.equal(r.server.stats().injected.loseAnswer, 2, "each round's first answer was lost");
    assert.deepEqual(r.server.stats().refused, []);
  },
});
