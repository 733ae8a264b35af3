/**
 * Team bookings through the service: round-robin fairness (sequential and concurrent, equal and
 * weighted), fail-closed calendars, removed members, collective bookings and reschedules — and
 * every member's time protected across personal, round-robin and collective bookings.
 */
import assert from "node:assert/strict";
import { bookTeamSlot } from "./team-bookings.ts";
import { bookSlot } from "./book-slot.ts";
import { decideBooking, rescheduleByGuest } from "./decide-booking.ts";
import { removeMember } from "./teams.ts";
import { answerInvite, inviteMember } from "./team-invites.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { keys } from "../store/keys.ts";
import type { BookingRecord, UserRecord } from "../domain/model/records.ts";
import type { RotationRecord } from "../domain/team-rotation.ts";
import { emptyHead } from "../store/calendars.ts";
import { settingsChanged } from "../store/settings-cache.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import { createEventType, memoryApp } from "../../../../tests/support/memory-app.ts";
import {
  at,
  guest,
  HOUR,
  seedTeam,
  seedTeamEventType,
  T0,
} from "../../../../tests/support/teams.ts";
import { contendedKv } from "../../../../tests/support/kv-contention.ts";
import { allBookings, liveOverlaps } from "../../../../tests/support/overlaps.ts";
import { isLiveBooking } from "../domain/booking.ts";

function countsBy(bookings: BookingRecord[], users: UserRecord[]): number[] {
  return users.map((u) =>
    bookings.filter((b) => b.hostId === u.id && b.status !== "CANCELLED").length
  );
}

Deno.test("round robin: 90 sequential bookings across 3 equally weighted, always free members give 30 ± 1 each, and the rotation record counts them", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  const et = await seedTeamEventType(app, team, {
    slug: "call",
    teamMode: "round_robin",
    durationMin: 30,
  });
  for (let i = 0; i < 90; i++) {
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug: "call",
      start: at(T0 + i * HOUR),
      ...guest(i),
    });
    assert.ok(r.ok, JSON.stringify(r));
  }
  const counts = countsBy(await allBookings(app.kv), users);
  for (const c of counts) assert.ok(Math.abs(c - 30) <= 1, `counts ${counts}`);
  const rot = (await app.kv.get<RotationRecord>(keys.teamRotation(et.id))).value!;
  assert.deepEqual(users.map((u) => rot.count[u.id]), counts);
  app.close();
});

Deno.test("round robin: weights 2:1:1 over 90 sequential bookings give 45/22/23 ± 1", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann", weight: 2 }, { username: "ben" }, { username: "cleo" }],
  });
  await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin", durationMin: 30 });
  for (let i = 0; i < 90; i++) {
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug: "call",
      start: at(T0 + i * HOUR),
      ...guest(i),
    });
    assert.ok(r.ok, JSON.stringify(r));
  }
  const [a, b, c] = countsBy(await allBookings(app.kv), users);
  assert.ok(Math.abs(a - 45) <= 1, `ann ${a}`);
  assert.ok(
    Math.abs(b - 22.5) <= 1.5 && Math.abs(c - 22.5) <= 1.5 && b + c === 90 - a,
    `${b}/${c}`,
  );
  app.close();
});

async function concurrentRoundRobin(overlapping: boolean) {
  const kv = contendedKv(await Deno.openKv(":memory:"));
  const a = await memoryApp({ kv });
  const b = await memoryApp({ kv });
  b.hostLock = new KeyedLock();
  const { team, users } = await seedTeam(a, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  // Overlapping: 60-minute meetings every 30 minutes, each overlapping its neighbours, so the
  // members of neighbouring times must differ. Apart: 30-minute meetings back to back.
  await seedTeamEventType(a, team, {
    slug: "call",
    teamMode: "round_robin",
    durationMin: overlapping ? 60 : 30,
    intervalMin: 30,
  });
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      bookTeamSlot(i % 2 ? a : b, {
        team: "crew",
        slug: "call",
        // 25 starts on each of two days (from 08:00).
        start: at(
          T0 + 8 * HOUR + (i % 25) * HOUR / 2 + Math.floor(i / 25) * 24 * HOUR,
        ),
        ...guest(i),
      })),
  );
  assert.deepEqual(results.filter((r) => !r.ok), []);
  const booked = await allBookings(kv);
  assert.equal(booked.length, 50);
  assert.deepEqual(liveOverlaps(booked, a.now()), []);
  const counts = countsBy(booked, users);
  kv.close();
  return counts;
}

Deno.test("round robin: 50 concurrent bookings from two processes stay within ±2 of the fair share (issue 12's bound: members free, the rotation checked in each booking's write)", async () => {
  const counts = await concurrentRoundRobin(false);
  for (const c of counts) assert.ok(Math.abs(c - 50 / 3) <= 2, `counts ${counts}`);
});

/**
 * With times that overlap, a member who already has a neighbouring time is busy and is skipped
 * for the next one behind (team-rotation.ts: the free member furthest behind gets it): fairness
 * then yields to availability, and in rare orders of arrival a member ends three or four over
 * their share. What must hold in every order: nobody overlaps, every booking lands, and nobody is
 * starved or takes more than half.
 */
Deno.test("round robin: 50 concurrent bookings from two processes on overlapping times assign nobody overlapping times, all land, and share them out", async () => {
  const counts = await concurrentRoundRobin(true);
  for (const c of counts) assert.ok(c >= 10 && c <= 25, `counts ${counts}`);
});

Deno.test("round robin: a busy member is skipped, a member whose calendar cannot be read counts as busy, and when nobody is free the time is taken", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }],
  });
  await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin", durationMin: 30 });
  // Ann's own event type books her personally at 10:00.
  const own = await createEventType(app, users[0], { slug: "own", requiresConfirmation: false });
  assert.ok(own);
  const personal = await bookSlot(app, {
    username: "ann",
    slug: "own",
    start: at(T0 + 10 * HOUR),
    ...guest(0),
  });
  assert.ok(personal.ok);
  const r1 = await bookTeamSlot(app, {
    team: "crew",
    slug: "call",
    start: at(T0 + 10 * HOUR),
    ...guest(1),
  });
  assert.ok(r1.ok);
  const b1 = (await app.kv.get<BookingRecord>(keys.booking(r1.bookingId))).value!;
  assert.equal(b1.hostId, users[1].id, "Ann is busy: Ben gets it");
  assert.deepEqual(b1.personIds, [users[1].id]);
  const r2 = await bookTeamSlot(app, {
    team: "crew",
    slug: "call",
    start: at(T0 + 10 * HOUR),
    ...guest(2),
  });
  assert.deepEqual(r2, { ok: false, reason: "slot_taken" });
  // Ben connects a conflict calendar that was never read: he counts as busy (fail closed).
  await app.kv.set(keys.calendarBusyHead(users[1].id, "cal-b"), emptyHead("cal-b", "acc-b"));
  settingsChanged(app.kv);
  const r3 = await bookTeamSlot(app, {
    team: "crew",
    slug: "call",
    start: at(T0 + 12 * HOUR),
    ...guest(3),
  });
  assert.ok(r3.ok);
  const b3 = (await app.kv.get<BookingRecord>(keys.booking(r3.bookingId))).value!;
  assert.equal(
    b3.hostId,
    users[0].id,
    "Ben's unreadable calendar: Ann gets it, whoever's turn it was",
  );
  // Nobody's calendar can be read: nobody is free, and the guest is told why.
  await app.kv.set(keys.calendarBusyHead(users[0].id, "cal-a"), emptyHead("cal-a", "acc-a"));
  settingsChanged(app.kv);
  const r4 = await bookTeamSlot(app, {
    team: "crew",
    slug: "call",
    start: at(T0 + 14 * HOUR),
    ...guest(4),
  });
  assert.deepEqual(r4, { ok: false, reason: "calendar_unavailable" });
  assert.deepEqual(liveOverlaps(await allBookings(app.kv), app.now()), []);
  app.close();
});

Deno.test("round robin: a removed member is assigned nothing from the moment the removal lands; their bookings stay theirs", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }],
  });
  await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin", durationMin: 30 });
  const made: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug: "call",
      start: at(T0 + i * HOUR),
      ...guest(i),
    });
    assert.ok(r.ok);
    made.push(r.bookingId);
  }
  const removed = await removeMember(app, users[0], team.id, users[1].id);
  assert.ok(removed.ok);
  for (let i = 4; i < 10; i++) {
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug: "call",
      start: at(T0 + i * HOUR),
      ...guest(i),
    });
    assert.ok(r.ok);
    const b = (await app.kv.get<BookingRecord>(keys.booking(r.bookingId))).value!;
    assert.equal(b.hostId, users[0].id);
  }
  const bens = (await allBookings(app.kv)).filter((b) => b.hostId === users[1].id);
  assert.equal(bens.length, 2);
  assert.ok(bens.every((b) => b.status === "CONFIRMED" && made.includes(b.id)));
  app.close();
});

Deno.test("round robin: a member removed and invited back starts level — 9 bookings when all three are free go 3/3/3, not a burst for the returner", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  const [ann, , cleo] = users;
  await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin", durationMin: 30 });
  let i = 0;
  const book = async (n: number) => {
    const hosts: string[] = [];
    for (const end = i + n; i < end; i++) {
      const r = await bookTeamSlot(app, {
        team: "crew",
        slug: "call",
        start: at(T0 + i * HOUR),
        ...guest(i),
      });
      assert.ok(r.ok, JSON.stringify(r));
      hosts.push((await app.kv.get<BookingRecord>(keys.booking(r.bookingId))).value!.hostId);
    }
    return users.map((u) => hosts.filter((h) => h === u.id).length);
  };
  assert.deepEqual(await book(15), [5, 5, 5]);
  assert.ok((await removeMember(app, ann, team.id, cleo.id)).ok);
  const away = await book(13);
  assert.equal(away[2], 0, "nothing for Cleo while she is away");
  const invited = await inviteMember(app, ann, team.id, cleo.email, "member");
  assert.ok(invited.ok);
  assert.ok(
    (await answerInvite(app, cleo, { teamId: team.id, inviteId: invited.invite.id }, true)).ok,
  );
  assert.deepEqual(await book(9), [3, 3, 3], "Ann, Ben, Cleo");
  app.close();
});

Deno.test("collective: the booking holds every member's time; each member gets their own mail and it shows in their own list", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  await seedTeamEventType(app, team, {
    slug: "panel",
    teamMode: "collective",
    durationMin: 45,
    intervalMin: 30,
  });
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "panel",
    start: at(T0 + 9 * HOUR),
    ...guest(1),
  });
  assert.ok(r.ok, JSON.stringify(r));
  const b = (await app.kv.get<BookingRecord>(keys.booking(r.bookingId))).value!;
  assert.deepEqual(b.personIds, users.map((u) => u.id).sort());
  assert.equal(b.hostId, users[0].id, "the owner organises");
  assert.equal(b.teamId, team.id);
  for (const u of users) {
    const idx = await app.kv.get(keys.bookingByHostStart(u.id, b.startMs, b.id));
    assert.equal(idx.value, b.id, `${u.username}'s list`);
  }
  await deliverOutbox(app, app.now());
  const sent = app.mailer.sent.map((m) => `${m.to} ${m.subject}`).sort();
  assert.deepEqual(sent, [
    "ann@example.test Confirmed: panel with Guest 1",
    "ben@example.test Confirmed: panel with Guest 1",
    "cleo@example.test Confirmed: panel with Guest 1",
    "g1@example.test Confirmed: panel with Host ann, Host ben and Host cleo",
  ]);
  // Each member is now busy: a personal booking of Cleo at that time is refused.
  await createEventType(app, users[2], { slug: "own", requiresConfirmation: false });
  const clash = await bookSlot(app, {
    username: "cleo",
    slug: "own",
    start: at(T0 + 9 * HOUR),
    ...guest(2),
  });
  assert.deepEqual(clash, { ok: false, reason: "slot_taken" });
  // A second collective at an overlapping time is refused; every member was held.
  const again = await bookTeamSlot(app, {
    team: "crew",
    slug: "panel",
    start: at(T0 + 9.5 * HOUR),
    ...guest(3),
  });
  assert.deepEqual(again, { ok: false, reason: "slot_taken" });
  assert.deepEqual(liveOverlaps(await allBookings(app.kv), app.now()), []);
  app.close();
});

Deno.test("collective: after a member leaves the team, the times the page shows (the others together) can be booked and moved, by the members who are left", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  await seedTeamEventType(app, team, { slug: "panel", teamMode: "collective", durationMin: 30 });
  assert.ok((await removeMember(app, users[0], team.id, users[2].id)).ok);
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "panel",
    start: at(T0 + 9 * HOUR),
    ...guest(1),
  });
  assert.ok(r.ok, JSON.stringify(r));
  const b = (await app.kv.get<BookingRecord>(keys.booking(r.bookingId))).value!;
  assert.deepEqual(b.personIds, [users[0].id, users[1].id].sort());
  const moved = await rescheduleByGuest(app, r.guestToken, at(T0 + 11 * HOUR));
  assert.ok(moved.ok, JSON.stringify(moved));
  app.close();
});

Deno.test("reschedule: a round-robin booking stays with its member when free, moves to the next one when not, and the first member is told", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }],
  });
  await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin", durationMin: 30 });
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "call",
    start: at(T0 + 9 * HOUR),
    ...guest(1),
  });
  assert.ok(r.ok);
  const first = (await app.kv.get<BookingRecord>(keys.booking(r.bookingId))).value!;
  const moved = await rescheduleByGuest(app, r.guestToken, at(T0 + 11 * HOUR));
  assert.ok(moved.ok, JSON.stringify(moved));
  assert.equal(moved.booking.hostId, first.hostId, "same member when free");
  // Now the member is busy at 14:00 (a personal booking): the next reschedule changes member.
  const member = users.find((u) => u.id === first.hostId)!;
  await createEventType(app, member, { slug: "own", requiresConfirmation: false });
  assert.ok(
    (await bookSlot(app, {
      username: member.username,
      slug: "own",
      start: at(T0 + 14 * HOUR),
      ...guest(9),
    })).ok,
  );
  const again = await rescheduleByGuest(app, moved.guestToken, at(T0 + 14 * HOUR));
  assert.ok(again.ok, JSON.stringify(again));
  assert.notEqual(again.booking.hostId, first.hostId);
  assert.equal(again.booking.icalUid, moved.booking.icalUid, "one meeting identity");
  const jobs = [];
  for await (
    const e of app.kv.list<{ payload: { kind: string; mail?: string; personId?: string } }>({
      prefix: ["outbox"],
    })
  ) {
    jobs.push(e.value.payload);
  }
  assert.ok(
    jobs.some((p) =>
      p.kind === "booking_mail" && p.mail === "host_cancelled" && p.personId === first.hostId
    ),
    "the first member hears it left their calendar",
  );
  assert.deepEqual(liveOverlaps(await allBookings(app.kv), app.now()), []);
  app.close();
});

Deno.test("reschedule: a collective booking moves all members at once (its own old time counting as free), and the old booking is retired in the same write", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }],
  });
  await seedTeamEventType(app, team, {
    slug: "panel",
    teamMode: "collective",
    durationMin: 60,
    intervalMin: 30,
  });
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "panel",
    start: at(T0 + 9 * HOUR),
    ...guest(1),
  });
  assert.ok(r.ok);
  // Overlaps the old time by half an hour: allowed, since the old booking goes.
  const moved = await rescheduleByGuest(app, r.guestToken, at(T0 + 9.5 * HOUR));
  assert.ok(moved.ok, JSON.stringify(moved));
  const old = (await app.kv.get<BookingRecord>(keys.booking(r.bookingId))).value!;
  assert.equal(old.status, "CANCELLED");
  assert.equal(old.endReason, "rescheduled");
  assert.equal(old.rescheduledToId, moved.booking.id);
  assert.deepEqual(moved.booking.personIds, users.map((u) => u.id).sort());
  // The old time's entries are gone: only the new booking's remain, firm.
  const entries: { bookingId: string; holdUntilMs: number | null }[] = [];
  for await (
    const e of app.kv.list<{ bookingId: string; holdUntilMs: number | null }>({ prefix: ["busy"] })
  ) {
    entries.push(e.value);
  }
  assert.ok(
    entries.length > 0 &&
      entries.every((e) => e.bookingId === moved.booking.id && e.holdUntilMs === null),
  );
  // Used twice, the old link finds the booking moved.
  const twice = await rescheduleByGuest(app, r.guestToken, at(T0 + 13 * HOUR));
  assert.equal(twice.ok, false);
  assert.deepEqual(liveOverlaps(await allBookings(app.kv), app.now()), []);
  // Cancelling the new one frees everyone.
  const cancelled = await decideBooking(app, moved.booking.id, "cancel", "guest");
  assert.ok(cancelled.ok);
  app.close();
});

Deno.test("mixed races from two processes: collective, personal and round-robin requests for the same members at once never overlap anyone; where every request needs one member, exactly one wins", async () => {
  const kv = contendedKv(await Deno.openKv(":memory:"));
  const a = await memoryApp({ kv });
  const b = await memoryApp({ kv });
  b.hostLock = new KeyedLock();
  const { team, users } = await seedTeam(a, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  const rules = { durationMin: 60, intervalMin: 30 };
  for (const u of users) {
    await createEventType(a, u, { slug: "own", requiresConfirmation: false, ...rules });
  }
  await seedTeamEventType(a, team, { slug: "all", teamMode: "collective", ...rules });
  await seedTeamEventType(a, team, {
    slug: "pair",
    teamMode: "collective",
    hostIds: [users[0].id, users[1].id],
    requiresConfirmation: true,
    ...rules,
  });
  await seedTeamEventType(a, team, { slug: "rr", teamMode: "round_robin", ...rules });
  for (let round = 0; round < 6; round++) {
    const start = at(T0 + (8 + round * 2) * HOUR);
    // Every one of these needs Ann: exactly one may win.
    const contested = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const app = i % 2 ? a : b;
        const g = guest(round * 100 + i);
        return i % 3 === 0
          ? bookTeamSlot(app, { team: "crew", slug: "all", start, ...g })
          : i % 3 === 1
          ? bookTeamSlot(app, { team: "crew", slug: "pair", start, ...g })
          : bookSlot(app, { username: "ann", slug: "own", start, ...g });
      }),
    );
    assert.equal(contested.filter((r) => r.ok).length, 1, `round ${round}`);
    assert.ok(contested.every((r) => r.ok || r.reason === "slot_taken"));
    // Half an hour later, round robin and personal bookings race for whoever is left.
    const later = at(T0 + (8 + round * 2) * HOUR + HOUR / 2);
    await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) =>
          i % 4 === 0
            ? bookSlot(i % 2 ? a : b, { username: "cleo", slug: "own", start: later, ...guest(i) })
            : bookTeamSlot(i % 2 ? a : b, { team: "crew", slug: "rr", start: later, ...guest(i) }),
      ),
    );
  }
  assert.deepEqual(liveOverlaps(await allBookings(kv), a.now()), []);
  kv.close();
});

Deno.test("round-robin moves racing: 8 team meetings moved to one time at once, beside the members' own bookings and new round-robin requests there — nobody is double-booked, and the moves that lose keep their old time", async () => {
  const kv = contendedKv(await Deno.openKv(":memory:"));
  const a = await memoryApp({ kv });
  const b = await memoryApp({ kv });
  b.hostLock = new KeyedLock();
  const { team, users } = await seedTeam(a, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  for (const u of users) await createEventType(a, u, { slug: "own", requiresConfirmation: false });
  await seedTeamEventType(a, team, { slug: "rr", teamMode: "round_robin", durationMin: 30 });
  const made = [];
  for (let i = 0; i < 8; i++) {
    const r = await bookTeamSlot(a, {
      team: "crew",
      slug: "rr",
      start: at(T0 + (8 + i) * HOUR),
      ...guest(i),
    });
    assert.ok(r.ok);
    made.push(r);
  }
  const target = at(T0 + 20 * HOUR);
  const results = await Promise.all([
    // Each guest moves their meeting twice at once, from both processes.
    ...made.flatMap((r, i) => [
      rescheduleByGuest(i % 2 ? a : b, r.guestToken, target),
      rescheduleByGuest(i % 2 ? b : a, r.guestToken, target),
    ]),
    ...users.flatMap((u, i) =>
      [0, 1, 2].map((k) =>
        bookSlot((i + k) % 2 ? a : b, {
          username: u.username,
          slug: "own",
          start: target,
          ...guest(50 + i * 3 + k),
        })
      )
    ),
    ...Array.from(
      { length: 6 },
      (_, i) =>
        bookTeamSlot(i % 2 ? a : b, { team: "crew", slug: "rr", start: target, ...guest(80 + i) }),
    ),
  ]);
  const outcomes = results.map((r) => r.ok ? "ok" : r.reason);
  assert.ok(
    outcomes.every((o) => ["ok", "slot_taken", "moved"].includes(o)),
    outcomes.join(", "),
  );
  const bookings = await allBookings(kv);
  assert.deepEqual(liveOverlaps(bookings, a.now()), []);
  // Three members, one time: at most three meetings there, and every member free there is used.
  const there = bookings.filter((x) =>
    isLiveBooking(x, a.now()) && x.startMs === Date.parse(target)
  );
  assert.equal(there.length, 3, outcomes.join(", "));
  // Each team meeting is live exactly once: at its old time, or moved.
  for (const r of made) {
    const chain = bookings.filter((x) =>
      isLiveBooking(x, a.now()) && (x.id === r.bookingId || x.rescheduledFromId === r.bookingId)
    );
    assert.equal(chain.length, 1, r.bookingId);
  }
  await settleCounts();
  kv.close();
});

Deno.test("collective moves racing: a collective meeting moved (four presses) to a time two members' own guests are booking at once — either the meeting moves whole or the guests get their members, never both", async () => {
  for (let round = 0; round < 4; round++) {
    const kv = contendedKv(await Deno.openKv(":memory:"));
    const a = await memoryApp({ kv });
    const b = await memoryApp({ kv });
    // The members' own guests come through a third server: its first change races the moves'.
    const c = await memoryApp({ kv });
    b.hostLock = new KeyedLock();
    c.hostLock = new KeyedLock();
    const { team, users } = await seedTeam(a, {
      members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
    });
    for (const u of users) {
      await createEventType(a, u, { slug: "own", requiresConfirmation: false });
    }
    await seedTeamEventType(a, team, { slug: "all", teamMode: "collective", durationMin: 60 });
    const r = await bookTeamSlot(a, {
      team: "crew",
      slug: "all",
      start: at(T0 + 9 * HOUR),
      ...guest(1),
    });
    assert.ok(r.ok);
    const target = T0 + 14 * HOUR + (round % 2) * HOUR / 2;
    const results = await Promise.all([
      ...Array.from(
        { length: 4 },
        (_, i) => rescheduleByGuest(i % 2 ? a : b, r.guestToken, at(T0 + 14 * HOUR)),
      ),
      ...Array.from({ length: 12 }, (_, i) =>
        bookSlot(c, {
          username: users[i % 2].username,
          slug: "own",
          start: at(target),
          ...guest(10 + i),
        })),
    ]);
    const moves = results.slice(0, 4).map((x) => x.ok ? "ok" : x.reason);
    const own = results.slice(4).map((x) => x.ok ? "ok" : x.reason);
    assert.ok(moves.every((o) => ["ok", "slot_taken", "moved"].includes(o)), moves.join(", "));
    assert.ok(own.every((o) => o === "ok" || o === "slot_taken"), own.join(", "));
    const moved = moves.filter((o) => o === "ok").length;
    assert.ok(moved <= 1, moves.join(", "));
    // Moved: nobody's own guest got Ann or Ben; not moved: each got exactly one.
    assert.equal(
      own.filter((o) => o === "ok").length,
      moved ? 0 : 2,
      `round ${round}: ${moves} | ${own}`,
    );
    const bookings = await allBookings(kv);
    assert.deepEqual(liveOverlaps(bookings, a.now()), []);
    const meeting = bookings.filter((x) =>
      isLiveBooking(x, a.now()) && (x.id === r.bookingId || x.rescheduledFromId === r.bookingId)
    );
    assert.equal(meeting.length, 1, "the meeting is live once");
    await settleCounts();
    kv.close();
  }
});
