/**
 * A team event type whose every host has left, over HTTP against the built server: the team's
 * page and widget no longer list it, its booking page and its booking form answer as a host's
 * own switched-off event type does (404, "There is no booking page at this address."), and the
 * owner who removed its last host is told so on the team page.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInClient } from "../support/team-signin.ts";
import type { Client } from "../support/http.ts";
import type { AppHandle } from "../support/app.ts";
import type { SmtpHandle } from "../support/smtp.ts";

const INVITE = /https?:\/\/\S+\/team-invitation\/([A-Za-z0-9_-]+)/;
const opts = { sanitizeResources: false, sanitizeOps: false };

/** The text a reader sees: tags, then entities, left out. */
const visibleText = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
/** The page's own part (the error card, the team's list), without head and hydration data. */
const mainOf = (html: string) => visibleText(/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html);

const etFields = (title: string, slug: string, hosts: string[], active = true) => ({
  intent: "save",
  title,
  slug,
  durationMin: "30",
  bookingWindowDays: "30",
  color: "#2549ea",
  ...(active ? { active: "on" } : {}),
  teamMode: "round_robin",
  host: hosts,
});

/** A guest's booking form post without scripts. */
const bookPost = (baseUrl: string, path: string) =>
  fetch(`${baseUrl}${path}?/book`, {
    method: "POST",
    headers: { origin: baseUrl, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      name: "Gus",
      email: "gus@example.test",
      note: "",
      start: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 11) + "10:00:00Z",
      tz: "UTC",
    }),
    redirect: "manual",
  });

async function memberIdOf(owner: Client, base: string, email: string): Promise<string> {
  const page = await owner.get(base);
  const row = new RegExp(`data-member="${email}"[\\s\\S]*?name="member" value="([0-9A-Z]{26})"`)
    .exec(page.body);
  assert.ok(row, `${email}'s row`);
  return row[1];
}

/**
 * The owner's team "Crew" with Cleo, who joined by the mailed invitation; "Intro" is hers alone,
 * "Call" the owner's.
 */
async function crewWithCleo(app: AppHandle, smtp: SmtpHandle) {
  const owner = await signInClient(app, "owner@example.test", smtp);
  const cleo = await signInClient(app, "cleo@example.test", smtp);
  const created = await owner.post("/dashboard/teams?/create", {
    name: "Crew",
    slug: "crew",
    timeZone: "UTC",
  });
  assert.equal(created.status, 303, created.body.slice(0, 300));
  const base = `/dashboard/teams/${
    /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(created.location!)![1]
  }`;
  assert.equal((await owner.post(`${base}?/invite`, { email: "cleo@example.test" })).status, 200);
  const mail = await smtp.waitForMail((m) =>
    m.to.includes("cleo@example.test") && INVITE.test(m.text)
  );
  const joined = await cleo.post(`/team-invitation/${INVITE.exec(mail.text)![1]}`, {
    accept: "1",
  });
  assert.equal(joined.status, 303);
  const ownerId = await memberIdOf(owner, base, "owner@example.test");
  const cleoId = await memberIdOf(owner, base, "cleo@example.test");
  for (const f of [etFields("Intro", "intro", [cleoId]), etFields("Call", "call", [ownerId])]) {
    const made = await owner.post(`${base}/event-types/new`, f);
    assert.equal(made.status, 303, made.body.slice(0, 500));
  }
  return { owner, cleo, base, cleoId };
}

Deno.test({
  ...opts,
  name:
    "hostless team event type: after its only host is removed the team page and widget leave it out, its page and form answer as a switched-off event type (404, same words), and the owner is told which lost their last host",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const { owner, base, cleoId } = await crewWithCleo(app, smtp);
    // The owner's own switched-off event type: how the app answers an event type not offered.
    const profile = await owner.get("/dashboard/profile");
    const username = /name="username"[^>]*value="([^"]+)"/.exec(profile.body)![1];
    const off = await owner.post("/dashboard/event-types/new", {
      intent: "save",
      title: "Paused",
      slug: "paused",
      durationMin: "30",
      bookingWindowDays: "30",
      color: "#2549ea",
    });
    assert.equal(off.status, 303, off.body.slice(0, 500));
    const offPage = await fetch(app.url(`/calendar/${username}/paused`));
    const offText = mainOf(await offPage.text());
    assert.equal(offPage.status, 404);
    const offPost = await bookPost(app.baseUrl, `/calendar/${username}/paused`);
    const offPostText = mainOf(await offPost.text());

    const before = await (await fetch(app.url("/team/crew/"))).text();
    assert.match(before, /href="\/team\/crew\/intro"/, "listed while Cleo takes part");

    // The owner removes Cleo: told that "Intro" now has nobody taking part (not "Call").
    const removed = await owner.post(`${base}?/remove`, { member: cleoId });
    assert.equal(removed.status, 200);
    const told = visibleText(removed.body);
    assert.match(told, /Member removed/);
    assert.match(told, /“Intro” now has nobody taking part/);
    assert.doesNotMatch(told, /“Call”/);

    // The team's page and widget list only what someone hosts.
    for (const path of ["/team/crew/", "/widget/team/crew/"]) {
      const page = await fetch(app.url(path));
      const html = await page.text();
      assert.equal(page.status, 200, path);
      assert.doesNotMatch(html, /\/team\/crew\/intro/, `${path}: no link to Intro`);
      assert.doesNotMatch(mainOf(html), /Intro/, `${path}: no card for Intro`);
      assert.match(html, /\/team\/crew\/call/, `${path}: Call still listed`);
    }
    // Its page and its form answer as the switched-off one does: status and words.
    const page = await fetch(app.url("/team/crew/intro"));
    const text = mainOf(await page.text());
    assert.equal(page.status, offPage.status);
    assert.equal(text, offText);
    assert.match(text, /There is no booking page at this address/);
    assert.doesNotMatch(text, /No free times/);
    const post = await bookPost(app.baseUrl, "/team/crew/intro");
    assert.equal(post.status, offPost.status);
    assert.equal(mainOf(await post.text()), offPostText);
  },
});

Deno.test({
  ...opts,
  name:
    "hostless team event type: after its only host leaves the team on their own, the owners' list of the team's event types says it is not offered and why",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const { owner, cleo, base, cleoId } = await crewWithCleo(app, smtp);

    // Cleo leaves: no owner removed her, so no owner was told at the time. The list tells them.
    const left = await cleo.post(`${base}?/remove`, { member: cleoId });
    assert.equal(left.status, 303);
    const list = mainOf((await owner.get(`${base}/event-types`)).body);
    const card = (title: string) => list.slice(list.indexOf(title), list.indexOf(title) + 200);
    assert.match(card("Intro"), /Not offered/);
    assert.match(card("Intro"), /Nobody takes part: guests can neither find nor book it/);
    assert.doesNotMatch(card("Intro"), /Active/);
    assert.match(card("Call"), /Active/);
  },
});
