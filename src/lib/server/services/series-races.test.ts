/**
 * Recurring series (docs/decisions/048-recurring-series.md) under many conflicting requests at
 * once, from two processes sharing one KV: series against single bookings on one of their
 * dates, and series against series sharing some dates. A contested time has exactly one winner,
 * a series is booked whole or not at all, refusals are answers (never exceptions), and
 * afterwards no two live bookings overlap and no hold is left behind.
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import { isLiveBooking } from "../domain/booking.ts";
import type { BusyEntryRecord } from "../domain/model/records.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { allBookings, liveOverlaps } from "../../../../tests/support/overlaps.ts";
import { contendedKv } from "../../../../tests/support/kv-contention.ts";

const WEEK = 7 * 86_400_000;
// Friday 2026-11-20 08:00 UTC; Mondays from 2026-11-23, the host works weekdays 09–17 UTC.
const MON_10 = Date.parse("2026-11-23T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

async function setup() {
  const kv = contendedKv(await Deno.openKv(":memory:"));
  const a = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  const b = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  b.hostLock = new KeyedLock(); // only the KV checks stand between them
  const host = await createHost(a, { username: "coach", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(a, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: 4, freeOnly: false },
  });
  await createEventType(a, host, { slug: "call", durationMin: 30, requiresConfirmation: false });
  return { kv, a, b, app: (i: number): TestApp => (i % 2 ? a : b) };
}

const request = (i: number, slug: string, startMs: number) => ({
  username: "coach",
  slug,
  start: iso(startMs),
  name: `Guest ${i}`,
  email: `g${i}@example.test`,
  note: "",
  timeZone: "UTC",
});

const outcome = (r: { ok: boolean; reason?: string }) => r.ok ? "ok" : r.reason!;

/** Busy entries that are not a live booking's own: holds of refused or unfinished series. */
async function strayHolds(kv: Deno.Kv, nowMs: number): Promise<string[]> {
  const live = new Set(
    (await allBookings(kv)).filter((x) => isLiveBooking(x, nowMs)).map((x) => x.id),
  );
  const out: string[] = [];
  for await (const e of kv.list<BusyEntryRecord>({ prefix: ["busy"] })) {
    if (!live.has(e.value.bookingId) || e.value.coordinatorId) out.push(JSON.stringify(e.value));
  }
  return out;
}

Deno.test("series against single bookings: 6 weekly series and 24 single bookings on its third date at once, or arriving while a series holds its first dates — the date has one winner, and a series is booked whole or not at all", async () => {
  const winners = new Set<string>();
  for (let round = 0; round < 6; round++) {
    const { kv, a, app } = await setup();
    const third = MON_10 + 2 * WEEK + (round % 2) * 30 * 60_000; // the same hour, or its second half
    // Even rounds: everything at once (the singles, being one write, tend to win). Odd rounds: the
    // singles arrive while the first series is holding its dates (they meet its hold and wait).
    let holding!: () => void;
    const held = round % 2 ? new Promise<void>((r) => (holding = r)) : Promise.resolve();
    const results = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) =>
        bookSlot(app(i), {
          ...request(i, "weekly", MON_10),
          onSeriesStep: (step: string) => {
            if (step === "hold") holding?.();
          },
        })),
      ...Array.from(
        { length: 24 },
        (_, i) => held.then(() => bookSlot(app(i), request(100 + i, "call", third))),
      ),
    ]);
    const series = results.slice(0, 6).map(outcome);
    const singles = results.slice(6).map(outcome);
    assert.ok(series.every((o) => o === "ok" || o === "slot_taken"), series.join(", "));
    assert.ok(singles.every((o) => o === "ok" || o === "slot_taken"), singles.join(", "));
    const seriesWon = series.filter((o) => o === "ok").length;
    const singleWon = singles.filter((o) => o === "ok").length;
    assert.equal(seriesWon + singleWon, 1, `round ${round}: ${series} | ${singles}`);
    winners.add(seriesWon ? "series" : "single");
    const bookings = await allBookings(kv);
    const live = bookings.filter((x) => isLiveBooking(x, a.now()));
    assert.equal(live.length, seriesWon ? 4 : 1, "a series' four dates, or the one single");
    assert.deepEqual(liveOverlaps(bookings, a.now()), []);
    assert.deepEqual(await strayHolds(kv, a.now()), [], "refused series left no holds");
    await settleCounts();
    kv.close();
  }
  assert.deepEqual([...winners].sort(), ["series", "single"], "both kinds of winner were seen");
});

Deno.test("series against series: 16 weekly series starting one, two or three weeks apart, all at once — never two on a shared date, every winner whole, no holds left", async () => {
  for (let round = 0; round < 3; round++) {
    const { kv, a, app } = await setup();
    const results = await Promise.all(
      Array.from(
        { length: 16 },
        (_, i) => bookSlot(app(i), request(i, "weekly", MON_10 + (i % 4) * WEEK)),
      ),
    );
    const outcomes = results.map(outcome);
    assert.ok(outcomes.every((o) => o === "ok" || o === "slot_taken"), outcomes.join(", "));
    // Series from weeks 1–4 all share week 4's date: exactly one of them can exist.
    assert.equal(outcomes.filter((o) => o === "ok").length, 1, `round ${round}: ${outcomes}`);
    const bookings = await allBookings(kv);
    const live = bookings.filter((x) => isLiveBooking(x, a.now()));
    assert.equal(live.length, 4);
    assert.equal(new Set(live.map((x) => x.series?.id)).size, 1, "one series, whole");
    assert.deepEqual(liveOverlaps(bookings, a.now()), []);
    assert.deepEqual(await strayHolds(kv, a.now()), []);
    await settleCounts();
    kv.close();
  }
});
