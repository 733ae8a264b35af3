/**
 * A team's dashboard pages as an owner uses them, posted as the pages post them, against the
 * built server: the team event-type editor says what is wrong in the reader's language, an
 * invitation refused for its address keeps the role that was chosen (without scripts), and an
 * owner deletes a team (refused while it has bookings ahead; its address then leads nowhere and
 * nobody else can take it).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInClient } from "../support/team-signin.ts";
import { chooseLanguage as choose, formsOf, submitForm } from "../support/auth.ts";
import { fullDay } from "../support/slots.ts";
import type { Client } from "../support/http.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** The host's dashboard language, chosen in Profile as a host does, keeping their username. */
async function chooseLanguage(host: Client, locale: string) {
  const page = await host.get("/dashboard/profile");
  const username = /name="username"[^>]*value="([^"]+)"/.exec(page.body)![1];
  await choose(host, locale, { name: "Owner", username, timeZone: "UTC", clock: "24h" });
}

async function newTeam(owner: Client, slug: string, name = "Crew"): Promise<string> {
  const created = await owner.post("/dashboard/teams?/create", {
    name,
    slug,
    timeZone: "UTC",
  });
  assert.equal(created.status, 303, created.body.slice(0, 300));
  return /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(created.location!)![1];
}

/** The text a reader sees: tags, then entities, left out. */
const visibleText = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

Deno.test({
  ...opts,
  name:
    "team event-type editor (German): a cleared title and URL slug and a too-short length are refused in German words, never as message keys, when creating and when editing",
  async fn() {
    await using app = await startApp();
    const owner = await signInClient(app, "owner@example.test");
    await chooseLanguage(owner, "de");
    const base = `/dashboard/teams/${await newTeam(owner, "crew")}`;
    const form = await owner.get(`${base}/event-types/new`);
    assert.match(form.body, /<html lang="de/);
    const hostIds = [...form.body.matchAll(/name="host" value="([0-9A-Z]{26})"/g)].map((m) => m[1]);
    assert.equal(hostIds.length, 1);
    const fields = (over: Record<string, string>) => ({
      intent: "save",
      title: "Call",
      slug: "call",
      durationMin: "30",
      bookingWindowDays: "30",
      color: "#2549ea",
      active: "on",
      teamMode: "round_robin",
      host: hostIds,
      ...over,
    });

    const refused = await owner.post(
      `${base}/event-types/new`,
      fields({ title: "", slug: "", durationMin: "3" }),
    );
    assert.equal(refused.status, 400);
    const text = visibleText(refused.body);
    assert.doesNotMatch(text, /forms\.[a-z_]+/, "no message key on the page");
    assert.match(text, /Bitte ausfüllen/, "the empty fields are named in German");
    assert.match(text, /Mindestens 5/, "the length's minimum in German");

    // Editing an existing one: the same words.
    const made = await owner.post(`${base}/event-types/new`, fields({}));
    assert.equal(made.status, 303, made.body.slice(0, 500));
    const edit = made.location!.replace(/\?.*$/, "");
    const again = await owner.post(edit, fields({ title: "", slug: "", durationMin: "3" }));
    assert.equal(again.status, 400);
    const text2 = visibleText(again.body);
    assert.doesNotMatch(text2, /forms\.[a-z_]+/, "no message key on the edit page");
    assert.match(text2, /Bitte ausfüllen/);
    assert.match(text2, /Mindestens 5/);
  },
});

Deno.test({
  ...opts,
  name:
    "team invitation without scripts: an address refused keeps Owner chosen, and the corrected invitation invites an owner",
  async fn() {
    await using app = await startApp();
    const owner = await signInClient(app, "owner@example.test");
    const base = `/dashboard/teams/${await newTeam(owner, "crew")}`;
    const bad = await owner.post(`${base}?/invite`, { email: "not-an-address", role: "owner" });
    assert.equal(bad.status, 400);
    const select = /<select[^>]*name="role"[^>]*>([\s\S]*?)<\/select>/.exec(bad.body)?.[1] ?? "";
    const selected = /<option[^>]*value="(\w+)"[^>]*selected/.exec(select)?.[1] ??
      /<option[^>]*selected[^>]*value="(\w+)"/.exec(select)?.[1];
    assert.equal(selected, "owner", "the role select still says Owner");
    // The browser sends the form as it now stands: the corrected address with the kept role.
    const invite = formsOf(bad).find((f) => f.action.endsWith("?/invite"))!;
    assert.ok(invite, "the invitation form");
    const ok = await owner.post(invite.action, { email: "ann@example.test", role: selected! });
    assert.equal(ok.status, 200);
    const page = await owner.get(base);
    const row = /data-invitation="ann@example.test"[\s\S]*?<\/p>/.exec(page.body)?.[0] ?? "";
    assert.match(row, /Owner/, "invited as an owner");
  },
});

Deno.test({
  ...opts,
  name:
    "deleting a team: its only owner types its name; refused while a booking lies ahead, done once it is cancelled — its pages then answer 404 and nobody else can take its address",
  async fn() {
    await using app = await startApp();
    const owner = await signInClient(app, "owner@example.test");
    const teamId = await newTeam(owner, "crew", "The Crew");
    const base = `/dashboard/teams/${teamId}`;
    // The only member cannot leave; the page says how to end the team instead.
    const page = await owner.get(base);
    assert.match(page.body, /only member\. To end the team, delete it/);
    assert.ok(formsOf(page).some((f) => f.action.endsWith("?/delete")), "a delete form");

    const form = await owner.get(`${base}/event-types/new`);
    const hostIds = [...form.body.matchAll(/name="host" value="([0-9A-Z]{26})"/g)].map((m) => m[1]);
    const et = await owner.post(`${base}/event-types/new`, {
      intent: "save",
      title: "Call",
      slug: "call",
      durationMin: "30",
      bookingWindowDays: "30",
      color: "#2549ea",
      active: "on",
      teamMode: "round_robin",
      host: hostIds,
    });
    assert.equal(et.status, 303, et.body.slice(0, 500));
    const [start] = (await fullDay(app.baseUrl, "/team/crew/call", { min: 1 })).slots;
    const booked = await fetch(app.url("/team/crew/call?/book"), {
      method: "POST",
      headers: { origin: app.baseUrl, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        name: "Gus",
        email: "gus@example.test",
        note: "",
        start,
        tz: "UTC",
      }),
      redirect: "manual",
    });
    assert.equal(booked.status, 303);
    // The team page counts the round robin's bookings by when they were made, and says so: a
    // meeting booked today counts whenever it takes place ("last 30 days" read as meetings held).
    const dist = visibleText((await owner.get(base)).body);
    assert.match(
      dist,
      /Round-robin distribution Bookings made in the last 30 days, whenever they take place/,
    );
    assert.match(dist, /Call: 1 booking/);

    const wrong = await owner.post(`${base}?/delete`, { confirm: "crew" });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /type the team’s name, The Crew, exactly/);
    const ahead = await owner.post(`${base}?/delete`, { confirm: "The Crew" });
    assert.equal(ahead.status, 409);
    assert.match(ahead.body, /One booking of this team is still ahead/);
    assert.equal(
      (await fetch(app.url("/team/crew/")).then((r) => (r.body?.cancel(), r))).status,
      200,
    );

    // The owner cancels it on the team's Bookings page, then deletes the team.
    const bookings = await owner.get(`${base}/bookings`);
    const bookingId = /data-booking="([0-9A-Z]{26})"/.exec(bookings.body)![1];
    const cancelled = await owner.post(`${base}/bookings?/cancel`, { id: bookingId, reason: "" });
    assert.ok(cancelled.status < 400, `cancelled: ${cancelled.status}`);
    const done = await owner.post(`${base}?/delete`, { confirm: "The Crew" });
    assert.equal(done.status, 303, done.body.slice(0, 300));
    assert.equal(done.location, app.url("/dashboard/teams?deleted=1"));
    const list = await owner.get(done.location!);
    assert.match(list.body, /Team deleted/);
    assert.doesNotMatch(list.body, /The Crew/);

    for (const path of ["/team/crew/", "/team/crew/call", "/widget/team/crew/call"]) {
      const r = await fetch(app.url(path), { redirect: "manual" });
      await r.body?.cancel();
      assert.equal(r.status, 404, path);
    }
    assert.equal((await owner.get(base)).status, 404);
    // Its address is held: another person can take it neither for a team nor as a username.
    const eve = await signInClient(app, "eve@example.test");
    const taken = await eve.post("/dashboard/teams?/create", {
      name: "Eve's",
      slug: "crew",
      timeZone: "UTC",
    });
    assert.equal(taken.status, 400);
    assert.match(taken.body, /This address is taken/);
  },
});

Deno.test({
  ...opts,
  name:
    "team event-type editor: its day and week limits and 'not on the same day' name the team's time zone as the team's, not the reader's, and it offers no recurring series (a team's bookings never repeat)",
  async fn() {
    await using app = await startApp();
    const owner = await signInClient(app, "owner@example.test");
    const created = await owner.post("/dashboard/teams?/create", {
      name: "Crew",
      slug: "crew",
      timeZone: "Europe/Berlin",
    });
    assert.equal(created.status, 303, created.body.slice(0, 300));
    const id = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(created.location!)![1];
    const text = visibleText((await owner.get(`/dashboard/teams/${id}/event-types/new`)).body);
    assert.match(text, /the team’s time zone, Europe\/Berlin/);
    assert.doesNotMatch(text, /your time zone/);
    // Nor does it offer a series, which a team's bookings never are (ADR 048): the guest's
    // booking would have been one date whatever the owner set.
    assert.doesNotMatch(text, /books every date at once/);
  },
});

Deno.test({
  ...opts,
  name:
    "a new team sent from the page's own form without scripts, its name typed and its address left empty, is created at the name's address; a name with nothing usable in it asks for an address and keeps the name",
  async fn() {
    await using app = await startApp();
    const owner = await signInClient(app, "owner@example.test");
    /** The page's create form as a browser without scripts sends it, the name typed in. */
    const send = async (name: string) => {
      const create = formsOf(await owner.get("/dashboard/teams"))
        .find((f) => f.action.endsWith("?/create"))!;
      assert.deepEqual(create.fields.map(([k]) => k).sort(), ["name", "slug", "timeZone"]);
      create.fields = create.fields.map(([k, v]) => [k, k === "name" ? name : v]);
      return await submitForm(owner, create);
    };
    const made = await send("Zoë's Support Crew");
    assert.equal(made.status, 303, made.body.slice(0, 300));
    const team = await owner.get(made.location!);
    assert.match(visibleText(team.body), /\/team\/zoe-s-support-crew\//);

    const refused = await send("日本チーム");
    assert.equal(refused.status, 400);
    assert.match(refused.body, /id="t-slug-err"[^>]*>[^<]+/);
    assert.match(refused.body, /id="t-name"[^>]*value="日本チーム"/);
  },
});
