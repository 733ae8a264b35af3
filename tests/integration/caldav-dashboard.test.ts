/**
 * /dashboard/calendars on the built server against a real Radicale, as a host would use it:
 * over HTTP (wrong password, not a CalDAV address, connect, settings, sync, remove) and in
 * Chromium (the form, accessibility, screenshots at 1280 and 360 px).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { finishMagicLink } from "../support/auth.ts";
import { startRadicale } from "../support/radicale.ts";
import {
  checkA11y,
  contextWithSession,
  launchBrowser,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { vevent } from "./caldav-helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function signIn(app: Awaited<ReturnType<typeof startApp>>, email: string) {
  const c = createClient(app.baseUrl);
  const since = app.logs().length;
  const sent = await c.post("/signin?/email", { providerId: "email", email, next: "/dashboard" });
  assert.ok(sent.status === 302 || sent.status === 303, `sign-in answered ${sent.status}`);
  const [link] = await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?(\S+)/, { since });
  const done = await finishMagicLink(c, link);
  assert.ok(done.status === 302 || done.status === 303, `callback answered ${done.status}`);
  assert.equal((await c.get("/dashboard/calendars")).status, 200);
  return c;
}

const text = (html: string) =>
  html.replace(/<[^>]+>/g, " ").replace(/&#39;|&apos;/g, "'").replace(/&amp;/g, "&").replace(
    /\s+/g,
    " ",
  );

Deno.test({
  ...opts,
  name:
    "dashboard calendars: a host sees clear messages for a wrong password and a non-CalDAV address, connects Radicale, picks calendars, syncs and removes the account",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work", "Work");
    await dav.mkcalendar("family", "Family");
    await dav.putIcs(
      "work",
      "a.ics",
      vevent("a@test", ["DTSTART:20300107T090000Z", "DTEND:20300107T100000Z"]),
    );
    await using app = await startApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
    const c = await signIn(app, "cal-host@example.test");

    const wrong = await c.post("/dashboard/calendars?/add", {
      serverUrl: dav.url,
      username: dav.username,
      password: "wrong-secret-123",
    });
    assert.equal(wrong.status, 400);
    assert.match(text(wrong.body), /did not accept the username and password/);
    assert.ok(!wrong.body.includes("wrong-secret-123"), "the password is never sent back");

    const notDav = await c.post("/dashboard/calendars?/add", {
      serverUrl: `${app.baseUrl}/healthz`,
      username: "x",
      password: "y",
    });
    assert.equal(notDav.status, 400);
    assert.match(text(notDav.body), /does not look like a CalDAV server/);

    const added = await c.post("/dashboard/calendars?/add", {
      serverUrl: dav.url,
      username: dav.username,
      password: dav.password,
    });
    assert.equal(added.status, 200);
    assert.match(text(added.body), /Account connected: 2 calendars found and read/);
    assert.ok(!added.body.includes(dav.password));
    let page = await c.get("/dashboard/calendars");
    assert.match(text(page.body), /alice on 127\.0\.0\.1:\d+ Last successful sync: just now/);
    const ids = [...page.body.matchAll(/name="conflict" value="([0-9a-f]{20})"/g)].map((m) => m[1]);
    assert.equal(ids.length, 2);
    assert.equal(
      (page.body.match(/name="writeback" value="[0-9a-f]{20}"[^>]*checked/g) ?? []).length,
      1,
    );

    // Only the first calendar counts as busy; bookings go to the second.
    const saved = await c.post("/dashboard/calendars?/save", {
      conflict: [ids[0]],
      writeback: ids[1],
    });
    assert.equal(saved.status, 200);
    assert.match(text(saved.body), /Calendar settings saved/);
    page = await c.get("/dashboard/calendars");
    assert.match(page.body, new RegExp(`name="conflict" value="${ids[1]}"(?![^>]*checked)`));
    assert.match(page.body, new RegExp(`name="writeback" value="${ids[1]}"[^>]*checked`));

    const accountId = page.body.match(/name="account" value="([0-9A-Z]{26})"/)![1];
    const synced = await c.post("/dashboard/calendars?/sync", { account: accountId });
    assert.match(text(synced.body), /Calendars synced/);

    const removed = await c.post("/dashboard/calendars?/remove", { account: accountId });
    assert.match(text(removed.body), /Account removed/);
    assert.match(text((await c.get("/dashboard/calendars")).body), /No calendars connected yet/);

    // Someone else cannot act on an account id they guessed.
    const other = await signIn(app, "someone@example.test");
    assert.equal(
      (await other.post("/dashboard/calendars?/sync", { account: accountId })).status,
      404,
    );
  },
});

Deno.test({
  ...opts,
  name:
    "dashboard calendars in Chromium: connecting through the form works, the page passes axe, and reads well at 1280 and 360 px",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work", "Work");
    await dav.mkcalendar("family", "Family & friends");
    await using app = await startApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
    const c = await signIn(app, "browser-host@example.test");
    const browser = await launchBrowser();
    try {
      const context = await contextWithSession(browser, c, {
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url("/dashboard/calendars"));
      await page.getByLabel("Server address").fill(dav.url);
      await page.getByLabel("Username").fill(dav.username);
      await page.getByLabel("Password or app password").fill(dav.password);
      await page.getByRole("button", { name: "Connect account" }).click();
      await page.getByText("Account connected: 2 calendars found and read").waitFor();
      await page.getByText("Family & friends").waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "dashboard-calendars-1280");
      await page.setViewportSize({ width: 360, height: 800 });
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth
      );
      assert.ok(overflow <= 0, `no sideways scrolling at 360 px (overflow ${overflow}px)`);
      await screenshot(page, "dashboard-calendars-360");
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});
