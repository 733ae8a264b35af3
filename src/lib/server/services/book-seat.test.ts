import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { runChange } from "./transaction.ts";
import { engineRules } from "./transaction.ts";
import { getBooking, listBusy, listBusyEntries, listHostBookings } from "../store/bookings.ts";
import { updateEventType } from "../store/event-types.ts";
import { viewBooking } from "./booking-view.ts";
import { manageState, rescheduleSlots } from "./guest-manage.ts";
import { decideBooking, rescheduleByGuest } from "./decide-booking.ts";
import { getSlotPage } from "./slot-page.ts";
import { foldSeatedRows } from "./seated-times.ts";
import { listBookingsForHost } from "./host-bookings.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { keys } from "../store/keys.ts";
import type { SeatLedgerRecord } from "../domain/model/records.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { slowCountingKv } from "../../../../tests/support/kv-probe.ts";
import { contendedKv } from "../../../../tests/support/kv-contention.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";

const allDay = () => [{ start: "00:00", end: "24:00" }];
const EVERY_DAY = {
  1: allDay(),
  2: allDay(),
  3: allDay(),
  4: allDay(),
  5: allDay(),
  6: allDay(),
  7: allDay(),
};
const AT = "2026-11-23T10:00:00Z";
const AT_MS = Date.parse(AT);

async function setup(opts: { perTime: number; requiresConfirmation?: boolean; kv?: Deno.Kv }) {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z", kv: opts.kv });
  const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
  const et = await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: opts.requiresConfirmation ?? false,
    seats: { perTime: opts.perTime, showAttendees: false, hideCount: false },
  });
  await createEventType(app, host, { slug: "call", durationMin: 30, requiresConfirmation: false });
  const book = (i: number | string, slug = "class", start = AT) =>
    bookSlot(app, {
      username: "host",
      slug,
      start,
      name: `G${i}`,
      email: `g${i}@example.test`,
      note: "",
      timeZone: "UTC",
    });
  const cancel = (bookingId: string) =>
    runChange(app, {
      rules: engineRules(app, et),
      change: () => ({ kind: "transition", bookingId, action: "cancel", by: "guest" }),
    });
  const live = async () =>
    (await listHostBookings(app.kv, host.id)).filter((b) =>
      b.eventTypeId === et.id && (b.status === "CONFIRMED" || b.status === "PENDING")
    );
  const ledger = async () =>
    (await app.kv.get<SeatLedgerRecord>(keys.seatLedger(et.id, AT_MS))).value;
  return { app, host, et, book, cancel, live, ledger };
}

Deno.test("seats: 60 simultaneous guests on a 10-seat time — exactly 10 seats, 50 × seats_full, one meeting", async () => {
  const { app, book, live, ledger } = await setup({ perTime: 10 });
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => book(i)));
  const won = results.filter((r) => r.ok);
  assert.equal(won.length, 10);
  assert.ok(results.every((r) => r.ok || r.reason === "seats_full"), JSON.stringify(results));
  const seats = await live();
  assert.equal(seats.length, 10);
  assert.equal(new Set(seats.map((b) => b.seat?.meetingId)).size, 1);
  assert.equal((await ledger())?.seats.length, 10);
  app.close();
});

Deno.test("seats: a crowd of 60 on a 10-seat time learns the time is full from one look each after the tenth seat, not in a queue one by one", async () => {
  // Every snapshot of a seat's booking reads its time's seat ledger; commits take 10 ms, so the
  // crowd waits in the host's queue.
  const probe = await slowCountingKv({ space: keys.seatLedgerPrefix("")[0], commitDelayMs: 10 });
  const raw = probe.kv;
  const { book, live } = await setup({ perTime: 10, kv: raw });
  probe.reset();
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => book(i)));
  assert.equal(results.filter((r) => r.ok).length, 10);
  assert.ok(results.every((r) => r.ok || r.reason === "seats_full"), JSON.stringify(results));
  assert.equal((await live()).length, 10);
  // Waking the crowd after the first seat made everyone look then (while nine seats were left)
  // and again in their turns after the tenth, one after another: about 120 reads.
  assert.ok(probe.reads() <= 75, `snapshot reads: ${probe.reads()}`);
  raw.close();
});

Deno.test("seats: the host's time is blocked for other event types from the first seat, free again after the last goes", async () => {
  const { app, host, book, cancel } = await setup({ perTime: 3 });
  const busy = () => listBusy(app.kv, host.id, AT_MS - 3_600_000, AT_MS + 7_200_000, app.now());
  assert.equal((await busy()).length, 0);
  const a = await book("a");
  assert.ok(a.ok);
  assert.equal((await busy()).length, 1);
  const clash = await book("x", "call", "2026-11-23T10:30:00Z");
  assert.ok(!clash.ok && clash.reason === "slot_taken", "another event type is refused");
  const b = await book("b");
  assert.ok(b.ok);
  assert.equal((await busy()).length, 1, "one meeting, one busy entry");
  const rev = async () => (await app.kv.get(keys.busyRev(host.id))).versionstamp;
  const before = await rev();
  assert.ok((await cancel(a.bookingId)).ok);
  assert.equal((await busy()).length, 1, "a seat still holds the time");
  assert.notEqual(await rev(), before, "pages keyed by the host's revision count seats anew");
  assert.ok((await cancel(b.bookingId)).ok);
  assert.equal((await busy()).length, 0, "the last seat freed the time");
  const after = await book("x", "call", "2026-11-23T10:30:00Z");
  assert.ok(after.ok);
  app.close();
});

Deno.test("seats: the host's time follows the seats left — a firm seat cancelled leaves only the other's pending hold, and the last one's cancel frees the time", async () => {
  const { app, host, book, cancel } = await setup({ perTime: 3, requiresConfirmation: true });
  const entries = () =>
    listBusyEntries(app.kv, host.id, AT_MS - 3_600_000, AT_MS + 7_200_000, app.now());
  const a = await book("a");
  const b = await book("b");
  assert.ok(a.ok && b.ok && b.status === "PENDING");
  assert.ok((await decideBooking(app, a.bookingId, "confirm", "host")).ok);
  assert.deepEqual((await entries()).map((e) => e.holdUntilMs), [null], "a firm seat: firm time");
  assert.ok((await cancel(a.bookingId)).ok);
  const holdOfB = (await getBooking(app.kv, b.bookingId))!.reservedUntilMs;
  assert.ok(holdOfB);
  assert.deepEqual(
    (await entries()).map((e) => e.holdUntilMs),
    [holdOfB],
    "only B's pending hold is left",
  );
  assert.ok((await cancel(b.bookingId)).ok);
  assert.deepEqual(await entries(), []);
  const other = await book("x", "call", "2026-11-23T10:30:00Z");
  assert.ok(other.ok, JSON.stringify(other));
  app.close();
});

Deno.test("seats: once the last pending seat's hold is over, the host's other event types may take the time (no firm block left by a cancelled firm seat)", async () => {
  const { app, book, cancel } = await setup({ perTime: 3, requiresConfirmation: true });
  const a = await book("a");
  const b = await book("b");
  assert.ok(a.ok && b.ok);
  assert.ok((await decideBooking(app, a.bookingId, "confirm", "host")).ok);
  assert.ok((await cancel(a.bookingId)).ok);
  app.clock.ms = (await getBooking(app.kv, b.bookingId))!.reservedUntilMs! + 60_000;
  const other = await book("x", "call", "2026-11-23T10:30:00Z");
  assert.ok(other.ok, JSON.stringify(other));
  app.close();
});

Deno.test("seats: the host changes the length while a lapsed seat is still listed; the new guests' meeting and its end leave no phantom block behind", async () => {
  const { app, host, et, book, cancel } = await setup({ perTime: 3, requiresConfirmation: true });
  const a = await book("a");
  const b = await book("b");
  assert.ok(a.ok && b.ok);
  assert.ok((await decideBooking(app, a.bookingId, "confirm", "host")).ok);
  assert.ok((await cancel(a.bookingId)).ok);
  // B's hold runs out unanswered (the expiry job has not run yet); the host makes it two hours
  // with half an hour before (the meeting's block starts earlier: its entry's keys change).
  app.clock.ms = (await getBooking(app.kv, b.bookingId))!.reservedUntilMs! + 60_000;
  const longer = await updateEventType(app.kv, host.id, et.id, (cur) => ({
    ...cur,
    durationMin: 120,
    bufferBeforeMin: 30,
    requiresConfirmation: false,
  }));
  assert.ok(longer.ok);
  const c = await book("c");
  assert.ok(c.ok, JSON.stringify(c));
  assert.ok((await cancel(c.bookingId)).ok);
  // Not even a lapsed entry under the old block's keys: nothing derives them any more.
  const stored = [];
  for await (const e of app.kv.list({ prefix: keys.busyPrefix(host.id) })) stored.push(e.value);
  assert.deepEqual(stored, [], "no seat left: no busy entry left");
  const other = await book("x", "call", "2026-11-23T10:30:00Z");
  assert.ok(other.ok, JSON.stringify(other));
  app.close();
});

Deno.test("seats: the same guest cannot take a second seat at one time (any letter case)", async () => {
  const { app, book } = await setup({ perTime: 5 });
  assert.ok((await book("same")).ok);
  const again = await bookSlot(app, {
    username: "host",
    slug: "class",
    start: AT,
    name: "Again",
    email: "GSAME@Example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(!again.ok && again.reason === "already_seated", JSON.stringify(again));
  app.close();
});

Deno.test("seats: a full time reopens exactly one seat when one is cancelled", async () => {
  const { app, book, cancel, live } = await setup({ perTime: 4 });
  const seated = await Promise.all([0, 1, 2, 3].map((i) => book(i)));
  assert.ok(seated.every((r) => r.ok));
  const first = seated[0] as { bookingId: string };
  assert.ok((await cancel(first.bookingId)).ok);
  const again = await Promise.all([10, 11, 12].map((i) => book(i)));
  assert.equal(again.filter((r) => r.ok).length, 1);
  assert.equal((await live()).length, 4);
  app.close();
});

Deno.test("seats: cancels and new guests racing never pass the seats", async () => {
  const { app, book, cancel, live, ledger } = await setup({ perTime: 10 });
  const first = await Promise.all(Array.from({ length: 10 }, (_, i) => book(i)));
  const ids = first.flatMap((r) => (r.ok ? [r.bookingId] : []));
  assert.equal(ids.length, 10);
  const ops = [
    ...ids.slice(0, 5).map((id) => cancel(id).then((r) => ({ cancel: r.ok }))),
    ...Array.from({ length: 30 }, (_, i) => book(100 + i).then((r) => ({ booked: r.ok }))),
  ];
  await Promise.all(ops);
  let seats = await live();
  assert.ok(seats.length <= 10 && seats.length >= 5, `${seats.length} live seats`);
  // Guests who read "full" before a cancel landed were refused; the seats left are still there.
  const late = await Promise.all(Array.from({ length: 10 }, (_, i) => book(200 + i)));
  assert.equal(late.filter((r) => r.ok).length, 10 - seats.length);
  seats = await live();
  assert.equal(seats.length, 10);
  assert.deepEqual(
    new Set((await ledger())!.seats.map(([id]) => id)),
    new Set(seats.map((b) => b.id)),
  );
  app.close();
});

Deno.test("seats: a pending seat holds its place until it is rejected; confirming keeps it", async () => {
  const { app, et, book, live } = await setup({ perTime: 2, requiresConfirmation: true });
  const a = await book("a");
  const b = await book("b");
  assert.ok(a.ok && b.ok && a.status === "PENDING");
  assert.ok(!(await book("c")).ok, "two pending seats fill the time");
  const decide = (bookingId: string, action: "confirm" | "reject") =>
    runChange(app, {
      rules: engineRules(app, et),
      change: () => ({ kind: "transition", bookingId, action, by: "host" }),
    });
  assert.ok((await decide(a.bookingId, "confirm")).ok);
  assert.ok((await decide(b.bookingId, "reject")).ok);
  const c = await book("c");
  assert.ok(c.ok);
  assert.deepEqual((await live()).map((x) => x.status).sort(), ["CONFIRMED", "PENDING"]);
  app.close();
});

Deno.test("seats: guests see each other's names only when the host shows attendees", async () => {
  for (const showAttendees of [false, true]) {
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
    await createEventType(app, host, {
      slug: "class",
      durationMin: 60,
      requiresConfirmation: false,
      seats: { perTime: 4, showAttendees, hideCount: false },
    });
    const ids: string[] = [];
    for (const g of ["Ann", "Ben", "Cay"]) {
      const r = await bookSlot(app, {
        username: "host",
        slug: "class",
        start: AT,
        name: g,
        email: `${g}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok);
      ids.push(r.bookingId);
    }
    const ben = (await getBooking(app.kv, ids[1]))!;
    const asGuest = await viewBooking(app, ben, "en");
    assert.deepEqual(asGuest.seatmates, showAttendees ? ["Ann", "Cay"] : []);
    app.close();
  }
});

Deno.test("seats: a guest moves their seat to another time — the old time gets the seat back, the new one counts it, the last seat's move frees the old time", async () => {
  const { app, host, book, ledger } = await setup({ perTime: 2 });
  const a = await book("a");
  const b = await book("b");
  assert.ok(a.ok && b.ok);
  const LATER = "2026-11-23T14:00:00Z";
  const moved = await rescheduleByGuest(app, a.guestToken, LATER);
  assert.ok(moved.ok, JSON.stringify(moved));
  assert.deepEqual((await ledger())!.seats.map(([id]) => id), [b.bookingId]);
  assert.ok((await book("c")).ok, "the old time has a seat again");
  assert.ok(!(await book("d")).ok, "and is full with it");
  const again = await rescheduleByGuest(app, b.guestToken, LATER);
  assert.ok(again.ok, JSON.stringify(again));
  const later = await bookSlot(app, {
    username: "host",
    slug: "class",
    start: LATER,
    name: "E",
    email: "e@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(!later.ok && later.reason === "seats_full", "two moved seats fill the later time");
  // The guest who moved cannot take a second seat at their new time.
  const twice = await rescheduleByGuest(app, moved.guestToken, LATER);
  assert.ok(!twice.ok);
  const busy = await listBusy(app.kv, host.id, AT_MS, AT_MS + 6 * 3_600_000, app.now());
  assert.equal(busy.length, 2, "one meeting at each time");
  app.close();
});

Deno.test("seats: the page counts seats left unless the host hides the count; a time with one seat left is still offered at its start, its neighbours not", async () => {
  for (const hideCount of [false, true]) {
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
    await createEventType(app, host, {
      slug: "class",
      durationMin: 60,
      intervalMin: 30,
      requiresConfirmation: false,
      seats: { perTime: 2, showAttendees: false, hideCount },
    });
    const r = await bookSlot(app, {
      username: "host",
      slug: "class",
      start: AT,
      name: "A",
      email: "a@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok);
    const page = await getSlotPage(app, {
      username: "host",
      slug: "class",
      timeZone: "UTC",
      date: "2026-11-23",
    });
    assert.ok(page.ok);
    const at = page.slots.find((s) => s.start === AT);
    assert.ok(at, "the time with a seat left is offered");
    assert.equal(at.seatsLeft, hideCount ? undefined : 1);
    const starts = page.slots.map((s) => s.start);
    assert.ok(!starts.includes("2026-11-23T09:30:00Z") && !starts.includes("2026-11-23T10:30:00Z"));
    assert.ok(starts.includes("2026-11-23T11:00:00Z"));
    app.close();
  }
});

Deno.test("seats: every guest gets their own reminder; the host is reminded of the meeting once", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
  await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: false,
    seats: { perTime: 5, showAttendees: false, hideCount: false },
    reminders: [{ minutesBefore: 60, toHost: true }],
  });
  for (const g of ["ann", "ben", "cay"]) {
    const r = await bookSlot(app, {
      username: "host",
      slug: "class",
      start: AT,
      name: g,
      email: `${g}@example.test`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok);
  }
  await deliverOutbox(app, app.now());
  const before = app.mailer.sent.length;
  app.clock.ms = AT_MS - 60 * 60_000;
  await deliverOutbox(app, app.now());
  const reminders = app.mailer.sent.slice(before);
  assert.deepEqual(reminders.map((m) => m.to).sort(), [
    "ann@example.test",
    "ben@example.test",
    "cay@example.test",
    host.email,
  ]);
  app.close();
});

Deno.test("seats and additional guests: each seat's colleagues get that seat's invitation only; no seat's mail, .ics or page names another seat's colleagues", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
  await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: false,
    seats: { perTime: 5, showAttendees: true, hideCount: false },
  });
  const ids: string[] = [];
  for (
    const [g, extra] of [["ann", "ann-colleague@example.test"], ["ben", "ben-boss@example.test"]]
  ) {
    const r = await bookSlot(app, {
      username: "host",
      slug: "class",
      start: AT,
      name: g,
      email: `${g}@example.test`,
      note: "",
      timeZone: "UTC",
      guests: extra,
    });
    assert.ok(r.ok, JSON.stringify(r));
    ids.push(r.bookingId);
  }
  await deliverOutbox(app, app.now());
  const to = (who: string) => app.mailer.sent.filter((m) => m.to.includes(who));
  const [annColleague] = to("ann-colleague@example.test");
  assert.ok(annColleague?.icalEvent, "ann's colleague is invited with the .ics");
  const unfolded = (ics: string) => ics.replace(/\r\n /g, "");
  assert.match(unfolded(annColleague.icalEvent!.content), /mailto:ann-colleague@example\.test/);
  assert.doesNotMatch(annColleague.icalEvent!.content, /\/booking\//, "not the guest's own link");
  for (const m of [...to("ann@example.test"), ...to("ann-colleague@example.test")]) {
    assert.doesNotMatch(`${m.text}${m.html}${unfolded(m.icalEvent?.content ?? "")}`, /ben-boss/);
  }
  for (const m of [...to("ben@example.test"), ...to("ben-boss@example.test")]) {
    assert.doesNotMatch(
      `${m.text}${m.html}${unfolded(m.icalEvent?.content ?? "")}`,
      /ann-colleague/,
    );
  }
  // Ann's own booking page shows her seatmate by name (the host shows attendees), never his guest.
  const ann = await getBooking(app.kv, ids[0]);
  const view = await viewBooking(app, ann!, "en", undefined, "guest");
  assert.doesNotMatch(JSON.stringify(view), /ben-boss/);
  assert.match(JSON.stringify(view), /ben/);
  app.close();
});

Deno.test("seats: three servers on one store, 60 guests on a 10-seat time and then cancels racing new guests — never more than 10 seats, a cancelled seat reopens once", async () => {
  // One server makes one change of a host at a time (services/transaction.ts's lanes), so only
  // servers race each other; the store is held quiet before every commit so that they do.
  const kv = contendedKv(await Deno.openKv(":memory:"));
  const first = await setup({ perTime: 10, kv });
  const servers = [first.app];
  for (let i = 0; i < 2; i++) {
    const other = await memoryApp({ nowIso: "2026-11-20T08:00:00Z", kv });
    other.hostLock = new KeyedLock();
    servers.push(other);
  }
  const book = (i: number) =>
    bookSlot(servers[i % 3], {
      username: "host",
      slug: "class",
      start: AT,
      name: `G${i}`,
      email: `g${i}@example.test`,
      note: "",
      timeZone: "UTC",
    });
  const crowd = await Promise.all(Array.from({ length: 60 }, (_, i) => book(i)));
  assert.equal(crowd.filter((r) => r.ok).length, 10);
  assert.ok(crowd.every((r) => r.ok || r.reason === "seats_full" || r.reason === "slot_taken"));
  assert.equal((await first.live()).length, 10);

  const ids = crowd.flatMap((r) => (r.ok ? [r.bookingId] : []));
  const cancel = (i: number, bookingId: string) =>
    runChange(servers[i % 3], {
      rules: engineRules(servers[i % 3], first.et),
      change: () => ({ kind: "transition", bookingId, action: "cancel", by: "guest" }),
    });
  await Promise.all([
    ...ids.slice(0, 3).map((id, i) => cancel(i, id)),
    ...Array.from({ length: 30 }, (_, i) => book(100 + i)),
  ]);
  const seats = await first.live();
  assert.ok(seats.length <= 10, `${seats.length} live seats`);
  assert.deepEqual(
    new Set((await first.ledger())!.seats.map(([id]) => id)),
    new Set(seats.map((b) => b.id)),
    "the ledger lists exactly the live seats",
  );
  await settleCounts();
  kv.close();
});

Deno.test("seats: a guest moving their seat is offered the times the move can take — the sole guest's own meeting frees its neighbours, and their own time is not offered", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
  await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    intervalMin: 30,
    requiresConfirmation: false,
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  const seat = (name: string) =>
    bookSlot(app, {
      username: "host",
      slug: "class",
      start: AT,
      name,
      email: `${name}@example.test`,
      note: "",
      timeZone: "UTC",
    });
  const ann = await seat("ann");
  assert.ok(ann.ok);
  const offered = async (token: string) => {
    const st = await manageState(app, token, "en");
    assert.ok(st.ok);
    const page = await rescheduleSlots(app, st, {
      timeZone: "UTC",
      month: null,
      date: "2026-11-23",
    });
    assert.ok(page && page.ok);
    // Their own time stands in the list as theirs (no seats count: they hold one), not offered.
    const own = page.slots.filter((s) => s.current);
    assert.deepEqual(own, [{ start: AT, label: "10:00", current: true }]);
    return page.slots.filter((s) => !s.current).map((s) => s.start.slice(11, 16))
      .filter((s) => s >= "09:00" && s <= "11:00");
  };
  // Ann alone: her meeting goes with her, so 09:30 and 10:30 are free; 10:00 is where she is.
  assert.deepEqual(await offered(ann.guestToken), ["09:00", "09:30", "10:30", "11:00"]);
  // With Bo in the same time, the meeting stays: its neighbours are taken, and Ann's own time
  // is still not hers to pick again.
  const bo = await seat("bo");
  assert.ok(bo.ok);
  assert.deepEqual(await offered(ann.guestToken), ["09:00", "11:00"]);
  // What the page offers, the move takes.
  const moved = await rescheduleByGuest(app, ann.guestToken, "2026-11-23T11:00:00Z");
  assert.ok(moved.ok, JSON.stringify(moved));
  app.close();
});

Deno.test("seats: the host's list says how many seats a time has taken whatever the list shows — the cancelled filter and a search name one seat, the count stays 3", async () => {
  const { app, host, book, cancel } = await setup({ perTime: 5 });
  try {
    const seats = [];
    for (const name of ["ann", "bo", "cat", "dan"]) seats.push(await book(name));
    assert.ok(seats.every((s) => s.ok));
    assert.ok((await cancel((seats[3] as { bookingId: string }).bookingId)).ok);
    const takenIn = async (filter: "all" | "cancelled", q = "") =>
      (await foldSeatedRows(app, await listBookingsForHost(app, host, filter, "en", q))).seated
        .map((s) => [s.taken, s.capacity, s.attendees.length]);
    assert.deepEqual(await takenIn("all"), [[3, 5, 4]]);
    assert.deepEqual(await takenIn("cancelled"), [[3, 5, 1]]);
    assert.deepEqual(await takenIn("all", "cat"), [[3, 5, 1]]);
  } finally {
    app.close();
  }
});
