/**
 * The host's ways of making or moving a booking (book for a guest, move, ask the guest to pick a
 * new time, a poll's pick, a one-off link) under many conflicting requests at once, from two
 * processes sharing one KV, mixed with guests booking the same time on the page: each contested
 * time has exactly one winner, every other request gets a refusal it can show (never an
 * exception), and afterwards no two live bookings of anyone overlap.
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { bookForGuest } from "./host-book.ts";
import { decideBooking, requestNewTime, rescheduleByGuest } from "./decide-booking.ts";
import { moveBookingByHost } from "./host-reschedule.ts";
import { createPoll } from "./polls.ts";
import { pickPollTime } from "./poll-pick.ts";
import { votePoll } from "./poll-votes.ts";
import { mintOneOffLink } from "./one-off-links.ts";
import { bookWithSingleUseLink } from "./single-use-links.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { getPoll } from "../store/polls.ts";
import { getSingleUseLinkUse } from "../store/single-use-links.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import { isLiveBooking } from "../domain/booking.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import {
  createEventType,
  createHost,
  guestInput,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { allBookings, liveOverlaps } from "../../../../tests/support/overlaps.ts";
import { contendedKv } from "../../../../tests/support/kv-contention.ts";

// Friday 2026-11-20 08:00 UTC; the host works weekdays 09–17 UTC. Monday is 2026-11-23.
const MON = (hhmm: string) => `2026-11-23T${hhmm}:00Z`;

const guest = (i: number, start: string, slug = "call") => guestInput(i, start, slug);

async function twoProcesses() {
  const kv = contendedKv(await Deno.openKv(":memory:"));
  const a = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  const b = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  // The guests' server: its first change of the host races the first of each of the others
  // (a process makes one change of a person at a time: services/transaction.ts's lanes).
  const c = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  b.hostLock = new KeyedLock(); // only the KV checks stand between them
  c.hostLock = new KeyedLock();
  const host = await createHost(a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  // 30-minute meetings, and 15-minute ones that start between them (overlapping, not equal).
  await createEventType(a, host, { slug: "call", durationMin: 30, requiresConfirmation: false });
  await createEventType(a, host, { slug: "short", durationMin: 15, requiresConfirmation: false });
  return { kv, a, b, c, host, app: (i: number): TestApp => (i % 2 ? a : b) };
}

/** The counts queued by the last commits land before the store closes. */
async function closeAll(kv: Deno.Kv) {
  await settleCounts();
  kv.close();
}

const outcome = (r: { ok: boolean; reason?: string }) => r.ok ? "ok" : r.reason!;
const liveAt = (bs: BookingRecord[], startIso: string, nowMs: number) =>
  bs.filter((x) => isLiveBooking(x, nowMs) && x.startMs === Date.parse(startIso));

Deno.test("a host booking for a guest while 30 guests book the same and an overlapping time: exactly one gets it, the others are told it is taken", async () => {
  const { kv, a, c, host, app } = await twoProcesses();
  const results = await Promise.all([
    // The host presses "Book" several times, in two tabs served by two processes.
    ...Array.from({ length: 6 }, (_, i) =>
      bookForGuest(app(i), host, {
        slug: "call",
        start: MON("10:00"),
        name: "Host's guest",
        email: "vip@example.test",
        note: "",
      })),
    ...Array.from(
      { length: 30 },
      (_, i) => bookSlot(c, i % 3 ? guest(i, MON("10:00")) : guest(i, MON("10:15"), "short")),
    ),
  ]);
  const outcomes = results.map(outcome);
  assert.equal(outcomes.filter((o) => o === "ok").length, 1, outcomes.join(", "));
  assert.ok(outcomes.every((o) => o === "ok" || o === "slot_taken"), outcomes.join(", "));
  const bookings = await allBookings(kv);
  assert.equal(bookings.length, 1);
  assert.deepEqual(liveOverlaps(bookings, a.now()), []);
  await closeAll(kv);
});

Deno.test("a host moving two meetings into a time 30 guests are booking: exactly one meeting holds it; a moved meeting leaves its old time, an unmoved one keeps it", async () => {
  const { kv, a, c, host, app } = await twoProcesses();
  const nine = await bookSlot(a, guest(100, MON("09:00")));
  const eleven = await bookSlot(a, guest(101, MON("11:00")));
  assert.ok(nine.ok && eleven.ok);
  const results = await Promise.all([
    // Each meeting moved three times at once (a double submit, the API, a second tab).
    ...Array.from(
      { length: 6 },
      (_, i) =>
        moveBookingByHost(app(i), host, i % 2 ? nine.bookingId : eleven.bookingId, {
          start: MON("10:00"),
          reason: "Something came up",
        }),
    ),
    ...Array.from(
      { length: 30 },
      (_, i) => bookSlot(c, i % 3 ? guest(i, MON("10:00")) : guest(i, MON("10:15"), "short")),
    ),
  ]);
  const outcomes = results.map(outcome);
  assert.equal(outcomes.filter((o) => o === "ok").length, 1, outcomes.join(", "));
  assert.ok(
    outcomes.every((o) => ["ok", "slot_taken", "moved"].includes(o)),
    outcomes.join(", "),
  );
  const bookings = await allBookings(kv);
  assert.equal(
    liveAt(bookings, MON("10:00"), a.now()).length +
      liveAt(bookings, MON("10:15"), a.now()).length,
    1,
  );
  // Each original meeting is live exactly once: where it was, or where it moved.
  const live = bookings.filter((x) => isLiveBooking(x, a.now()));
  for (const id of [nine.bookingId, eleven.bookingId]) {
    const chain = live.filter((x) => x.id === id || x.rescheduledFromId === id);
    assert.equal(chain.length, 1, `meeting ${id} is live once`);
  }
  assert.deepEqual(liveOverlaps(bookings, a.now()), []);
  await closeAll(kv);
});

Deno.test("a guest asked to pick a new time, their link used 10 times at once for two times while 20 guests book one of them: one new meeting, and each time booked once", async () => {
  const { kv, a, c, host, app } = await twoProcesses();
  const first = await bookSlot(a, guest(100, MON("09:00")));
  assert.ok(first.ok);
  const asked = await requestNewTime(a, host.id, first.bookingId, "I am ill that day");
  assert.ok(asked.ok, JSON.stringify(asked));
  const results = await Promise.all([
    ...Array.from(
      { length: 10 },
      (_, i) => rescheduleByGuest(app(i), first.guestToken, i % 2 ? MON("10:00") : MON("14:00")),
    ),
    ...Array.from({ length: 20 }, (_, i) => bookSlot(c, guest(i, MON("10:00")))),
  ]);
  const rebooks = results.slice(0, 10).map(outcome);
  const guests = results.slice(10).map(outcome);
  assert.equal(rebooks.filter((o) => o === "ok").length, 1, rebooks.join(", "));
  assert.ok(rebooks.every((o) => ["ok", "slot_taken", "moved"].includes(o)), rebooks.join(", "));
  assert.ok(guests.every((o) => o === "ok" || o === "slot_taken"), guests.join(", "));
  const bookings = await allBookings(kv);
  assert.equal(liveAt(bookings, MON("10:00"), a.now()).length, 1);
  assert.equal(
    bookings.filter((x) => x.rescheduledFromId === first.bookingId).length,
    1,
    "one successor",
  );
  assert.deepEqual(liveOverlaps(bookings, a.now()), []);
  await closeAll(kv);
});

async function pollWithVote(
  app: TestApp,
  host: Parameters<typeof createPoll>[1],
  reserve: boolean,
) {
  const starts = [MON("10:00"), MON("13:00"), MON("15:00")];
  const made = await createPoll(app, host, { slug: "call", title: "Sync", starts, reserve });
  assert.ok(made.ok, JSON.stringify(made));
  const token = new URL(made.url).pathname.split("/").pop()!;
  const voted = await votePoll(app, token, {
    name: "Bo",
    email: "bo@example.test",
    answers: { t0: "yes", t1: "yes", t2: "maybe" },
  });
  assert.ok(voted.ok);
  return { poll: made.poll, starts };
}

Deno.test("a poll's time picked (five presses) while 30 guests book the same and an overlapping time: exactly one booking; if a guest won, the poll stays open", async () => {
  const { kv, a, c, host, app } = await twoProcesses();
  const { poll } = await pollWithVote(a, host, false);
  const results = await Promise.all([
    ...Array.from({ length: 5 }, (_, i) => pickPollTime(app(i), host, poll.id, MON("10:00"))),
    ...Array.from(
      { length: 30 },
      (_, i) => bookSlot(c, i % 3 ? guest(i, MON("10:00")) : guest(i, MON("10:15"), "short")),
    ),
  ]);
  const outcomes = results.map(outcome);
  assert.equal(outcomes.filter((o) => o === "ok").length, 1, outcomes.join(", "));
  assert.ok(
    outcomes.every((o) => ["ok", "slot_taken", "closed"].includes(o)),
    outcomes.join(", "),
  );
  const bookings = await allBookings(kv);
  assert.equal(bookings.length, 1);
  const pickWon = results.slice(0, 5).some((r) => r.ok);
  assert.equal((await getPoll(kv, host.id, poll.id))!.bookingId, pickWon ? bookings[0].id : null);
  assert.deepEqual(liveOverlaps(bookings, a.now()), []);
  await closeAll(kv);
});

Deno.test("a poll with reserved times picked at all three at once while guests book those times: the poll books once, guests never share a time with it or each other", async () => {
  const { kv, a, c, host, app } = await twoProcesses();
  const { poll, starts } = await pollWithVote(a, host, true);
  const results = await Promise.all([
    ...Array.from({ length: 9 }, (_, i) => pickPollTime(app(i), host, poll.id, starts[i % 3])),
    ...Array.from({ length: 30 }, (_, i) => bookSlot(c, guest(i, starts[i % 3]))),
  ]);
  const picks = results.slice(0, 9).map(outcome);
  const guests = results.slice(9).map(outcome);
  assert.equal(picks.filter((o) => o === "ok").length, 1, picks.join(", "));
  assert.ok(picks.every((o) => ["ok", "closed", "slot_taken"].includes(o)), picks.join(", "));
  // Guests meet the held times (not offered), or a time taken once the other holds are gone.
  assert.ok(
    guests.every((o) => ["ok", "slot_taken", "slot_unavailable"].includes(o)),
    guests.join(", "),
  );
  const bookings = await allBookings(kv);
  for (const s of starts) assert.ok(liveAt(bookings, s, a.now()).length <= 1, s);
  assert.equal(bookings.filter((x) => x.origin === "poll").length, 1);
  assert.deepEqual(liveOverlaps(bookings, a.now()), []);
  await closeAll(kv);
});

Deno.test("a poll's reserved time picked by two presses at once on two processes: one is told it is booked, the other that the poll is closed — the loser's failed write is not taken for its own (both planned under the hold's id)", async () => {
  for (let round = 0; round < 3; round++) {
    const { kv, a, b, host } = await twoProcesses();
    const { poll, starts } = await pollWithVote(a, host, true);
    const results = await Promise.all([
      pickPollTime(a, host, poll.id, starts[0]),
      pickPollTime(b, host, poll.id, starts[0]),
    ]);
    const picks = results.map(outcome);
    assert.deepEqual([...picks].sort(), ["closed", "ok"], picks.join(", "));
    const bookings = await allBookings(kv);
    assert.equal(bookings.filter((x) => x.origin === "poll").length, 1);
    await closeAll(kv);
  }
});

Deno.test("a one-off link with two times, opened by 20 guests at once while 20 others book those times on the page: the link books once, each time is booked once", async () => {
  const { kv, a, c, host, app } = await twoProcesses();
  const offered = [MON("10:00"), MON("14:00")];
  const made = await mintOneOffLink(a, host, { slug: "call", starts: offered, note: "Pick one" });
  assert.ok(made.ok);
  const token = made.url.split("/").pop()!;
  const results = await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => {
      const { username: _u, slug: _s, ...input } = guest(200 + i, offered[i % 2]);
      return bookWithSingleUseLink(app(i), "ann", token, input);
    }),
    ...Array.from({ length: 20 }, (_, i) => bookSlot(c, guest(i, offered[i % 2]))),
  ]);
  const viaLink = results.slice(0, 20).map(outcome);
  const onPage = results.slice(20).map(outcome);
  assert.ok(viaLink.filter((o) => o === "ok").length <= 1, viaLink.join(", "));
  assert.ok(viaLink.every((o) => ["ok", "link_used", "slot_taken"].includes(o)), viaLink.join());
  assert.ok(onPage.every((o) => o === "ok" || o === "slot_taken"), onPage.join(", "));
  // Somebody wants each time, so each is booked — exactly once.
  assert.equal(results.filter((r) => r.ok).length, 2);
  const bookings = await allBookings(kv);
  for (const s of offered) assert.equal(liveAt(bookings, s, a.now()).length, 1, s);
  assert.ok(bookings.filter((x) => x.singleUseLinkId === made.link.id).length <= 1);
  assert.deepEqual(liveOverlaps(bookings, a.now()), []);
  await closeAll(kv);
});

Deno.test("a one-off link's request rejected (pressed 4 times on two processes) while 20 guests try the link's other time: the link is given back once and books once again, never twice", async () => {
  const { kv, a, host, app } = await twoProcesses();
  await createEventType(a, host, { slug: "asked", durationMin: 30, requiresConfirmation: true });
  const offered = [MON("10:00"), MON("14:00")];
  const made = await mintOneOffLink(a, host, { slug: "asked", starts: offered, note: "" });
  assert.ok(made.ok);
  const token = made.url.split("/").pop()!;
  const via = (i: number, start: string) => {
    const { username: _u, slug: _s, ...input } = guest(300 + i, start, "asked");
    return bookWithSingleUseLink(app(i), "ann", token, input);
  };
  const first = await via(99, offered[0]);
  assert.ok(first.ok);
  const presses = Array.from(
    { length: 4 },
    (_, i) => decideBooking(app(i), first.bookingId, "reject", "host", { hostId: host.id }),
  );
  // Half the guests at once with the presses, half as soon as the first press is answered.
  const results = await Promise.all([
    ...presses,
    ...Array.from(
      { length: 20 },
      (_, i) => i % 2 ? via(i, offered[1]) : Promise.race(presses).then(() => via(i, offered[1])),
    ),
  ]);
  const rejects = results.slice(0, 4).map(outcome);
  const guests = results.slice(4).map(outcome);
  assert.equal(rejects.filter((o) => o === "ok").length, 1, rejects.join(", "));
  assert.ok(rejects.every((o) => o === "ok" || o === "already_rejected"), rejects.join());
  assert.ok(guests.every((o) => o === "ok" || o === "link_used"), guests.join(", "));
  // Given back once the rejection landed: exactly one guest of those after it books.
  assert.equal(guests.filter((o) => o === "ok").length, 1, guests.join(", "));
  assert.equal(outcome(await via(51, offered[1])), "link_used");
  const bookings = (await allBookings(kv)).filter((x) => x.singleUseLinkId === made.link.id);
  const live = bookings.filter((x) => isLiveBooking(x, a.now()));
  assert.equal(live.length, 1);
  assert.equal(live[0].startMs, Date.parse(offered[1]));
  const marker = await getSingleUseLinkUse(kv, made.link.id);
  assert.equal(marker?.kind === "used" ? marker.bookingId : marker?.kind, live[0].id);
  assert.deepEqual(liveOverlaps(await allBookings(kv), a.now()), []);
  await closeAll(kv);
});

Deno.test("a host cancelling a meeting while its guest moves it and 20 guests book its new time: never a live meeting at both times, nor two at the new one", async () => {
  const { kv, a, c, host, app } = await twoProcesses();
  const first = await bookSlot(a, guest(100, MON("09:00")));
  assert.ok(first.ok);
  const results = await Promise.all([
    ...Array.from(
      { length: 4 },
      (_, i) => decideBooking(app(i), first.bookingId, "cancel", "host", { hostId: host.id }),
    ),
    ...Array.from(
      { length: 4 },
      (_, i) => rescheduleByGuest(app(i), first.guestToken, MON("10:00")),
    ),
    ...Array.from({ length: 20 }, (_, i) => bookSlot(c, guest(i, MON("10:00")))),
  ]);
  const outcomes = results.map(outcome);
  assert.ok(
    outcomes.every((o) => ["ok", "slot_taken", "moved", "cancelled"].includes(o)),
    outcomes.join(", "),
  );
  const bookings = await allBookings(kv);
  const live = bookings.filter((x) => isLiveBooking(x, a.now()));
  assert.ok(
    live.filter((x) => x.id === first.bookingId || x.rescheduledFromId === first.bookingId)
      .length <= 1,
  );
  assert.equal(liveAt(bookings, MON("10:00"), a.now()).length, 1);
  assert.deepEqual(liveOverlaps(bookings, a.now()), []);
  await closeAll(kv);
});
