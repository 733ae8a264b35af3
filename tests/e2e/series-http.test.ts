/**
 * Recurring series over HTTP against the built server (issue 25): a 12-week series raced against
 * single bookings on its 7th date, a series across DST changes as the guest's page lists it, and
 * the free dates only with the skipped ones listed — through the booking page's own form; the
 * host's insights (series kept vs cancelled) and troubleshooter (series conflict).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import { overlaps } from "../../src/lib/server/domain/interval.ts";
import type { BookingRecord, EventTypeRecord } from "../../src/lib/server/domain/model/records.ts";

type Outcome = { status: number; location: string | null; body: string };
const WEEK = 7 * 86_400_000;

async function post(base: string, path: string, form: Record<string, string>): Promise<Outcome> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** A data directory with host "coach" (all day, every day, in `timeZone`) and event types. */
async function seed(timeZone: string, types: (Partial<EventTypeRecord> & { slug: string })[]) {
  const { dataDir, dbPath, kv, app } = await seedStore("invito-series-");
  const allDay = [{ start: "00:00", end: "24:00" }];
  const host = await createHost(app, {
    username: "coach",
    timeZone,
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  for (const t of types) await createEventType(app, host, { requiresConfirmation: false, ...t });
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

/** Tomorrow (UTC) at `hour`:00 UTC. */
const tomorrowAt = (hour: number) =>
  Date.parse(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) + hour * 3_600_000;

const book = (base: string, slug: string, start: string, who: string, extra = {}) =>
  post(base, `/calendar/coach/${slug}?/book`, {
    name: `Guest ${who}`,
    email: `${who}@example.test`,
    note: "",
    start,
    tz: "UTC",
    ...extra,
  });

Deno.test({
  name:
    "series over HTTP: 12-week series raced against single bookings on their 7th date (16 races at once) — in every race the series or one single wins, never both; no 5xx",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath } = await seed("UTC", [
      { slug: "weekly", durationMin: 60, series: { everyWeeks: 1, count: 12, freeOnly: false } },
      { slug: "call", durationMin: 60 },
    ]);
    try {
      await using app = await startApp({ dataDir });
      const RACES = 16;
      const SINGLES = 4;
      const races = Array.from({ length: RACES }, (_, r) => {
        const first = tomorrowAt(r + 4);
        return { first, seventh: first + 6 * WEEK };
      });
      // Everything at once: each race's series and its singles, and the races beside each other.
      const outcomes = await Promise.all(races.map(async ({ first, seventh }, r) => {
        const all = await Promise.all([
          book(app.baseUrl, "weekly", iso(first), `series${r}`),
          ...Array.from(
            { length: SINGLES },
            (_, i) => book(app.baseUrl, "call", iso(seventh), `single${r}-${i}`),
          ),
        ]);
        return { series: all[0], singles: all.slice(1) };
      }));
      let seriesWins = 0;
      for (const [r, o] of outcomes.entries()) {
        const statuses = [o.series, ...o.singles].map((x) => x.status);
        assert.ok(statuses.every((s) => s === 303 || s === 409), `race ${r}: ${statuses}`);
        const singleWins = o.singles.filter((x) => x.status === 303).length;
        if (o.series.status === 303) {
          seriesWins++;
          assert.equal(singleWins, 0, `race ${r}: the series and a single both won`);
        } else assert.equal(singleWins, 1, `race ${r}: ${singleWins} singles won`);
      }
      // From the store: live bookings never overlap; a series won is whole (12 dates).
      const all = await bookings(dbPath);
      const live = all.filter((b) => b.status === "CONFIRMED");
      for (let i = 0; i < live.length; i++) {
        for (let j = i + 1; j < live.length; j++) {
          const a = { startMs: live[i].blockStartMs, endMs: live[i].blockEndMs };
          const b = { startMs: live[j].blockStartMs, endMs: live[j].blockEndMs };
          assert.ok(!overlaps(a, b), `${live[i].id} overlaps ${live[j].id}`);
        }
      }
      const bySeries = Map.groupBy(live.filter((b) => b.series), (b) => b.series!.id);
      assert.equal(bySeries.size, seriesWins);
      for (const occ of bySeries.values()) {
        assert.equal(occ.length, 12);
        assert.deepEqual(occ.map((b) => b.series!.index).sort((a, b) => a - b), [
          ...Array(12).keys(),
        ]);
      }
      // Nothing but finished bookings: every record is indexed for the host's lists.
      assert.equal(all.length, live.length);
      console.log(`series won ${seriesWins} of ${RACES} races`);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "series over HTTP: a 52-week series lists every date at the host's wall time across both DST changes; a guest in the host's zone reads the same time on every date, one in New York reads the hour the two zones' rules give",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath } = await seed("Europe/Berlin", [
      { slug: "weekly", durationMin: 30, series: { everyWeeks: 1, count: 52, freeOnly: false } },
    ]);
    try {
      await using app = await startApp({ dataDir });
      // Tomorrow 10:00 in Berlin.
      const date = Temporal.Now.plainDateISO("Europe/Berlin").add({ days: 1 });
      const first = date.toZonedDateTime({ timeZone: "Europe/Berlin", plainTime: "10:00" });
      const start = first.toInstant().toString();
      const page = async (tz: string) => {
        const q = new URLSearchParams({ tz, date: date.toString(), slot: start, clock: "24h" });
        const html = await (await fetch(`${app.baseUrl}/calendar/coach/weekly?${q}`)).text();
        const list = html.match(/data-testid="series-dates"[^]*?<\/ol>/)?.[0] ?? "";
        return [...list.matchAll(/<li[^>]*data-free="(yes|no)"[^>]*>([^]*?)<\/li>/g)].map((m) => ({
          free: m[1] === "yes",
          text: m[2].replace(/<!--[^]*?-->/g, "").replace(/\s+/g, " ").trim(),
        }));
      };
      const berlin = await page("Europe/Berlin");
      assert.equal(berlin.length, 52, JSON.stringify(berlin.slice(0, 2)));
      assert.ok(berlin.every((d) => d.free));
      assert.ok(
        berlin.every((d) => /10:00–10:30/.test(d.text)),
        JSON.stringify(berlin.slice(0, 3)),
      );
      // New York: 04:00 while both zones keep the same kind of time; 05:00 in the weeks between
      // the US and the EU changes (the meeting keeps Berlin's 10:00, as the host's zone rules).
      const ny = await page("America/New_York");
      const hours = new Set(ny.map((d) => d.text.match(/(\d\d):00–/)?.[1]));
      assert.deepEqual([...hours].sort(), ["04", "05"]);
      // Booked: every occurrence at 10:00 Berlin time.
      const r = await book(app.baseUrl, "weekly", start, "dst");
      assert.equal(r.status, 303, r.body.slice(0, 300));
      const made = await bookings(dbPath);
      assert.equal(made.length, 52);
      for (const b of made) {
        const wall = Temporal.Instant.fromEpochMilliseconds(b.startMs).toZonedDateTimeISO(
          "Europe/Berlin",
        );
        assert.equal(wall.toPlainTime().toString(), "10:00:00");
      }
      const offsets = new Set(made.map((b) => b.startMs % 86_400_000));
      assert.equal(offsets.size, 2, "the UTC instant moves with Berlin's clock changes");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "series over HTTP: a date taken is marked not free; with “free dates only” the form skips it and books the rest, listed with it skipped; without, the page says so and the post is refused",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath } = await seed("UTC", [
      { slug: "free", durationMin: 60, series: { everyWeeks: 2, count: 6, freeOnly: true } },
      { slug: "whole", durationMin: 60, series: { everyWeeks: 2, count: 6, freeOnly: false } },
      { slug: "call", durationMin: 60 },
    ]);
    try {
      await using app = await startApp({ dataDir });
      const first = tomorrowAt(9);
      const third = first + 4 * WEEK;
      assert.equal((await book(app.baseUrl, "call", iso(third), "single")).status, 303);
      const open = async (slug: string) => {
        const q = new URLSearchParams({
          tz: "UTC",
          date: iso(first).slice(0, 10),
          slot: iso(first),
        });
        return await (await fetch(`${app.baseUrl}/calendar/coach/${slug}?${q}`)).text();
      };
      const marksOf = (html: string) =>
        [...html.matchAll(/data-free="(yes|no)"/g)].map((m) => m[1]);
      // Booked whole: the page says the series cannot be booked at this time; the post is refused.
      const wholePage = await open("whole");
      assert.deepEqual(marksOf(wholePage), ["yes", "yes", "no", "yes", "yes", "yes"]);
      assert.match(wholePage, /this series is booked whole/);
      assert.match(wholePage, /\(not free\)/);
      // Its (disabled) button names the series' six dates: it said "Book all 5 dates".
      assert.match(wholePage, /<button[^>]*disabled[^>]*>\s*Book all 6 dates/);
      assert.equal((await book(app.baseUrl, "whole", iso(first), "whole")).status, 409);
      // Skipping is not the guest's to choose there.
      const skipped = await book(app.baseUrl, "whole", iso(first), "skipper", { skip: "2" });
      assert.equal(skipped.status, 409);
      // Free dates only: the form skips the taken date and books the other five.
      const freePage = await open("free");
      assert.deepEqual(marksOf(freePage), ["yes", "yes", "no", "yes", "yes", "yes"]);
      assert.match(freePage, /name="skip" value="2"/);
      assert.match(freePage, /Book the 5 free dates/);
      assert.match(freePage, /\(skipped\)/);
      const r = await book(app.baseUrl, "free", iso(first), "guest", { skip: "2" });
      assert.equal(r.status, 303, r.body.slice(0, 300));
      const series = (await bookings(dbPath)).filter((b) => b.series);
      assert.equal(series.length, 5);
      assert.ok(series.every((b) => b.series!.count === 5 && b.startMs !== third));
      // An hour later every date is free: the whole series is booked.
      assert.equal((await book(app.baseUrl, "whole", iso(first + 3_600_000), "later")).status, 303);
      assert.equal((await bookings(dbPath)).filter((b) => b.series).length, 5 + 6);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "series over HTTP: the guest moves one date from its own page; the series lists the moved date in its place and the others stay",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath } = await seed("UTC", [
      {
        slug: "weekly",
        durationMin: 60,
        bookingWindowDays: 120,
        series: { everyWeeks: 1, count: 3, freeOnly: false },
      },
    ]);
    try {
      await using app = await startApp({ dataDir });
      const first = tomorrowAt(9);
      const r = await book(app.baseUrl, "weekly", iso(first), "mover");
      assert.equal(r.status, 303);
      const page = await (await fetch(app.baseUrl + r.location!)).text();
      const list = page.match(/data-testid="series-list"[^]*?<\/ol>/)?.[0] ?? "";
      const links = [...list.matchAll(/href="(\/booking\/[A-Za-z0-9_-]+)"/g)].map((m) => m[1]);
      assert.equal(links.length, 2);
      const moveTo = iso(first + WEEK + 3 * 3_600_000);
      const moved = await post(app.baseUrl, `${links[0]}/reschedule`, { start: moveTo });
      assert.equal(moved.status, 303, moved.body.slice(0, 300));
      const all = await bookings(dbPath);
      const live = all.filter((b) => b.status === "CONFIRMED").sort((a, b) =>
        a.startMs - b.startMs
      );
      assert.deepEqual(live.map((b) => iso(b.startMs)), [
        iso(first),
        moveTo,
        iso(first + 2 * WEEK),
      ]);
      assert.deepEqual(live.map((b) => b.series!.index), [0, 1, 2]);
      // The first date's page lists the moved date in its place, confirmed.
      const again = await (await fetch(app.baseUrl + r.location!)).text();
      const states = [...again.matchAll(/<li data-state="([a-z]+)"/g)].map((m) => m[1]);
      assert.deepEqual(states, ["confirmed", "confirmed", "confirmed"]);
      assert.match(again, new RegExp(`${moveTo.slice(0, 10)}|12:00`));
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "series over HTTP, insights: series kept vs cancelled — dates booked, still on, cancelled by the guest — on the insights page and in its CSV export",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir } = await seed("UTC", [
      {
        slug: "weekly",
        durationMin: 60,
        bookingWindowDays: 120,
        series: { everyWeeks: 1, count: 4, freeOnly: false },
      },
    ]);
    try {
      await using app = await startApp({ dataDir });
      const first = tomorrowAt(9);
      const r = await book(app.baseUrl, "weekly", iso(first), "kept");
      assert.equal(r.status, 303, r.body.slice(0, 300));
      const page = await (await fetch(app.baseUrl + r.location!)).text();
      const list = page.match(/data-testid="series-list"[^]*?<\/ol>/)?.[0] ?? "";
      const links = [...list.matchAll(/href="(\/booking\/[A-Za-z0-9_-]+)"/g)].map((m) => m[1]);
      assert.equal(links.length, 3);
      const cancel = await post(app.baseUrl, `${links[1]}/cancel`, { reason: "", scope: "one" });
      assert.equal(cancel.status, 200, cancel.body.slice(0, 300));
      const host = await signInByLink(app, "coach@example.test");
      const q = `?from=${iso(first).slice(0, 10)}&to=${iso(first + 4 * WEEK).slice(0, 10)}`;
      const insights = await host.get(`/dashboard/insights${q}`);
      assert.equal(insights.status, 200);
      assert.match(insights.body, /Series kept vs cancelled/);
      assert.match(
        insights.body,
        /1 series · 4 dates booked, 3 still on, 1 cancelled by the guest, 0 by the host/,
      );
      const csv = await host.get(`/dashboard/insights/series.csv${q}`);
      assert.equal(csv.status, 200);
      const lines = csv.body.trim().split(/\r?\n/);
      assert.equal(
        lines[0],
        "Event type,Still on (%),Series,Dates booked,Still on,Cancelled by guest,Cancelled by host",
      );
      assert.match(lines[1], /,75,1,4,3,1,0$/, "three of four dates kept: 75 %");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "series over HTTP, troubleshooter: a start whose series has a date that is not free explains the series conflict — which date, and whether the free dates alone can be booked",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir } = await seed("UTC", [
      {
        slug: "weekly",
        durationMin: 60,
        bookingWindowDays: 120,
        series: { everyWeeks: 1, count: 4, freeOnly: false },
      },
      {
        slug: "freeonly",
        durationMin: 60,
        bookingWindowDays: 120,
        series: { everyWeeks: 1, count: 4, freeOnly: true },
      },
      { slug: "single", durationMin: 60, bookingWindowDays: 120 },
    ]);
    try {
      await using app = await startApp({ dataDir });
      const first = tomorrowAt(9);
      const third = first + 2 * WEEK;
      assert.equal((await book(app.baseUrl, "single", iso(third), "single")).status, 303);
      const host = await signInByLink(app, "coach@example.test");
      const form = (await host.get("/dashboard/troubleshoot")).body;
      const options = [...form.matchAll(/<option[^>]*value="([0-9A-Z]{26})"[^>]*>([^<]*)/g)];
      const idOf = (title: string) => options.find((o) => o[2].trim() === title)?.[1];
      const et = idOf("weekly");
      assert.ok(et, "the repeating event type is offered to troubleshoot");
      const explain = async (ms: number, id = et) => {
        const html = (await host.get(
          `/dashboard/troubleshoot?et=${id}&date=${iso(ms).slice(0, 10)}&at=${
            iso(ms).slice(11, 16)
          }`,
        )).body;
        return html.slice(
          html.indexOf('data-testid="asked"'),
          html.indexOf('data-testid="starts"'),
        );
      };
      const asked = await explain(first);
      assert.match(asked, /Series conflict: 1 of 4 dates of the series are not free/);
      const day = new Date(third).toLocaleDateString("en-US", { month: "long", day: "numeric" });
      assert.match(asked, new RegExp(`${day}[^<]*09:00|${day}[^<]*9:00`), asked);
      assert.match(asked, /The series is booked whole/);
      // Where the host allows the free dates only, the guest can book the other three.
      const freeOnly = await explain(first, idOf("freeonly"));
      assert.match(freeOnly, /Series conflict: 1 of 4 dates/);
      assert.match(freeOnly, /the guest can book the other 3, with these listed as skipped/);
      // An hour later the whole series is free.
      assert.match(await explain(first + 3_600_000), /Every date of the series \(4\) is free/);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
