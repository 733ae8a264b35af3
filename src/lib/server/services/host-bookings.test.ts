import assert from "node:assert/strict";
import { listBookingsForHost } from "./host-bookings.ts";
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
