/** Cancelling a seated meeting through the JSON API (POST /bookings/{id}/cancel-meeting). */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";
import { bookSlot } from "../services/book-slot.ts";
import { bookTeamSlot } from "../services/team-bookings.ts";
import { getBooking } from "../store/bookings.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

Deno.test("API seats: a host cancels a seated meeting by any of its seats — every seat cancelled with the reason, a repeat replays, a plain booking is 409 not_supported; documented in OpenAPI", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  try {
    const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
    await createEventType(app, host, {
      slug: "class",
      requiresConfirmation: false,
      seats: { perTime: 4, showAttendees: false, hideCount: false },
    });
    await createEventType(app, host, { slug: "call", requiresConfirmation: false });
    const made = await createApiKey(app, host, {
      name: "t",
      scopes: ["read", "write"],
      expiresAtMs: null,
    });
    assert.ok(made.ok);
    const key = made.secret;
    const { call } = apiClient(app);
    const book = (slug: string, name: string, start = "2026-11-23T10:00:00Z") =>
      bookSlot(app, {
        username: "ann",
        slug,
        start,
        name,
        email: `${name}@example.test`,
        note: "",
        timeZone: "UTC",
      });
    const seats = [await book("class", "a"), await book("class", "b"), await book("class", "c")];
    const plain = await book("call", "d", "2026-11-23T14:00:00Z");
    assert.ok(seats.every((s) => s.ok) && plain.ok);
    const id = seats[2].ok ? seats[2].bookingId : "";
    const res = await call("POST", `/bookings/${id}/cancel-meeting`, {
      key,
      idem: "m-1",
      body: { reason: "Room flooded" },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.cancelled, 3);
    assert.equal(res.body.start, "2026-11-23T10:00:00Z");
    for (const s of seats) {
      const one = await call("GET", `/bookings/${s.ok ? s.bookingId : ""}`, { key });
      assert.equal(one.body.state, "cancelled", JSON.stringify(one.body));
      assert.equal(one.body.cancelReason, "Room flooded");
    }
    const replay = await call("POST", `/bookings/${id}/cancel-meeting`, {
      key,
      idem: "m-1",
      body: { reason: "Room flooded" },
    });
    assert.equal(replay.status, 200);
    assert.equal(replay.body.cancelled, 3);
    const again = await call("POST", `/bookings/${id}/cancel-meeting`, {
      key,
      idem: "m-2",
      body: {},
    });
    assert.equal(again.status, 409, JSON.stringify(again.body));
    const notSeat = await call(
      "POST",
      `/bookings/${plain.ok ? plain.bookingId : ""}/cancel-meeting`,
      {
        key,
        idem: "m-3",
        body: {},
      },
    );
    assert.equal(notSeat.status, 409);
    assert.equal(notSeat.body.reason, "not_supported");
    const spec = await call("GET", "/openapi.json", {});
    const op = spec.body.paths["/bookings/{id}/cancel-meeting"]?.post;
    assert.ok(op, "documented");
    assert.equal(op.operationId, "cancelSeatedMeeting");
  } finally {
    app.close();
  }
});

Deno.test("API seats: a team's collective seated time is cancelled whole by its organiser's key — every seat cancelled, both members' time free; another member's key is told it is not theirs (404)", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(app, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      seats: { perTime: 4, showAttendees: false, hideCount: false },
    });
    const keyOf = async (i: number) => {
      const made = await createApiKey(app, users[i], {
        name: "t",
        scopes: ["read", "write"],
        expiresAtMs: null,
      });
      assert.ok(made.ok);
      return made.secret;
    };
    const { call } = apiClient(app);
    const seats = [];
    for (const name of ["a", "b"]) {
      const r = await bookTeamSlot(app, {
        team: "crew",
        slug: "class",
        start: "2026-11-23T10:00:00Z",
        name,
        email: `${name}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
      seats.push(r.bookingId);
    }
    const organiser = (await getBooking(app.kv, seats[0]))!.hostId;
    const other = users.findIndex((u) => u.id !== organiser);
    const notTheirs = await call("POST", `/bookings/${seats[0]}/cancel-meeting`, {
      key: await keyOf(other),
      idem: "t-0",
      body: {},
    });
    assert.equal(notTheirs.status, 404, JSON.stringify(notTheirs.body));
    const key = await keyOf(users.findIndex((u) => u.id === organiser));
    const res = await call("POST", `/bookings/${seats[1]}/cancel-meeting`, {
      key,
      idem: "t-1",
      body: { reason: "Room flooded" },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.cancelled, 2);
    for (const id of seats) {
      const one = await call("GET", `/bookings/${id}`, { key });
      assert.equal(one.body.state, "cancelled", JSON.stringify(one.body));
    }
    for (const u of users) {
      const busy = [];
      for await (const e of app.kv.list({ prefix: ["busy", u.id] })) busy.push(e.value);
      assert.deepEqual(busy, [], `${u.username}'s time is free`);
    }
  } finally {
    app.close();
  }
});
