import assert from "node:assert/strict";
import { backfillInsights } from "./backfill-insights.ts";
import { bookSlot } from "../services/book-slot.ts";
import { decideBooking, rescheduleByGuest } from "../services/decide-booking.ts";
import { settleCounts } from "../services/insights-count.ts";
import { readCounts } from "../store/insights.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";

const slot = (i: number) =>
  new Date(
    Date.parse("2026-11-23T08:00:00Z") + Math.floor(i / 16) * 86_400_000 +
      (i % 16) * 30 * 60_000,
  ).toISOString();

/**
 * What an older version (before counting) left in the store: `make` runs on a scratch app, whose
 * runner counts as every change does now, and everything but the insights keys is copied to
 * `app`, whose clock moves on to the scratch app's.
 */
async function beforeCounting<T>(app: TestApp, make: (scratch: TestApp) => Promise<T>) {
  const scratch = await memoryApp();
  try {
    scratch.clock.ms = app.clock.ms;
    const out = await make(scratch);
    await settleCounts();
    for await (const e of scratch.kv.list({ prefix: [] })) {
      if (String(e.key[0]).startsWith("insights")) continue;
      await app.kv.set(e.key, e.value);
    }
    app.clock.ms = scratch.clock.ms;
    return out;
  } finally {
    scratch.close();
  }
}

/**
 * The same history on a fresh KV: requests and instant bookings, then confirmations, a
 * rejection, cancellations by both sides, a reschedule and an expiry. `live`: counted as it
 * happens (the runner counts every change); else as an older version left it, uncounted.
 */
async function history(app: TestApp, live: boolean): Promise<{ id: string }> {
  if (!live) return await beforeCounting(app, (scratch) => history(scratch, true));
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", requiresConfirmation: true });
  await createEventType(app, host, { slug: "chat", requiresConfirmation: false });
  const ids: string[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await bookSlot(app, {
      username: "host",
      slug: i % 3 === 0 ? "chat" : "call",
      start: slot(i * 2),
      name: `G${i}`,
      email: `g${i}@example.test`,
      note: "",
      timeZone: "Europe/Berlin",
    });
    assert.ok(res.ok);
    ids.push(res.bookingId);
    tokens.push(res.guestToken);
    app.clock.ms += 60_000;
  }
  const decide = async (
    i: number,
    action: "confirm" | "reject" | "cancel",
    by: "host" | "guest",
  ) => {
    const res = await decideBooking(app, ids[i], action, by);
    assert.ok(res.ok, `${action} ${i}`);
    app.clock.ms += 60_000;
  };
  await decide(1, "confirm", "host");
  await decide(2, "reject", "host");
  await decide(4, "confirm", "host");
  await decide(4, "cancel", "guest");
  await decide(3, "cancel", "host");
  await decide(5, "confirm", "host");
  const moved = await rescheduleByGuest(app, tokens[5], slot(40));
  assert.ok(moved.ok);
  // The rest of the requests expire unanswered.
  app.clock.ms += 25 * 3_600_000;
  for (const i of [7, 8]) {
    const res = await decideBooking(app, ids[i], "expire", "system");
    assert.ok(res.ok);
  }
  await settleCounts();
  return host;
}

async function all(app: TestApp, hostId: string) {
  const out: string[] = [];
  for (const family of ["ev", "mt"] as const) {
    for (const r of await readCounts(app.kv, hostId, family, "2026-01-01", "2027-12-31")) {
      out.push(`${family} ${r.day} ${r.metric} ${r.n}`);
    }
  }
  return out.sort();
}

Deno.test("backfill: bookings made before counting began are counted exactly as live counting would have, once", async () => {
  const live = await memoryApp();
  const old = await memoryApp();
  try {
    const liveHost = await history(live, true);
    const oldHost = await history(old, false);
    assert.deepEqual(await all(old, oldHost.id), []);
    old.clock.ms += 5 * 60_000; // counting begins after the history (the upgrade)
    // Small steps: progress is committed with each step's counts.
    const first = await backfillInsights(old, old.now(), 20_000);
    assert.deepEqual(first, { counted: 11, done: true });
    const expected = await all(live, liveHost.id);
    assert.ok(expected.length > 20);
    assert.deepEqual(await all(old, oldHost.id), expected);
    // Run again, or by a second process at once: nothing more is counted.
    const again = await Promise.all([
      backfillInsights(old, old.now()),
      backfillInsights(old, old.now()),
    ]);
    assert.deepEqual(again.map((r) => r.counted), [0, 0]);
    assert.deepEqual(await all(old, oldHost.id), expected);
  } finally {
    live.close();
    old.close();
  }
});

Deno.test("backfill: a booking made before counting began and confirmed after counts once, with its live change", async () => {
  const app = await memoryApp();
  try {
    // Made by the older version: the host, the event type and the request, uncounted.
    const { host, res } = await beforeCounting(app, async (scratch) => {
      const host = await createHost(scratch, { weekly: WORKDAYS });
      await createEventType(scratch, host, { slug: "call", requiresConfirmation: true });
      const res = await bookSlot(scratch, {
        username: "host",
        slug: "call",
        start: slot(0),
        name: "Ann",
        email: "ann@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      return { host, res };
    });
    assert.ok(res.ok);
    app.clock.ms += 5 * 60_000;
    // The new version starts: the host confirms (counted live), then the backfill runs.
    const confirmed = await decideBooking(app, res.bookingId, "confirm", "host");
    assert.ok(confirmed.ok);
    await settleCounts();
    await backfillInsights(app, app.now());
    const counts = await all(app, host.id);
    assert.deepEqual(counts.filter((c) => c.startsWith("ev")), [
      "ev 2026-11-20 by.guest 1",
      "ev 2026-11-20 confirmed 1",
      "ev 2026-11-20 confirmed.page 1",
      "ev 2026-11-20 submitted 1",
      "ev 2026-11-20 submitted.page 1",
    ]);
    assert.ok(counts.includes("mt 2026-11-23 stage.confirmed 1"));
    assert.ok(!counts.some((c) => c.includes("stage.pending")), counts.join("\n"));
  } finally {
    app.close();
  }
});
