/**
 * Seats through the JSON API (issue 25): a host sets seats on an event type (bad numbers are a
 * 400 naming the field), guests book seats with Idempotency-Keys, and the slots stay offered
 * until the time is full.
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
import { createSubscription } from "../services/webhooks.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { freePort } from "../../../../tests/support/ports.ts";

Deno.test("API seats: seats are set on an event type (2–500, else a 400 naming the field); three guests share a 3-seat time, a repeated guest and a fourth are refused with reasons", async () => {
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
  const key = made.secret;
  const { call } = apiClient(app);
  for (const perTime of [1, 501, 2.5]) {
    const bad = await call("PATCH", `/event-types/${et.id}`, {
      key,
      body: { seats: { perTime, showAttendees: false, hideCount: false } },
    });
    assert.equal(bad.status, 400, `${perTime}`);
    assert.ok(
      bad.body.errors.some((e: { field: string }) => e.field.startsWith("seats")),
      JSON.stringify(bad.body),
    );
  }
  const ok = await call("PATCH", `/event-types/${et.id}`, {
    key,
    body: { seats: { perTime: 3, showAttendees: false, hideCount: false } },
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.seats, { perTime: 3, showAttendees: false, hideCount: false });
  const start = "2026-11-23T10:00:00Z";
  const book = (email: string, idem: string) =>
    call("POST", "/bookings", {
      body: {
        username: "ann",
        eventType: "class",
        start,
        timeZone: "UTC",
        name: "Guest",
        email,
      },
      idem,
    });
  const first = await book("a@example.test", "k-a");
  assert.equal(first.status, 201);
  assert.match(first.body.seat?.meetingId ?? "", /^[0-9A-Z]{26}$/, "the seat names its meeting");
  const replay = await book("a@example.test", "k-a");
  assert.equal(replay.status, 201, "the same key replays, it takes no second seat");
  const twice = await book("A@example.test", "k-a2");
  assert.equal(twice.status, 409);
  assert.equal(twice.body.reason, "already_seated");
  const second = await book("b@example.test", "k-b");
  assert.equal(second.status, 201);
  assert.equal(second.body.seat.meetingId, first.body.seat.meetingId, "one meeting");
  const slots = async () =>
    (await call(
      "GET",
      "/users/ann/event-types/class/slots?start=2026-11-23&end=2026-11-23&timeZone=UTC",
    )).body.slots.map((s: { start: string }) => s.start);
  assert.ok((await slots()).includes(start), "a seat is left");
  assert.equal((await book("c@example.test", "k-c")).status, 201);
  assert.ok(!(await slots()).includes(start), "full");
  const fourth = await book("d@example.test", "k-d");
  assert.equal(fourth.status, 409);
  assert.equal(fourth.body.reason, "seats_full", "a full time says so, not 'taken'");
  assert.match(fourth.headers.get("content-type") ?? "", /application\/problem\+json/);
  assert.match(fourth.body.detail, /Every seat at that time is taken/);
  await new Promise((r) => setTimeout(r, 0));
  app.close();
});

Deno.test("API seats: every answer and webhook names the seat's meeting, seats taken and seats per time; the host lists a seated time's attendees, a guest never sees another's", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
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
  const hits: string[] = [];
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    hits.push(await req.text());
    return new Response("ok");
  });
  try {
    const sub = await createSubscription(app, host, {
      url: `http://127.0.0.1:${port}/hooks`,
      events: ["booking.confirmed", "booking.cancelled"],
      description: "",
    });
    assert.ok(sub.ok);
    const { call } = apiClient(app);
    const start = "2026-11-23T10:00:00Z";
    const book = (email: string, name: string, slug = "class") =>
      call("POST", "/bookings", {
        body: { username: "ann", eventType: slug, start, timeZone: "UTC", name, email },
        idem: `k-${email}-${slug}`,
      });
    const ada = await book("ada@example.test", "Ada");
    assert.equal(ada.status, 201);
    assert.equal(ada.body.seat.taken, 1);
    assert.equal(ada.body.seat.capacity, 4);
    const bob = await book("bob@example.test", "Bob");
    assert.equal(bob.status, 201);
    assert.deepEqual(
      { taken: bob.body.seat.taken, capacity: bob.body.seat.capacity },
      { taken: 2, capacity: 4 },
    );
    // #4387: the second guest's answer names them alone.
    assert.doesNotMatch(JSON.stringify(bob.body), /ada@example\.test|"Ada"/);
    const listed = await call("GET", `/bookings/${bob.body.id}/attendees`, { key });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.meetingId, ada.body.seat.meetingId);
    assert.deepEqual(
      { taken: listed.body.taken, capacity: listed.body.capacity, start: listed.body.start },
      { taken: 2, capacity: 4, start },
    );
    assert.deepEqual(
      listed.body.attendees.map((x: { name: string; email: string; state: string }) =>
        `${x.name} ${x.email} ${x.state}`
      ),
      ["Ada ada@example.test confirmed", "Bob bob@example.test confirmed"],
    );
    assert.equal((await call("GET", `/bookings/${bob.body.id}/attendees`)).status, 401);
    const plain = await call("POST", "/bookings", {
      body: {
        username: "ann",
        eventType: "call",
        start: "2026-11-24T10:00:00Z",
        timeZone: "UTC",
        name: "Cy",
        email: "cy@example.test",
      },
      idem: "k-plain",
    });
    assert.equal(plain.status, 201);
    assert.equal(plain.body.seat, null);
    const notSeat = await call("GET", `/bookings/${plain.body.id}/attendees`, { key });
    assert.equal(notSeat.status, 409);
    assert.equal(notSeat.body.reason, "not_supported");
    // The host cancels Ada's seat: the webhook of the cancel counts the one seat left taken.
    const gone = await call("POST", `/bookings/${ada.body.id}/cancel`, { key, idem: "x-ada" });
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    await deliverOutbox(app, app.now(), 10_000);
    const bodies = hits.map((h) => JSON.parse(h));
    const seatOf = (type: string, id: string) =>
      bodies.find((x) => x.type === type && x.data.booking.id === id)?.data.booking.seat;
    assert.equal(seatOf("booking.confirmed", ada.body.id)?.meetingId, ada.body.seat.meetingId);
    assert.equal(seatOf("booking.confirmed", ada.body.id)?.capacity, 4);
    assert.deepEqual(seatOf("booking.cancelled", ada.body.id), {
      meetingId: ada.body.seat.meetingId,
      taken: 1,
      capacity: 4,
    });
    const after = await call("GET", `/bookings/${bob.body.id}/attendees`, { key });
    assert.deepEqual(after.body.attendees.map((x: { name: string }) => x.name), ["Bob"]);
  } finally {
    await server.shutdown();
    await new Promise((r) => setTimeout(r, 0));
    app.close();
  }
});
