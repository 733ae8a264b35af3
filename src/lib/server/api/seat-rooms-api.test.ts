/**
 * Seated times and video rooms (issue 27 audit, gap 2; ADRs 040 and 042) through the JSON API:
 * one seated time is one meeting, so every seat of it gets the same Jitsi room and another time
 * another room; a seat moved to an empty time gets a room of its own there, one moved to a time
 * with seats joins that time's room. Provider rooms (Zoom, Google Meet, Teams) are refused for
 * seated event types with a message on the place, whichever order the two are set in.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";
import { bookTeamSlot } from "../services/team-bookings.ts";
import { getBooking } from "../store/bookings.ts";
import { bookingToken } from "../services/booking-links.ts";
import { rescheduleByGuest } from "../services/decide-booking.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

const SEATS = { perTime: 3, showAttendees: false, hideCount: false };
const ROOM = /^https:\/\/meet\.example\.org\/Invito[A-Za-z0-9_-]{20}$/;

async function setup() {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  const et = await createEventType(app, host, { slug: "class", requiresConfirmation: false });
  const made = await createApiKey(app, host, {
    name: "t",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  assert.ok(made.ok);
  return { app, et, key: made.secret, call: apiClient(app).call };
}

Deno.test("API seats: every seat of one time gets the time's one Jitsi room; another time has another room; a moved seat takes its new time's room", async () => {
  const { app, et, key, call } = await setup();
  try {
    const saved = await call("PATCH", `/event-types/${et.id}`, {
      key,
      body: {
        seats: SEATS,
        locations: [{ kind: "jitsi", value: "https://meet.example.org" }],
      },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    let n = 0;
    const book = async (email: string, start: string) => {
      const res = await call("POST", "/bookings", {
        body: { username: "ann", eventType: "class", start, timeZone: "UTC", name: "G", email },
        idem: `k-${n++}`,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: string; location: { value: string }; seat: { meetingId: string } };
    };
    const a = await book("a@example.test", "2026-11-23T10:00:00Z");
    const b = await book("b@example.test", "2026-11-23T10:00:00Z");
    const c = await book("c@example.test", "2026-11-23T10:00:00Z");
    assert.equal(b.seat.meetingId, a.seat.meetingId);
    assert.match(a.location.value, ROOM);
    assert.equal(b.location.value, a.location.value, "the second seat joins the first's room");
    assert.equal(c.location.value, a.location.value, "and the third");
    const other = await book("d@example.test", "2026-11-23T11:00:00Z");
    assert.match(other.location.value, ROOM);
    assert.notEqual(other.location.value, a.location.value, "another time, another meeting");

    // The host moves a seat to an empty time: a meeting of its own there, with its own room.
    const empty = await call("POST", `/bookings/${c.id}/reschedule`, {
      key,
      body: { start: "2026-11-23T13:00:00Z" },
      idem: "move-1",
    });
    assert.equal(empty.status, 201, JSON.stringify(empty.body));
    const moved = (await call("GET", `/bookings/${empty.body.id}`, { key })).body;
    assert.match(moved.location.value, ROOM);
    assert.notEqual(moved.location.value, a.location.value, "not the room it left");
    assert.notEqual(moved.location.value, other.location.value);
    // Moved to a time with seats: that time's room.
    const joined = await call("POST", `/bookings/${b.id}/reschedule`, {
      key,
      body: { start: "2026-11-23T11:00:00Z" },
      idem: "move-2",
    });
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
    const there = (await call("GET", `/bookings/${joined.body.id}`, { key })).body;
    assert.equal(there.location.value, other.location.value, "the new time's room");

    // The host asks a seat's guest for a new time; the guest picks an empty time: a meeting of
    // its own there, with its own room — not the room of the meeting it left, which goes on.
    const asked = await call("POST", `/bookings/${a.id}/request-reschedule`, {
      key,
      body: { reason: "Room change" },
      idem: "ask-1",
    });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const token = await bookingToken(app, (await getBooking(app.kv, a.id))!, "guest");
    const picked = await rescheduleByGuest(app, token, "2026-11-23T15:00:00Z");
    assert.ok(picked.ok, JSON.stringify(picked));
    assert.match(picked.booking.location!.value, ROOM);
    assert.notEqual(picked.booking.location!.value, a.location.value, "not the room it left");
    assert.notEqual(picked.booking.location!.value, moved.location.value);
  } finally {
    app.close();
  }
});

Deno.test("API seats: Zoom, Google Meet and Teams are refused for a seated event type (400 naming the place), whichever is set first", async () => {
  const { app, et, key, call } = await setup();
  try {
    for (const kind of ["zoom", "google_meet", "teams"]) {
      const res = await call("PATCH", `/event-types/${et.id}`, {
        key,
        body: { seats: SEATS, locations: [{ kind, value: "" }] },
      });
      assert.equal(res.status, 400, `${kind}: ${JSON.stringify(res.body)}`);
      const err = res.body.errors.find((e: { field: string }) => e.field.startsWith("location"));
      assert.ok(err, JSON.stringify(res.body));
      assert.match(err.message, /seat/i, err.message);
    }
    // A seated type with Jitsi or a phone call among its places is fine.
    const fine = await call("PATCH", `/event-types/${et.id}`, {
      key,
      body: {
        seats: SEATS,
        locations: [{ kind: "jitsi", value: "" }, { kind: "phone", value: "+49 30 1234567" }],
      },
    });
    assert.equal(fine.status, 200, JSON.stringify(fine.body));
    // Seats on a type that offers Zoom: refused the same way.
    const other = await createEventType(app, { id: et.userId } as never, {
      slug: "zoomed",
      requiresConfirmation: false,
      locations: [{ kind: "zoom", value: "" }],
      location: { kind: "zoom", value: "" },
    });
    const seats = await call("PATCH", `/event-types/${other.id}`, { key, body: { seats: SEATS } });
    assert.equal(seats.status, 400, JSON.stringify(seats.body));
  } finally {
    app.close();
  }
});

Deno.test("collective seats: the first seat of a team's seated time brings the Jitsi room, every later seat joins it", async () => {
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" } });
  try {
    const { team } = await seedTeam(app, { members: [{ username: "ann" }, { username: "ben" }] });
    await seedTeamEventType(app, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      seats: SEATS,
      locations: [{ kind: "jitsi", value: "https://meet.example.org/" }],
      location: { kind: "jitsi", value: "https://meet.example.org/" },
    });
    const rooms: string[] = [];
    for (const i of [1, 2, 3]) {
      const r = await bookTeamSlot(app, {
        team: "crew",
        slug: "class",
        start: "2026-11-23T10:00:00Z",
        name: `G${i}`,
        email: `g${i}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
      rooms.push((await getBooking(app.kv, r.bookingId))!.location!.value);
    }
    assert.match(rooms[0], ROOM);
    assert.deepEqual(rooms, [rooms[0], rooms[0], rooms[0]], "one room for the time");
  } finally {
    app.close();
  }
});
