/**
 * "Free dates only" leaves out the dates that are not free, and no other, over HTTP against the
 * built server: a post that names a free date in `skip` (an old page whose taken date was freed
 * meanwhile, or a hand-made post) is refused with words and books nothing — it booked the rest,
 * and every mail and page then said the left-out date "was not free".
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { postPlainRead } from "../support/http.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
/** Tomorrow (UTC) at `hour`:00 UTC. */
const tomorrowAt = (hour: number) =>
  Date.parse(new Date(Date.now() + DAY).toISOString().slice(0, 10)) + hour * 3_600_000;

async function seed() {
  const { dataDir, dbPath, kv, app } = await seedStore("invito-skip-free-");
  const allDay = [{ start: "00:00", end: "24:00" }];
  const host = await createHost(app, {
    username: "coach",
    timeZone: "UTC",
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  await createEventType(app, host, {
    slug: "free",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: 4, freeOnly: true },
  });
  await createEventType(app, host, { slug: "call", durationMin: 60, requiresConfirmation: false });
  kv.close();
  return { dataDir, dbPath };
}

async function bookings(dbPath: string): Promise<BookingRecord[]> {
  const kv = await Deno.openKv(dbPath);
  try {
    const out: BookingRecord[] = [];
    for await (const e of kv.list<BookingRecord>({ prefix: ["booking"] })) out.push(e.value);
    return out;
  } finally {
    kv.close();
  }
}

Deno.test({
  name:
    "series over HTTP: 'free dates only' refuses a skip of a free date with words (409) and books nothing; a skip of the taken date books the rest",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath } = await seed();
    try {
      await using app = await startApp({ dataDir });
      const first = tomorrowAt(9);
      const book = (slug: string, start: number, who: string, extra = {}) =>
        postPlainRead(app.baseUrl, `/calendar/coach/${slug}?/book`, {
          name: `Guest ${who}`,
          email: `${who}@example.test`,
          note: "",
          start: iso(start),
          tz: "UTC",
          ...extra,
        });
      // The third date (index 2) is taken; the fourth (index 3) is free.
      assert.equal((await book("call", first + 2 * WEEK, "single")).status, 303);
      const wrong = await book("free", first, "pat", { skip: "2,3" });
      assert.equal(wrong.status, 409, wrong.body.slice(0, 300));
      assert.match(wrong.body, /A date to leave out is free/);
      assert.equal((await bookings(dbPath)).filter((b) => b.series).length, 0);
      // The page's own post, the taken date alone: the other three are booked.
      const right = await book("free", first, "pat", { skip: "2" });
      assert.equal(right.status, 303, right.body.slice(0, 300));
      const series = (await bookings(dbPath)).filter((b) => b.series);
      assert.deepEqual(series.map((b) => b.startMs).sort(), [
        first,
        first + WEEK,
        first + 3 * WEEK,
      ]);
      assert.deepEqual(series[0].series!.skipped, [first + 2 * WEEK]);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
