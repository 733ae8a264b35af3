import assert from "node:assert/strict";
import { seriesOf4 } from "../../../../tests/support/series.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";
import { listHostBookings } from "../store/bookings.ts";
import { bookSlot } from "../services/book-slot.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";

Deno.test("API: cancelling a date of a recurring series takes the later dates too when asked (scope: rest), else that date alone; another scope is a 400", async () => {
  const { app, host } = await seriesOf4(false);
  const made = await createApiKey(app, host, {
    name: "t",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  assert.ok(made.ok);
  const { call } = apiClient(app);
  const dates = async () =>
    (await listHostBookings(app.kv, host.id)).sort((a, b) => a.startMs - b.startMs);
  const all = await dates();
  const bad = await call("POST", `/bookings/${all[1].id}/cancel`, {
    key: made.secret,
    idem: "c0",
    body: { scope: "all" },
  });
  assert.equal(bad.status, 400);
  const one = await call("POST", `/bookings/${all[0].id}/cancel`, {
    key: made.secret,
    idem: "c1",
    body: { reason: "away" },
  });
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.deepEqual((await dates()).map((b) => b.status), [
    "CANCELLED",
    "CONFIRMED",
    "CONFIRMED",
    "CONFIRMED",
  ]);
  const rest = await call("POST", `/bookings/${all[2].id}/cancel`, {
    key: made.secret,
    idem: "c2",
    body: { scope: "rest" },
  });
  assert.equal(rest.status, 200, JSON.stringify(rest.body));
  assert.deepEqual((await dates()).map((b) => b.status), [
    "CANCELLED",
    "CONFIRMED",
    "CANCELLED",
    "CANCELLED",
  ]);
  app.close();
});

Deno.test("API: a series refused because some dates are not free names them (index and start), so a client can book the free dates only with `skip`; it said 'That time was just taken' of a free first date", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const host = await createHost(app, { username: "coach", weekly: WORKDAYS, timeZone: "UTC" });
  await createEventType(app, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: 4, freeOnly: true },
  });
  await createEventType(app, host, { slug: "chat", durationMin: 60, requiresConfirmation: false });
  const { call } = apiClient(app);
  const guest = (idem: string, extra: Record<string, unknown> = {}) =>
    call("POST", "/bookings", {
      idem,
      body: {
        username: "coach",
        eventType: extra.eventType ?? "weekly",
        start: extra.start ?? "2026-11-23T09:00:00Z",
        timeZone: "UTC",
        name: extra.name ?? "Pat",
        email: extra.email ?? "pat@example.test",
        ...(extra.skip ? { skip: extra.skip } : {}),
      },
    });
  // Someone books the series' third date first.
  const chat = await guest("b0", {
    eventType: "chat",
    start: "2026-12-07T09:00:00Z",
    name: "Kim",
    email: "kim@example.test",
  });
  assert.equal(chat.status, 201, JSON.stringify(chat.body));
  const refused = await guest("b1");
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.equal(refused.body.reason, "slot_taken");
  assert.deepEqual(refused.body.notFree, [{ index: 2, start: "2026-12-07T09:00:00Z" }]);
  const booked = await guest("b2", {
    skip: refused.body.notFree.map((d: { index: number }) => d.index),
  });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  const dates = (await listHostBookings(app.kv, host.id))
    .filter((b) => b.series).sort((a, b) => a.startMs - b.startMs);
  assert.deepEqual(dates.map((b) => new Date(b.startMs).toISOString()), [
    "2026-11-23T09:00:00.000Z",
    "2026-11-30T09:00:00.000Z",
    "2026-12-14T09:00:00.000Z",
  ]);
  app.close();
});

Deno.test("API: a date of a series booked 'free dates only' names the skipped dates (series.skipped, documented), for the host's key and in the list; a client reading the host's bookings could not tell the series had a gap", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const host = await createHost(app, { username: "coach", weekly: WORKDAYS, timeZone: "UTC" });
  await createEventType(app, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: 4, freeOnly: true },
  });
  // The dates to skip are taken: "free dates only" leaves out those not free, and no other.
  await createEventType(app, host, { slug: "call", durationMin: 60, requiresConfirmation: false });
  for (const [i, start] of ["2026-11-30T09:00:00Z", "2026-12-14T09:00:00Z"].entries()) {
    const single = await bookSlot(app, {
      username: "coach",
      slug: "call",
      start,
      name: `Sol ${i}`,
      email: `sol${i}@example.test`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(single.ok, JSON.stringify(single));
  }
  const made = await createApiKey(app, host, { name: "r", scopes: ["read"], expiresAtMs: null });
  assert.ok(made.ok);
  const { call } = apiClient(app);
  const booked = await call("POST", "/bookings", {
    idem: "s1",
    body: {
      username: "coach",
      eventType: "weekly",
      start: "2026-11-23T09:00:00Z",
      timeZone: "UTC",
      name: "Pat",
      email: "pat@example.test",
      skip: [1, 3],
    },
  });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  const skipped = ["2026-11-30T09:00:00Z", "2026-12-14T09:00:00Z"];
  assert.deepEqual(booked.body.series.skipped, skipped, JSON.stringify(booked.body.series));
  const dates = (await listHostBookings(app.kv, host.id)).filter((b) => b.series)
    .sort((a, b) => a.startMs - b.startMs);
  const one = await call("GET", `/bookings/${dates[1].id}`, { key: made.secret });
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.deepEqual(one.body.series, { id: dates[1].series!.id, index: 1, count: 2, skipped });
  const list = await call("GET", "/bookings", { key: made.secret });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  for (const b of list.body.data.filter((x: { series: unknown }) => x.series)) {
    assert.deepEqual(b.series.skipped, skipped);
  }
  // The document says what the field holds.
  const doc = (await call("GET", "/openapi.json")).body;
  const series = JSON.stringify(doc.components.schemas.Booking.properties.series);
  assert.match(series, /"skipped"/, series);
  assert.match(series, /not free/, series);
  app.close();
});
