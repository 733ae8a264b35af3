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
