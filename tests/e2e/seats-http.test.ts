/**
 * Seats per time over HTTP against the built server (issue 25): a crowd on one seated time, seat
 * cancels racing new guests, and the page's seats-left count and full time.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { formsOf, type PageForm, signInByLink, submitForm } from "../support/auth.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { fullDay } from "../support/slots.ts";
import { type PlainOutcome, postPlainRead } from "../support/http.ts";

type Outcome = PlainOutcome;
const post = (base: string, path: string, form: Record<string, string>) =>
  postPlainRead(base, path, form);

function tally(outcomes: { status: number }[]) {
  const t: Record<number, number> = {};
  for (const o of outcomes) t[o.status] = (t[o.status] ?? 0) + 1;
  return t;
}

/** A data directory with host "seats" and a seated event type "class" (60 min, every day). */
async function seed(perTime: number, hideCount = false, showAttendees = false) {
  const { dataDir, kv, app } = await seedStore("invito-seats-");
  const allDay = [{ start: "00:00", end: "24:00" }];
  const host = await createHost(app, {
    username: "seats",
    timeZone: "UTC",
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: false,
    seats: { perTime, showAttendees, hideCount },
  });
  await createEventType(app, host, { slug: "call", durationMin: 30, requiresConfirmation: false });
  kv.close();
  return dataDir;
}

/**
 * The times of `date` (UTC), by default of the first date from tomorrow on with a full day of
 * them: the page's own first day may be today with its last hour or two, too few for a test.
 */
async function slotsOf(base: string, slug: string, date?: string) {
  date ??= (await fullDay(base, `/calendar/seats/${slug}`)).date;
  const q = new URLSearchParams({ tz: "UTC", date });
  const html = await (await fetch(`${base}/calendar/seats/${slug}?${q}`)).text();
  return {
    html,
    starts: [...html.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]),
    left: new Map(
      [...html.matchAll(/data-slot="([^"]+)"(?:(?!<\/a>)[^])*?data-seats-left="(\d+)"/g)]
        .map((m) => [m[1], Number(m[2])]),
    ),
  };
}

const book = (base: string, start: string, i: number | string, slug = "class") =>
  post(base, `/calendar/seats/${slug}?/book`, {
    name: `Guest ${i}`,
    email: `g${i}@example.test`,
    note: "",
    start,
    tz: "UTC",
  });

Deno.test({
  name:
    "seats over HTTP: 200 simultaneous guests on a 10-seat time — exactly 10 seats, 190 calm refusals, no 5xx; the full time disappears",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed(10);
    try {
      await using app = await startApp({ dataDir });
      const before = await slotsOf(app.baseUrl, "class");
      const slot = before.starts[3];
      assert.ok(slot, "the host offers times");
      assert.equal(before.left.get(slot), 10, "an empty time shows all ten seats");
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) => book(app.baseUrl, slot, i)),
      );
      assert.deepEqual(tally(outcomes), { 303: 10, 409: 190 });
      const refusal = outcomes.find((o) => o.status === 409)!;
      assert.match(refusal.body, /Every seat at this time is taken/);
      const after = await slotsOf(app.baseUrl, "class", slot.slice(0, 10));
      assert.ok(!after.starts.includes(slot), "a full time is not offered");
      // Five seated guests cancel while fifty new ones try: the count never passes ten.
      const seated = outcomes.filter((o) => o.status === 303).slice(0, 5);
      const race = await Promise.all([
        ...seated.map((o) => post(app.baseUrl, `${o.location}/cancel`, { reason: "" })),
        ...Array.from({ length: 50 }, (_, i) => book(app.baseUrl, slot, `late${i}`)),
      ]);
      const cancels = race.slice(0, 5);
      assert.ok(
        cancels.every((o) => o.status === 303 || o.status === 200),
        JSON.stringify(tally(cancels)),
      );
      const late = race.slice(5);
      assert.ok(
        late.every((o) => o.status === 303 || o.status === 409),
        JSON.stringify(tally(late)),
      );
      const wins = late.filter((o) => o.status === 303).length;
      assert.ok(wins <= 5, `${wins} new seats after 5 cancels`);
      const now = await slotsOf(app.baseUrl, "class", slot.slice(0, 10));
      if (wins < 5) assert.equal(now.left.get(slot), 5 - wins, "the page counts the same seats");
      else assert.ok(!now.starts.includes(slot));
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "seats over HTTP: the page counts seats left, a second seat for the same guest is refused with words, a cancel reopens exactly one",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed(3);
    try {
      await using app = await startApp({ dataDir });
      const { starts } = await slotsOf(app.baseUrl, "class");
      const slot = starts[5];
      const date = slot.slice(0, 10);
      const first = await book(app.baseUrl, slot, "a");
      assert.equal(first.status, 303);
      let page = await slotsOf(app.baseUrl, "class", date);
      assert.ok(page.starts.includes(slot), "the time stays open after the first seat");
      assert.equal(page.left.get(slot), 2);
      // The meeting's neighbours overlap it: not offered, on this event type or another.
      const half = new Date(Date.parse(slot) + 30 * 60_000).toISOString().replace(".000Z", "Z");
      assert.ok(!(await slotsOf(app.baseUrl, "call", date)).starts.includes(half));
      const again = await book(app.baseUrl, slot, "a");
      assert.equal(again.status, 409);
      assert.match(again.body, /You already have a seat at this time/);
      assert.equal((await book(app.baseUrl, slot, "b")).status, 303);
      const third = await book(app.baseUrl, slot, "c");
      assert.equal(third.status, 303);
      page = await slotsOf(app.baseUrl, "class", date);
      assert.ok(!page.starts.includes(slot), "full");
      // The third guest cancels from their booking page.
      const cancelled = await post(app.baseUrl, `${third.location}/cancel`, { reason: "" });
      assert.ok(cancelled.status < 400, `cancel answered ${cancelled.status}`);
      page = await slotsOf(app.baseUrl, "class", date);
      assert.equal(page.left.get(slot), 1, "one seat reopened");
      const race = await Promise.all([1, 2, 3, 4, 5].map((i) => book(app.baseUrl, slot, `r${i}`)));
      assert.deepEqual(tally(race), { 303: 1, 409: 4 });
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "seats over HTTP, Cal.com's seat bugs: the second guest never sees the first (#4387); the time stays offered and counts every seat until full (#14704, #17542); cancelling the last attendee leaves the time bookable (#18460)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed(3);
    try {
      await using app = await startApp({ dataDir });
      const { starts } = await slotsOf(app.baseUrl, "class");
      const slot = starts[7];
      const date = slot.slice(0, 10);
      const seated: Outcome[] = [];
      for (const [i, who] of ["ada", "bob", "cyd"].entries()) {
        const res = await book(app.baseUrl, slot, who);
        assert.equal(res.status, 303, `${who}: ${res.status} ${res.body.slice(0, 200)}`);
        seated.push(res);
        const page = await slotsOf(app.baseUrl, "class", date);
        // #14704 / #17542: the time stays until the last seat, its count honours every booking.
        if (i < 2) assert.equal(page.left.get(slot), 2 - i, `after ${who}`);
        else assert.ok(!page.starts.includes(slot), "full after the third");
      }
      // #4387: each guest's own page names them and the host, never another guest.
      for (const [i, who] of ["ada", "bob", "cyd"].entries()) {
        const html = await (await fetch(app.baseUrl + seated[i].location!)).text();
        assert.match(html, new RegExp(`Guest ${who}`), `${who} sees their own name`);
        for (const other of ["ada", "bob", "cyd"].filter((x) => x !== who)) {
          assert.doesNotMatch(html, new RegExp(`g${other}@example\\.test|Guest ${other}`));
        }
      }
      // #18460: every attendee cancels; the time is offered again, whole, and takes a new guest.
      for (const s of seated) {
        const res = await post(app.baseUrl, `${s.location}/cancel`, { reason: "" });
        assert.ok(res.status < 400, `cancel answered ${res.status}`);
      }
      const emptied = await slotsOf(app.baseUrl, "class", date);
      assert.equal(emptied.left.get(slot), 3, "all three seats are free again");
      const half = new Date(Date.parse(slot) + 30 * 60_000).toISOString().replace(".000Z", "Z");
      assert.ok(
        (await slotsOf(app.baseUrl, "call", date)).starts.includes(half),
        "the host's other event types have the time back",
      );
      assert.equal((await book(app.baseUrl, slot, "dan")).status, 303, "bookable after the last");
      assert.equal((await slotsOf(app.baseUrl, "class", date)).left.get(slot), 2);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    'seats over HTTP: with "show attendees" on, a guest\'s page names the other guests of the time, never their addresses',
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed(3, false, true);
    try {
      await using app = await startApp({ dataDir });
      const slot = (await slotsOf(app.baseUrl, "class")).starts[4];
      const ada = await book(app.baseUrl, slot, "ada");
      const bob = await book(app.baseUrl, slot, "bob");
      assert.equal(ada.status, 303);
      assert.equal(bob.status, 303);
      const html = await (await fetch(app.baseUrl + bob.location!)).text();
      assert.match(html, /Guest ada/, "Bob sees who else comes");
      assert.doesNotMatch(html, /gada@example\.test/, "never Ada's address");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    'seats over HTTP, the troubleshooter: a seated time with seats left is offered at its start with "N of M seats left", as guests see it; a full one says every seat is taken',
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed(2);
    try {
      await using app = await startApp({ dataDir });
      const host = await signInByLink(app, "seats@example.test");
      const page = await slotsOf(app.baseUrl, "class");
      const slot = page.starts[6];
      const date = slot.slice(0, 10);
      const hhmm = slot.slice(11, 16);
      const etId = async () => {
        const html = (await host.get("/dashboard/troubleshoot")).body;
        const m = [...html.matchAll(/<option[^>]*value="([0-9A-Z]{26})"[^>]*>([^<]*)/g)];
        return m.find((x) => /class/i.test(x[2]))?.[1] ?? m[0][1];
      };
      const et = await etId();
      const explain = async () =>
        (await host.get(`/dashboard/troubleshoot?et=${et}&date=${date}&at=${hhmm}`)).body;
      assert.equal((await book(app.baseUrl, slot, "ada")).status, 303);
      assert.ok((await slotsOf(app.baseUrl, "class", date)).starts.includes(slot), "guests see it");
      let html = await explain();
      const asked = html.slice(
        html.indexOf('data-testid="asked"'),
        html.indexOf('data-testid="starts"'),
      );
      assert.match(asked, /offered to guests/, "the troubleshooter agrees with the page");
      assert.match(asked, /1 of 2 seats left/);
      assert.equal((await book(app.baseUrl, slot, "bob")).status, 303);
      assert.ok(!(await slotsOf(app.baseUrl, "class", date)).starts.includes(slot), "full");
      html = await explain();
      const full = html.slice(
        html.indexOf('data-testid="asked"'),
        html.indexOf('data-testid="starts"'),
      );
      assert.match(full, /not offered/);
      assert.match(full, /Every seat is taken \(2 of 2\)/);
      assert.doesNotMatch(full, /A booking: /, "the meeting is not a nameless booking");
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "seats over HTTP, insights: seats filled per time — average fill, full times, seats taken of offered — on the insights page and in its CSV export",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed(2);
    try {
      await using app = await startApp({ dataDir });
      const { starts } = await slotsOf(app.baseUrl, "class");
      const [a, b] = [starts[3], starts[5]];
      for (const [slot, who] of [[a, "ada"], [a, "bob"], [b, "cyd"]]) {
        assert.equal((await book(app.baseUrl, slot, who)).status, 303, who);
      }
      const host = await signInByLink(app, "seats@example.test");
      const q = `?from=${a.slice(0, 10)}&to=${b.slice(0, 10)}`;
      const page = await host.get(`/dashboard/insights${q}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /Seats filled per time/);
      assert.match(page.body, /2 times, 1 full · 3 of 4 seats taken/);
      const csv = await host.get(`/dashboard/insights/seats.csv${q}`);
      assert.equal(csv.status, 200);
      const lines = csv.body.trim().split(/\r?\n/);
      assert.equal(
        lines[0],
        "Event type,Average fill (%),Times,Seats taken,Seats offered,Full times",
      );
      assert.match(lines[1], /,75,2,3,4,1$/, "one full time and one half full: 75 %");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "seats over HTTP, the host's booking list: one row per seated time with each guest's name, address and state; cancelling one seat there reopens exactly that seat",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed(3);
    try {
      await using app = await startApp({ dataDir });
      const slot = (await slotsOf(app.baseUrl, "class")).starts[2];
      for (const who of ["ada", "bob", "cyd"]) {
        assert.equal((await book(app.baseUrl, slot, who)).status, 303, who);
      }
      const host = await signInByLink(app, "seats@example.test");
      const list = await host.get("/dashboard/bookings");
      assert.equal(list.status, 200);
      const rows = [...list.body.matchAll(/data-seated-time="([0-9A-Z]{26})"/g)];
      assert.equal(rows.length, 1, "one row for the seated time, not three");
      assert.match(list.body, /3 of 3 seats taken/);
      // The address as a reader sees it: its wrap points (<wbr>) and Svelte's markers aside.
      const shown = list.body.replace(/<!--[^]*?-->|<wbr\s*\/?>/g, "");
      for (const who of ["ada", "bob", "cyd"]) {
        assert.match(
          shown,
          new RegExp(`Guest ${who}</span>[^<]*<br\\s*/?>[^<]*<span[^>]*>g${who}@example\\.test`),
        );
      }
      assert.equal(
        [...list.body.matchAll(/<li class="card[^"]*"[^>]*data-booking=/g)].length,
        0,
        "no seat is listed as a booking row of its own",
      );
      // Cancel Bob's seat from the seated time's row.
      const bobId =
        /data-booking="([0-9A-Z]{26})"[^>]*data-seat-state="confirmed">\s*<td[^>]*><span[^>]*>Guest bob/
          .exec(list.body)?.[1];
      assert.ok(bobId, "Bob's seat row");
      const cancel = formsOf(list).find((f) =>
        f.action.includes("?/cancel") && f.fields.some(([k, v]) => k === "id" && v === bobId)
      );
      assert.ok(cancel, "a cancel form for Bob's seat");
      const done = await submitForm(host, cancel);
      assert.ok(done.status < 400, `cancel answered ${done.status}`);
      const after = await host.get("/dashboard/bookings");
      assert.match(after.body, /2 of 3 seats taken/);
      assert.match(
        after.body,
        new RegExp(`data-booking="${bobId}"[^>]*data-seat-state="cancelled"`),
      );
      const page = await slotsOf(app.baseUrl, "class", slot.slice(0, 10));
      assert.equal(page.left.get(slot), 1, "exactly Bob's seat is open again");
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "seats over HTTP, request reschedule: the host asks a seated guest to pick a new time; her pick takes a seat of a partly filled time (no longer refused) and of an empty one (which keeps its other seats), and her old time gets the seat back",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed(3);
    try {
      await using app = await startApp({ dataDir });
      const { slots: starts } = await fullDay(app.baseUrl, "/calendar/seats/class");
      const [t1, t2, t3] = [starts[2], starts[4], starts[6]];
      const ada = await book(app.baseUrl, t1, "ada");
      const bob = await book(app.baseUrl, t1, "bob");
      assert.equal(ada.status, 303);
      assert.equal(bob.status, 303);
      assert.equal((await book(app.baseUrl, t2, "dan")).status, 303);
      const host = await signInByLink(app, "seats@example.test");
      const seatId = async (who: string) => {
        const list = (await host.get("/dashboard/bookings")).body;
        return new RegExp(
          `data-booking="([0-9A-Z]{26})"[^>]*data-seat-state="confirmed">\\s*<td[^>]*><span[^>]*>Guest ${who}<`,
        ).exec(list)?.[1];
      };
      const pick = (location: string, start: string) =>
        post(app.baseUrl, `${location}/reschedule`, { start });
      // Ada is asked to move; her seat at t1 is open again at once.
      const adaId = await seatId("ada");
      assert.ok(adaId, "Ada's seat row");
      const asked = await host.post("/dashboard/bookings?/request", {
        id: adaId,
        reason: "Room change",
      });
      assert.equal(asked.status, 200, asked.body.slice(0, 300));
      assert.equal((await slotsOf(app.baseUrl, "class", t1.slice(0, 10))).left.get(t1), 2);
      // Her link offers t2, where Dan has a seat, and she picks it: she joins him.
      const offered = await (await fetch(
        `${app.baseUrl}${ada.location}/reschedule?tz=UTC&date=${t2.slice(0, 10)}`,
      )).text();
      assert.ok(offered.includes(`data-slot="${t2}"`), "her link offers the partly filled time");
      const moved = await pick(ada.location!, t2);
      assert.equal(moved.status, 303, moved.body.slice(0, 500));
      const day = await slotsOf(app.baseUrl, "class", t2.slice(0, 10));
      assert.equal(day.left.get(t2), 1, "two of three seats taken at t2");
      assert.equal(day.left.get(t1), 2, "t1 keeps Ada's seat open");
      // Bob is asked too, and picks the empty t3: a seat there, two left for others.
      const bobId = await seatId("bob");
      assert.ok(bobId, "Bob's seat row");
      assert.equal(
        (await host.post("/dashboard/bookings?/request", { id: bobId, reason: "" })).status,
        200,
      );
      assert.equal((await pick(bob.location!, t3)).status, 303);
      const later = await slotsOf(app.baseUrl, "class", t3.slice(0, 10));
      assert.equal(later.left.get(t3), 2, "an empty time keeps its other seats");
      assert.equal((await book(app.baseUrl, t3, "cyd")).status, 303, "and another guest joins");
      // The new seats are seats: the host's list shows them in their times' rows.
      const list = (await host.get("/dashboard/bookings")).body;
      assert.equal([...list.matchAll(/2 of 3 seats taken/g)].length, 2, "t2 and t3");
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

/** A data directory with team "crew" (Ann and Ben, free all day) and a collective seated "class". */
async function seedCollective(perTime: number) {
  const { dataDir, kv, app } = await seedStore("invito-team-seats-");
  const { team } = await seedTeam(app, { members: [{ username: "ann" }, { username: "ben" }] });
  await seedTeamEventType(app, team, {
    slug: "class",
    teamMode: "collective",
    durationMin: 60,
    seats: { perTime, showAttendees: false, hideCount: false },
  });
  kv.close();
  return dataDir;
}

Deno.test({
  name:
    "seats over HTTP, a collective team event (Cal.com #15600): two guests posting at once on an empty time both get a seat, the page still offers the time with its seats left, and only the time's last seat makes it full",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seedCollective(3);
    try {
      await using app = await startApp({ dataDir });
      const page = async (date?: string) => {
        // By default a full day from tomorrow on (today may have its last hour left).
        date ??= (await fullDay(app.baseUrl, "/team/crew/class")).date;
        const q = new URLSearchParams({ tz: "UTC", date });
        const html = await (await fetch(`${app.baseUrl}/team/crew/class?${q}`)).text();
        return {
          starts: [...html.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]),
          left: new Map(
            [...html.matchAll(/data-slot="([^"]+)"(?:(?!<\/a>)[^])*?data-seats-left="(\d+)"/g)]
              .map((m) => [m[1], Number(m[2])]),
          ),
        };
      };
      const teamBook = (start: string, who: string) =>
        post(app.baseUrl, "/team/crew/class?/book", {
          name: `Guest ${who}`,
          email: `g${who}@example.test`,
          note: "",
          start,
          tz: "UTC",
        });
      const first = await page();
      const slot = first.starts[4];
      assert.ok(slot, "the team offers times");
      assert.equal(first.left.get(slot), 3);
      const pair = await Promise.all([teamBook(slot, "ada"), teamBook(slot, "bob")]);
      assert.deepEqual(tally(pair), { 303: 2 }, "both guests are seated, none told it is full");
      const after = await page(slot.slice(0, 10));
      assert.ok(after.starts.includes(slot), "the time is still offered");
      assert.equal(after.left.get(slot), 1);
      assert.equal((await teamBook(slot, "cyd")).status, 303);
      assert.ok(!(await page(slot.slice(0, 10))).starts.includes(slot), "full after the third");
      const fourth = await teamBook(slot, "dan");
      assert.equal(fourth.status, 409);
      assert.match(fourth.body, /Every seat at this time is taken/);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "seats in the team editor over HTTP: a round-robin event type with seats is refused with the team mode's message and saves nothing; a collective one saves them and its page counts the seats",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seedCollective(3);
    try {
      await using app = await startApp({ dataDir });
      const owner = await signInByLink(app, "ann@example.test");
      const teams = await owner.get("/dashboard/teams");
      const teamId = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(teams.body)?.[1];
      assert.ok(teamId, "the owner's team is listed");
      const page = await owner.get(`/dashboard/teams/${teamId}/event-types/new`);
      assert.equal(page.status, 200);
      const form = formsOf(page).find((f) => f.fields.some(([k]) => k === "seatsPerTime"));
      assert.ok(form, "the team editor has the seats field");
      const hosts = [...new Set(form.fields.filter(([k]) => k === "host").map(([, v]) => v))];
      const fill = (mode: string, slug: string): PageForm => ({
        ...form,
        fields: [
          ...form.fields.filter(([k]) =>
            !["title", "slug", "seatsPerTime", "active", "teamMode", "host"].includes(k)
          ),
          ["active", "on"],
          ["title", "Workshop"],
          ["slug", slug],
          ["seatsPerTime", "4"],
          ["teamMode", mode],
          ...hosts.map((h): [string, string] => ["host", h]),
        ],
      });
      const bad = await submitForm(owner, fill("round_robin", "rr-seats"));
      assert.equal(bad.status, 400);
      assert.match(bad.body, /Seats need a collective event type/);
      assert.equal((await fetch(`${app.baseUrl}/team/crew/rr-seats`)).status, 404);
      const saved = await submitForm(owner, fill("collective", "workshop"));
      assert.ok(saved.status === 303 || saved.status === 302, `saved: ${saved.status}`);
      const html = await (await fetch(`${app.baseUrl}/team/crew/workshop?tz=UTC`)).text();
      assert.match(html, /data-seats-left="4"/);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "seats in the editor over HTTP: 501 guests per time is refused with the field's message and saves nothing; 3 saves, and the booking page counts three seats",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const host = await signInByLink(app, "demo@invito.example");
    const page = await host.get("/dashboard/event-types/new");
    assert.equal(page.status, 200);
    const form = formsOf(page).find((f) => f.fields.some(([k]) => k === "seatsPerTime"));
    assert.ok(form, "the editor has the seats field");
    const fill = (seats: string): PageForm => ({
      ...form,
      fields: [
        ...form.fields.filter(([k]) => !["title", "slug", "seatsPerTime", "active"].includes(k)),
        // The parser sends every checkbox; a browser sends the ticked ones (active is, on a new one).
        ["active", "on"],
        ["title", "Workshop"],
        ["slug", "workshop"],
        ["seatsPerTime", seats],
      ],
    });
    const bad = await submitForm(host, fill("501"));
    assert.equal(bad.status, 400);
    assert.match(bad.body, /500/, "the message names the bound");
    assert.equal((await fetch(`${app.baseUrl}/calendar/demo/workshop`)).status, 404);
    const saved = await submitForm(host, fill("3"));
    assert.ok(saved.status === 303 || saved.status === 302, `saved: ${saved.status}`);
    const html = await (await fetch(`${app.baseUrl}/calendar/demo/workshop?tz=UTC`)).text();
    assert.match(html, /data-seats-left="3"/);
    assert.match(html, /3 seats left/);
  },
});
