/**
 * A seated time is one meeting of one length (ADR 040): over HTTP against the built server, a
 * seated event type offering two lengths, and one whose host changed its length after the first
 * seat. Every time the page offers, a guest can take: a time whose meeting has another length is
 * not offered at this one (it showed "2 seats left" and every guest was told "just taken").
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { updateEventType } from "../../src/lib/server/store/event-types.ts";
import { slotsIn } from "../support/slots.ts";
import { signInByLink } from "../support/auth.ts";

async function post(base: string, path: string, form: Record<string, string>) {
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
  return { status: res.status, body: await res.text() };
}

const book = (base: string, start: string, who: string, duration: number) =>
  post(base, `/calendar/seats/class?/book`, {
    name: `Guest ${who}`,
    email: `${who}@example.test`,
    note: "",
    start,
    tz: "UTC",
    duration: String(duration),
  });

/** The page's times on `date` at `duration` minutes, with the seats left it shows. */
async function page(base: string, date: string, duration: number) {
  const q = new URLSearchParams({ tz: "UTC", date, duration: String(duration) });
  const html = await (await fetch(`${base}/calendar/seats/class?${q}`)).text();
  const left = new Map(
    [...html.matchAll(/data-slot="([^"]+)"(?:(?!<\/a>)[^])*?data-seats-left="(\d+)"/g)]
      .map((m) => [m[1], Number(m[2])]),
  );
  return { starts: slotsIn(html), left };
}

/** A week from today (UTC), at 10:00 UTC. */
function nextWeek() {
  const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  return { date, slot: `${date}T10:00:00Z` };
}

async function seed(durations: number[] | undefined) {
  const { dataDir, dbPath, kv, app } = await seedStore("invito-seat-lengths-");
  const allDay = [{ start: "00:00", end: "24:00" }];
  const host = await createHost(app, {
    username: "seats",
    timeZone: "UTC",
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  const et = await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    ...(durations ? { durations } : {}),
    requiresConfirmation: false,
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  kv.close();
  return { dataDir, dbPath, host, et };
}

Deno.test({
  name:
    "seats over HTTP, two lengths: after a 30-minute seat at 10:00, the 60-minute page does not offer 10:00 (every guest was told 'just taken'); the 30-minute page still shows 2 seats left and takes one",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir } = await seed([30, 60]);
    try {
      await using app = await startApp({ dataDir });
      const { date, slot } = nextWeek();
      assert.equal((await book(app.baseUrl, slot, "first", 30)).status, 303);
      const long = await page(app.baseUrl, date, 60);
      if (long.starts.includes(slot)) {
        const r = await book(app.baseUrl, slot, "long", 60);
        assert.equal(
          r.status,
          303,
          `10:00 offered at 60 minutes with ${long.left.get(slot)} seats left, then refused`,
        );
      }
      const short = await page(app.baseUrl, date, 30);
      assert.equal(short.left.get(slot), 2, "the 30-minute meeting shows its seats left");
      assert.equal((await book(app.baseUrl, slot, "short", 30)).status, 303);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "seats over HTTP, length changed: a class lengthened from 60 to 120 minutes after its first seat does not offer that time with seats left (every guest was refused), and the troubleshooter says so",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath, host, et } = await seed(undefined);
    try {
      const { date, slot } = nextWeek();
      {
        await using app = await startApp({ dataDir });
        assert.equal((await book(app.baseUrl, slot, "first", 60)).status, 303);
      }
      // The host makes the class two hours long (the editor's write, on the stopped server's store).
      const kv = await Deno.openKv(dbPath);
      await updateEventType(kv, host.id, et.id, (cur) => ({ ...cur, durationMin: 120 }));
      kv.close();
      await using app = await startApp({ dataDir });
      // The host's troubleshooter says what the page does: not offered, busy with the class.
      const signedIn = await signInByLink(app, "seats@example.test");
      const html = (await signedIn.get(`/dashboard/troubleshoot?et=${et.id}&date=${date}&at=10:00`))
        .body;
      const asked = html.slice(
        html.indexOf('data-testid="asked"'),
        html.indexOf('data-testid="starts"'),
      );
      assert.doesNotMatch(asked, /offered to guests/, "the troubleshooter explained it as offered");
      assert.match(asked, /10:00 AM: not offered/);
      const now = await page(app.baseUrl, date, 120);
      if (now.starts.includes(slot)) {
        const r = await book(app.baseUrl, slot, "second", 120);
        assert.equal(
          r.status,
          303,
          `10:00 offered with ${now.left.get(slot)} seats left, then refused`,
        );
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
