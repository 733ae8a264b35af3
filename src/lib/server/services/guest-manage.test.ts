/**
 * What a guest's booking link offers them: a move to a time it does not have (never to where it
 * is), their own clock on the reschedule page, and no changes once the host's cutoff has passed.
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { bookingForToken, rescheduleByGuest, rescheduleByHost } from "./decide-booking.ts";
import { manageState, rescheduleSlots } from "./guest-manage.ts";
import { hostMoveView } from "./host-reschedule.ts";
import { bookTeamSlot, rescheduleTeamBooking } from "./team-bookings.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

const AT = "2026-11-23T10:00:00Z"; // a Monday

async function booked(
  app: TestApp,
  opts: { clock?: "12h" | "24h"; locale?: string; timeZone?: string } = {},
) {
  const host = await createHost(app, { timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    intervalMin: 30,
    requiresConfirmation: false,
    cancelCutoffHours: 24,
  });
  const r = await bookSlot(app, {
    username: "host",
    slug: "call",
    start: AT,
    name: "Ann",
    email: "ann@example.test",
    note: "",
    timeZone: "UTC",
    ...opts,
  });
  assert.ok(r.ok, JSON.stringify(r));
  return { host, token: r.guestToken, id: r.bookingId };
}

const times = (slots: { start: string }[]) =>
  slots.map((s) => s.start.slice(11, 16)).filter((t) => t >= "09:00" && t <= "11:00");

Deno.test("reschedule: a booking is never moved to the time it already has — refused as same_time (a start nanoseconds later too), nothing changes and nobody is mailed", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { host, token, id } = await booked(app);
  await deliverOutbox(app, app.now());
  const mailed = app.mailer.sent.length;
  for (const start of [AT, "2026-11-23T10:00:00.000000001Z", "2026-11-23T11:00:00+01:00"]) {
    const res = await rescheduleByGuest(app, token, start);
    assert.equal(res.ok ? "moved" : res.reason, "same_time", start);
  }
  const host1 = await rescheduleByHost(app, host.id, id, AT);
  assert.equal(host1.ok ? "moved" : host1.reason, "same_time", "the host neither");
  const still = (await bookingForToken(app, token, "guest"))!;
  assert.equal(still.status, "CONFIRMED");
  assert.equal(still.rescheduledToId ?? null, null);
  await deliverOutbox(app, app.now());
  assert.equal(app.mailer.sent.length, mailed, "no 'Rescheduled' mail to anyone");
  // Another time moves it.
  const moved = await rescheduleByGuest(app, token, "2026-11-23T11:00:00Z");
  assert.ok(moved.ok, JSON.stringify(moved));
  assert.equal((await getBooking(app.kv, id))!.rescheduledToId, moved.booking.id);
  await settleCounts();
  app.close();
});

Deno.test("reschedule pages: the booking's own time is not offered to it, for the guest and the host; its neighbours are (it frees them); the guest's list shows it in its place, marked current", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { host, token, id } = await booked(app);
  const st = await manageState(app, token, "en");
  assert.ok(st.ok);
  const page = await rescheduleSlots(app, st, { timeZone: "UTC", month: null, date: "2026-11-23" });
  assert.ok(page && page.ok);
  const free = page.slots.filter((s) => !s.current);
  assert.deepEqual(times(free), ["09:00", "09:30", "10:30", "11:00"]);
  assert.deepEqual(times(page.slots), ["09:00", "09:30", "10:00", "10:30", "11:00"]);
  assert.deepEqual(page.slots.filter((s) => s.current).map((s) => s.start), [AT]);
  // The day counts free times only: theirs does not make a day free.
  assert.equal(page.days.find((d) => d.date === "2026-11-23")!.slots, free.length);
  const hostPage = await hostMoveView(app, host, id, {
    date: "2026-11-23",
    month: null,
    locale: "en",
  });
  assert.ok(hostPage.ok && hostPage.page);
  // The host's picker offers choices only (its radios): no own time among them.
  assert.deepEqual(times(hostPage.page.slots), ["09:00", "09:30", "10:30", "11:00"]);
  assert.equal(hostPage.page.slots.some((s) => s.current), false);
  app.close();
});

Deno.test("reschedule: a collective team booking is not moved to its own time either, and no member's time is held for it", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { team } = await seedTeam(app, { members: [{ username: "ann" }, { username: "ben" }] });
  await seedTeamEventType(app, team, { slug: "panel", teamMode: "collective" });
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "panel",
    start: AT,
    name: "Dora",
    email: "dora@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(r.ok, JSON.stringify(r));
  const old = (await getBooking(app.kv, r.bookingId))!;
  const res = await rescheduleTeamBooking(app, old, AT, { by: "guest" });
  assert.equal(res.ok ? "moved" : res.reason, "same_time");
  const st = await manageState(app, r.guestToken, "en");
  assert.ok(st.ok);
  const page = await rescheduleSlots(app, st, { timeZone: "UTC", month: null, date: "2026-11-23" });
  assert.ok(page && page.ok);
  const free = page.slots.filter((s) => !s.current);
  assert.ok(!times(free).includes("10:00"), JSON.stringify(times(free)));
  // Shown as theirs, where it is.
  assert.deepEqual(page.slots.filter((s) => s.current).map((s) => s.start), [AT]);
  const moved = await rescheduleTeamBooking(app, old, "2026-11-23T11:00:00Z", { by: "guest" });
  assert.ok(moved.ok, JSON.stringify(moved));
  await settleCounts();
  app.close();
});

Deno.test("reschedule page: its times and the booking's heading are written on one clock — the booking's own, unless the address names one", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { token } = await booked(app, { clock: "12h", locale: "de-DE" });
  // A German page would write 24 hours; the guest chose 12.
  const st = await manageState(app, token, "de-DE");
  assert.ok(st.ok);
  assert.equal(st.clock, "12h");
  assert.match(st.view.when.time, /AM/);
  const page = await rescheduleSlots(app, st, {
    timeZone: "UTC",
    month: null,
    date: "2026-11-23",
    clock: st.clock,
    locale: "de-DE",
  });
  assert.ok(page && page.ok && page.slots.length > 0);
  assert.ok(page.slots.every((s) => /AM|PM/.test(s.label)), JSON.stringify(page.slots));
  // The address says 24 hours: everything follows it, the heading too.
  const asked = await manageState(app, token, "de-DE", { clock: "24h" });
  assert.ok(asked.ok);
  assert.equal(asked.clock, "24h");
  assert.doesNotMatch(asked.view.when.time, /AM|PM/);
  app.close();
});

Deno.test("manage: inside the host's cutoff, changes are closed and the guest is told how to reach the host", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { token } = await booked(app);
  const open = await manageState(app, token, "en");
  assert.ok(open.ok);
  assert.equal(open.blocked, null, "two days ahead: open");
  assert.equal(open.changesClosed, null);
  app.clock.ms = Date.parse(AT) - 23 * 3_600_000;
  const closed = await manageState(app, token, "en");
  assert.ok(closed.ok);
  // Its booking page, in place of Reschedule and Cancel:
  assert.equal(
    closed.changesClosed,
    "Changes are closed: Host host asks for them at least 24 hours before the start. To change or cancel, reply to your booking mail or write to host@example.test.",
  );
  // Its reschedule and cancel pages, under "This booking cannot be moved":
  assert.equal(
    closed.blocked,
    "Host host asks for changes at least 24 hours before the start. Please write to host@example.test instead.",
  );
  app.close();
});

Deno.test("reschedule: the zone the guest moved it in becomes theirs (checked as the booking form checks one; none or not a zone keeps theirs), and their reschedule page tells the booking in the page's zone; a host's move keeps the guest's zone", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { host, token } = await booked(app, { timeZone: "Asia/Kolkata" });
  // The page shows Auckland times: so does its heading of the booking's own time.
  const page = await manageState(app, token, "en", { timeZone: "Pacific/Auckland" });
  assert.ok(page.ok);
  assert.equal(page.view.when.timeZone, "Pacific/Auckland");
  assert.equal(page.view.when.time, "23:00–23:30");
  // Without one, the booking's own zone.
  const own = await manageState(app, token, "en");
  assert.ok(own.ok);
  assert.equal(own.view.when.timeZone, "Asia/Kolkata");

  const steps: [string | undefined, string, string][] = [
    ["Pacific/Auckland", "2026-11-23T11:00:00Z", "Pacific/Auckland"],
    // Not a zone, an offset, nothing: the booking's zone stays.
    ["Mars/Olympus", "2026-11-23T12:00:00Z", "Pacific/Auckland"],
    ["+05:30", "2026-11-23T13:00:00Z", "Pacific/Auckland"],
    [undefined, "2026-11-23T14:00:00Z", "Pacific/Auckland"],
    // Under its canonical name, as a booking keeps one.
    ["Asia/Calcutta", "2026-11-23T15:00:00Z", "Asia/Kolkata"],
  ];
  let link = token;
  let id = "";
  for (const [timeZone, start, want] of steps) {
    const moved = await rescheduleByGuest(app, link, start, timeZone ? { timeZone } : {});
    assert.ok(moved.ok, JSON.stringify(moved));
    assert.equal(moved.booking.guestTimeZone, want, `${timeZone} → ${want}`);
    link = moved.guestToken;
    id = moved.booking.id;
  }
  // The host moves it: the guest's zone is as it was.
  const byHost = await rescheduleByHost(app, host.id, id, "2026-11-23T16:00:00Z");
  assert.ok(byHost.ok, JSON.stringify(byHost));
  assert.equal(byHost.booking.guestTimeZone, "Asia/Kolkata");
  await settleCounts();
  app.close();
});

Deno.test("reschedule: a team booking moved by its guest (round robin, collective) takes the zone they moved it in; moved by the host, never", async () => {
  for (const teamMode of ["round_robin", "collective"] as const) {
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    const { team } = await seedTeam(app, { members: [{ username: "ann" }, { username: "ben" }] });
    await seedTeamEventType(app, team, { slug: "panel", teamMode });
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug: "panel",
      start: AT,
      name: "Dora",
      email: "dora@example.test",
      note: "",
      timeZone: "Asia/Kolkata",
    });
    assert.ok(r.ok, JSON.stringify(r));
    const old = (await getBooking(app.kv, r.bookingId))!;
    const byHost = await rescheduleTeamBooking(app, old, "2026-11-23T11:00:00Z", {
      by: "host",
      hostId: old.hostId,
      guestTimeZone: "Pacific/Auckland",
    });
    assert.ok(byHost.ok, `${teamMode}: ${JSON.stringify(byHost)}`);
    assert.equal(byHost.booking.guestTimeZone, "Asia/Kolkata", `${teamMode}: the host's move`);
    const byGuest = await rescheduleByGuest(app, byHost.guestToken, "2026-11-23T12:00:00Z", {
      timeZone: "Pacific/Auckland",
    });
    assert.ok(byGuest.ok, `${teamMode}: ${JSON.stringify(byGuest)}`);
    assert.equal(byGuest.booking.guestTimeZone, "Pacific/Auckland", `${teamMode}: the guest's`);
    await settleCounts();
    app.close();
  }
});
