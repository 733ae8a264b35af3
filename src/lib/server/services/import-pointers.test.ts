/**
 * An imported booking names other bookings (the one it was moved from, the one it became) by id.
 * Only bookings of the same import may be named: a file that names another host's booking must
 * not make that booking's time, state or links readable through the importer's booking.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { exportHostJson } from "./host-data.ts";
import { importHostData } from "./host-import.ts";
import { bookSlot } from "./book-slot.ts";
import { listBookingsForHost } from "./host-bookings.ts";
import { viewBooking } from "./booking-view.ts";
import { getBooking } from "../store/bookings.ts";
import { newId } from "../store/users.ts";

const collect = async (it: AsyncIterable<string>) => {
  let s = "";
  for await (const c of it) s += c;
  return s;
};

Deno.test("an import cannot point its bookings at another host's booking", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const victim = await createHost(app, { username: "victim", weekly: WORKDAYS });
    await createEventType(app, victim, { slug: "intro", requiresConfirmation: false });
    const booked = await bookSlot(app, {
      username: "victim",
      slug: "intro",
      start: "2026-11-23T09:00:00Z",
      name: "Private Guest",
      email: "private@example.test",
      note: "",
      timeZone: "Europe/Berlin",
      rawAnswers: {},
    });
    assert.ok(booked.ok);
    const theirs = (await getBooking(app.kv, booked.bookingId))!;

    const mallory = await createHost(app, { username: "mallory", weekly: WORKDAYS });
    const et = await createEventType(app, mallory, { slug: "intro", requiresConfirmation: false });
    const file = JSON.parse(await collect(exportHostJson(app, mallory)));
    const { tokenSalt: _s, hostId: _h, ...shape } = theirs;
    const forged = (id: string, over: Record<string, unknown>) => ({
      ...shape,
      id,
      eventTypeId: et.id,
      guestName: "Mallory",
      guestEmail: "mallory@example.test",
      startMs: theirs.startMs + 86_400_000,
      endMs: theirs.endMs + 86_400_000,
      blockStartMs: theirs.blockStartMs + 86_400_000,
      blockEndMs: theirs.blockEndMs + 86_400_000,
      ...over,
    });
    const movedId = newId(app.now());
    const madeId = newId(app.now() + 1);
    file.bookings = [
      // "Moved" to the victim's booking…
      forged(movedId, {
        status: "CANCELLED",
        endReason: "rescheduled",
        rescheduledToId: theirs.id,
        history: [{ status: "CANCELLED", atMs: app.now(), by: "host" }],
      }),
      // …and "made by moving" the victim's booking.
      forged(madeId, { rescheduledFromId: theirs.id, rescheduledToId: null }),
    ];
    const report = await importHostData(app, mallory, JSON.stringify(file));
    assert.ok(report.ok, JSON.stringify(report));
    assert.equal(report.bookings?.imported, 2, JSON.stringify(report));

    const moved = (await getBooking(app.kv, movedId))!;
    const made = (await getBooking(app.kv, madeId))!;
    assert.equal(moved.rescheduledToId ?? null, null);
    assert.equal(made.rescheduledFromId ?? null, null);

    // What the importer reads: nothing of the victim's meeting.
    const view = await viewBooking(app, moved, "en", undefined, "guest");
    assert.equal(view.movedTo, null);
    assert.equal((await viewBooking(app, made, "en", undefined, "guest")).movedFrom, null);
    const rows = await listBookingsForHost(app, mallory, "all", "en");
    for (const r of rows) {
      assert.equal(r.movedTo, null, `row ${r.id} leads to another host's booking`);
      assert.deepEqual(r.previous, [], `row ${r.id} shows another host's time`);
    }
  } finally {
    app.close();
  }
});

Deno.test("an import keeps the moves between its own bookings", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, { username: "mover", weekly: WORKDAYS });
    const et = await createEventType(app, host, { slug: "intro", requiresConfirmation: false });
    const booked = await bookSlot(app, {
      username: "mover",
      slug: "intro",
      start: "2026-11-23T09:00:00Z",
      name: "Guest",
      email: "guest@example.test",
      note: "",
      timeZone: "Europe/Berlin",
      rawAnswers: {},
    });
    assert.ok(booked.ok);
    const sample = (await getBooking(app.kv, booked.bookingId))!;
    const other = await createHost(app, { username: "newhome", weekly: WORKDAYS });
    await createEventType(app, other, { slug: "intro", requiresConfirmation: false });
    const file = JSON.parse(await collect(exportHostJson(app, host)));
    const { tokenSalt: _s, hostId: _h, ...shape } = sample;
    const oldId = newId(app.now());
    const newIdOf = newId(app.now() + 1);
    const day = 86_400_000;
    file.bookings = [
      {
        ...shape,
        id: oldId,
        eventTypeId: et.id,
        status: "CANCELLED",
        endReason: "rescheduled",
        rescheduledToId: newIdOf,
        history: [{ status: "CANCELLED", atMs: app.now(), by: "guest" }],
      },
      {
        ...shape,
        id: newIdOf,
        eventTypeId: et.id,
        startMs: sample.startMs + day,
        endMs: sample.endMs + day,
        blockStartMs: sample.blockStartMs + day,
        blockEndMs: sample.blockEndMs + day,
        rescheduledFromId: oldId,
      },
    ];
    const report = await importHostData(app, other, JSON.stringify(file));
    assert.ok(report.ok, JSON.stringify(report));
    assert.equal(report.bookings?.imported, 2, JSON.stringify(report));
    assert.equal((await getBooking(app.kv, oldId))!.rescheduledToId, newIdOf);
    assert.equal((await getBooking(app.kv, newIdOf))!.rescheduledFromId, oldId);
  } finally {
    app.close();
  }
});
