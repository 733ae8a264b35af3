/**
 * A developer's path on the built server, in Chromium and over HTTP: make an API key in the
 * dashboard (shown once) and use it, revoke it (401 at once); add a webhook, send a test event
 * and see it verified by a Standard Webhooks receiver and in the delivery log, send it again;
 * make the calendar feed and read it back with ical.js, regenerate it (the old URL dies); the
 * markdown booking page, /llms.txt, the API reference page; and the demo key `npm run demo`
 * prints. Axe checks and screenshots on each new page.
 */
import assert from "node:assert/strict";
import { signInWithEmail } from "../support/browser-sign-in.ts";
import ICAL from "ical.js";
import { Webhook } from "standardwebhooks";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import type { Page } from "playwright-core";

async function a11y(page: Page, name: string) {
  assert.deepEqual(await checkA11y(page), [], `axe on ${name}`);
  await screenshot(page, name);
}

Deno.test({
  name:
    "e2e developers: API key shown once and revocable, webhook test event verified and logged, calendar feed, markdown pages",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hits: { headers: Record<string, string>; body: string }[] = [];
    const port = freePort();
    const receiver = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      hits.push({ headers: Object.fromEntries(req.headers), body: await req.text() });
      return new Response("thanks");
    });
    await using app = await startApp({
      demo: true,
      env: { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
    });
    const browser = await borrowBrowser();
    try {
      // The demo key printed at start works at once.
      const demoKey = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
      const me = await fetch(app.url("/api/v1/me"), {
        headers: { authorization: `Bearer ${demoKey}` },
      });
      assert.equal(me.status, 200);
      assert.equal((await me.json()).username, "demo");

      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } }))
        .newPage();
      const errors = trackPageErrors(page);
      await page.goto(`${app.baseUrl}/dashboard/developers`);
      await page.waitForURL(/\/signin\?next=/);
      await signInWithEmail(page, {
        baseUrl: app.baseUrl,
        app,
        email: "dev@example.test",
        next: "/dashboard/developers",
      });
      await a11y(page, "dev-0-developers");

      // An API key: shown once, listed by prefix, usable, revocable. Created by the script (a
      // form post's page would be posted again by the reload below).
      await hydrated(page);
      await page.getByLabel("Name").fill("CRM sync");
      await page.getByRole("button", { name: "Create key" }).click();
      const secret = (await page.getByTestId("new-key").textContent())!.trim();
      assert.match(secret, /^inv_[A-Za-z0-9_-]{43}$/);
      await a11y(page, "dev-1-new-key");
      const list = await page.getByTestId("keys").textContent();
      assert.ok(list!.includes(secret.slice(0, 12)));
      assert.ok(!list!.includes(secret), "the list never shows the secret");
      const auth = { authorization: `Bearer ${secret}` };
      const mine = await fetch(app.url("/api/v1/me"), { headers: auth });
      assert.equal((await mine.json()).email, "dev@example.test");
      await page.reload();
      assert.equal(await page.getByTestId("new-key").count(), 0, "shown once");
      await page.getByRole("button", { name: "Revoke CRM sync" }).click();
      await page.getByText("No keys yet.").waitFor();
      assert.equal((await fetch(app.url("/api/v1/me"), { headers: auth })).status, 401);

      // A webhook: secret shown once, test event verified by the receiver, log, send again.
      await page.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${port}/hooks`);
      await page.getByRole("button", { name: "Add webhook" }).click();
      const whsec = (await page.getByTestId("new-secret").textContent())!.trim();
      assert.match(whsec, /^whsec_/);
      await page.getByRole("button", { name: "Send test event" }).click();
      await waitFor(() => hits.length >= 1, { timeoutMs: 15_000 });
      const event = new Webhook(whsec).verify(hits[0].body, hits[0].headers) as { type: string };
      assert.equal(event.type, "webhook.test");
      await page.getByRole("link", { name: "Delivery log" }).click();
      await page.getByTestId("delivery-log").waitFor();
      assert.match(
        (await page.getByTestId("delivery-log").textContent())!,
        /webhook\.test[\s\S]*200/,
      );
      await a11y(page, "dev-2-delivery-log");
      await page.getByRole("button", { name: "Send again" }).first().click();
      await waitFor(() => hits.length >= 2, { timeoutMs: 15_000 });
      assert.equal(hits[1].headers["webhook-id"], hits[0].headers["webhook-id"]);

      // The calendar feed: made on request, readable, regenerable.
      await page.goto(`${app.baseUrl}/dashboard/profile`);
      await page.getByRole("button", { name: "Make my feed address" }).click();
      const feedUrl = (await page.getByTestId("feed-url").textContent())!.trim();
      assert.match(feedUrl, /\/feed\/[A-Za-z0-9_-]{43}\.ics$/);
      await screenshot(page, "dev-3-profile-feed");
      const feed = await fetch(feedUrl.replace(/^http:\/\/[^/]+/, app.baseUrl));
      assert.equal(feed.headers.get("content-type"), "text/calendar; charset=utf-8");
      const cal = new ICAL.Component(ICAL.parse(await feed.text()));
      assert.match(String(cal.getFirstPropertyValue("x-wr-calname")), /^Invito bookings \(/);
      await page.getByRole("button", { name: "New address" }).click();
      await page.getByText(/old one no longer works/).waitFor();
      const fresh = (await page.getByTestId("feed-url").textContent())!.trim();
      assert.notEqual(fresh, feedUrl);
      assert.equal((await fetch(feedUrl.replace(/^http:\/\/[^/]+/, app.baseUrl))).status, 404);

      // The API reference page.
      await page.goto(`${app.baseUrl}/docs/api`);
      await page.getByRole("heading", { name: "Invito API reference" }).waitFor();
      await a11y(page, "dev-4-api-reference");
      assert.ok(await page.locator("#problem-slot-taken").count());
      // On a phone the code samples scroll sideways: a keyboard reaches them too.
      await page.setViewportSize({ width: 360, height: 800 });
      await a11y(page, "dev-4-api-reference-360");
      await page.setViewportSize({ width: 1280, height: 900 });
      assert.deepEqual(errors(), []);

      // Agent-readable pages.
      const md = await fetch(app.url("/calendar/demo/intro-call.md?tz=Asia/Tokyo"));
      assert.equal(md.headers.get("content-type"), "text/markdown; charset=utf-8");
      assert.match(
        await md.text(),
        /# Intro call with Demo Host[\s\S]*Times below are in Asia\/Tokyo/,
      );
      const negotiated = await fetch(app.url("/calendar/demo/quick-chat"), {
        headers: { accept: "text/markdown" },
      });
      assert.match(await negotiated.text(), /^# Quick chat with Demo Host/);
      const html = await fetch(app.url("/calendar/demo/quick-chat"), {
        headers: { accept: "text/html" },
      });
      assert.match(html.headers.get("content-type")!, /text\/html/);
      await html.body?.cancel();
      const llms = await fetch(app.url("/llms.txt"));
      assert.match(await llms.text(), /^# Invito/);
    } finally {
      await browser.close();
      await receiver.shutdown();
    }
  },
});
