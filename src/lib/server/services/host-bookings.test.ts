import assert from "node:assert/strict";
import { listBookingPageForHost, listBookingsForHost, PAST_PAGE } from "./host-bookings.ts";
import { keys } from "../store/keys.ts";
import { newId } from "../store/users.ts";
import type { BookingRecord, EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
} from "../../../../tests/support/memory-app.ts";

/** A confirmed booking written straight to the store (the booking flow has its own tests). */
async function insertBooking(
  app: TestApp,
  host: UserRecord,
  et: EventTypeRecord,
  extra: Partial<BookingRecord> = {},
) {
  const startMs = Date.parse("2026-11-23T09:00:00Z");
  const b: BookingRecord = {
    v: 1,
    id: newId(app.now()),
    hostId: host.id,
    eventTypeId: et.id,
    eventTitle: et.title,
    durationMin: 30,
    startMs,
    endMs: startMs + 30 * 60_000,
    blockStartMs: startMs,
    blockEndMs: startMs + 30 * 60_000,
    status: "CONFIRMED",
    guestName: "Bob",
    guestEmail: "bob@example.test",
    guestNote: "",
    guestTimeZone: "Europe/Berlin",
    hostTimeZone: host.timeZone,
    createdAtMs: app.now(),
    reservedUntilMs: null,
    decidedAtMs: app.now(),
    endReason: null,
    history: [{ status: "CONFIRMED", atMs: app.now(), by: "guest" }],
    tokenSalt: "salt",
    ...extra,
  };
  await app.kv.atomic()
    .set(keys.booking(b.id), b)
    .set(keys.bookingByHostStart(host.id, b.startMs, b.id), b.id)
    .commit();
  return b;
}

Deno.test("listBookingsForHost: a booking shows the guest's answers (labelled as asked) and where it happens", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { username: "alice" });
  const et = await createEventType(app, host, { slug: "intro" });
  await insertBooking(app, host, et, {
    answers: [
      { questionId: "topic001", label: "Topic", value: "Pricing" },
      { questionId: "extra001", label: "Anything else?", value: "" },
    ],
    location: { kind: "video", value: "https://meet.example.org/alice" },
  });
  const rows = await listBookingsForHost(app, host, "all");
  assert.equal(rows.length, 1);
  assert.deepEqual(
    rows[0].answers,
    [{ label: "Topic", value: "Pricing" }],
    "unanswered optional questions are left out",
  );
  assert.equal(rows[0].location, "Video call: https://meet.example.org/alice");
  assert.equal(rows[0].locationUrl, "https://meet.example.org/alice");
  app.close();
});

Deno.test("listBookingsForHost: bookings made before questions and locations existed show neither", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { username: "alice" });
  const et = await createEventType(app, host, { slug: "intro" });
  await insertBooking(app, host, et);
  const [row] = await listBookingsForHost(app, host, "all");
  assert.deepEqual(row.answers, []);
  assert.equal(row.location, "");
  assert.equal(row.locationUrl, null);
  app.close();
});

Deno.test("listBookingsForHost: only a video location with an https link becomes a link", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { username: "alice" });
  const et = await createEventType(app, host, { slug: "intro" });
  await insertBooking(app, host, et, {
    location: { kind: "custom", value: "https://example.org but call first" },
  });
  const [row] = await listBookingsForHost(app, host, "all");
  assert.equal(row.location, "https://example.org but call first");
  assert.equal(row.locationUrl, null);
  app.close();
});

Deno.test("listBookingPageForHost: every waiting and upcoming booking, and the 100 most recent past ones; 'older' shows more", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app);
    const et = await createEventType(app, host, { slug: "call" });
    const HOUR = 3_600_000;
    const now = app.now();
    // 130 past meetings, one an hour back from yesterday; three to come.
    for (let i = 0; i < 130; i++) {
      const startMs = now - 24 * HOUR - i * HOUR;
      await insertBooking(app, host, et, {
        id: newId(startMs),
        startMs,
        endMs: startMs + 30 * 60_000,
        guestName: `Past ${i}`,
      });
    }
    for (let i = 0; i < 3; i++) {
      const startMs = now + 24 * HOUR + i * HOUR;
      await insertBooking(app, host, et, {
        id: newId(startMs + 1),
        startMs,
        endMs: startMs + 30 * 60_000,
        guestName: `Next ${i}`,
      });
    }
    const first = await listBookingPageForHost(app, host, "all", "en", "", PAST_PAGE);
    assert.equal(first.olderPast, 30);
    assert.deepEqual(first.rows.filter((r) => r.group === "upcoming").length, 3);
    const past = first.rows.filter((r) => r.group === "past");
    assert.equal(past.length, 100);
    assert.deepEqual([past[0].guestName, past[99].guestName], ["Past 0", "Past 99"]);
    const more = await listBookingPageForHost(app, host, "all", "en", "", PAST_PAGE + 200);
    assert.equal(more.olderPast, 0);
    assert.equal(more.rows.length, 133);
    // A search looks through the whole history, and pages what it finds.
    const found = await listBookingPageForHost(app, host, "all", "en", "Past 12", PAST_PAGE);
    assert.deepEqual(found.rows.map((r) => r.guestName).sort(), [
      "Past 12",
      "Past 120",
      "Past 121",
      "Past 122",
      "Past 123",
      "Past 124",
      "Past 125",
      "Past 126",
      "Past 127",
      "Past 128",
      "Past 129",
    ]);
  } finally {
    app.close();
  }
});

Deno.test("listBookingPageForHost: a search finds a meeting by its other attendees too (a guest's guests, a poll's voters), by name or address", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { username: "alice" });
  const et = await createEventType(app, host, { slug: "intro" });
  await insertBooking(app, host, et, {
    eventTitle: "Sync",
    guestName: "Ann",
    guestEmail: "ann@example.test",
    additionalGuests: ["ben@example.test", "cleo@example.test"],
    additionalGuestNames: { "ben@example.test": "Ben Miller" },
  });
  await insertBooking(app, host, et, { guestName: "Dora", guestEmail: "dora@example.test" });
  const found = async (q: string) =>
    (await listBookingPageForHost(app, host, "all", "en", q, PAST_PAGE)).rows.map((r) =>
      r.guestName
    );
  assert.deepEqual(await found("Ben"), ["Ann"]);
  assert.deepEqual(await found("MILLER"), ["Ann"]);
  assert.deepEqual(await found("ben@example.test"), ["Ann"]);
  assert.deepEqual(await found("Cleo@Example"), ["Ann"]);
  assert.deepEqual(await found("dora"), ["Dora"]);
  assert.deepEqual(await found("nobody"), []);
  app.close();
});

Deno.test("listBookingPageForHost: a search ignores accents as well as case — 'jose' and 'NUNEZ' find José Núñez, 'zoe' finds Zoë's guest", async () => {
  const app = await memoryApp();
  const host = await createHost(app, { username: "alice" });
  const et = await createEventType(app, host, { slug: "intro" });
  await insertBooking(app, host, et, { guestName: "José Núñez", guestEmail: "jn@example.test" });
  await insertBooking(app, host, et, {
    guestName: "Ann",
    guestEmail: "ann@example.test",
    additionalGuests: ["zoe@example.test"],
    additionalGuestNames: { "zoe@example.test": "Zoë Brontë" },
  });
  const found = async (q: string) =>
    (await listBookingPageForHost(app, host, "all", "en", q, PAST_PAGE)).rows.map((r) =>
      r.guestName
    );
  assert.deepEqual(await found("jose"), ["José Núñez"]);
  assert.deepEqual(await found("NUNEZ"), ["José Núñez"]);
  assert.deepEqual(await found("josé"), ["José Núñez"]);
  assert.deepEqual(await found("bronte"), ["Ann"]);
  app.close();
});
