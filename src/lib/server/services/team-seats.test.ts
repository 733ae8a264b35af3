/**
 * Collective seated times (docs/decisions/040-seats.md): a crowd on one empty time of a
 * two-member collective event with seats — exactly the seats, one meeting, every member blocked
 * from the first seat and free after the last; two guests arriving together both get a seat
 * (Cal.com #15600); a pending seat's confirm keeps the meeting.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { bookTeamSlot } from "./team-bookings.ts";
import { bookSlot } from "./book-slot.ts";
import { decideBooking, rescheduleByGuest, rescheduleByHost } from "./decide-booking.ts";
import { expireHolds } from "../jobs/expire-holds.ts";
import { keys } from "../store/keys.ts";
import { getSeatLedger } from "../store/seats.ts";
import { liveSeats } from "../domain/seats.ts";
import type { BookingRecord, BusyEntryRecord } from "../domain/model/records.ts";
import { createEventType, memoryApp } from "../../../../tests/support/memory-app.ts";
import { guest, seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-23T00:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

async function setup(perTime: number, requiresConfirmation = false) {
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" } });
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }],
  });
  const et = await seedTeamEventType(app, team, {
    slug: "class",
    teamMode: "collective",
    durationMin: 60,
    requiresConfirmation,
    seats: { perTime, showAttendees: false, hideCount: false },
  });
  return { app, team, users, et };
}

async function busyOf(kv: Deno.Kv, personId: string): Promise<BusyEntryRecord[]> {
  const out: BusyEntryRecord[] = [];
  for await (const e of kv.list<BusyEntryRecord>({ prefix: ["busy", personId] })) {
    out.push(e.value);
  }
  return out;
}

Deno.test("collective seats: 24 simultaneous guests on an empty 5-seat time of a two-member collective event — exactly 5 seats in one meeting, the rest told it is full; both members blocked, then free after the last cancel", async () => {
  const { app, users, et } = await setup(5);
  const start = at(T0 + 10 * HOUR);
  const results = await Promise.all(
    Array.from(
      { length: 24 },
      (_, i) => bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest(i) }),
    ),
  );
  const won = results.filter((r) => r.ok);
  assert.equal(won.length, 5, JSON.stringify(results.filter((r) => !r.ok)));
  assert.ok(
    results.every((r) => r.ok || r.reason === "seats_full"),
    JSON.stringify(results.filter((r) => !r.ok)),
  );
  const seats = (await app.kv.getMany<BookingRecord[]>(
    won.map((r) => keys.booking((r as { bookingId: string }).bookingId)),
  )).map((e) => e.value!);
  assert.equal(new Set(seats.map((b) => b.seat?.meetingId)).size, 1, "one meeting");
  assert.ok(seats.every((b) => b.personIds?.length === 2));
  const ledger = await getSeatLedger(app.kv, et.id, T0 + 10 * HOUR);
  assert.equal(liveSeats(ledger, app.now()).length, 5);
  // Every member's time is the meeting's: one entry each, not one per seat.
  for (const u of users) {
    const mine = (await busyOf(app.kv, u.id)).filter((e) => e.startMs === T0 + 10 * HOUR);
    assert.equal(new Set(mine.map((e) => e.bookingId)).size, 1, `${u.username}: one meeting`);
    await createEventType(app, u, { slug: `own-${u.username}`, requiresConfirmation: false });
    const clash = await bookSlot(app, {
      username: u.username,
      slug: `own-${u.username}`,
      start,
      ...guest(`x-${u.username}`),
    });
    assert.deepEqual(clash, { ok: false, reason: "slot_taken" }, `${u.username} is blocked`);
  }
  for (const b of seats) {
    const r = await decideBooking(app, b.id, "cancel", "host", { hostId: b.hostId });
    assert.ok(r.ok, JSON.stringify(r));
  }
  assert.equal(await getSeatLedger(app.kv, et.id, T0 + 10 * HOUR), null, "the ledger goes");
  for (const u of users) {
    const mine = (await busyOf(app.kv, u.id)).filter((e) => e.startMs === T0 + 10 * HOUR);
    assert.deepEqual(mine, [], `${u.username} is free again`);
    const own = await bookSlot(app, {
      username: u.username,
      slug: `own-${u.username}`,
      start,
      ...guest(`y-${u.username}`),
    });
    assert.ok(own.ok, `${u.username} can be booked: ${JSON.stringify(own)}`);
  }
  app.close();
});

Deno.test("collective seats (Cal.com #15600): two guests arriving together at an empty time both get a seat; a third on a 2-seat time is told it is full", async () => {
  const { app } = await setup(2);
  const start = at(T0 + 11 * HOUR);
  for (let round = 0; round < 5; round++) {
    const s = at(T0 + (11 + round) * HOUR);
    const [a, b] = await Promise.all([
      bookTeamSlot(app, { team: "crew", slug: "class", start: s, ...guest(`a${round}`) }),
      bookTeamSlot(app, { team: "crew", slug: "class", start: s, ...guest(`b${round}`) }),
    ]);
    assert.ok(a.ok && b.ok, `round ${round}: ${JSON.stringify([a, b])}`);
  }
  const third = await bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest("c") });
  assert.deepEqual(third, { ok: false, reason: "seats_full" });
  const again = await bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest("a0") });
  assert.equal(again.ok, false);
  app.close();
});

Deno.test("collective seats: pending seats hold the meeting; confirming one makes it firm for every member; the last pending seat's rejection frees them", async () => {
  const { app, users, et } = await setup(3, true);
  const start = at(T0 + 9 * HOUR);
  const a = await bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest("a") });
  const b = await bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest("b") });
  assert.ok(a.ok && b.ok, JSON.stringify([a, b]));
  assert.equal(a.status, "PENDING");
  const aRec = (await app.kv.get<BookingRecord>(keys.booking(a.bookingId))).value!;
  const confirmed = await decideBooking(app, a.bookingId, "confirm", "host", {
    hostId: aRec.hostId,
  });
  assert.ok(confirmed.ok, JSON.stringify(confirmed));
  for (const u of users) {
    const mine = (await busyOf(app.kv, u.id)).filter((e) => e.startMs === T0 + 9 * HOUR);
    assert.ok(mine.length > 0 && mine.every((e) => e.holdUntilMs === null), "firm for everyone");
  }
  // Confirmed Ada cancels; pending Bob is rejected: the time is free for every member.
  assert.ok((await decideBooking(app, a.bookingId, "cancel", "host", { hostId: aRec.hostId })).ok);
  assert.ok(
    (await decideBooking(app, b.bookingId, "reject", "host", { hostId: aRec.hostId })).ok,
  );
  assert.equal(await getSeatLedger(app.kv, et.id, T0 + 9 * HOUR), null);
  for (const u of users) {
    const mine = (await busyOf(app.kv, u.id)).filter((e) => e.startMs === T0 + 9 * HOUR);
    assert.deepEqual(mine, []);
  }
  // A new first seat starts a new meeting.
  const c = await bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest("c") });
  assert.ok(c.ok, JSON.stringify(c));
  app.close();
});

Deno.test("collective seats: 20 members and 500 seats — every seat's write stays within remote KV's limits (the KV here refuses more than 10 checks or 1,000 mutations), the 501st is told it is full, and the last cancel frees all 20 members", async () => {
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" } });
  const members = Array.from({ length: 20 }, (_, i) => ({ username: `m${i}` }));
  const { team, users } = await seedTeam(app, { members });
  const et = await seedTeamEventType(app, team, {
    slug: "webinar",
    teamMode: "collective",
    durationMin: 60,
    bufferAfterMin: 15,
    seats: { perTime: 500, showAttendees: false, hideCount: false },
  });
  // 23:00 UTC: the buffer after it runs over midnight (two days of entries per member).
  const startMs = T0 + 23 * HOUR;
  const start = at(startMs);
  const ids: string[] = [];
  for (let batch = 0; batch < 20; batch++) {
    const res = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        bookTeamSlot(app, {
          team: "crew",
          slug: "webinar",
          start,
          ...guest(`${batch}-${i}-${"x".repeat(40)}`),
        })),
    );
    for (const r of res) {
      assert.ok(r.ok, JSON.stringify(r));
      ids.push(r.bookingId);
    }
  }
  const over = await bookTeamSlot(app, { team: "crew", slug: "webinar", start, ...guest("late") });
  assert.deepEqual(over, { ok: false, reason: "seats_full" });
  const ledger = await getSeatLedger(app.kv, et.id, startMs);
  assert.equal(liveSeats(ledger, app.now()).length, 500);
  assert.ok(JSON.stringify(ledger).length < 64 * 1024, "the ledger fits a remote KV value");
  const hostId = (await app.kv.get<BookingRecord>(keys.booking(ids[0]))).value!.hostId;
  for (const id of ids) {
    const r = await decideBooking(app, id, "cancel", "host", { hostId });
    assert.ok(r.ok, JSON.stringify(r));
  }
  for (const u of users) {
    const left = (await busyOf(app.kv, u.id)).filter((e) => e.startMs < startMs + 2 * HOUR);
    assert.deepEqual(left, [], `${u.username} is free again`);
  }
  app.close();
});

Deno.test("collective seats (property): seats taken, confirmed, rejected, cancelled, expired and moved at random over three times of a collective event with 1–20 members and 2–500 seats, beside a member's own bookings — every write fits remote KV, no time passes its seats, and no member's live time overlaps apart from one meeting's seats", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        members: fc.integer({ min: 1, max: 20 }),
        perTime: fc.oneof(fc.integer({ min: 2, max: 4 }), fc.constant(500)),
        pending: fc.boolean(),
        ops: fc.array(
          fc.record({
            kind: fc.constantFrom(
              "book",
              "book",
              "book",
              "confirm",
              "cancel",
              "reject",
              "tick",
              "expire",
              "own",
              "move",
              "move",
            ),
            time: fc.integer({ min: 0, max: 2 }),
            pick: fc.nat(),
          }),
          { maxLength: 25 },
        ),
      }),
      async (cfg) => {
        const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" } });
        try {
          const members = Array.from({ length: cfg.members }, (_, i) => ({ username: `m${i}` }));
          const { team, users } = await seedTeam(app, { members });
          const et = await seedTeamEventType(app, team, {
            slug: "class",
            teamMode: "collective",
            durationMin: 60,
            intervalMin: 30,
            requiresConfirmation: cfg.pending,
            seats: { perTime: cfg.perTime, showAttendees: false, hideCount: false },
          });
          await createEventType(app, users[0], { slug: "own", requiresConfirmation: false });
          // 10:00, 10:30 (overlapping the first) and 14:00.
          const times = [T0 + 10 * HOUR, T0 + 10.5 * HOUR, T0 + 14 * HOUR];
          const made: string[] = [];
          const tokens = new Map<string, string>();
          let n = 0;
          for (const op of cfg.ops) {
            const start = at(times[op.time]);
            if (op.kind === "book") {
              const r = await bookTeamSlot(app, {
                team: "crew",
                slug: "class",
                start,
                ...guest(n++),
              });
              if (r.ok) {
                made.push(r.bookingId);
                tokens.set(r.bookingId, r.guestToken);
              } else {
                assert.ok(
                  ["seats_full", "slot_taken", "too_many_pending"].includes(r.reason),
                  r.reason,
                );
              }
            } else if (op.kind === "move" && made.length) {
              // A live seat moved to another time, by its guest or by the organiser (ADR 040,
              // amended): into a meeting, to an empty time, or over its own old meeting.
              const live: BookingRecord[] = [];
              for (const x of made) {
                const rec = (await app.kv.get<BookingRecord>(keys.booking(x))).value!;
                if (rec.status === "CONFIRMED" || rec.status === "PENDING") live.push(rec);
              }
              const b = live[op.pick % Math.max(1, live.length)];
              const r = !b
                ? null
                : op.pick % 2
                ? await rescheduleByGuest(app, tokens.get(b.id)!, start)
                : await rescheduleByHost(app, b.hostId, b.id, start);
              if (r?.ok) {
                made.push(r.booking.id);
                tokens.set(r.booking.id, r.guestToken);
              } else if (r) {
                // Every move of a team of up to 20 fits one write; none is left "busy".
                assert.ok(!["not_supported", "too_large", "busy"].includes(r.reason), r.reason);
              }
            } else if (op.kind === "own") {
              await bookSlot(app, { username: "m0", slug: "own", start, ...guest(n++) });
            } else if (op.kind === "tick") {
              if (app.clock.ms + 6 * HOUR < T0) app.clock.ms += 6 * HOUR;
            } else if (op.kind === "expire") {
              await expireHolds(app, app.now());
            } else if (made.length) {
              const id = made[op.pick % made.length];
              const b = (await app.kv.get<BookingRecord>(keys.booking(id))).value!;
              const r = await decideBooking(
                app,
                id,
                op.kind as "confirm" | "cancel" | "reject",
                "host",
                {
                  hostId: b.hostId,
                },
              );
              if (!r.ok) assert.notEqual(r.reason, "too_large");
            }
            const nowMs = app.now();
            // No time passes its seats; the ledger lists exactly its live seats.
            const all: BookingRecord[] = [];
            for await (const e of app.kv.list<BookingRecord>({ prefix: keys.bookingPrefix() })) {
              all.push(e.value);
            }
            const liveOf = (b: BookingRecord) =>
              b.status === "CONFIRMED" ||
              (b.status === "PENDING" && (b.reservedUntilMs ?? 0) > nowMs);
            for (const t of times) {
              const ledger = await getSeatLedger(app.kv, et.id, t);
              const seated = all.filter((b) => b.seat && b.startMs === t && liveOf(b));
              assert.ok(seated.length <= cfg.perTime, `${seated.length} > ${cfg.perTime}`);
              assert.deepEqual(
                liveSeats(ledger, nowMs).map((x) => x.id).sort(),
                seated.map((b) => b.id).sort(),
              );
            }
            // A member's time is blocked by a seated meeting only while the meeting has a seat.
            for (const u of users) {
              for (const e of await busyOf(app.kv, u.id)) {
                if (!e.seated || (e.holdUntilMs !== null && e.holdUntilMs <= nowMs)) continue;
                // No buffers here: a meeting's block starts at its start.
                const ledger = await getSeatLedger(app.kv, et.id, e.startMs);
                assert.equal(ledger?.meetingId, e.bookingId, `${u.username}: a meeting left over`);
                assert.ok(liveSeats(ledger, nowMs).length > 0, `${u.username}: an empty meeting`);
              }
            }
            // Per member: live bookings overlap only as seats of one meeting.
            for (const u of users) {
              const mine = all.filter((b) =>
                liveOf(b) && (b.personIds ?? [b.hostId]).includes(u.id)
              );
              for (let i = 0; i < mine.length; i++) {
                for (let j = i + 1; j < mine.length; j++) {
                  const [x, y] = [mine[i], mine[j]];
                  const same = x.seat && y.seat && x.seat.meetingId === y.seat.meetingId;
                  const clash = x.blockStartMs < y.blockEndMs && y.blockStartMs < x.blockEndMs;
                  assert.ok(same || !clash, `${u.username}: ${x.id} × ${y.id}`);
                }
              }
            }
          }
        } finally {
          app.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("collective seats: cancels of seated guests racing new guests never pass the seats, and the last cancels racing a new guest leave either a meeting with that guest or a free time", async () => {
  const { app, users, et } = await setup(4);
  const startMs = T0 + 15 * HOUR;
  const start = at(startMs);
  const first = await Promise.all(
    [0, 1, 2, 3].map((i) => bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest(i) })),
  );
  const ids = first.map((r) => (r as { bookingId: string }).bookingId);
  const hostId = (await app.kv.get<BookingRecord>(keys.booking(ids[0]))).value!.hostId;
  const race = await Promise.all([
    ...ids.slice(0, 2).map((id) => decideBooking(app, id, "cancel", "host", { hostId })),
    ...Array.from(
      { length: 10 },
      (_, i) => bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest(`n${i}`) }),
    ),
  ]);
  assert.ok(race.slice(0, 2).every((r) => r.ok));
  const wins = race.slice(2).filter((r) => r.ok).length;
  assert.ok(wins <= 2, `${wins} new seats after 2 cancels`);
  assert.ok(liveSeats(await getSeatLedger(app.kv, et.id, startMs), app.now()).length <= 4);
  // Everyone left cancels while one more guest arrives: a meeting with them, or nothing.
  const ledger = await getSeatLedger(app.kv, et.id, startMs);
  const rest = liveSeats(ledger, app.now()).map((x) => x.id);
  const [late, ...cancels] = await Promise.all([
    bookTeamSlot(app, { team: "crew", slug: "class", start, ...guest("late") }),
    ...rest.map((id) => decideBooking(app, id, "cancel", "host", { hostId })),
  ]);
  assert.ok(cancels.every((r) => r.ok));
  const after = await getSeatLedger(app.kv, et.id, startMs);
  const live = liveSeats(after, app.now());
  if (late.ok) assert.deepEqual(live.map((x) => x.id), [late.bookingId]);
  else assert.equal(live.length, 0);
  for (const u of users) {
    const mine = (await busyOf(app.kv, u.id)).filter((e) => e.startMs === startMs);
    assert.equal(mine.length > 0, late.ok, `${u.username}: blocked exactly while a seat is live`);
  }
  app.close();
});
