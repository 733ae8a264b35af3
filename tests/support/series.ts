/** Recurring series and single chats as the service tests set them up. */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  seedStore,
  type TestApp,
  WORKDAYS,
} from "./memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "./teams.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { listHostBookings } from "../../src/lib/server/store/bookings.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";
import type { App } from "../../src/lib/server/app.ts";

/**
 * On `app`: the host "coach" (weekdays) with a weekly series of `count` dates booked by Pat from
 * Monday 2026-11-23 09:00 on, mails delivered; `dates()` lists them in time order.
 */
export async function weeklySeries(
  app: TestApp,
  opts: { count: number; requiresConfirmation: boolean; timeZone?: string },
) {
  const host = await createHost(app, {
    username: "coach",
    weekly: WORKDAYS,
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  });
  await createEventType(app, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation: opts.requiresConfirmation,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: opts.count, freeOnly: false },
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
  return { host, dates };
}

/** A fresh app (Friday 2026-11-20 08:00 UTC) with `weeklySeries` of four dates, host in UTC. */
export async function seriesOf4(requiresConfirmation: boolean) {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const { host, dates } = await weeklySeries(app, {
    count: 4,
    requiresConfirmation,
    timeZone: "UTC",
  });
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

/** Tomorrow (UTC) at `hour`:00 UTC, as epoch ms. */
export const tomorrowAtUtc = (hour: number) =>
  Date.parse(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) + hour * 3_600_000;

/** An instant as the booking form posts it ("2026-11-23T09:00:00Z"). */
export const formInstant = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/**
 * A store for the built server: the host "coach" (UTC, open around the clock) with a weekly
 * series "weekly" (Weekly coaching, an hour, `count` dates), and `more` to add further event
 * types. Returns the data folder for `startApp({ dataDir })`.
 */
export async function seriesStore(
  prefix: string,
  opts: {
    count: number;
    requiresConfirmation: boolean;
    more?: (app: App, host: Awaited<ReturnType<typeof createHost>>) => Promise<unknown>;
  },
): Promise<string> {
  const { dataDir, kv, app } = await seedStore(prefix);
  const host = await createHost(app, {
    username: "coach",
    timeZone: "UTC",
    weekly: EVERY_DAY_ALL_DAY,
  });
  await createEventType(app, host, {
    slug: "weekly",
    title: "Weekly coaching",
    durationMin: 60,
    requiresConfirmation: opts.requiresConfirmation,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: opts.count, freeOnly: false },
  });
  await opts.more?.(app, host);
  kv.close();
  return dataDir;
}
