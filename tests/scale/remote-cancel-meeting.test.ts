/**
 * The host cancels a whole seated meeting (services/cancel-meeting.ts, ADR 040) on two processes
 * sharing one remote KV (the KV Connect test server, with latency and lost commit answers):
 * presses on both processes and the queued job's body racing guests who take the last seats.
 * In the end no live seat of the meeting is left, every press that answers counts the seats the
 * meeting had when it closed, and nobody joins once it is closed.
 */
import assert from "node:assert/strict";
import { remoteApps } from "../support/remote-apps.ts";
import { createEventType, createHost } from "../support/memory-app.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import {
  cancelMeetingSeats,
  cancelSeatedMeeting,
} from "../../src/lib/server/services/cancel-meeting.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { getSeatLedger } from "../../src/lib/server/store/seats.ts";
import { allBookings, liveOverlaps } from "../support/overlaps.ts";
import { isLiveBooking } from "../../src/lib/server/domain/booking.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const AT = "2026-11-23T10:00:00Z";
const allDay = [{ start: "00:00", end: "24:00" }];

Deno.test({
  ...opts,
  name:
    "remote KV: a seated meeting cancelled by presses on two processes and its job, while guests take the last seats, with lost commit answers: no live seat left, every answer counts the seats at close",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, {
      username: "hank",
      timeZone: "UTC",
      weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
    });
    await createEventType(r.a, host, {
      slug: "class",
      durationMin: 60,
      requiresConfirmation: false,
      seats: { perTime: 12, showAttendees: false, hideCount: false },
    });
    const book = (i: number) =>
      bookSlot(r.app(i), {
        username: "hank",
        slug: "class",
        start: AT,
        name: `Guest ${i}`,
        email: `g${i}@example.test`,
        note: "",
        timeZone: "UTC",
      });
    const first: string[] = [];
    for (let i = 0; i < 6; i++) {
      const b = await book(i);
      assert.ok(b.ok, JSON.stringify(b));
      first.push(b.bookingId);
    }
    const ledger = await getSeatLedger(
      r.kv,
      (await getBooking(r.kv, first[0]))!.eventTypeId,
      Date.parse(AT),
    );
    const meetingId = ledger!.meetingId;

    r.server.faults.set({ loseAnswer: 3, matchKey: "booking" });
    const [presses, joins] = await Promise.all([
      Promise.all([
        cancelSeatedMeeting(r.a, host.id, first[0], "Teacher is ill"),
        cancelSeatedMeeting(r.b, host.id, first[3], "Teacher is ill"),
        cancelMeetingSeats(r.b, {
          kind: "cancel_meeting",
          hostId: host.id,
          eventTypeId: ledger!.eventTypeId,
          startMs: Date.parse(AT),
          meetingId,
          reason: "Teacher is ill",
        }),
      ]),
      Promise.all(Array.from({ length: 6 }, (_, i) => book(6 + i))),
    ]);
    r.server.faults.set({ loseAnswer: 0 });

    const answered = presses.slice(0, 2).filter((p) => typeof p === "object" && p.ok);
    assert.ok(answered.length >= 1, JSON.stringify(presses));
    const joinedBefore = joins.filter((j) => j.ok).map((j) => j.ok ? j.bookingId : "");
    for (const p of answered) {
      // The seats at close: the six first, and those that joined before it closed.
      assert.ok(typeof p === "object" && p.ok);
      assert.ok(p.cancelled >= 6 && p.cancelled <= 6 + joinedBefore.length, JSON.stringify(p));
    }
    // Every seat of that meeting is over; a guest who got in after the close started a new one.
    const all = await allBookings(r.kv);
    const ofMeeting = all.filter((b) => b.seat?.meetingId === meetingId);
    assert.ok(ofMeeting.length >= 6);
    for (const b of ofMeeting) assert.equal(b.status, "CANCELLED", b.id);
    for (const b of all.filter((b) => isLiveBooking(b, r.a.now()))) {
      assert.notEqual(b.seat?.meetingId, meetingId, "no live seat of the cancelled meeting");
    }
    assert.deepEqual(liveOverlaps(all, r.a.now()), []);
    assert.ok(r.server.stats().injected.loseAnswer > 0, "answers were lost");
    assert.deepEqual(r.server.stats().refused, []);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a team's collective seated meeting cancelled by presses on two processes and its job, while guests take the last seats, with lost commit answers: no live seat left, every member's time free",
  async fn() {
    await using r = await remoteApps();
    const { team, users } = await seedTeam(r.a, {
      members: [{ username: "ann" }, { username: "ben" }, { username: "cy" }],
    });
    const et = await seedTeamEventType(r.a, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      seats: { perTime: 12, showAttendees: false, hideCount: false },
    });
    const book = (i: number) =>
      bookTeamSlot(r.app(i), {
        team: "crew",
        slug: "class",
        start: AT,
        name: `Guest ${i}`,
        email: `g${i}@example.test`,
        note: "",
        timeZone: "UTC",
      });
    const first: string[] = [];
    for (let i = 0; i < 6; i++) {
      const b = await book(i);
      assert.ok(b.ok, JSON.stringify(b));
      first.push(b.bookingId);
    }
    const seat = (await getBooking(r.kv, first[0]))!;
    const meetingId = seat.seat!.meetingId;

    r.server.faults.set({ loseAnswer: 3, matchKey: "booking" });
    // The guests go first; once one of them is answered, the presses and the job race the rest.
    const joining = Array.from({ length: 6 }, (_, i) => book(6 + i));
    await Promise.race(joining);
    const [presses, joins] = await Promise.all([
      Promise.all([
        cancelSeatedMeeting(r.a, seat.hostId, first[0], "Teacher is ill"),
        cancelSeatedMeeting(r.b, seat.hostId, first[3], "Teacher is ill"),
        cancelMeetingSeats(r.b, {
          kind: "cancel_meeting",
          hostId: seat.hostId,
          eventTypeId: et.id,
          startMs: Date.parse(AT),
          meetingId,
          reason: "Teacher is ill",
        }),
      ]),
      Promise.all(joining),
    ]);
    r.server.faults.set({ loseAnswer: 0 });

    const answered = presses.slice(0, 2).filter((p) => typeof p === "object" && p.ok);
    assert.ok(answered.length >= 1, JSON.stringify(presses));
    const joined = joins.filter((j) => j.ok).length;
    for (const p of answered) {
      assert.ok(typeof p === "object" && p.ok);
      assert.ok(p.cancelled >= 6 && p.cancelled <= 6 + joined, JSON.stringify(p));
    }
    const all = await allBookings(r.kv);
    const ofMeeting = all.filter((b) => b.seat?.meetingId === meetingId);
    assert.ok(ofMeeting.length >= 6);
    for (const b of ofMeeting) assert.equal(b.status, "CANCELLED", b.id);
    const live = all.filter((b) => isLiveBooking(b, r.a.now()));
    for (const b of live) {
      assert.notEqual(b.seat?.meetingId, meetingId, "no live seat of the cancelled meeting");
    }
    assert.deepEqual(liveOverlaps(all, r.a.now()), []);
    if (live.length === 0) {
      // Nobody started a new meeting there: every member's time is free again.
      for (const u of users) {
        const busy = [];
        for await (const e of r.kv.list({ prefix: ["busy", u.id] })) busy.push(e.value);
        assert.deepEqual(busy, [], `${u.username}'s time is free`);
      }
    }
    console.log(
      `collective: ${joined}/6 racing guests seated, ${ofMeeting.length} seats cancelled, ` +
        `${live.length} live in a new meeting, answers ${
          answered.map((p) => typeof p === "object" && p.ok && p.cancelled)
        }, lost answers ${r.server.stats().injected.loseAnswer}; joins ${
          joins.map((j) => j.ok ? "seated" : j.reason)
        }`,
    );
    assert.deepEqual(r.server.stats().refused, []);
  },
});
