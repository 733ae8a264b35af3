/**
 * kill -9 during a recurring series (issue 25): a worker process books a 12-week series and is
 * killed (SIGKILL) in the middle of its holds — the dates it held stay taken until the hold
 * deadline and are bookable right after it, and the cleanup job leaves a whole store (no hold, no
 * unlisted record); or killed right after its deciding commit — the dates stay taken past the
 * deadline, and the cleanup job finishes the series (12 listed bookings with their links).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot } from "../support/app.ts";
import { waitFor } from "../support/wait.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { releaseStaleHolds } from "../../src/lib/server/jobs/release-holds.ts";
import { SERIES_HOLD_MS } from "../../src/lib/server/domain/booking-engine/index.ts";
import type { BookingRecord, BusyEntryRecord } from "../../src/lib/server/domain/model/records.ts";
import { bookingsOf, entriesOf, PREFIX, readStore, storeProblems } from "./harness.ts";

const WEEK = 7 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

async function seed(dbPath: string) {
  const kv = await Deno.openKv(dbPath);
  const app = await memoryApp({ kv, nowIso: new Date().toISOString() });
  const allDay = [{ start: "00:00", end: "24:00" }];
  const host = await createHost(app, {
    username: "coach",
    timeZone: "UTC",
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  const series = { everyWeeks: 1, count: 12, freeOnly: false };
  await createEventType(app, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation: false,
    series,
  });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 120,
  });
  kv.close();
}

/** Runs the worker until it says "frozen", then kills it with SIGKILL. */
async function killFrozen(dbPath: string, start: string, at: "holds" | "commit") {
  const child = new Deno.Command(denoBin, {
    args: ["run", "-A", join(repoRoot, "tests/reliability/series-worker.ts"), dbPath, start, at],
    cwd: repoRoot,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let out = "";
  const reader = (async () => {
    for await (const chunk of child.stdout) out += new TextDecoder().decode(chunk);
  })();
  await waitFor(() => out.includes("frozen\n") || out.includes("done"), {
    timeoutMs: 60_000,
    message: "the worker froze",
  });
  child.kill("SIGKILL");
  await child.status;
  await reader;
  assert.match(out, /^frozen$/m, out);
}

const single = (app: Awaited<ReturnType<typeof memoryApp>>, startMs: number, who: string) =>
  bookSlot(app, {
    username: "coach",
    slug: "call",
    start: iso(startMs),
    name: who,
    email: `${who}@example.test`,
    note: "",
    timeZone: "UTC",
  });

Deno.test({
  name:
    "kill -9 during a series' holds: the held dates are taken until the hold deadline and free after it; the cleanup job leaves no hold and no unlisted record",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-series-kill-" });
    const dbPath = join(dir, "invito.kv");
    try {
      await seed(dbPath);
      const first = Date.parse(new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)) +
        10 * 3_600_000;
      await killFrozen(dbPath, iso(first), "holds");
      const crashed = await readStore(dbPath);
      const held = entriesOf(crashed, PREFIX.busy).map((e) => e.value as BusyEntryRecord);
      assert.ok(held.length > 0 && held.length < 12, `${held.length} dates held`);
      assert.ok(held.every((e) => e.coordinatorId && e.holdUntilMs !== null));
      assert.equal(entriesOf(crashed, PREFIX.byHostStart).length, 0, "nothing listed");
      const heldStarts = held.map((e) => e.startMs).sort((a, b) => a - b);
      const kv = await Deno.openKv(dbPath);
      try {
        // Before the deadline: a held date is taken.
        const now = await memoryApp({ kv, nowIso: new Date().toISOString() });
        const during = await single(now, heldStarts[0], "during");
        assert.deepEqual(during.ok ? "booked" : during.reason, "slot_taken");
        // After it: every date of the series is bookable, before any cleanup has run.
        const later = await memoryApp({
          kv,
          nowIso: new Date(Date.now() + SERIES_HOLD_MS + 60_000).toISOString(),
        });
        for (let i = 0; i < 12; i++) {
          const r = await single(later, first + i * WEEK, `after${i}`);
          assert.ok(r.ok, `date ${i + 1}: ${JSON.stringify(r)}`);
        }
        await releaseStaleHolds(later, later.now());
      } finally {
        kv.close();
      }
      const store = await readStore(dbPath);
      const bookings = bookingsOf(store);
      assert.equal(bookings.length, 12);
      assert.ok(bookings.every((b: BookingRecord) => !b.series), "only the singles are left");
      assert.deepEqual(storeProblems(store, { nowMs: Date.now(), ttlMs: 24 * 3_600_000 }), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "kill -9 right after a series' deciding commit: the dates stay taken past the hold deadline and the cleanup job finishes the series (12 listed bookings)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-series-kill-" });
    const dbPath = join(dir, "invito.kv");
    try {
      await seed(dbPath);
      const first = Date.parse(new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)) +
        10 * 3_600_000;
      await killFrozen(dbPath, iso(first), "commit");
      const kv = await Deno.openKv(dbPath);
      try {
        const later = await memoryApp({
          kv,
          nowIso: new Date(Date.now() + SERIES_HOLD_MS + 60_000).toISOString(),
        });
        const r = await single(later, first + 6 * WEEK, "late");
        assert.deepEqual(r.ok ? "booked" : r.reason, "slot_taken");
        await releaseStaleHolds(later, later.now());
      } finally {
        kv.close();
      }
      const store = await readStore(dbPath);
      const bookings = bookingsOf(store);
      assert.equal(bookings.length, 12);
      assert.equal(entriesOf(store, PREFIX.byHostStart).length, 12);
      assert.ok(bookings.every((b) => b.series?.count === 12 && b.status === "CONFIRMED"));
      assert.deepEqual(storeProblems(store, { nowMs: Date.now(), ttlMs: 24 * 3_600_000 }), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
