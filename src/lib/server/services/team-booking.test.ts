/**
 * Multi-person bookings (the coordinator protocol) against each other and against single
 * bookings: nobody's time is ever double-booked, each contested slot has exactly one winner, a
 * protocol stopped midway blocks nothing after its deadline, and the cleanup job tidies it up.
 */
import assert from "node:assert/strict";
import { bookForPersons } from "./team-booking.ts";
import { bookSlot } from "./book-slot.ts";
import { decideBooking } from "./decide-booking.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { releaseStaleHolds } from "../jobs/release-holds.ts";
import { expireHolds } from "../jobs/expire-holds.ts";
import { TEAM_HOLD_MS } from "../domain/booking-engine/index.ts";
import { listBusy } from "../store/bookings.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import type { CoordinatorRecord, EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import { prng } from "../../../../bench/lib.ts";
import { allBookings, liveOverlaps } from "../../../../tests/support/overlaps.ts";

const allDay = () => [{ start: "00:00", end: "24:00" }];
const EVERY_DAY = {
  1: allDay(),
  2: allDay(),
  3: allDay(),
  4: allDay(),
  5: allDay(),
  6: allDay(),
  7: allDay(),
};
const SLOT = "2026-11-23T23:30:00Z"; // crosses UTC midnight

async function team(n: number, opts: { requiresConfirmation?: boolean } = {}) {
  const kv = await Deno.openKv(":memory:");
  const a = await memoryApp({ kv });
  const b = await memoryApp({ kv });
  b.hostLock = new KeyedLock();
  const people: UserRecord[] = [];
  const types: EventTypeRecord[] = [];
  for (let i = 0; i < n; i++) {
    const u = await createHost(a, { username: `p${i}`, timeZone: "UTC", weekly: EVERY_DAY });
    people.push(u);
    types.push(
      await createEventType(a, u, {
        slug: "call",
        durationMin: 60,
        intervalMin: 30,
        requiresConfirmation: opts.requiresConfirmation ?? false,
      }),
    );
  }
  return { kv, a, b, people, types };
}

function teamInput(owner: UserRecord, et: EventTypeRecord, personIds: string[], i: number) {
  return {
    host: owner,
    eventType: et,
    personIds,
    startMs: Date.parse(SLOT),
    durationMin: 60,
    name: `Guest ${i}`,
    email: `g${i}@example.test`,
    note: "",
    guestTimeZone: "UTC",
  };
}

/** A single booking that overlaps the team slot by half an hour (a slot those hosts offer). */
const OVERLAPPING = "2026-11-23T23:00:00Z";
const single = (username: string, i: number, start = OVERLAPPING) => ({
  username,
  slug: "call",
  start,
  name: `Single ${i}`,
  email: `s${i}@example.test`,
  note: "",
  timeZone: "UTC",
});

Deno.test("team: 30 bookings of one team's slot at once, from two processes, give exactly one booking", async () => {
  const { kv, a, b, people, types } = await team(4);
  const ids = people.map((p) => p.id);
  const results = await Promise.all(
    Array.from(
      { length: 30 },
      (_, i) => bookForPersons(i % 2 ? a : b, teamInput(people[0], types[0], ids, i)),
    ),
  );
  assert.equal(
    results.filter((r) => r.ok).length,
    1,
    JSON.stringify(results.map((r) => r.ok || r.reason)),
  );
  assert.ok(results.every((r) => r.ok || r.reason === "slot_taken"));
  const booked = await allBookings(kv);
  assert.equal(booked.length, 1);
  assert.deepEqual(booked[0].personIds, [...ids].sort());
  // Losers left no holds behind: only the winner's entries remain, all of them firm.
  const entries = [];
  for await (const e of kv.list({ prefix: ["busy"] })) {
    entries.push(e.value as { bookingId: string; holdUntilMs: number | null });
  }
  assert.equal(entries.length, 4 * 2, "4 people × 2 UTC days");
  assert.ok(entries.every((e) => e.bookingId === booked[0].id && e.holdUntilMs === null));
  kv.close();
});

Deno.test("team: random overlapping teams and single bookings at once never double-book anybody; with a shared member exactly one wins", async () => {
  const random = prng(11);
  for (let round = 0; round < 5; round++) {
    const { kv, a, b, people, types } = await team(6);
    const ids = people.map((p) => p.id);
    const jobs: Promise<{ ok: boolean }>[] = [];
    for (let i = 0; i < 16; i++) {
      // Every team includes person 0, and some of the others.
      const members = [ids[0], ...ids.slice(1).filter(() => random() < 0.4)];
      jobs.push(bookForPersons(i % 2 ? a : b, teamInput(people[0], types[0], members, i)));
    }
    for (let i = 0; i < 24; i++) {
      jobs.push(bookSlot(i % 2 ? a : b, single(`p${i % 6}`, i)));
    }
    const results = await Promise.all(jobs);
    const bookings = await allBookings(kv);
    assert.deepEqual(liveOverlaps(bookings, a.now()), [], `round ${round}`);
    const withZero = bookings.filter((x) => (x.personIds ?? [x.hostId]).includes(ids[0]));
    assert.equal(withZero.length, 1, "person 0's slot has exactly one winner");
    assert.equal(results.filter((r) => r.ok).length, bookings.length);
    // Everyone whose time is not taken got a single booking if one was asked for.
    for (const p of ids.slice(1)) {
      const mine = bookings.filter((x) => (x.personIds ?? [x.hostId]).includes(p));
      assert.equal(mine.length, 1, `${p} was asked for and is booked exactly once`);
    }
    kv.close();
  }
});

Deno.test("team: a protocol stopped after some holds blocks those people until its deadline, then their time is free and the cleanup job removes the holds", async () => {
  const { kv, a, people, types } = await team(3);
  const ids = people.map((p) => p.id).sort();
  const crash = new Error("process killed");
  const stopped = await bookForPersons(a, {
    ...teamInput(people[0], types[0], ids, 1),
    onStep: (step, personId) => {
      if (step === "hold" && personId === ids[1]) throw crash;
    },
  }).catch((e) => e);
  assert.equal(stopped, crash);
  const who = (id: string) => people.find((p) => p.id === id)!.username;
  // Held: the first two people in canonical order.
  for (const id of ids.slice(0, 2)) {
    assert.deepEqual(await bookSlot(a, single(who(id), 2)), { ok: false, reason: "slot_taken" });
  }
  assert.ok((await bookSlot(a, single(who(ids[2]), 3))).ok, "the third was never held");
  // Past the deadline the holds are free for anyone (who takes the coordinator over)…
  a.clock.ms += TEAM_HOLD_MS;
  assert.deepEqual(
    await listBusy(kv, ids[1], Date.parse(SLOT) - 3_600_000, Date.parse(SLOT) + 7_200_000, a.now()),
    [],
  );
  assert.ok((await bookSlot(a, single(who(ids[0]), 4))).ok);
  // …and the cleanup job removes what is left and marks the coordinator abandoned.
  a.clock.ms += 60_000;
  const { released } = await releaseStaleHolds(a, a.now());
  assert.equal(released, 0, "taking it over already abandoned it");
  const left = [];
  for await (const e of kv.list<{ coordinatorId?: string }>({ prefix: ["busy"] })) {
    if (e.value.coordinatorId) left.push(e.key);
  }
  assert.deepEqual(left, []);
  const coords = [];
  for await (const e of kv.list<CoordinatorRecord>({ prefix: ["coordinator"] })) {
    coords.push(e.value.state);
  }
  assert.deepEqual(coords, ["abandoned"]);
  kv.close();
});

Deno.test("team: a member booked after the team read everyone's time, before their hold, is never double-booked: that hold loses its race, reads again and the team booking is refused", async () => {
  const { kv, a, b, people, types } = await team(3);
  const ids = people.map((p) => p.id).sort();
  const who = (id: string) => people.find((p) => p.id === id)!.username;
  let single3: { ok: boolean } | null = null;
  const res = await bookForPersons(a, {
    ...teamInput(people[0], types[0], ids, 1),
    onStep: async (step, personId) => {
      // Every member's time was read before the first hold; the last member is booked now.
      if (step === "hold" && personId === ids[0]) {
        single3 = await bookSlot(b, single(who(ids[2]), 2));
      }
    },
  });
  assert.ok(single3!.ok, "the last member was free when the first was held");
  assert.deepEqual(res, { ok: false, reason: "slot_taken" });
  assert.deepEqual(liveOverlaps(await allBookings(kv), a.now()), []);
  // The refused booking released its holds: the first member is free again.
  assert.ok((await bookSlot(a, single(who(ids[0]), 3))).ok);
  kv.close();
});

Deno.test("team: a member's booking cancelled after the team read everyone's time no longer refuses the team: a refusal from the earlier read is read again", async () => {
  const { kv, a, b, people, types } = await team(3);
  const ids = people.map((p) => p.id).sort();
  const who = (id: string) => people.find((p) => p.id === id)!.username;
  const blocking = await bookSlot(b, single(who(ids[2]), 1));
  assert.ok(blocking.ok);
  const res = await bookForPersons(a, {
    ...teamInput(people[0], types[0], ids, 2),
    onStep: async (step, personId) => {
      if (step === "hold" && personId === ids[0]) {
        const cancelled = await decideBooking(b, blocking.bookingId, "cancel", "guest");
        assert.ok(cancelled.ok, JSON.stringify(cancelled));
      }
    },
  });
  assert.ok(res.ok, JSON.stringify(res));
  assert.deepEqual(liveOverlaps(await allBookings(kv), a.now()), []);
  kv.close();
});

Deno.test("team: 20 bookings of the same team at once on one day, in one process, lose no race: a member's time read ahead is read again when another booking held that member meanwhile", async () => {
  const raw = await Deno.openKv(":memory:");
  let lost = 0;
  const atomic = raw.atomic.bind(raw);
  raw.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = async () => {
      const res = await commit();
      if (!res.ok) lost++;
      return res;
    };
    return op;
  };
  const a = await memoryApp({ kv: raw });
  const people: UserRecord[] = [];
  for (let i = 0; i < 5; i++) {
    people.push(await createHost(a, { username: `p${i}`, timeZone: "UTC", weekly: EVERY_DAY }));
  }
  const et = await createEventType(a, people[0], {
    slug: "call",
    durationMin: 15,
    intervalMin: 15,
    requiresConfirmation: false,
  });
  const ids = people.map((p) => p.id);
  const day = Date.parse("2026-11-23T00:00:00Z");
  // Each booking holds the same five people on the same day, so each hold changes fences that
  // the others read: in one process the queue orders them, and no write is sent to fail.
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    bookForPersons(a, {
      ...teamInput(people[0], et, ids, i),
      startMs: day + i * 15 * 60_000,
      durationMin: 15,
    })));
  assert.ok(results.every((r) => r.ok), JSON.stringify(results.map((r) => r.ok || r.reason)));
  assert.deepEqual(liveOverlaps(await allBookings(raw), a.now()), []);
  assert.equal(lost, 0, "writes that lost a race");
  raw.close();
});

Deno.test("team: a crashed protocol nobody took over is abandoned by the cleanup job; a commit after the deadline fails and leaves nothing", async () => {
  const { kv, a, people, types } = await team(3);
  const ids = people.map((p) => p.id).sort();
  const crash = new Error("killed");
  await bookForPersons(a, {
    ...teamInput(people[0], types[0], ids, 1),
    onStep: (step) => {
      if (step === "hold") throw crash;
    },
  }).catch(() => {});
  a.clock.ms += TEAM_HOLD_MS + 11_000;
  assert.deepEqual(await releaseStaleHolds(a, a.now()), { released: 1 });
  const busy = [];
  for await (const e of kv.list({ prefix: ["busy"] })) busy.push(e.key);
  assert.deepEqual(busy, []);

  // A slow protocol: its holds outlive the deadline before the final commit.
  const slow = await bookForPersons(a, {
    ...teamInput(people[0], types[0], ids, 2),
    onStep: (step) => {
      if (step === "hold") a.clock.ms += TEAM_HOLD_MS / 2;
    },
  });
  assert.deepEqual(slow, { ok: false, reason: "expired" });
  assert.deepEqual((await allBookings(kv)).map((x) => x.guestEmail), []);
  const after = [];
  for await (const e of kv.list({ prefix: ["busy"] })) after.push(e.key);
  assert.deepEqual(after, [], "a failed protocol releases its holds at once");
  kv.close();
});

Deno.test("team: a pending team booking is confirmed checking its coordinator; if its hold ran out and the time was taken, the confirm refuses as expired", async () => {
  const { kv, a, b, people, types } = await team(2, { requiresConfirmation: true });
  const ids = people.map((p) => p.id);
  const first = await bookForPersons(a, teamInput(people[0], types[0], ids, 1));
  assert.ok(first.ok && first.booking.status === "PENDING");
  // Another process whose clock is past the hold books one member's time.
  b.clock.ms = first.booking.reservedUntilMs!;
  assert.ok((await bookSlot(b, single("p1", 2))).ok);
  const late = await decideBooking(a, first.booking.id, "confirm", "host");
  assert.deepEqual(late.ok ? "confirmed" : late.reason, "expired");
  // Judged by the later clock (by the earlier one the old request would still look held).
  assert.deepEqual(liveOverlaps(await allBookings(kv), b.now()), []);
  // The expiry job ends it and removes everything it held.
  a.clock.ms = first.booking.reservedUntilMs!;
  assert.equal((await expireHolds(a, a.now())).expired, 1);
  const held = [];
  for await (const e of kv.list<{ bookingId: string }>({ prefix: ["busy"] })) {
    if (e.value.bookingId === first.booking.id) held.push(e.key);
  }
  assert.deepEqual(held, []);

  // A second team booking, confirmed in time, becomes firm for both members.
  const second = await bookForPersons(a, {
    ...teamInput(people[0], types[0], ids, 3),
    startMs: Date.parse("2026-11-24T10:00:00Z"),
  });
  assert.ok(second.ok);
  const ok = await decideBooking(a, second.booking.id, "confirm", "host");
  assert.ok(ok.ok);
  const entries = [];
  for await (
    const e of kv.list<{ bookingId: string; holdUntilMs: number | null }>({ prefix: ["busy"] })
  ) {
    if (e.value.bookingId === second.booking.id) entries.push(e.value.holdUntilMs);
  }
  assert.deepEqual(entries, [null, null]);
  kv.close();
});
