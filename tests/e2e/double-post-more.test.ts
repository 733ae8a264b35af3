/**
 * The same booking form sent twice by one guest, where ADR 060's first answer did not reach
 * (docs/decisions/060-repeated-booking-posts.md, amendment of 2026-11-27):
 *
 * - a round-robin team page booked a second member for the second post (two meetings for one
 *   guest); now the second post, and any number of identical posts at once, lead to one booking;
 * - a single-use link told its own guest's second post "this link was used";
 * - a repeating event type's second post, arriving while the first post's series was still being
 *   held, was told the time was taken.
 *
 * Driven the way browsers do it: the page is opened first (it gives the browser its cookie), then
 * its form is posted with the browser's cookies. Another browser is still refused, without a link.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  appOnStore,
  createEventType,
  createHost,
  recordingMailer,
  seedStore,
} from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { type Client, createClient } from "../support/http.ts";
import { fullDay } from "../support/slots.ts";
import { waitFor } from "../support/wait.ts";
import { listNewestBookingsAt } from "../../src/lib/server/store/booking-list.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { linkToken, mintSingleUseLink } from "../../src/lib/server/services/single-use-links.ts";
import { BOOKER_COOKIE, bookerTag } from "../../src/lib/server/http/booker-cookie.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";
import { METRICS_ENV, metricsText, metricValue } from "../support/metrics.ts";

const SECRET = "double-post-more-".padEnd(64, "s");
const TAKEN = /That time was just taken — please pick another\./;
const LINK = /\/booking\/[^"'\s<]+/;

/** A store with host "ann" (a link's "call", a weekly "coaching") and team "crew" ("intro"). */
async function seed() {
  const { dataDir, dbPath, kv, app } = await seedStore("invito-double-post-more-");
  const ann = await createHost(app, { username: "ann", timeZone: "UTC", weekly: allWeek() });
  const call = await createEventType(app, ann, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: false,
  });
  await createEventType(app, ann, {
    slug: "coaching",
    durationMin: 45,
    requiresConfirmation: false,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: 12, freeOnly: false },
  });
  const { team } = await seedTeam(app, {
    slug: "crew",
    members: [{ username: "tom" }, { username: "uma" }, { username: "vic" }],
  });
  await seedTeamEventType(app, team, {
    slug: "intro",
    teamMode: "round_robin",
    durationMin: 30,
  });
  kv.close();
  return { dataDir, dbPath, ann, call, teamId: team.id };
}

function allWeek() {
  const day = [{ start: "00:00", end: "24:00" }];
  return { 1: day, 2: day, 3: day, 4: day, 5: day, 6: day, 7: day };
}

/** An app on the server's store with the server's secret (links and tokens are the server's). */
async function sideApp(dbPath: string) {
  const kv = await Deno.openKv(dbPath);
  const app = await appOnStore(kv, {
    INVITO_DB_PATH: dbPath,
    INVITO_SESSION_SECRET: SECRET,
    INVITO_DISABLE_CRON: "true",
  }, { mailer: recordingMailer() });
  return { app, kv };
}

async function newestAt(
  dbPath: string,
  list: { hostId: string } | { teamId: string },
  start: string,
): Promise<BookingRecord[]> {
  const kv = await Deno.openKv(dbPath);
  try {
    return await listNewestBookingsAt(kv, list, Date.parse(start));
  } finally {
    kv.close();
  }
}

/** A browser that opened the booking form of `start` on `page`: its form's fields by guest. */
async function openForm(c: Client, page: string, date: string, start: string) {
  const q = new URLSearchParams({ date, slot: start, tz: "UTC" });
  const res = await c.get(`${page}?${q}`);
  assert.equal(res.status, 200, `${page}: ${res.status}`);
  const ft = /name="ft" value="([^"]+)"/.exec(res.body)?.[1] ?? "";
  return (who: string) => ({
    start,
    tz: "UTC",
    clock: "24h" as const,
    ft,
    name: `Guest ${who}`,
    email: `${who}@example.test`,
    note: "See you",
  });
}

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "a round-robin team page's form sent twice books one member and answers both posts with that booking; twelve identical posts at once make one booking and all lead to it",
  async fn() {
    const { dataDir, dbPath, teamId } = await seed();
    try {
      await using app = await startApp({ dataDir, env: { INVITO_SESSION_SECRET: SECRET } });
      const page = "/team/crew/intro";
      const day = await fullDay(app.baseUrl, page);
      const [s1, s2] = day.slots;

      const guest = createClient(app.baseUrl);
      const form = await openForm(guest, page, day.date, s1);
      const first = await guest.post(`${page}?/book`, form("gita"));
      assert.equal(first.status, 303, first.body.slice(0, 300));
      const second = await guest.post(`${page}?/book`, form("gita"));
      assert.equal(second.status, 303, `second: ${second.status} ${second.body.slice(0, 300)}`);
      assert.equal(second.location, first.location, "the first booking's page");
      const made = await newestAt(dbPath, { teamId }, s1);
      assert.equal(made.filter((b) => b.status === "CONFIRMED").length, 1, "one meeting");

      // Another browser with the same details: a booking of its own (another member is free),
      // never a link to the first one's.
      const other = createClient(app.baseUrl);
      const otherForm = await openForm(other, page, day.date, s1);
      const theirs = await other.post(`${page}?/book`, otherForm("gita"));
      assert.notEqual(theirs.location ?? "", first.location);

      // Twelve identical posts at once (a browser re-posting in a burst): one booking.
      const form2 = await openForm(guest, page, day.date, s2);
      const burst = await Promise.all(
        Array.from({ length: 12 }, () => guest.post(`${page}?/book`, form2("hana"))),
      );
      assert.deepEqual(
        burst.map((r) => r.status),
        Array(12).fill(303),
        JSON.stringify(burst.map((r) => r.body.slice(0, 120))),
      );
      assert.equal(new Set(burst.map((r) => r.location)).size, 1, "every answer, one booking");
      const booked = await newestAt(dbPath, { teamId }, s2);
      assert.equal(booked.length, 1, "exactly one booking");
      assert.match(burst[0].location!, new RegExp(booked[0].id));
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name:
    "a single-use link's form sent twice by its guest is answered both times with the booking (sent in turn and at once); another browser is told the link was used, without a link",
  async fn() {
    const { dataDir, dbPath, ann, call } = await seed();
    try {
      await using app = await startApp({ dataDir, env: { INVITO_SESSION_SECRET: SECRET } });
      const side = await sideApp(dbPath);
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) {
        const minted = await mintSingleUseLink(side.app, ann, call.id, {
          expiresOn: "",
          guestEmail: "",
          label: `link ${i}`,
        });
        assert.ok(minted.ok);
        tokens.push(await linkToken(side.app, minted.link));
      }
      side.kv.close();
      const day = await fullDay(app.baseUrl, "/calendar/ann/call");
      const [s1, s2] = day.slots;

      const guest = createClient(app.baseUrl);
      const page = `/calendar/ann/once/${tokens[0]}`;
      const form = await openForm(guest, page, day.date, s1);
      const first = await guest.post(`${page}?/book`, form("ines"));
      assert.equal(first.status, 303, first.body.slice(0, 300));
      const second = await guest.post(`${page}?/book`, form("ines"));
      assert.equal(second.status, 303, `second: ${second.status} ${second.body.slice(0, 300)}`);
      assert.equal(second.location, first.location);

      // Another browser on the same link, same details: used, and no link to the booking.
      const other = createClient(app.baseUrl);
      const used = await other.post(`${page}?/book`, form("ines"));
      assert.equal(used.status, 410);
      assert.doesNotMatch(used.body, LINK);

      // Both posts at once on a fresh link: one booking, both answers lead to it.
      const page2 = `/calendar/ann/once/${tokens[1]}`;
      const form2 = await openForm(guest, page2, day.date, s2);
      const both = await Promise.all([
        guest.post(`${page2}?/book`, form2("jo")),
        guest.post(`${page2}?/book`, form2("jo")),
      ]);
      assert.deepEqual(both.map((r) => r.status), [303, 303], both[1].body.slice(0, 300));
      assert.equal(both[0].location, both[1].location);
      assert.equal((await newestAt(dbPath, { hostId: ann.id }, s2)).length, 1);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name:
    "a repeating event type's form sent again while the first post's series is still being held waits for it and is answered with its booking; another browser is told the time is taken",
  async fn() {
    const { dataDir, dbPath, ann } = await seed();
    try {
      await using app = await startApp({
        dataDir,
        env: { INVITO_SESSION_SECRET: SECRET, ...METRICS_ENV },
      });
      const page = "/calendar/ann/coaching";
      const day = await fullDay(app.baseUrl, page);
      const start = day.slots[1];
      const guest = createClient(app.baseUrl);
      const form = await openForm(guest, page, day.date, start);
      const tag = bookerTag(
        guest.cookies({ all: true }).find((c) => c.name === BOOKER_COOKIE)!.value,
      );

      // The first post, booked beside the server on its store, stops after its first hold write
      // (twelve dates take two): the series is held, not decided.
      const side = await sideApp(dbPath);
      let resume!: () => void;
      const resumed = new Promise<void>((r) => resume = r);
      let frozen = false;
      const firstPost = bookSlot(side.app, {
        username: "ann",
        slug: "coaching",
        ...form("lea"),
        timeZone: "UTC",
        bookerTag: tag,
        onSeriesStep: async (step, held) => {
          if (step === "hold" && held! < 12) {
            frozen = true;
            await resumed;
          }
        },
      });
      await waitFor(() => frozen, { timeoutMs: 10_000 });

      // The same browser's second post: it waits for the series (the server counts the wait),
      // rather than telling the guest the time is taken.
      const secondPost = guest.post(`${page}?/book`, form("lea"));
      const waits = async () =>
        metricValue(await metricsText(app.baseUrl), "invito_repeat_post_waits_total") > 0;
      let answered = false;
      secondPost.finally(() => answered = true);
      await waitFor(async () => answered || await waits(), { timeoutMs: 10_000 });
      resume();
      const first = await firstPost;
      assert.ok(first.ok, JSON.stringify(first));
      const second = await secondPost;
      assert.equal(second.status, 303, `second: ${second.status} ${second.body.slice(0, 300)}`);
      assert.match(second.location!, new RegExp(first.bookingId));
      const shown = await guest.get(second.location!);
      assert.equal(shown.status, 200);
      assert.match(shown.body, /Guest lea/);
      assert.equal((await newestAt(dbPath, { hostId: ann.id }, start)).length, 1, "one series");

      // Another browser, same details: taken, no link.
      const other = createClient(app.baseUrl);
      const otherForm = await openForm(other, page, day.date, start);
      const refused = await other.post(`${page}?/book`, otherForm("lea"));
      assert.equal(refused.status, 409);
      assert.match(refused.body, TAKEN);
      assert.doesNotMatch(refused.body, LINK);
      side.kv.close();
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
