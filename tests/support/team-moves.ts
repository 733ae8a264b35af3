/**
 * Round-robin members moving their own meetings race each other, new round-robin requests and
 * the members' own bookings for one time, from two service instances `a` and `b` on one store
 * `kv` (in memory, or remote KV on the KV Connect test server): asserts that nobody is
 * double-booked, a move that wins keeps its meeting with the member who moved it, and a move
 * that loses leaves the meeting where it was.
 */
import assert from "node:assert/strict";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { rescheduleByHost } from "../../src/lib/server/services/decide-booking.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { isLiveBooking } from "../../src/lib/server/domain/booking.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";
import type { App } from "../../src/lib/server/app.ts";
import { createEventType } from "./memory-app.ts";
import { at, guest, HOUR, seedTeam, seedTeamEventType, T0 } from "./teams.ts";
import { allBookings, liveOverlaps } from "./overlaps.ts";

const live = async (kv: Deno.Kv, nowMs: number) =>
  (await allBookings(kv)).filter((x) => isLiveBooking(x, nowMs));

export async function raceMembersMoves(kv: Deno.Kv, a: App, b: App): Promise<void> {
  const { team, users } = await seedTeam(a, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  for (const u of users) await createEventType(a, u, { slug: "own", requiresConfirmation: false });
  await seedTeamEventType(a, team, { slug: "rr", teamMode: "round_robin", durationMin: 30 });
  // Nine meetings, three with each member, at different times.
  const made: BookingRecord[] = [];
  for (let i = 0; i < 9; i++) {
    const r = await bookTeamSlot(a, {
      team: "crew",
      slug: "rr",
      start: at(T0 + (8 + i) * HOUR),
      ...guest(i),
    });
    assert.ok(r.ok, JSON.stringify(r));
    made.push((await getBooking(kv, r.bookingId))!);
  }
  // First the members alone: every member moves every meeting of theirs to one time, twice,
  // from both processes. Then a second time raced by moves, round-robin requests and each
  // member's own page at once.
  const rounds = [
    { target: at(T0 + 20 * HOUR), others: false },
    { target: at(T0 + 21 * HOUR), others: true },
  ];
  for (const { target, others } of rounds) {
    const current = (await live(kv, a.now())).filter((x) => x.teamId);
    const results = await Promise.all([
      ...current.flatMap((m, i) => [
        rescheduleByHost(i % 2 ? a : b, m.hostId, m.id, target),
        rescheduleByHost(i % 2 ? b : a, m.hostId, m.id, target),
      ]),
      ...(others
        ? [
          ...Array.from({ length: 6 }, (_, i) =>
            bookTeamSlot(i % 2 ? a : b, {
              team: "crew",
              slug: "rr",
              start: target,
              ...guest(100 + i),
            })),
          ...users.map((u, i) =>
            bookSlot(i % 2 ? a : b, {
              username: u.username,
              slug: "own",
              start: target,
              ...guest(200 + i),
            })
          ),
        ]
        : []),
    ]);
    assert.ok(results.some((r) => r.ok), `someone got ${target}`);
    if (!others) {
      // Each member free there: each moves one meeting of theirs, and keeps it.
      assert.equal(results.filter((r) => r.ok).length, users.length, target);
    }
    const after = await live(kv, a.now());
    assert.deepEqual(liveOverlaps(after, a.now()), [], `${target}: nobody double-booked`);
    // Each of the nine meetings is live exactly once — moved or where it was — and with the
    // member it had: a member's move never hands a meeting to another member.
    for (const m of made) {
      const chain = after.filter((x) => x.guestEmail === m.guestEmail);
      assert.equal(chain.length, 1, `${m.guestEmail}: ${chain.map((x) => x.id).join(", ")}`);
      assert.equal(chain[0].hostId, m.hostId, `${target}: ${m.guestEmail} stays with its member`);
    }
  }
}
