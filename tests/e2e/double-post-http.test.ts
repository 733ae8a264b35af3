/**
 * The same booking form sent twice by one guest (a double click on "Book" without JavaScript, a
 * reload that posts again, an enhanced post sent again): the second post used to be refused by
 * the engine as a conflict, and its answer — "That time was just taken — please pick another." —
 * was what the browser showed. The guest thought they had no booking and booked another time or
 * gave up. Now the second post of the same browser is answered as the first was: the redirect to
 * the booking that exists. Another browser sending the same name, address and time still gets
 * "taken" and no link (ADR 060).
 *
 * Driven the way browsers do it: the booking page is opened first (it gives the browser its
 * cookie), then the page's own form is posted, plain and enhanced, with the browser's cookies.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { type Client, createClient } from "../support/http.ts";
import { fullDay } from "../support/slots.ts";
import { listHostBookingsAt } from "../../src/lib/server/store/booking-list.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";

const ALL_DAY = [{ start: "00:00", end: "24:00" }];
const EVERY_DAY = {
  1: ALL_DAY,
  2: ALL_DAY,
  3: ALL_DAY,
  4: ALL_DAY,
  5: ALL_DAY,
  6: ALL_DAY,
  7: ALL_DAY,
};

/** Host "ann" (UTC, all day) with a plain "call", a seated "class" and a weekly "coaching". */
async function seed() {
  const { dataDir, dbPath, kv, app } = await seedStore("invito-double-post-");
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: EVERY_DAY });
  await createEventType(app, host, { slug: "call", durationMin: 30, requiresConfirmation: false });
  await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: false,
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  await createEventType(app, host, {
    slug: "coaching",
    durationMin: 45,
    requiresConfirmation: true,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: 3, freeOnly: false },
  });
  kv.close();
  return { dataDir, dbPath, hostId: host.id };
}

/** The bookings of the host that start at `start`, read from the server's store. */
async function bookingsAt(dbPath: string, hostId: string, start: string): Promise<BookingRecord[]> {
  const kv = await Deno.openKv(dbPath);
  try {
    return await listHostBookingsAt(kv, hostId, Date.parse(start));
  } finally {
    kv.close();
  }
}

/** A browser that opened the booking form of `start` on `/calendar/ann/{slug}`. */
async function openForm(c: Client, slug: string, date: string, start: string) {
  const q = new URLSearchParams({ date, slot: start, tz: "UTC" });
  const page = await c.get(`/calendar/ann/${slug}?${q}`);
  assert.equal(page.status, 200);
  // What the page's form sends, as the browser sends it (its fill token included).
  const ft = /name="ft" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
  return (who: string) => ({
    start,
    tz: "UTC",
    clock: "24h",
    ft,
    name: `Guest ${who}`,
    email: `${who}@example.test`,
    note: "See you",
  });
}

const TAKEN = /That time was just taken — please pick another\./;
const LINK = /\/booking\/[0-9A-Z]{26}/;

Deno.test({
  name:
    "a guest's booking form sent twice (plain and enhanced, one after the other and at once) is answered both times with the one booking's page; another browser with the same details is told the time is taken",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath, hostId } = await seed();
    try {
      await using app = await startApp({ dataDir });
      const day = await fullDay(app.baseUrl, "/calendar/ann/call");
      const [s1, s2, s3] = day.slots;

      // A double click without JavaScript: two identical posts, the second after the first.
      const guest = createClient(app.baseUrl);
      const form = await openForm(guest, "call", day.date, s1);
      const first = await guest.post("/calendar/ann/call?/book", form("gita"));
      assert.equal(first.status, 303, first.body.slice(0, 300));
      assert.match(first.location!, LINK);
      const second = await guest.post("/calendar/ann/call?/book", form("gita"));
      assert.equal(
        second.status,
        303,
        `the second post: ${second.status} ${second.body.slice(0, 300)}`,
      );
      assert.equal(second.location, first.location, "the same booking's page");
      // The booking page it leads to is the guest's own, with its links.
      const shown = await guest.get(second.location!);
      assert.equal(shown.status, 200);
      assert.match(shown.body, /Guest gita/);

      // Another browser, the same name, address and time: taken, and no link to anyone's booking.
      const other = createClient(app.baseUrl);
      const otherForm = await openForm(other, "call", day.date, s1);
      const refused = await other.post("/calendar/ann/call?/book", otherForm("gita"));
      assert.equal(refused.status, 409);
      assert.match(refused.body, TAKEN);
      assert.doesNotMatch(refused.body, LINK);
      // A client without any cookie (a script that never opened the page): taken too.
      const bare = await fetch(`${app.baseUrl}/calendar/ann/call?/book`, {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams(form("gita")),
        redirect: "manual",
      });
      assert.equal(bare.status, 409);
      assert.doesNotMatch(await bare.text(), LINK);
      // The same browser with another address is someone else's booking: taken.
      const otherGuest = await guest.post("/calendar/ann/call?/book", form("hari"));
      assert.equal(otherGuest.status, 409);
      assert.doesNotMatch(otherGuest.body, LINK);
      assert.equal((await bookingsAt(dbPath, hostId, s1)).length, 1, "exactly one booking");

      // Both posts at once (the second leaves before the first is answered), then the page's
      // enhanced post sent again: every answer is the one booking's redirect.
      const form2 = await openForm(guest, "call", day.date, s2);
      const both = await Promise.all([
        guest.post("/calendar/ann/call?/book", form2("ines")),
        guest.post("/calendar/ann/call?/book", form2("ines")),
      ]);
      const form3 = await openForm(guest, "call", day.date, s3);
      const enhanced = async () =>
        (await guest.post("/calendar/ann/call?/book", form3("jo"), {
          headers: { accept: "application/json", "x-sveltekit-action": "true" },
        })).json<{ type: string; status: number; location?: string }>();
      const e1 = await enhanced();
      const e2 = await enhanced();
      assert.deepEqual(
        both.map((r) => r.status),
        [303, 303],
        JSON.stringify(both.map((r) => r.body.slice(0, 200))),
      );
      assert.equal(both[0].location, both[1].location);
      assert.equal(e1.type, "redirect", JSON.stringify(e1));
      assert.deepEqual(e2, e1, "the enhanced post sent again gets the same redirect");
      for (const at of [s1, s2, s3]) {
        assert.equal((await bookingsAt(dbPath, hostId, at)).length, 1, `one booking at ${at}`);
      }
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a seated time's form sent twice by one guest takes one seat and answers both posts with it; a repeating event type's form sent twice books one series",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath, hostId } = await seed();
    try {
      await using app = await startApp({ dataDir });
      const day = await fullDay(app.baseUrl, "/calendar/ann/class");
      const start = day.slots[2];
      const guest = createClient(app.baseUrl);
      const form = await openForm(guest, "class", day.date, start);
      const first = await guest.post("/calendar/ann/class?/book", form("kim"));
      assert.equal(first.status, 303, first.body.slice(0, 300));
      const second = await guest.post("/calendar/ann/class?/book", form("kim"));
      assert.equal(
        second.status,
        303,
        `the second post: ${second.status} ${second.body.slice(0, 300)}`,
      );
      assert.equal(second.location, first.location, "the same seat's page");
      const seats = await bookingsAt(dbPath, hostId, start);
      assert.equal(seats.length, 1, "one seat");
      // The time still offers the two other seats.
      const after = await guest.get(`/calendar/ann/class?date=${day.date}&tz=UTC`);
      assert.match(
        after.body,
        new RegExp(`data-slot="${start}"(?:(?!</a>)[^])*?data-seats-left="2"`),
      );
      // Another browser with the same address is told it holds a seat, with no link.
      const other = createClient(app.baseUrl);
      const otherForm = await openForm(other, "class", day.date, start);
      const refused = await other.post("/calendar/ann/class?/book", otherForm("kim"));
      assert.equal(refused.status, 409);
      assert.doesNotMatch(refused.body, LINK);

      // A series: the first date's page, for both posts; three dates booked once.
      const weekly = await fullDay(app.baseUrl, "/calendar/ann/coaching");
      const from = weekly.slots[1];
      const seriesForm = await openForm(guest, "coaching", weekly.date, from);
      const a = await guest.post("/calendar/ann/coaching?/book", seriesForm("lea"));
      assert.equal(a.status, 303, a.body.slice(0, 300));
      const b = await guest.post("/calendar/ann/coaching?/book", seriesForm("lea"));
      assert.equal(b.status, 303, `the second post: ${b.status} ${b.body.slice(0, 300)}`);
      assert.equal(b.location, a.location);
      assert.equal((await bookingsAt(dbPath, hostId, from)).length, 1);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a booking page gives each browser a cookie of its own for the page's path, kept pages and clicks included, and renews it; the widget stays cookie-free",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir } = await seed();
    try {
      await using app = await startApp({ dataDir });
      const page = "/calendar/ann/call";
      const setCookie = async (path: string, cookie?: string) => {
        const res = await fetch(app.baseUrl + path, { headers: cookie ? { cookie } : {} });
        await res.body?.cancel();
        assert.equal(res.status, 200, path);
        return res.headers.getSetCookie();
      };
      // Rendered, then kept inside SvelteKit, then answered before it (ADR 049): each its own.
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const [c, ...more] = await setCookie(`${page}?tz=UTC`);
        assert.deepEqual(more, []);
        assert.match(
          c,
          /^invito_booker=[A-Za-z0-9_-]{22}; Path=\/calendar\/ann\/call; Max-Age=86400; HttpOnly; SameSite=Lax$/,
        );
        seen.add(c.split(";")[0]);
      }
      assert.equal(seen.size, 4, "every browser without one gets a value of its own");
      // A browser that has one gets it back, renewed; a guest's clicks (page data) too.
      const mine = [...seen][0];
      assert.equal((await setCookie(`${page}?tz=UTC`, mine))[0].split(";")[0], mine);
      const data = await setCookie(`${page}/__data.json?tz=UTC&x-sveltekit-invalidated=01`, mine);
      assert.match(data[0], new RegExp(`^${mine}; Path=/calendar/ann/call;`));
      // The widget sets none (README: cookie-free), nor does a page that does not exist.
      assert.deepEqual(await setCookie("/widget/ann/call?tz=UTC"), []);
      const gone = await fetch(`${app.baseUrl}/calendar/ann/nothing`);
      await gone.body?.cancel();
      assert.deepEqual(gone.headers.getSetCookie(), []);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
