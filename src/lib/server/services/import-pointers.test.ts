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
import { getZoomMeeting, insertZoomMeeting } from "../store/zoom.ts";
import { meetingUid } from "./writeback-events.ts";
import { seatedMeetingUid } from "../domain/calendar-identity.ts";

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

/**
 * A meeting's calendar UID keys records shared by the whole instance: the Zoom meeting made for
 * it and where it was written into a calendar (store/keys.ts zoomMeeting, meetingWriteback). A
 * guest learns their meeting's UID from its invitation; a file carrying it (or a seated time's
 * meeting id, its UID's root) made the importer's booking that meeting: writing the importer's
 * booking ended the host's Zoom meeting as one "handed to another member" (zoom-meetings.ts)
 * and moved the host's record of where their calendar holds it.
 */
Deno.test("an import cannot give its bookings another host's meeting in calendars and Zoom", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const victim = await createHost(app, { username: "victim", weekly: WORKDAYS });
    await createEventType(app, victim, { slug: "intro", requiresConfirmation: false });
    await createEventType(app, victim, {
      slug: "class",
      requiresConfirmation: false,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    const book = async (slug: string, start: string) => {
      const r = await bookSlot(app, {
        username: "victim",
        slug,
        start,
        name: "Mallory as a guest",
        email: "mallory@example.test",
        note: "",
        timeZone: "Europe/Berlin",
        rawAnswers: {},
      });
      assert.ok(r.ok, JSON.stringify(r));
      return (await getBooking(app.kv, r.bookingId))!;
    };
    const theirs = await book("intro", "2026-11-23T09:00:00Z");
    const theirSeat = await book("class", "2026-11-24T09:00:00Z");
    assert.ok(theirSeat.seat);
    const theirUid = meetingUid(app, theirs);
    const theirSeatUid = seatedMeetingUid(theirSeat.seat.meetingId, app.config.baseUrl.hostname);
    // The host's Zoom meeting for their booking, as their Zoom account made it.
    await insertZoomMeeting(app.kv, theirUid, {
      v: 1,
      hostId: victim.id,
      meetingId: "81234567890",
      joinUrl: "https://zoom.example/j/81234567890",
      bookingId: theirs.id,
      createdAtMs: app.now(),
    });

    const mallory = await createHost(app, { username: "mallory", weekly: WORKDAYS });
    const et = await createEventType(app, mallory, {
      slug: "intro",
      requiresConfirmation: false,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    const file = JSON.parse(await collect(exportHostJson(app, mallory)));
    const { tokenSalt: _s, hostId: _h, seat: _seat, ...shape } = theirs;
    const day = 86_400_000;
    const forged = (id: string, n: number, over: Record<string, unknown>) => ({
      ...shape,
      id,
      eventTypeId: et.id,
      guestName: "Someone",
      guestEmail: "someone@example.test",
      startMs: theirs.startMs + n * day,
      endMs: theirs.endMs + n * day,
      blockStartMs: theirs.blockStartMs + n * day,
      blockEndMs: theirs.blockEndMs + n * day,
      location: { kind: "zoom", value: "" },
      ...over,
    });
    const withUid = newId(app.now());
    const withMeeting = newId(app.now() + 1);
    const sameMeeting = newId(app.now() + 2);
    file.bookings = [
      forged(withUid, 1, { icalUid: theirUid }),
      forged(withMeeting, 2, { seat: { meetingId: theirSeat.seat.meetingId } }),
      forged(sameMeeting, 2, {
        seat: { meetingId: theirSeat.seat.meetingId },
        guestEmail: "other@example.test",
      }),
    ];
    const report = await importHostData(app, mallory, JSON.stringify(file));
    assert.ok(report.ok, JSON.stringify(report));
    assert.equal(report.bookings?.imported, 3, JSON.stringify(report));

    const imported = (await getBooking(app.kv, withUid))!;
    assert.notEqual(meetingUid(app, imported), theirUid, "the host's meeting in calendars");
    assert.equal(
      (await getZoomMeeting(app.kv, meetingUid(app, imported))).value,
      null,
      "the importer's booking names the host's Zoom meeting",
    );
    const seat = (await getBooking(app.kv, withMeeting))!;
    assert.ok(seat.seat);
    assert.notEqual(
      seatedMeetingUid(seat.seat.meetingId, app.config.baseUrl.hostname),
      theirSeatUid,
      "the host's seated time in calendars",
    );
    // The file's seats of one time stay one meeting here.
    assert.equal((await getBooking(app.kv, sameMeeting))!.seat?.meetingId, seat.seat.meetingId);
  } finally {
    app.close();
  }
});
