/**
 * A host moves a team's booking through the JSON API (issue 28): the move goes through the
 * team's protocol (a collective meeting only to a time every member is free), keeps the host's
 * message for the guest, and "request reschedule" of a team's booking is refused with words.
 */
import assert from "node:assert/strict";
import { createEventType, memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";
import { bookTeamSlot } from "../services/team-bookings.ts";
import { bookSlot } from "../services/book-slot.ts";
import { getBooking } from "../store/bookings.ts";
import { rescheduleByGuest } from "../services/decide-booking.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-23T00:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

Deno.test("API: a host moves a collective booking only to a time every member is free, with their message; asking its guest to pick a new time is refused with words", async () => {
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" } });
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
    name: "Gus",
    email: "gus@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(r.ok, JSON.stringify(r));
  const booking = (await getBooking(app.kv, r.bookingId))!;
  const organiser = users.find((u) => u.id === booking.hostId)!;
  const other = users.find((u) => u.id !== booking.hostId)!;
  // The other member is busy at 13:00 with a meeting of their own.
  await createEventType(app, other, { slug: "own", requiresConfirmation: false });
  const own = await bookSlot(app, {
    username: other.username,
    slug: "own",
    start: at(T0 + 13 * HOUR),
    name: "Else",
    email: "else@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(own.ok, JSON.stringify(own));
  const key = await createApiKey(app, organiser, {
    name: "k",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  assert.ok(key.ok);
  const { call } = apiClient(app);

  const clash = await call("POST", `/bookings/${r.bookingId}/reschedule`, {
    key: key.secret,
    idem: "move-1",
    body: { start: at(T0 + 13 * HOUR), reason: "Room change" },
  });
  assert.equal(clash.status, 409, clash.text);
  assert.equal(clash.body.reason, "slot_taken", "a member is busy then");

  const moved = await call("POST", `/bookings/${r.bookingId}/reschedule`, {
    key: key.secret,
    idem: "move-2",
    body: { start: at(T0 + 11 * HOUR), reason: "Room change" },
  });
  assert.equal(moved.status, 201, moved.text);
  assert.equal(moved.body.start, at(T0 + 11 * HOUR));
  const successor = (await getBooking(app.kv, moved.body.id))!;
  assert.deepEqual(successor.personIds, users.map((u) => u.id).sort());
  assert.equal(successor.icalUid, `${booking.id}@invito.test`, "one meeting in calendars");
  const old = (await getBooking(app.kv, r.bookingId))!;
  assert.equal(old.status, "CANCELLED");
  assert.equal(old.cancelReason, "Room change", "the host's message reaches the guest");
  assert.equal(old.history.at(-1)!.by, "host");

  const ask = await call("POST", `/bookings/${moved.body.id}/request-reschedule`, {
    key: key.secret,
    idem: "ask-1",
    body: { reason: "Please pick again" },
  });
  assert.equal(ask.status, 409, ask.text);
  assert.equal(ask.body.reason, "team_booking");
  assert.match(ask.body.detail, /Move it to a time the team offers/);
  app.close();
});

Deno.test("API: the organiser asks the guest of a seat of a collective seated time to pick a new time — the seat leaves its meeting, and the guest's link takes a seat at the time they pick", async () => {
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" } });
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }],
  });
  await seedTeamEventType(app, team, {
    slug: "class",
    teamMode: "collective",
    durationMin: 60,
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  const book = (name: string, startMs: number) =>
    bookTeamSlot(app, {
      team: "crew",
      slug: "class",
      start: at(startMs),
      name,
      email: `${name.toLowerCase()}@example.test`,
      note: "",
      timeZone: "UTC",
    });
  const r = await book("Gus", T0 + 9 * HOUR);
  assert.ok(r.ok, JSON.stringify(r));
  const booking = (await getBooking(app.kv, r.bookingId))!;
  const organiser = users.find((u) => u.id === booking.hostId)!;
  const key = await createApiKey(app, organiser, {
    name: "k",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  assert.ok(key.ok);
  const { call } = apiClient(app);
  const ask = await call("POST", `/bookings/${r.bookingId}/request-reschedule`, {
    key: key.secret,
    idem: "ask-1",
    body: { reason: "Please pick again" },
  });
  assert.equal(ask.status, 200, ask.text);
  assert.equal(ask.body.status, "CANCELLED");
  const picked = await rescheduleByGuest(app, r.guestToken, at(T0 + 11 * HOUR));
  assert.ok(picked.ok, JSON.stringify(picked));
  assert.equal(picked.booking.rescheduledFromId, r.bookingId);
  assert.equal(picked.booking.seat?.meetingId, picked.booking.id, "the new time's first seat");
  app.close();
});
