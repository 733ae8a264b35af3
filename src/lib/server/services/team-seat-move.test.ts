/**
 * A collective time's seat keeps its time (domain/seats.ts `seatStays`): the organiser's move is
 * refused before any member's time is held, and the team commit refuses to retire a seat
 * whichever door asked — it made the seat a plain booking at the new time and took the meeting's
 * coordinator along, so the seats left behind could no longer be joined.
 */
import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { rescheduleByHost } from "./decide-booking.ts";
import { bookForPersons } from "./team-booking.ts";
import { getBooking } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { keys } from "../store/keys.ts";
import { liveSeats } from "../domain/seats.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import type { CoordinatorRecord } from "../domain/model/records.ts";

const T1 = "2026-11-23T10:00:00Z";
const T3 = "2026-11-23T16:00:00Z";

Deno.test("team seats: neither the organiser's move of a seat nor a team commit asked to retire one moves it — the seat, its meeting's coordinator and its ledger stay as they were, and the empty time stays free", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    const et = await seedTeamEventType(app, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      seats: { perTime: 3, showAttendees: false, hideCount: false },
    });
    const ids: string[] = [];
    for (const name of ["ada", "bob"]) {
      const r = await bookTeamSlot(app, {
        team: "crew",
        slug: "class",
        start: T1,
        name,
        email: `${name}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
      ids.push(r.bookingId);
    }
    const ada = (await getBooking(app.kv, ids[0]))!;
    const moved = await rescheduleByHost(app, ada.hostId, ada.id, T3);
    assert.deepEqual(moved, { ok: false, reason: "not_supported" });

    // The engine's own guard: the team protocol asked to retire the seat anyway.
    const direct = await bookForPersons(app, {
      host: { id: ada.hostId, timeZone: "UTC" },
      eventType: et,
      personIds: users.map((u) => u.id),
      startMs: Date.parse(T3),
      durationMin: 60,
      name: ada.guestName,
      email: ada.guestEmail,
      note: "",
      guestTimeZone: "UTC",
      teamId: team.id,
      rosterKey: keys.team(team.id),
      reschedule: { old: ada, by: "guest", enforceCutoff: true },
    });
    assert.deepEqual(direct, { ok: false, reason: "not_supported" });

    assert.equal((await getBooking(app.kv, ada.id))!.status, "CONFIRMED");
    const ledger = await getSeatLedger(app.kv, et.id, Date.parse(T1));
    assert.deepEqual(liveSeats(ledger, app.now()).map((x) => x.id).sort(), [...ids].sort());
    const c = (await app.kv.get<CoordinatorRecord>(keys.coordinator(ada.coordinatorId!))).value;
    assert.equal(c?.state, "committed", "the meeting keeps its coordinator");
    for (const u of users) {
      for await (const e of app.kv.list({ prefix: ["busy", u.id] })) {
        const v = e.value as { startMs: number };
        assert.notEqual(v.startMs, Date.parse(T3), `${u.username}: nothing held at the new time`);
      }
    }
  } finally {
    await settleCounts();
    app.close();
  }
});
