/**
 * Connecting Google Calendar on the built server as a host would, in Chromium: "Connect Google
 * Calendar" → the (local) Google consent page → "Allow" → back on the Calendars page with the
 * account and its calendars. Then over HTTP: callbacks with a wrong state, a replay and an
 * unknown provider answer with a message (never a 5xx), and revoking consent at Google pauses
 * booking and sends the host one "reconnect" mail through a real SMTP server.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { googleFixture, startGoogle } from "../support/google.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { signIn } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PRIMARY = "ann@example.com";

const text = (html: string) =>
  html.replace(/<[^>]+>/g, " ").replace(/&#39;|&apos;/g, "'").replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

Deno.test({
  ...opts,
  name:
    "e2e google: a host connects Google Calendar through the consent page in Chromium; bad callbacks get a message, not a 5xx; revoked consent mails the host once",
  async fn() {
    await using g = await startGoogle();
    g.calendars = [
      {
        id: PRIMARY,
        summary: "Ann",
        accessRole: "owner",
        primary: true,
        backgroundColor: "#9fe1e7",
      },
      { id: "family@group.calendar.google.com", summary: "Family", accessRole: "writer" },
    ];
    g.put(PRIMARY, ...googleFixture("events-week.json"));
    await using smtp = await startSmtp();
    await using app = await startApp({ env: g.env, smtp });
    const c = await signIn(app, "oauth-host@example.test", smtp);

    const browser = await borrowBrowser();
    let callbackUrl = "";
    try {
      const context = await contextWithSession(browser, c, {
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      const errors = trackPageErrors(page);
      page.on("request", (r) => {
        if (r.url().includes("/dashboard/calendars/oauth/google?")) callbackUrl = r.url();
      });
      await page.goto(app.url("/dashboard/calendars"));
      assert.equal(await page.getByRole("button", { name: "Connect Microsoft 365" }).count(), 0);
      await page.getByRole("button", { name: "Connect Google Calendar" }).click();
      await page.waitForURL(new RegExp(`^${g.base}/o/oauth2/v2/auth`));
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL(/\/dashboard\/calendars\?connected=google/);
      await page.getByText("Google Calendar connected; its calendars were read").waitFor();
      await page.getByText(`${PRIMARY} · Google Calendar account`).waitFor();
      await page.getByText("Family").waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "dashboard-calendars-google-1280");
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }

    // Bad callbacks: a clear page, nothing stored, never a 5xx.
    const wrong = await c.get("/dashboard/calendars/oauth/google?state=forged&code=abc");
    assert.equal(wrong.status, 200);
    assert.match(text(wrong.body), /expired or was already used/);
    assert.ok(callbackUrl, "the browser came back through the callback");
    const replay = await c.get(new URL(callbackUrl).pathname + new URL(callbackUrl).search);
    assert.equal(replay.status, 200);
    assert.match(text(replay.body), /expired or was already used/);
    assert.equal((await c.get("/dashboard/calendars/oauth/yahoo?state=x")).status, 404);
    const denied = await c.get("/dashboard/calendars/oauth/google?error=access_denied&state=x");
    assert.ok(denied.status < 500);
    let dash = await c.get("/dashboard/calendars");
    assert.equal((dash.body.match(/data-account=/g) ?? []).length, 1, "still one account");

    // Consent revoked at Google: the next sync pauses booking and mails the host once.
    g.oauth.revokeAll();
    const accountId = /name="account" value="([0-9A-Z]{26})"/.exec(dash.body)![1];
    for (let i = 0; i < 2; i++) {
      const synced = await c.post("/dashboard/calendars?/sync", { account: accountId });
      assert.equal(synced.status, 200);
      assert.match(text(synced.body), /Sync failed Reconnect needed/);
    }
    const mail = await smtp.waitForMail((m) => /Reconnect Google Calendar/.test(m.subject));
    assert.deepEqual(mail.to, ["oauth-host@example.test"]);
    assert.match(mail.text, new RegExp(`${app.baseUrl}/dashboard/calendars`));
    dash = await c.get("/dashboard/calendars");
    assert.match(text(dash.body), /Booking is paused while a calendar cannot be read/);
    assert.match(text(dash.body), /Reconnect needed: guests cannot book/);
    assert.equal(smtp.mails.filter((m) => /Reconnect/.test(m.subject)).length, 1);
  },
});
