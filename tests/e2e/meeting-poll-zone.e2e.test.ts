/**
 * A poll's invitee elsewhere reads its times in their own zone, as on a booking page: the page
 * marks the zone it guessed (the host's) for the browser to put right before it paints (app.html,
 * ADR 056), a link naming a zone shows that zone, and the answer page after a vote keeps it.
 */
import assert from "node:assert/strict";
import { fromTomorrow, startsIn } from "../support/slots.ts";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";
import { borrowBrowser } from "../support/browser.ts";

const HOST = "demo@invito.example";

/** The times as the page lists them (each answer's legend). */
const timesIn = (html: string) =>
  [...html.matchAll(/<legend[^>]*>([\s\S]*?)<\/legend>/g)].map((m) =>
    m[1].replace(/<[^>]*>/g, "").trim()
  );

Deno.test({
  name:
    "poll page: an invitee's own zone, guessed and put right before paint, named by the link, and kept on the answer page",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInByLink(app, HOST, { smtp });
    const picker = await host.get("/dashboard/polls?type=quick-chat");
    const free = fromTomorrow(startsIn(picker.body));
    const form = new URLSearchParams({ type: "quick-chat", title: "Offsite" });
    for (const s of free.slice(0, 2)) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;

    const voter = createClient(app.baseUrl);
    // A plain link: the host's zone, marked as a guess for the browser.
    const plain = await voter.get(path);
    assert.match(plain.body, /<html[^>]*data-guessed-tz="[^"]+"[^>]*data-guessed-offsets="/);
    // A link naming the invitee's zone: times in it, no guess, and the vote keeps it.
    const ny = await voter.get(`${path}?tz=America/New_York`);
    assert.doesNotMatch(ny.body, /data-guessed-tz=/);
    const nyTimes = timesIn(ny.body);
    assert.equal(nyTimes.length, 2);
    assert.notDeepEqual(nyTimes, timesIn(plain.body), "other clock times than the host's zone");
    assert.match(ny.body, /action="\?\/vote&amp;tz=America%2FNew_York"/);
    const voted = await voter.post(`${path}?/vote&tz=America/New_York`, {
      name: "Ann",
      email: "ann@example.test",
      t0: "yes",
      t1: "no",
    });
    assert.equal(voted.status, 200);
    assert.match(voted.body, /data-testid="vote-done"/);
    assert.deepEqual(timesIn(voted.body), nyTimes, "the answer page reads the same times");

    // In a browser in Tokyo, the plain link shows Tokyo's times before anything is painted.
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: "Asia/Tokyo", locale: "en-GB" });
      const page = await ctx.newPage();
      await page.goto(app.url(path));
      await page.waitForURL(/tz=Asia%2FTokyo/);
      const tokyo = await voter.get(`${path}?tz=Asia/Tokyo`, {
        headers: { "accept-language": "en-GB" },
      });
      assert.deepEqual(timesIn(await page.content()), timesIn(tokyo.body));
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "poll page without scripts: the invitee types their zone (a city) into the page's zone field and reads the times there; the vote keeps that zone; a miss is said",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInByLink(app, HOST, { smtp });
    const picker = await host.get("/dashboard/polls?type=quick-chat");
    const free = fromTomorrow(startsIn(picker.body));
    const form = new URLSearchParams({ type: "quick-chat", title: "Far away" });
    for (const s of free.slice(0, 2)) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;
    const auckland = timesIn(
      (await createClient(app.baseUrl).get(`${path}?tz=Pacific/Auckland`, {
        headers: { "accept-language": "en-GB" },
      })).body,
    );

    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({
        viewport: { width: 360, height: 740 },
        javaScriptEnabled: false,
        timezoneId: "Pacific/Auckland",
        locale: "en-GB",
      });
      const page = await ctx.newPage();
      await page.goto(app.url(path));
      assert.notDeepEqual(timesIn(await page.content()), auckland, "the host's zone at first");
      await page.fill("#tz", "Nowhereville");
      await page.click('[data-testid="poll-zone"] button[type="submit"]');
      await page.waitForSelector("#tz-notice");
      assert.match(await page.locator("#tz-notice").innerText(), /Nowhereville/);
      await page.fill("#tz", "Auckland");
      await page.click('[data-testid="poll-zone"] button[type="submit"]');
      await page.waitForURL(/zone=Auckland/);
      assert.deepEqual(timesIn(await page.content()), auckland);
      assert.match(await page.locator("main").innerText(), /Pacific\/Auckland|Auckland/);
      // The vote's answer page reads the same times.
      await page.fill("#vote-name", "Aroha");
      await page.fill("#vote-email", "aroha@example.test");
      await page.click('form[method="POST"] button[type="submit"]');
      await page.waitForSelector('[data-testid="vote-done"]');
      assert.deepEqual(timesIn(await page.content()), auckland);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
