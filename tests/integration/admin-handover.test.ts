/**
 * Hand-over (issue 32, ADR 043) as the people involved live it, over HTTP against the built
 * server: the guest of a handed-over meeting moves it with the link their mail brought, the new
 * host's insights count it as handed over, and the new host's own calendar (a real Radicale) is
 * never booked over.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { type Client, createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { startRadicale } from "../support/radicale.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { fullDay, startsIn } from "../support/slots.ts";
import { vevent } from "./caldav-helpers.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";
import { waitFor } from "../support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ADMIN = "ops@example.test";

async function userIdOf(admin: Client, username: string): Promise<string> {
  const page = await admin.get(`/admin?q=${encodeURIComponent(username)}`);
  const m = new RegExp(`data-user="${username}"[\\s\\S]*?name="userId" value="([0-9A-Z]{26})"`)
    .exec(page.body);
  assert.ok(m, `no ${username} on the admin's list`);
  return m[1];
}

async function book(base: string, start: string, email: string): Promise<string> {
  const res = await createClient(base).post("/calendar/demo/quick-chat?/book", {
    name: email.split("@")[0],
    email,
    note: "",
    start,
    tz: "UTC",
  });
  assert.equal(res.status, 303, res.body.slice(0, 300));
  return /\/booking\/([^/?]+)/.exec(res.location!)![1];
}

const slotsOf = (body: string) => [...body.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]);

Deno.test({
  ...opts,
  name:
    "hand-over (issue 32): the guest moves a handed-over meeting with the link from the mail that told them of the new host — it stays the new host's, of an event type of theirs — and the new host can move it too",
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN);
    const bob = await signInByLink(app, "bob@example.test");
    const [s1] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    const oldToken = await book(app.baseUrl, s1, "gil@example.test");

    const since = app.logs().length;
    const handed = await admin.post("/admin?/handover", {
      userId: await userIdOf(admin, "demo"),
      to: "bob",
    });
    assert.equal(handed.status, 200, handed.body.slice(0, 300));
    assert.match(handed.body, /1 meeting moved to bob/);
    // Bob's insights count it as handed over to him, not as a move he made (counted in the
    // background after each commit).
    const origins = async () =>
      Object.fromEntries(
        parseCsv((await bob.get("/dashboard/insights/origins.csv")).body).slice(1)
          .map((r) => [r[0], r[1]]),
      );
    let seen: Record<string, unknown> = {};
    await waitFor(async () => (seen = await origins())["Handed over to you"] === 1, {
      timeoutMs: 15_000,
      message: () => `bob's origins: ${JSON.stringify(seen)}`,
    });
    assert.equal((await origins())["Moved by you"], 0);
    // The kind of meeting came along as a copy of bob's that is listed nowhere.
    const bobsPage = await createClient(app.baseUrl).get("/calendar/bob");
    assert.equal(bobsPage.status, 200);
    assert.doesNotMatch(bobsPage.body, /quick-chat|Quick chat/);

    // The guest's mail about the new host carries their link to the moved meeting (the first
    // booking's own confirmation may arrive after the hand-over: its link is the old one).
    const [, token] = await app.waitForLog(
      new RegExp(
        `To: gil@example\\.test\\n(?:(?!\\nTo: )[\\s\\S])*?/booking/(?!${oldToken})([A-Za-z0-9_-]{40,})`,
      ),
      { since },
    );
    const guest = createClient(app.baseUrl);
    const manage = await guest.get(`/booking/${token}`);
    assert.equal(manage.status, 200);
    assert.match(manage.body, /Bob|bob/);

    const page = await guest.get(`/booking/${token}/reschedule?tz=UTC`);
    assert.equal(page.status, 200);
    const offered = slotsOf(page.body).filter((s) => Date.parse(s) !== Date.parse(s1));
    assert.ok(offered.length > 0, "the new host's free times are offered for the move");
    const moved = await guest.post(`/booking/${token}/reschedule`, { start: offered[0] });
    assert.equal(
      moved.status,
      303,
      `the guest's move: ${moved.status} ${moved.body.slice(0, 300)}`,
    );
    assert.match(moved.location ?? "", /\/booking\/[^/?]+\?moved=1/);

    // Still bob's meeting: on his list at the new time, and he can move it from his dashboard.
    const list = await bob.get("/dashboard/bookings");
    assert.equal(list.status, 200);
    const id = /\/dashboard\/bookings\/([0-9A-Z]{26})\/reschedule/.exec(list.body)?.[1];
    assert.ok(id, "the meeting is on the new host's list, movable");
    const movePage = await bob.get(`/dashboard/bookings/${id}/reschedule`);
    assert.equal(movePage.status, 200);
    assert.match(movePage.body, /href="\?date=\d{4}-\d{2}-\d{2}"/, "days to move it to");
    // A day from tomorrow on: the first one offered may be today, whose first time can pass
    // before the move is posted.
    const [start] = (await fullDay(app.baseUrl, `/dashboard/bookings/${id}/reschedule`, {
      min: 1,
      get: async (p) => (await bob.get(p)).body,
      read: startsIn,
    })).slots;
    assert.ok(start, "and times on them");
    const hostMove = await bob.post(`/dashboard/bookings/${id}/reschedule?/move`, {
      start,
      reason: "",
    });
    assert.equal(hostMove.status, 303, `the new host's move: ${hostMove.body.slice(0, 300)}`);
  },
});

Deno.test({
  ...opts,
  name:
    "hand-over (issue 32): a meeting at a time the new host's own calendar is busy stays with the old host and is listed as a conflict; the free one moves",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work", "Work");
    await using app = await startApp({
      demo: true,
      env: { INVITO_ADMINS: ADMIN, INVITO_ALLOW_PRIVATE_CALDAV: "true" },
    });
    const admin = await signInByLink(app, ADMIN);
    const bob = await signInByLink(app, "bob@example.test");
    const slots = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    const s1 = slots[0];
    // A time well clear of s1 and the busy hour around it.
    const s3 = slots.find((s) => Date.parse(s) >= Date.parse(s1) + 3 * 3_600_000);
    assert.ok(s3, "a second time three hours later");
    await book(app.baseUrl, s1, "gil@example.test");
    await book(app.baseUrl, s3, "kim@example.test");

    // Bob's own calendar has something at s1.
    const at = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
    const startMs = Date.parse(s1);
    await dav.putIcs(
      "work",
      "dentist.ics",
      vevent("dentist@test", [
        `DTSTART:${at(startMs - 15 * 60_000)}`,
        `DTEND:${at(startMs + 60 * 60_000)}`,
        "SUMMARY:Dentist",
      ]),
    );
    const added = await bob.post("/dashboard/calendars?/add", {
      serverUrl: dav.url,
      username: dav.username,
      password: dav.password,
    });
    assert.equal(added.status, 200, added.body.slice(0, 300));
    assert.match(added.body, /Account connected/);

    const handed = await admin.post("/admin?/handover", {
      userId: await userIdOf(admin, "demo"),
      to: "bob",
    });
    assert.equal(handed.status, 200, handed.body.slice(0, 300));
    const conflicts = /data-testid="handover-conflicts">([\s\S]*?)<\/ul>/.exec(handed.body)?.[1] ??
      "";
    assert.match(conflicts, /gil/, "the meeting over bob's busy time is listed");
    assert.doesNotMatch(conflicts, /kim/);
    assert.match(handed.body, /1 meeting moved to bob/);
  },
});

Deno.test({
  ...opts,
  name:
    "hand-over (issue 32): the person to hand over to is named as the admin's list shows them (@bob), or by username or address",
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN);
    await signInByLink(app, "bob@example.test");
    const [s1] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    await book(app.baseUrl, s1, "gil@example.test");
    const demoId = await userIdOf(admin, "demo");
    const bobId = await userIdOf(admin, "bob");
    // The list names him "@bob": that is what an admin types.
    assert.match((await admin.get("/admin?q=bob")).body, /@bob</);
    const handed = await admin.post("/admin?/handover", { userId: demoId, to: "@bob" });
    assert.equal(handed.status, 200, handed.body.slice(0, 300));
    assert.match(handed.body, /1 meeting moved to bob/);
    // And back by address, then by username: each names the same person.
    const back = await admin.post("/admin?/handover", { userId: bobId, to: DEMO_EMAIL });
    assert.equal(back.status, 200, back.body.slice(0, 300));
    assert.match(back.body, /1 meeting moved to demo/);
    const again = await admin.post("/admin?/handover", { userId: demoId, to: "bob" });
    assert.match(again.body, /1 meeting moved to bob/);
    const nobody = await admin.post("/admin?/handover", { userId: demoId, to: "@nobody" });
    assert.equal(nobody.status, 404);
    assert.match(nobody.body, /There is no such person to hand over to/);
  },
});
