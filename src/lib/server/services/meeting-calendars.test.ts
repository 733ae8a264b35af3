/**
 * Both parties' calendars hold exactly what happened: every .ics each one receives is applied in
 * the order it arrived, as their calendar app would (tests/support/calendar-app.ts: ical.js and
 * python3-icalendar, which must agree).
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import {
  bookingForToken,
  cancelByGuest,
  decideBooking,
  decideByToken,
  rescheduleByGuest,
  rescheduleByHost,
} from "./decide-booking.ts";
import { bookingToken } from "./booking-links.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { expireHolds } from "../jobs/expire-holds.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { applyInvitations } from "../../../../tests/support/calendar-app.ts";

const GUEST = "ann@example.test";
const HOST = "host@example.test";

async function setup(requiresConfirmation: boolean) {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", durationMin: 30, requiresConfirmation });
  return { app, host };
}

const book = (app: TestApp, start: string) =>
  bookSlot(app, {
    username: "host",
    slug: "call",
    start,
    name: 'Ann "Nan" Lee; Jr.',
    email: GUEST,
    note: 'Bring the "blue" file, please; thanks',
    timeZone: "Europe/Berlin",
  });

/** Delivers everything due, then what each party's calendar app makes of their mail. */
async function calendars(app: TestApp) {
  await deliverOutbox(app, app.now());
  const docs = (to: string) =>
    app.mailer.sent.filter((m) => m.to === to && m.icalEvent).map((m) => m.icalEvent!.content);
  const view = async (to: string) =>
    Object.values(await applyInvitations(docs(to))).map((e) => `${e.start} ${e.status}`);
  return { guest: await view(GUEST), host: await view(HOST) };
}

async function confirmByLink(app: TestApp, guestToken: string) {
  const b = (await bookingForToken(app, guestToken, "guest"))!;
  const res = await decideByToken(app, await bookingToken(app, b, "confirm"), "confirm");
  assert.ok(res.ok, JSON.stringify(res));
  return res.booking;
}

Deno.test("calendars: book → reschedule leaves exactly the new time in both parties' calendars", async () => {
  const { app } = await setup(false);
  const first = await book(app, "2026-11-23T08:00:00Z");
  assert.ok(first.ok);
  assert.deepEqual(await calendars(app), {
    guest: ["2026-11-23T08:00:00Z CONFIRMED"],
    host: ["2026-11-23T08:00:00Z CONFIRMED"],
  });
  const moved = await rescheduleByGuest(app, first.guestToken, "2026-11-24T09:00:00Z");
  assert.ok(moved.ok, JSON.stringify(moved));
  assert.deepEqual(await calendars(app), {
    guest: ["2026-11-24T09:00:00Z CONFIRMED"],
    host: ["2026-11-24T09:00:00Z CONFIRMED"],
  });
  // The text of the event is the guest's own, every character.
  const last = app.mailer.sent.filter((m) => m.to === GUEST && m.icalEvent).at(-1)!;
  const [ev] = Object.values(await applyInvitations([last.icalEvent!.content]));
  assert.equal(ev.summary, 'call: Ann "Nan" Lee; Jr. and Host host');
  assert.match(ev.description, /Bring the "blue" file, please; thanks/);
  assert.equal(ev.attendee, 'Ann "Nan" Lee; Jr.');
  app.close();
});

Deno.test("calendars: book → reschedule → cancel leaves both calendars empty (guest or host cancelling)", async () => {
  for (const who of ["guest", "host"] as const) {
    const { app, host } = await setup(false);
    const first = await book(app, "2026-11-23T08:00:00Z");
    assert.ok(first.ok);
    const moved = await rescheduleByGuest(app, first.guestToken, "2026-11-24T09:00:00Z");
    assert.ok(moved.ok);
    await deliverOutbox(app, app.now());
    const res = who === "guest"
      ? await cancelByGuest(app, moved.guestToken, "")
      : await decideBooking(app, moved.booking.id, "cancel", "host", { hostId: host.id });
    assert.ok(res.ok);
    assert.deepEqual(await calendars(app), { guest: [], host: [] }, `cancelled by ${who}`);
    app.close();
  }
});

Deno.test("calendars: a confirmed meeting moved to a time that needs confirmation is tentative at the new time, then confirmed — or gone when declined or unanswered", async () => {
  for (const outcome of ["confirm", "reject", "expire"] as const) {
    const { app } = await setup(true);
    const first = await book(app, "2026-11-23T08:00:00Z");
    assert.ok(first.ok);
    await confirmByLink(app, first.guestToken);
    assert.deepEqual(await calendars(app), {
      guest: ["2026-11-23T08:00:00Z CONFIRMED"],
      host: ["2026-11-23T08:00:00Z CONFIRMED"],
    });
    const moved = await rescheduleByGuest(app, first.guestToken, "2026-11-24T09:00:00Z");
    assert.ok(moved.ok && moved.booking.status === "PENDING");
    assert.deepEqual(await calendars(app), {
      guest: ["2026-11-24T09:00:00Z TENTATIVE"],
      host: ["2026-11-24T09:00:00Z TENTATIVE"],
    });
    if (outcome === "confirm") await confirmByLink(app, moved.guestToken);
    else if (outcome === "reject") {
      const b = (await bookingForToken(app, moved.guestToken, "guest"))!;
      assert.ok((await decideByToken(app, await bookingToken(app, b, "reject"), "reject")).ok);
    } else {
      app.clock.ms = moved.booking.reservedUntilMs!;
      assert.equal((await expireHolds(app, app.now())).expired, 1);
    }
    const end = outcome === "confirm" ? ["2026-11-24T09:00:00Z CONFIRMED"] : [];
    assert.deepEqual(await calendars(app), { guest: end, host: end }, outcome);
    app.close();
  }
});

Deno.test("calendars: a host moving a booking keeps one meeting, confirmed at the new time", async () => {
  const { app, host } = await setup(true);
  const first = await book(app, "2026-11-23T08:00:00Z");
  assert.ok(first.ok);
  const b = await confirmByLink(app, first.guestToken);
  const moved = await rescheduleByHost(app, host.id, b.id, "2026-11-25T10:00:00Z");
  assert.ok(moved.ok && moved.booking.status === "CONFIRMED", JSON.stringify(moved));
  assert.deepEqual(await calendars(app), {
    guest: ["2026-11-25T10:00:00Z CONFIRMED"],
    host: ["2026-11-25T10:00:00Z CONFIRMED"],
  });
  app.close();
});

Deno.test("calendars: a request that was never confirmed sends no invitation and no cancellation", async () => {
  const { app } = await setup(true);
  const first = await book(app, "2026-11-23T08:00:00Z");
  assert.ok(first.ok);
  assert.ok((await cancelByGuest(app, first.guestToken, "")).ok);
  await deliverOutbox(app, app.now());
  assert.deepEqual(app.mailer.sent.filter((m) => m.icalEvent).map((m) => m.subject), []);
  app.close();
});
