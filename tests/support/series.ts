/**
 * A host ("coach", UTC, weekdays) with a weekly series of four dates booked by Pat from Monday
 * 2026-11-23 09:00 on, mails delivered; the dates listed in time order.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, memoryApp, WORKDAYS } from "./memory-app.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { listHostBookings } from "../../src/lib/server/store/bookings.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";

export async function seriesOf4(requiresConfirmation: boolean) {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const host = await createHost(app, { username: "coach", weekly: WORKDAYS, timeZone: "UTC" });
  await createEventType(app, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: 4, freeOnly: false },
  });
  const r = await bookSlot(app, {
    username: "coach",
    slug: "weekly",
    start: "2026-11-23T09:00:00Z",
    name: "Pat",
    email: "pat@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(r.ok, JSON.stringify(r));
  await deliverOutbox(app, app.now());
  const dates = async (): Promise<BookingRecord[]> =>
    (await listHostBookings(app.kv, host.id)).sort((a, b) => a.startMs - b.startMs);
  return { app, host, dates };
}

/** A host ("ann", UTC, weekdays) with one confirmed 30-minute chat booked by Gita, Monday 10:00. */
export async function oneChat() {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS, timeZone: "UTC" });
  await createEventType(app, host, { slug: "chat", durationMin: 30, requiresConfirmation: false });
  const r = await bookSlot(app, {
    username: "ann",
    slug: "chat",
    start: "2026-11-23T10:00:00Z",
    name: "Gita",
    email: "gita@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(r.ok, JSON.stringify(r));
  return { app, host, booking: r };
}
