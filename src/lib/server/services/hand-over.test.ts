/**
 * Handing a departing host's meetings over (services/hand-over.ts) while guests book the new
 * host's page at the same times, and while a second hand-over runs: each meeting is moved once
 * or listed as a clash, never both, and the new host is never double-booked.
 */
import assert from "node:assert/strict";
import { handOverBookings } from "./hand-over.ts";
import { bookSlot } from "./book-slot.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import { isLiveBooking } from "../domain/booking.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { allBookings, liveOverlaps } from "../../../../tests/support/overlaps.ts";
import { contendedKv } from "../../../../tests/support/kv-contention.ts";

const at = (hh: number) => `2026-11-23T${String(hh).padStart(2, "0")}:00:00Z`;
const HOURS = [9, 10, 11, 12, 13, 14];

Deno.test("hand-over racing the new host's guests: two hand-overs and 24 guests booking the same times at once — each meeting moves once or is listed as a clash, and the new host is never double-booked", async () => {
  const kv = contendedKv(await Deno.openKv(":memory:"));
  const a = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  const b = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  b.hostLock = new KeyedLock(); // only the KV checks stand between them
  const from = await createHost(a, { username: "leaving", timeZone: "UTC", weekly: WORKDAYS });
  const to = await createHost(a, { username: "staying", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(a, from, { slug: "call", durationMin: 30, requiresConfirmation: false });
  await createEventType(a, to, { slug: "call", durationMin: 30, requiresConfirmation: false });
  const booked = [];
  for (const [i, h] of HOURS.entries()) {
    const r = await bookSlot(a, {
      username: "leaving",
      slug: "call",
      start: at(h),
      name: `Guest ${i}`,
      email: `old${i}@example.test`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok);
    booked.push(r.bookingId);
  }
  const admin = { id: null, label: "admin" };
  const [first, second, ...guests] = await Promise.all([
    handOverBookings(a, admin, from.id, to.id),
    handOverBookings(b, admin, from.id, to.id),
    ...Array.from({ length: 24 }, (_, i) =>
      bookSlot(i % 2 ? a : b, {
        username: "staying",
        slug: "call",
        start: at(HOURS[i % HOURS.length]),
        name: `New ${i}`,
        email: `new${i}@example.test`,
        note: "",
        timeZone: "UTC",
      })),
  ]);
  assert.ok(first.ok && second.ok);
  for (const c of [...first.conflicts, ...second.conflicts]) {
    assert.ok(["slot_taken", "moved"].includes(c.reason), c.reason);
  }
  const outcomes = guests.map((r) => r.ok ? "ok" : r.reason);
  assert.ok(outcomes.every((o) => o === "ok" || o === "slot_taken"), outcomes.join(", "));
  const bookings = await allBookings(kv);
  const nowMs = a.now();
  assert.deepEqual(liveOverlaps(bookings, nowMs), []);
  // Every old meeting is live exactly once: still with the leaving host, or moved.
  for (const id of booked) {
    const chain = bookings.filter((x) =>
      isLiveBooking(x, nowMs) && (x.id === id || x.rescheduledFromId === id)
    );
    assert.equal(chain.length, 1, id);
  }
  // Moved once in all: what the two runs moved adds up to the meetings now with the new host.
  const movedIds = [...first.moved, ...second.moved].map((m) => m.bookingId);
  assert.equal(new Set(movedIds).size, movedIds.length, "no meeting moved twice");
  const withNew = bookings.filter((x) => isLiveBooking(x, nowMs) && x.hostId === to.id);
  assert.equal(
    withNew.filter((x) => x.rescheduledFromId).length,
    movedIds.length,
  );
  // Somebody wanted each of the new host's times: each is taken, once.
  for (const h of HOURS) {
    assert.equal(withNew.filter((x) => x.startMs === Date.parse(at(h))).length, 1, at(h));
  }
  await settleCounts();
  kv.close();
});
