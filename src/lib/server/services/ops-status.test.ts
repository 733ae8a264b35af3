import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { keys } from "../store/keys.ts";
import { enqueue, newOutboxRecord } from "../store/outbox.ts";
import type { CalendarBusyHeadRecord } from "../domain/model/records.ts";
import { calendarSyncStats, outboxStats, readiness } from "./ops-status.ts";

const head = (id: string, syncedAtMs: number | null): CalendarBusyHeadRecord => ({
  v: 1,
  calendarId: id,
  accountId: "acc",
  gen: syncedAtMs === null ? null : "g1",
  fromMs: 0,
  toMs: 0,
  syncedAtMs,
  attemptedAtMs: null,
  error: null,
  ctag: null,
  syncToken: null,
  etagDigest: null,
  hostTimeZone: null,
  events: 0,
  skipped: [],
});

Deno.test("calendarSyncStats: a calendar read too long ago or never counts as fail-closed; age is the oldest", async () => {
  const app = await memoryApp({ env: { INVITO_SYNC_INTERVAL: "15m" } });
  try {
    const now = app.now();
    await app.kv.set(keys.calendarBusyHead("h1", "fresh"), head("fresh", now - 60_000));
    await app.kv.set(keys.calendarBusyHead("h1", "stale"), head("stale", now - 31 * 60_000));
    await app.kv.set(keys.calendarBusyHead("h2", "never"), head("never", null));
    const stats = await calendarSyncStats(app, now);
    assert.deepEqual(Object.keys(stats), ["caldav"]);
    assert.equal(stats.caldav.calendars, 3);
    assert.equal(stats.caldav.failClosed, 2);
    assert.equal(stats.caldav.maxSyncAgeS, 31 * 60);
  } finally {
    app.close();
  }
});

Deno.test("readiness: an outbox job due for more than 10 minutes and not claimed makes the process not ready", async () => {
  const app = await memoryApp();
  try {
    const now = app.now();
    assert.equal((await readiness(app, now)).ready, true);
    const job = newOutboxRecord(
      { kind: "raw_mail", to: "a@example.test", subject: "s", text: "t" },
      now - 20 * 60_000,
    );
    await enqueue(app.kv.atomic(), job).commit();
    const stats = await outboxStats(app, now);
    assert.equal(stats.kinds.raw_mail.depth, 1);
    assert.equal(stats.kinds.raw_mail.oldestAgeS, 20 * 60);
    const r = await readiness(app, now);
    assert.equal(r.ready, false);
    assert.equal(r.checks.outbox.ok, false);
    assert.match(r.checks.outbox.detail, /due for 20 min/);
    assert.equal(r.checks.kv.ok, true);
  } finally {
    app.close();
  }
});
