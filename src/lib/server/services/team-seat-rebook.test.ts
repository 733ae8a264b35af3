/**
 * "Request a new time" for a guest's seat of a collective seated time (docs/decisions/040-seats.md,
 * amendment "a collective time's seat is asked for a new time"): the organiser's request frees the
 * seat at once — it leaves its ledger and its meeting's coordinator like a cancel, the last one
 * freeing every member's time — and the guest's pick takes a seat at the new time by the collective
 * seat paths: joining the meeting there, or starting it by the team protocol.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
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
} from "../../../../tests/support/collective-seats.ts";
import { decideBooking, requestNewTime, rescheduleByGuest } from "./decide-booking.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { getBooking } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { keys } from "../store/keys.ts";
import { awaitsNewTime } from "../domain/booking-engine/rebook.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import { manageState, rescheduleSlots } from "./guest-manage.ts";
import { guardKv, guardStats } from "../../../../tests/support/kv-guard.ts";
import type { App } from "../app.ts";
import type { BookingRecord, CoordinatorRecord } from "../domain/model/records.ts";
import { liveSeats } from "../domain/seats.ts";

/** The organiser asks the guest of seat `id` for a new time. */
async function ask(app: App, id: string) {
  const b = (await getBooking(app.kv, id))!;
  const res = await requestNewTime(app, b.hostId, id, "The room is double-booked");
  assert.ok(res.ok, JSON.stringify(res));
  return b;
}

Deno.test("team seats: the organiser asks a seat's guest for a new time — the seat leaves its time at once (the meeting goes on with the others), the guest is mailed their link, and the last seat asked frees the time for every member", async () => {
  const { app, users, et } = await setup(3);
  try {
    const ada = await seat(app, A, "ada");
    const bob = await seat(app, A, "bob");
    const old = await ask(app, ada.id);
    const asked = (await getBooking(app.kv, ada.id))!;
    assert.equal(asked.status, "CANCELLED");
    assert.ok(awaitsNewTime(asked), "waits for the guest's pick");
    assert.deepEqual(await ledgerIds(app, et.id, A), [bob.id]);
    const jobs = await jobsOf(app, ada.id);
    assert.ok(
      jobs.some((p) => p.kind === "booking_mail" && p.mail === "guest_cancelled"),
      JSON.stringify(jobs),
    );
    await assertConsistent(app, et.id, users);
    // Bob, the last seat, asked too: A is free for every member.
    await ask(app, bob.id);
    assert.equal(await getSeatLedger(app.kv, et.id, A), null);
    const c = (await app.kv.get<CoordinatorRecord>(keys.coordinator(old.coordinatorId!))).value;
    assert.equal(c?.state, "released");
    for (const u of users) {
      assert.deepEqual((await busyOf(app.kv, u.id)).filter((e) => e.startMs === A), []);
    }
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: a guest asked for a new time picks a time with a meeting — their seat joins it, keeping their details and the invitation's UID, and the link books once", async () => {
  const { app, users, et } = await setup(3);
  try {
    const ada = await seat(app, A, "ada");
    const dan = await seat(app, B, "dan");
    const old = await ask(app, ada.id);
    const picked = await rescheduleByGuest(app, ada.token, at(B));
    assert.ok(picked.ok, JSON.stringify(picked));
    const next = picked.booking;
    const danRec = (await getBooking(app.kv, dan.id))!;
    assert.equal(next.seat?.meetingId, danRec.seat?.meetingId, "joins Dan's meeting");
    assert.equal(next.coordinatorId, danRec.coordinatorId);
    assert.deepEqual(await ledgerIds(app, et.id, B), [dan.id, next.id].sort());
    assert.equal(next.guestName, old.guestName);
    assert.equal(next.guestEmail, old.guestEmail);
    assert.equal(next.rescheduledFromId, ada.id);
    assert.equal((await getBooking(app.kv, ada.id))!.rescheduledToId, next.id);
    assert.equal(
      next.icalUid,
      old.icalUid ?? `${old.id}@${app.config.baseUrl.hostname}`,
      "same UID",
    );
    assert.ok((next.sequence ?? 0) > (old.sequence ?? 0), "a newer copy than the cancel");
    // The same link again books nothing more.
    const again = await rescheduleByGuest(app, ada.token, at(C));
    assert.equal(again.ok, false, JSON.stringify(again));
    assert.deepEqual(await ledgerIds(app, et.id, C), []);
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: a guest asked for a new time picks an empty time — their seat starts the meeting there, taking every member's time; their old time, left empty, stays free", async () => {
  const { app, users, et } = await setup(3);
  try {
    const ada = await seat(app, A, "ada");
    await ask(app, ada.id);
    const picked = await rescheduleByGuest(app, ada.token, at(C));
    assert.ok(picked.ok, JSON.stringify(picked));
    const next = picked.booking;
    assert.equal(next.seat?.meetingId, next.id, "a new meeting, started by this seat");
    assert.equal(next.rescheduledFromId, ada.id);
    assert.deepEqual(await ledgerIds(app, et.id, C), [next.id]);
    assert.equal(await getSeatLedger(app.kv, et.id, A), null);
    for (const u of users) {
      assert.deepEqual([...new Set((await busyOf(app.kv, u.id)).map((e) => e.bookingId))], [
        next.id,
      ]);
    }
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: a guest asked for a new time who picks a full time hears 'seats_full' and may pick again; their old time may be picked too", async () => {
  const { app, users, et } = await setup(2);
  try {
    const ada = await seat(app, A, "ada");
    await seat(app, B, "bea");
    await seat(app, B, "ben");
    await ask(app, ada.id);
    assert.deepEqual(await rescheduleByGuest(app, ada.token, at(B)), {
      ok: false,
      reason: "seats_full",
    });
    assert.ok(awaitsNewTime((await getBooking(app.kv, ada.id))!), "still waits for a pick");
    const picked = await rescheduleByGuest(app, ada.token, at(A));
    assert.ok(picked.ok, JSON.stringify(picked));
    assert.deepEqual(await ledgerIds(app, et.id, A), [picked.booking.id]);
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

for (const to of ["a meeting", "an empty time"]) {
  Deno.test(`team seats (race): 2 seats left at ${to}, 6 guests asked for a new time pick it at once while 3 new guests book it — exactly 2 land, the others hear 'seats_full' (the asked ones may pick again), ledgers, coordinators and every member's busy time agree`, async () => {
    const perTime = to === "a meeting" ? 3 : 2;
    const { app, servers, users, et, close } = await setup(perTime, { servers: 3 });
    const on = (i: number) => servers[i % servers.length];
    try {
      const asked = [];
      for (let i = 0; i < 6; i++) {
        const s = await seat(app, A - (i % 3) * 3 * HOUR, `a${i}`);
        await ask(app, s.id);
        asked.push(s);
      }
      if (to === "a meeting") await seat(app, B, "b0");
      const race = await Promise.all([
        ...asked.map((s, i) => rescheduleByGuest(on(i), s.token, at(B))),
        ...[0, 1, 2].map((i) =>
          bookTeamSlot(on(i), { team: "crew", slug: "class", start: at(B), ...guest(`n${i}`) })
        ),
      ]);
      assert.equal(race.filter((r) => r.ok).length, 2, JSON.stringify(race));
      assert.ok(
        race.every((r) => r.ok || r.reason === "seats_full"),
        JSON.stringify(race.filter((r) => !r.ok)),
      );
      assert.equal((await ledgerIds(app, et.id, B)).length, perTime);
      await assertConsistent(app, et.id, users);
      // A guest who lost picks another time.
      const lost = asked.find((_, i) => !race[i].ok)!;
      const again = await rescheduleByGuest(app, lost.token, at(C));
      assert.ok(again.ok, JSON.stringify(again));
      await assertConsistent(app, et.id, users);
    } finally {
      await settleCounts();
      close();
    }
  });
}

Deno.test("team seats (race): one asked guest's link used for two times at once, one with a meeting and one empty — exactly one seat, and the other time is as it was", async () => {
  const { app, servers, users, et, close } = await setup(3, { servers: 2 });
  try {
    const ada = await seat(app, A, "ada");
    const dan = await seat(app, B, "dan");
    await ask(app, ada.id);
    const [x, y] = await Promise.all([
      rescheduleByGuest(servers[0], ada.token, at(B)),
      rescheduleByGuest(servers[1], ada.token, at(C)),
    ]);
    assert.equal([x, y].filter((r) => r.ok).length, 1, JSON.stringify([x, y]));
    const next = (x.ok ? x : y) as { booking: { id: string } };
    assert.equal((await getBooking(app.kv, ada.id))!.rescheduledToId, next.booking.id);
    const seatsB = await ledgerIds(app, et.id, B);
    const seatsC = await ledgerIds(app, et.id, C);
    assert.equal(seatsB.length + seatsC.length, 2);
    assert.ok(seatsB.includes(dan.id));
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    close();
  }
});

Deno.test("team seats: the worst case of checks — an asked guest's pick of a capped event type needing confirmation joins a meeting checking 6 keys and starts one checking 7 (the team commit)", async () => {
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
    const confirmed = async (startMs: number, who: string) => {
      const s = await seat(app, startMs, who);
      const b = (await getBooking(app.kv, s.id))!;
      const res = await decideBooking(app, s.id, "confirm", "host", { hostId: b.hostId });
      assert.ok(res.ok, JSON.stringify(res));
      return s;
    };
    const ada = await confirmed(A, "ada");
    const amy = await confirmed(A, "amy");
    await seat(app, B, "bea");
    await ask(app, ada.id);
    await ask(app, amy.id);
    const stats = guardStats(guarded)!;
    Object.assign(stats, { maxChecks: 0, maxMutations: 0 });
    const joined = await rescheduleByGuest(app, ada.token, at(B));
    assert.ok(joined.ok, JSON.stringify(joined));
    assert.equal(joined.booking.status, "PENDING");
    assert.equal(stats.maxChecks, 6, JSON.stringify(stats));
    Object.assign(stats, { maxChecks: 0, maxMutations: 0 });
    const started = await rescheduleByGuest(app, amy.token, at(C));
    assert.ok(started.ok, JSON.stringify(started));
    assert.equal(stats.maxChecks, 7, JSON.stringify(stats));
    await assertConsistent(app, et.id, users);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats: the Reschedule page of a guest asked for a new time offers a time with a meeting (its seats left), empty times and the time they left", async () => {
  const { app } = await setup(3);
  try {
    const ada = await seat(app, A, "ada");
    await seat(app, A, "amy");
    await seat(app, B, "bea");
    await ask(app, ada.id);
    const state = await manageState(app, ada.token, "en", { forMove: true });
    assert.ok(state.ok && !state.blocked, JSON.stringify(state).slice(0, 300));
    const page = await rescheduleSlots(app, state, {
      date: "2026-11-23",
      month: null,
      locale: "en",
      timeZone: "UTC",
    });
    assert.ok(page?.ok, JSON.stringify(page).slice(0, 300));
    assert.equal(page.slots.find((s) => s.start === at(B))?.seatsLeft, 2, "Bea's meeting");
    assert.equal(page.slots.find((s) => s.start === at(C))?.seatsLeft, 3, "an empty time");
    assert.equal(page.slots.find((s) => s.start === at(A))?.seatsLeft, 2, "the time they left");
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("team seats (property): seats booked, confirmed, cancelled and asked for a new time at random, and the asked guests picking times — into meetings, empty times, full times and over other meetings — over four times of a collective event with 1–6 members: no time passes its seats, ledgers, coordinators and members' time agree, no member has two overlapping meetings, and each asked seat is linked at most once", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        members: fc.integer({ min: 1, max: 6 }),
        perTime: fc.integer({ min: 2, max: 3 }),
        pending: fc.boolean(),
        ops: fc.array(
          fc.record({
            kind: fc.constantFrom(
              "book",
              "book",
              "book",
              "ask",
              "ask",
              "pick",
              "pick",
              "pick",
              "cancel",
              "confirm",
            ),
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
            const recs: BookingRecord[] = [];
            for (const x of made) recs.push((await getBooking(app.kv, x))!);
            const live = recs.filter((r) => r.status === "CONFIRMED" || r.status === "PENDING");
            const asked = recs.filter(awaitsNewTime);
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
            } else if (op.kind === "ask" && b) {
              const r = await requestNewTime(app, b.hostId, b.id, "");
              if (b.status === "CONFIRMED") assert.ok(r.ok, JSON.stringify(r));
            } else if (op.kind === "pick" && asked.length) {
              const a = asked[op.pick % asked.length];
              const r = await rescheduleByGuest(app, tokens.get(a.id)!, start);
              if (r.ok) {
                made.push(r.booking.id);
                tokens.set(r.booking.id, r.guestToken);
                assert.equal(r.booking.rescheduledFromId, a.id);
                assert.equal((await getBooking(app.kv, a.id))!.rescheduledToId, r.booking.id);
              } else {
                assert.ok(
                  ["seats_full", "slot_taken", "already_seated", "too_many_pending"]
                    .includes(r.reason),
                  r.reason,
                );
                assert.ok(awaitsNewTime((await getBooking(app.kv, a.id))!), "may pick again");
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
