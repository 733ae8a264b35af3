/**
 * Moving a seat of a collective seated time (docs/decisions/040-seats.md, amendment "a collective
 * time's seat moves"): to a time with a meeting the successor joins it by that time's ledger and
 * coordinator; to an empty time it takes every member's time by the team protocol; either way
 * the same write retires the old seat from its ledger and coordinator, and the last seat leaving
 * frees the old time for every member.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { decideBooking, rescheduleByGuest, rescheduleByHost } from "./decide-booking.ts";
import { getBooking } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { keys } from "../store/keys.ts";
import { liveSeats } from "../domain/seats.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import { guardKv, guardStats } from "../../../../tests/support/kv-guard.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { hostMoveView } from "./host-reschedule.ts";
import { manageState, rescheduleSlots } from "./guest-manage.ts";
import type { SlotView } from "./slot-month.ts";
import type { App } from "../app.ts";
import type { BookingRecord, CoordinatorRecord, UserRecord } from "../domain/model/records.ts";

import {
  A,
  assertConsistent,
  at,
  B,
  busyOf,
  C,
  guest,
  HOUR,
  jobsOf,
  ledgerIds,
  seat,
  setup,
  T0,
} from "../../../../tests/support/collective-seats.ts";

Deno.test("team seats: a guest moves their seat to a time with a meeting — the successor joins it, keeps the invitation's UID, the old seat leaves its ledger, and its meeting goes on with the others", async () => {
  const { app, users, et } = await setup(3);
  try {
    const ada = await seat(app, A, "ada");
    const bob = await seat(app, A, "bob");
    const dan = await seat(app, B, "dan");
    const old = (await getBooking(app.kv, ada.id))!;
    const moved = await rescheduleByGuest(app, ada.token, at(B));
    assert.ok(moved.ok, JSON.stringify(moved));
    const next = moved.booking;
    const retired = (await getBooking(app.kv, ada.id))!;
    assert.equal(retired.status, "CANCELLED");
    assert.equal(retired.endReason, "rescheduled");
    assert.equal(retired.rescheduledToId, next.id);
    assert.equal(next.rescheduledFromId, ada.id);
    assert.equal(
      next.icalUid,
      old.icalUid ?? `${old.id}@${app.config.baseUrl.hostname}`,
      "same UID",
    );
    const danRec = (await getBooking(app.kv, dan.id))!;
    assert.equal(next.seat?.meetingId, danRec.seat?.meetingId, "joins Dan's meeting");
    assert.equal(next.coordinatorId, danRec.coordinatorId);
    assert.deepEqual(await ledgerIds(app, et.id, B), [dan.id, next.id].sort());
    assert.deepEqual(await ledgerIds(app, et.id, A), [bob.id]);
    // The guest hears of the move, not of a cancellation and a new booking.
    const oldJobs = await jobsOf(app, ada.id);
    assert.ok(
      !oldJobs.some((p) => p.kind === "booking_mail" && p.mail === "guest_cancelled"),
      JSON.stringify(oldJobs),
    );
    const newJobs = await jobsOf(app, next.id);
    assert.ok(newJobs.some((p) => p.kind === "booking_mail" && p.mail === "guest_confirmed"));
    // Every member's calendar gets the old meeting written again without Ada.
    for (const u of users) {
      assert.ok(
        oldJobs.some((p) =>
          p.kind === "writeback" && p.op === "put" && (p as { personId?: string }).personId === u.id
        ),
        `${u.username}: the old meeting is written again`,
      );
    }
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: the organiser moves a seat to an empty time — it becomes that time's first seat (every member's time taken), the old meeting keeps its other seat; the last seat moved away frees the old time for every member", async () => {
  const { app, users, et } = await setup(3);
  try {
    const ada = await seat(app, A, "ada");
    const bob = await seat(app, A, "bob");
    const old = (await getBooking(app.kv, ada.id))!;
    const moved = await rescheduleByHost(app, old.hostId, ada.id, at(C));
    assert.ok(moved.ok, JSON.stringify(moved));
    const next = moved.booking;
    assert.equal(next.seat?.meetingId, next.id, "a new meeting, started by this seat");
    assert.notEqual(next.coordinatorId, old.coordinatorId, "with its own coordinator");
    assert.equal(next.rescheduledFromId, ada.id);
    assert.deepEqual(await ledgerIds(app, et.id, C), [next.id]);
    assert.deepEqual(await ledgerIds(app, et.id, A), [bob.id]);
    await assertConsistent(app, et.id, users);
    // Bob, the last at A, moves to C: A is free for everyone again.
    const bobMoved = await rescheduleByGuest(app, bob.token, at(C));
    assert.ok(bobMoved.ok, JSON.stringify(bobMoved));
    assert.equal(await getSeatLedger(app.kv, et.id, A), null, "A's ledger goes");
    const c = (await app.kv.get<CoordinatorRecord>(keys.coordinator(old.coordinatorId!))).value;
    assert.equal(c?.state, "released");
    for (const u of users) {
      assert.deepEqual((await busyOf(app.kv, u.id)).filter((e) => e.startMs === A), []);
    }
    // A new first seat at A starts a new meeting.
    await seat(app, A, "cy");
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: a lone seat moves half an hour later, over its own old meeting — the move frees the old time in the same write and the members hold only the new one", async () => {
  const { app, users, et } = await setup(3, { intervalMin: 30 });
  try {
    const ada = await seat(app, A, "ada");
    const moved = await rescheduleByGuest(app, ada.token, at(A + HOUR / 2));
    assert.ok(moved.ok, JSON.stringify(moved));
    assert.equal(await getSeatLedger(app.kv, et.id, A), null);
    for (const u of users) {
      const mine = await busyOf(app.kv, u.id);
      assert.deepEqual([...new Set(mine.map((e) => e.bookingId))], [moved.booking.id]);
    }
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: a move to a full time is 'seats_full', to its own time 'same_time', and a moved seat's link moves nothing twice — nothing changes", async () => {
  const { app, users, et } = await setup(2);
  try {
    const ada = await seat(app, A, "ada");
    await seat(app, B, "bea");
    await seat(app, B, "ben");
    assert.deepEqual(await rescheduleByGuest(app, ada.token, at(B)), {
      ok: false,
      reason: "seats_full",
    });
    const same = await rescheduleByGuest(app, ada.token, at(A));
    assert.equal(same.ok, false);
    assert.equal((same as { reason: string }).reason, "same_time");
    const moved = await rescheduleByGuest(app, ada.token, at(C));
    assert.ok(moved.ok, JSON.stringify(moved));
    const again = await rescheduleByGuest(app, ada.token, at(A));
    assert.equal(again.ok, false, JSON.stringify(again));
    assert.deepEqual(await ledgerIds(app, et.id, C), [moved.booking.id]);
    assert.deepEqual(await ledgerIds(app, et.id, A), []);
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

for (const to of ["a meeting", "an empty time"]) {
  Deno.test(`team seats (race): 3 seats left at ${to}, 8 guests of another time move there at once while 4 new guests book it — exactly 3 land, nobody counted twice, ledgers, coordinators and every member's busy time agree`, async () => {
    const full = to === "a meeting" ? 10 : 3;
    const { app, servers, users, et, close } = await setup(full, { servers: 3 });
    const on = (i: number) => servers[i % servers.length];
    try {
      const atA = [];
      for (let i = 0; i < 8; i++) {
        // A holds 8 guests over three times (its seats are `full` each).
        atA.push(await seat(app, A - (i % 3) * 3 * HOUR, `a${i}`));
      }
      // A meeting at B with 3 of its seats left, or B empty with 3 seats.
      for (let i = 0; i < full - 3; i++) await seat(app, B, `b${i}`);
      const race = await Promise.all([
        ...atA.map((s, i) => rescheduleByGuest(on(i), s.token, at(B))),
        ...[0, 1, 2, 3].map((i) =>
          bookTeamSlot(on(i), { team: "crew", slug: "class", start: at(B), ...guest(`n${i}`) })
        ),
      ]);
      const landed = race.filter((r) => r.ok).length;
      assert.equal(landed, 3, JSON.stringify(race.filter((r) => !r.ok)));
      assert.ok(
        race.every((r) => r.ok || r.reason === "seats_full"),
        JSON.stringify(race.filter((r) => !r.ok)),
      );
      assert.equal((await ledgerIds(app, et.id, B)).length, full);
      const { live } = await assertConsistent(app, et.id, users);
      const movedCount = race.slice(0, 8).filter((r) => r.ok).length;
      assert.equal(live.filter((b) => b.startMs !== B).length, 8 - movedCount);
    } finally {
      await settleCounts();
      close();
    }
  });
}

Deno.test("team seats (race): a lone seat moving half an hour later, over its own meeting, while a new guest takes a seat at its old time — never two overlapping meetings for a member", async () => {
  const { app, servers, users, et, close } = await setup(3, { intervalMin: 30, servers: 2 });
  try {
    for (let round = 0; round < 6; round++) {
      const from = T0 + (2 * round + 1) * HOUR;
      const s = await seat(app, from, `r${round}`);
      const [move, other] = await Promise.all([
        rescheduleByGuest(servers[round % 2], s.token, at(from + HOUR / 2)),
        bookTeamSlot(servers[(round + 1) % 2], {
          team: "crew",
          slug: "class",
          start: at(from),
          ...guest(`o${round}`),
        }),
      ]);
      assert.ok(move.ok || other.ok, JSON.stringify([move, other]));
      const { ledgers } = await assertConsistent(app, et.id, users);
      const meetings = ledgers.filter((l) => liveSeats(l, app.now()).length > 0);
      for (const x of meetings) {
        for (const y of meetings) {
          if (x === y) continue;
          assert.ok(
            x.blockEndMs <= y.blockStartMs || y.blockEndMs <= x.blockStartMs,
            `round ${round}: ${at(x.startMs)} and ${at(y.startMs)} overlap`,
          );
        }
      }
    }
  } finally {
    await settleCounts();
    close();
  }
});

Deno.test("team seats (race): a seat's move racing its own cancel — exactly one lands, and the ledgers, coordinators and members' time follow it", async () => {
  const { app, servers, users, et, close } = await setup(4, { servers: 2 });
  try {
    for (let round = 0; round < 6; round++) {
      const from = T0 + (2 * round) * HOUR;
      const to = from + HOUR;
      const s = await seat(app, from, `r${round}`);
      // Half the rounds move into a meeting, half to an empty time; half leave others behind.
      if (round % 2 === 0) await seat(app, to, `t${round}`);
      if (round % 3 === 0) await seat(app, from, `o${round}`);
      const old = (await getBooking(app.kv, s.id))!;
      const [move, cancel] = await Promise.all([
        rescheduleByGuest(servers[round % 2], s.token, at(to)),
        decideBooking(servers[(round + 1) % 2], s.id, "cancel", "host", { hostId: old.hostId }),
      ]);
      assert.equal([move.ok, cancel.ok].filter(Boolean).length, 1, JSON.stringify([move, cancel]));
      const after = (await getBooking(app.kv, s.id))!;
      assert.equal(after.status, "CANCELLED");
      assert.equal(after.endReason === "rescheduled", move.ok);
      assert.equal((await ledgerIds(app, et.id, from)).includes(s.id), false);
      await assertConsistent(app, et.id, users);
    }
  } finally {
    await settleCounts();
    close();
  }
});

Deno.test("team seats (race): every seat of a time moves away at once, to an empty time — one meeting there with all of them, and the old time is free for every member", async () => {
  const { app, servers, users, et, close } = await setup(6, { members: 3, servers: 3 });
  try {
    const seats = [];
    for (let i = 0; i < 4; i++) seats.push(await seat(app, A, `s${i}`));
    const moves = await Promise.all(
      seats.map((s, i) => rescheduleByGuest(servers[i % 3], s.token, at(C))),
    );
    assert.ok(moves.every((r) => r.ok), JSON.stringify(moves.filter((r) => !r.ok)));
    assert.equal(await getSeatLedger(app.kv, et.id, A), null);
    assert.equal((await ledgerIds(app, et.id, C)).length, 4);
    for (const u of users) {
      assert.deepEqual((await busyOf(app.kv, u.id)).filter((e) => e.startMs === A), []);
    }
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    close();
  }
});

for (const members of [20, 60]) {
  Deno.test(`team seats: a ${members}-member team's confirmed seat moves into a meeting and to an empty time, each the last of its meeting, across midnight — every write within remote KV's limits`, async () => {
    const guarded = guardKv(await Deno.openKv(":memory:"));
    const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" }, kv: guarded });
    try {
      const { team, users } = await seedTeam(app, {
        members: Array.from({ length: members }, (_, i) => ({ username: `m${i}` })),
      });
      const et = await seedTeamEventType(app, team, {
        slug: "class",
        teamMode: "collective",
        durationMin: 60,
        // Every meeting's buffer runs over midnight: two days of entries per member.
        bufferAfterMin: 90,
        seats: { perTime: 5, showAttendees: false, hideCount: false },
      });
      const [x, y, z] = [T0 + 23 * HOUR, T0 + 47 * HOUR, T0 + 71 * HOUR];
      const ada = await seat(app, x, "ada");
      await seat(app, y, "bea");
      const stats = guardStats(guarded)!;
      Object.assign(stats, { maxChecks: 0, maxMutations: 0 });
      const joined = await rescheduleByGuest(app, ada.token, at(y));
      assert.ok(joined.ok, JSON.stringify(joined));
      const join = { ...stats };
      Object.assign(stats, { maxChecks: 0, maxMutations: 0 });
      const bea = (await ledgerIds(app, et.id, y)).find((id) => id !== joined.booking.id)!;
      const beaRec = (await getBooking(app.kv, bea))!;
      // Bea moves on, by the organiser, to an empty time: her meeting keeps Ada.
      const started = await rescheduleByHost(app, beaRec.hostId, bea, at(z));
      assert.ok(started.ok, JSON.stringify(started));
      const first = { ...stats };
      Object.assign(stats, { maxChecks: 0, maxMutations: 0 });
      // Ada, the last at y, joins Bea at z: y is free for every member.
      const last = await rescheduleByGuest(app, joined.guestToken, at(z));
      assert.ok(last.ok, JSON.stringify(last));
      assert.equal(await getSeatLedger(app.kv, et.id, y), null);
      await assertConsistent(app, et.id, users);
      for (const s of [join, first, { ...stats }]) {
        assert.ok(s.maxChecks <= 10 && s.maxMutations <= 1000, JSON.stringify(s));
      }
      console.log(
        `${members} members: join ${join.maxChecks} checks, ${join.maxMutations} mutations; ` +
          `first seat ${first.maxChecks}/${first.maxMutations}; last seat joining ` +
          `${stats.maxChecks}/${stats.maxMutations}`,
      );
    } finally {
      await settleCounts();
      app.close();
    }
  });
}

Deno.test("team seats: a 100-member team's seat whose move does not fit one remote KV write (every member's old and new meeting entries and calendar writes) is refused, and nothing changes — its seat, both meetings and every member's time stay as they were", async () => {
  const guarded = guardKv(await Deno.openKv(":memory:"));
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" }, kv: guarded });
  try {
    const { team, users } = await seedTeam(app, {
      members: Array.from({ length: 100 }, (_, i) => ({ username: `m${i}` })),
    });
    const et = await seedTeamEventType(app, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      bufferAfterMin: 90,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    const [x, y, z] = [T0 + 23 * HOUR, T0 + 47 * HOUR, T0 + 71 * HOUR];
    const ada = await seat(app, x, "ada");
    const bea = await seat(app, y, "bea");
    for (const to of [y, z]) {
      const res = await rescheduleByGuest(app, ada.token, at(to));
      assert.deepEqual(res, { ok: false, reason: "not_supported" }, at(to));
    }
    assert.equal((await getBooking(app.kv, ada.id))!.status, "CONFIRMED");
    assert.deepEqual(await ledgerIds(app, et.id, x), [ada.id]);
    assert.deepEqual(await ledgerIds(app, et.id, y), [bea.id]);
    assert.equal(await getSeatLedger(app.kv, et.id, z), null);
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: the worst case of checks — a pending seat of a capped event type moved by its guest into a meeting checks 8 keys, to an empty time 9 (the team commit), never more than remote KV's 10", async () => {
  const guarded = guardKv(await Deno.openKv(":memory:"));
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" }, kv: guarded });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    const et = await seedTeamEventType(app, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      requiresConfirmation: true,
      maxPerDay: 20,
      maxPerWeek: 40,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    const ada = await seat(app, A, "ada");
    await seat(app, A, "amy");
    await seat(app, B, "bea");
    const stats = guardStats(guarded)!;
    Object.assign(stats, { maxChecks: 0, maxMutations: 0 });
    const joined = await rescheduleByGuest(app, ada.token, at(B));
    assert.ok(joined.ok, JSON.stringify(joined));
    assert.equal(joined.booking.status, "PENDING");
    assert.equal(stats.maxChecks, 8, JSON.stringify(stats));
    Object.assign(stats, { maxChecks: 0, maxMutations: 0 });
    const started = await rescheduleByGuest(app, joined.guestToken, at(C));
    assert.ok(started.ok, JSON.stringify(started));
    assert.equal(stats.maxChecks, 9, JSON.stringify(stats));
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats (property): seats booked, confirmed, cancelled and moved at random — by guest and organiser, into meetings, to empty times and over their own meeting — over four times of a collective event with 1–6 members: every move fits one write, no time passes its seats, ledgers, coordinators and members' time agree, and no member has two overlapping meetings", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        members: fc.integer({ min: 1, max: 6 }),
        perTime: fc.integer({ min: 2, max: 4 }),
        pending: fc.boolean(),
        ops: fc.array(
          fc.record({
            kind: fc.constantFrom("book", "book", "move", "move", "move", "cancel", "confirm"),
            time: fc.integer({ min: 0, max: 3 }),
            pick: fc.nat(),
          }),
          { minLength: 8, maxLength: 30 },
        ),
      }),
      async (cfg) => {
        const { app, users, et } = await setup(cfg.perTime, {
          members: cfg.members,
          intervalMin: 30,
          requiresConfirmation: cfg.pending,
        });
        try {
          // 10:00, 10:30 and 11:00 (each overlapping the one before) and 14:00.
          const times = [A, A + HOUR / 2, A + HOUR, A + 4 * HOUR];
          const made: string[] = [];
          const tokens = new Map<string, string>();
          let n = 0;
          for (const op of cfg.ops) {
            const start = at(times[op.time]);
            const live: BookingRecord[] = [];
            for (const x of made) {
              const rec = (await getBooking(app.kv, x))!;
              if (rec.status === "CONFIRMED" || rec.status === "PENDING") live.push(rec);
            }
            const b = live.length ? live[op.pick % live.length] : null;
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
            } else if (op.kind === "move" && b) {
              const r = op.pick % 2
                ? await rescheduleByGuest(app, tokens.get(b.id)!, start)
                : await rescheduleByHost(app, b.hostId, b.id, start);
              if (r.ok) {
                made.push(r.booking.id);
                tokens.set(r.booking.id, r.guestToken);
                assert.equal(r.booking.rescheduledFromId, b.id);
                assert.equal((await getBooking(app.kv, b.id))!.rescheduledToId, r.booking.id);
              } else {
                assert.ok(
                  ["seats_full", "slot_taken", "same_time", "already_seated", "too_many_pending"]
                    .includes(r.reason),
                  r.reason,
                );
              }
            } else if ((op.kind === "cancel" || op.kind === "confirm") && b) {
              const r = await decideBooking(app, b.id, op.kind, "host", { hostId: b.hostId });
              if (!r.ok) assert.notEqual(r.reason, "too_large");
            }
            const { ledgers } = await assertConsistent(app, et.id, users);
            const meetings = ledgers.filter((l) => liveSeats(l, app.now()).length > 0);
            for (const l of meetings) {
              assert.ok(liveSeats(l, app.now()).length <= cfg.perTime);
              for (const m of meetings) {
                if (l === m) continue;
                assert.ok(
                  l.blockEndMs <= m.blockStartMs || m.blockEndMs <= l.blockStartMs,
                  `${at(l.startMs)} and ${at(m.startMs)} overlap`,
                );
              }
            }
          }
        } finally {
          await settleCounts();
          app.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("team seats (race): one seat's link used twice at once, to a time with a meeting and to an empty one — exactly one successor, and the other time is as it was", async () => {
  const { app, servers, users, et, close } = await setup(4, { servers: 2 });
  try {
    for (let round = 0; round < 6; round++) {
      const from = T0 + 3 * round * HOUR;
      const [joinAt, emptyAt] = [from + HOUR, from + 2 * HOUR];
      const s = await seat(app, from, `r${round}`);
      const other = await seat(app, joinAt, `t${round}`);
      if (round % 2) await seat(app, from, `o${round}`);
      const [a, b] = await Promise.all([
        rescheduleByGuest(servers[round % 2], s.token, at(joinAt)),
        rescheduleByGuest(servers[(round + 1) % 2], s.token, at(emptyAt)),
      ]);
      assert.equal([a.ok, b.ok].filter(Boolean).length, 1, JSON.stringify([a, b]));
      const moved = (a.ok ? a : b) as { booking: BookingRecord };
      assert.equal((await getBooking(app.kv, s.id))!.rescheduledToId, moved.booking.id);
      assert.deepEqual(
        await ledgerIds(app, et.id, joinAt),
        (a.ok ? [other.id, moved.booking.id] : [other.id]).sort(),
      );
      assert.deepEqual(await ledgerIds(app, et.id, emptyAt), b.ok ? [moved.booking.id] : []);
      await assertConsistent(app, et.id, users);
    }
  } finally {
    await settleCounts();
    close();
  }
});

Deno.test("team seats: a Jitsi seat moved to an empty time gets a room of its own there, one moved into a meeting takes that meeting's room — never the room of the meeting it left", async () => {
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" } });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    const et = await seedTeamEventType(app, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      seats: { perTime: 3, showAttendees: false, hideCount: false },
      locations: [{ kind: "jitsi", value: "https://meet.example.org/" }],
      location: { kind: "jitsi", value: "https://meet.example.org/" },
    });
    const room = async (id: string) => (await getBooking(app.kv, id))!.location!.value;
    const ada = await seat(app, A, "ada");
    await seat(app, A, "amy");
    const bea = await seat(app, B, "bea");
    const [roomA, roomB] = [await room(ada.id), await room(bea.id)];
    assert.notEqual(roomA, roomB);
    const alone = await rescheduleByGuest(app, ada.token, at(C));
    assert.ok(alone.ok, JSON.stringify(alone));
    const roomC = alone.booking.location!.value;
    assert.match(roomC, /^https:\/\/meet\.example\.org\/Invito[A-Za-z0-9_-]{20}$/);
    assert.ok(roomC !== roomA && roomC !== roomB, "a room of its own");
    assert.equal((await getSeatLedger(app.kv, et.id, C))!.room, roomC);
    const joined = await rescheduleByGuest(app, alone.guestToken, at(B));
    assert.ok(joined.ok, JSON.stringify(joined));
    assert.equal(joined.booking.location!.value, roomB, "the meeting's room");
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: after a guest's move into another meeting, the guest gets one 'Rescheduled' mail (no cancellation) and each member without a calendar a 'Seat moved' mail whose invitation is the old meeting without the guest", async () => {
  const { app, users } = await setup(3);
  try {
    const ada = await seat(app, A, "ada");
    await seat(app, A, "amy");
    await seat(app, B, "bea");
    await deliverOutbox(app, app.now());
    app.mailer.sent.length = 0;
    const moved = await rescheduleByGuest(app, ada.token, at(B));
    assert.ok(moved.ok, JSON.stringify(moved));
    const stats = await deliverOutbox(app, app.now());
    assert.equal(stats.failed + stats.retried, 0, JSON.stringify(stats));
    const toAda = app.mailer.sent.filter((m) => m.to.includes("gada@example.test"));
    assert.equal(toAda.length, 1, JSON.stringify(toAda.map((m) => m.subject)));
    assert.match(toAda[0].subject, /^Rescheduled — Confirmed: /);
    for (const u of users) {
      const mine = app.mailer.sent.filter((m) => m.to.includes(u.email));
      const left = mine.find((m) => m.subject.startsWith("Seat moved"));
      assert.ok(left, `${u.username}: ${JSON.stringify(mine.map((m) => m.subject))}`);
      const ics = left.icalEvent?.content ?? "";
      assert.match(ics, /Guest amy/);
      assert.doesNotMatch(ics, /Guest ada/);
    }
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: the organiser's move page and the guest's Reschedule page offer a collective seat the time with another meeting (its seats left) and empty times, not the seat's own time", async () => {
  const { app, users } = await setup(3);
  try {
    const ada = await seat(app, A, "ada");
    await seat(app, A, "amy");
    await seat(app, B, "bea");
    const q = { date: "2026-11-23", month: null, locale: "en" };
    const host = await moveView(app, users[0], ada.id, q);
    const guest = await guestMoveSlots(app, ada.token, q);
    for (const slots of [host, guest] as SlotView[][]) {
      assert.equal(slots.find((s) => s.start === at(B))?.seatsLeft, 2, "Bea's meeting");
      assert.equal(slots.find((s) => s.start === at(C))?.seatsLeft, 3, "an empty time");
      assert.ok(!slots.some((s) => s.start === at(A) && !s.current), "not its own time");
    }
  } finally {
    await settleCounts();
    app.close();
  }
});

async function moveView(
  app: App,
  host: UserRecord,
  bookingId: string,
  q: { date: string; month: null; locale: string },
) {
  const view = await hostMoveView(app, host, bookingId, q);
  assert.ok(view.ok && view.page, JSON.stringify(view).slice(0, 300));
  return view.page.slots;
}

async function guestMoveSlots(
  app: App,
  token: string,
  q: { date: string; month: null; locale: string },
) {
  const state = await manageState(app, token, "en", { forMove: true });
  assert.ok(state.ok && !state.blocked, JSON.stringify(state).slice(0, 300));
  const page = await rescheduleSlots(app, state, { ...q, timeZone: "UTC" });
  assert.ok(page?.ok, JSON.stringify(page).slice(0, 300));
  return page.slots;
}
