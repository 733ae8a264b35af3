/**
 * The host's booking list and Home, as a host uses them in Chromium: a request offers Confirm
 * and Reject (not Cancel too), a confirmed booking's "Cancel…" is a button in line with the
 * others, each booking names the guest's time zone, a search by name or address works (without
 * scripts too), and "Reject or more…" on Home rejects right there.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import { shootAll } from "../support/shots.ts";
import { fullDay } from "../support/slots.ts";
import type { Browser } from "playwright-core";

async function book(
  browser: Browser,
  baseUrl: string,
  slug: string,
  name: string,
  zone: string,
  nth: number,
) {
  const ctx = await browser.newContext({ timezoneId: zone });
  try {
    const page = await ctx.newPage();
    // A full day from tomorrow on (in the guest's zone): the page's own first day may be today,
    // with fewer times than `nth` or one that passes before the click.
    const { path } = await fullDay(baseUrl, `/calendar/demo/${slug}`, { tz: zone });
    await page.goto(baseUrl + path);
    await page.locator("a[data-slot]").nth(nth).click();
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Email").fill(`${name.toLowerCase()}@example.test`);
    await page.getByRole("button", { name: /Request this time|Book this time/ }).click();
    await page.getByTestId("booking-state").waitFor();
  } finally {
    await ctx.close();
  }
}

Deno.test({
  name:
    "e2e bookings: Reject alone on a request, Cancel… a button in line, the guest's zone, search without scripts, reject in place on Home",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    try {
      await book(browser, app.baseUrl, "intro-call", "Ann", "Europe/Berlin", 0);
      await book(browser, app.baseUrl, "intro-call", "Ben", "Europe/Berlin", 2);
      await book(browser, app.baseUrl, "quick-chat", "Cleo", "Asia/Tokyo", 0);

      const ctx = await browser.newContext({
        timezoneId: "Europe/Berlin",
        viewport: { width: 1366, height: 900 },
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await signInAs(page, app.baseUrl, "demo@invito.example", smtp);
      await page.goto(app.url("/dashboard/bookings"), { waitUntil: "networkidle" });
      const row = (name: string) => page.locator("[data-booking]", { hasText: name });

      // A request: Confirm and Reject…, not Cancel… as well; both on one line.
      const ann = row("Ann");
      await ann.waitFor();
      assert.equal(await ann.getByText("Cancel…").count(), 0);
      const confirm = (await ann.getByRole("button", { name: "Confirm" }).boundingBox())!;
      const reject = (await ann.getByText("Reject…").boundingBox())!;
      assert.ok(
        Math.abs(confirm.y - reject.y) <= 2 && Math.abs(confirm.height - reject.height) <= 2,
      );

      // A confirmed booking: "Cancel…" looks like a button (a border, as "Reject…" has).
      const cleo = row("Cleo");
      const cancel = cleo.getByText("Cancel…");
      const look = await cancel.evaluate((el) => {
        const s = getComputedStyle(el);
        return { border: s.borderTopWidth, display: s.display };
      });
      assert.notEqual(look.border, "0px");
      assert.match(look.display, /flex/);
      const rejectLook = await ann.getByText("Reject…").evaluate((el) =>
        getComputedStyle(el).borderTopWidth
      );
      assert.equal(look.border, rejectLook);

      // The guest's zone: Cleo booked from Tokyo.
      assert.match(await cleo.locator("[data-guest-zone]").innerText(), /Tokyo/);
      assert.match(await ann.locator("[data-guest-zone]").innerText(), /Berlin/);
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "bookings-1-list");

      // Search by name or address, with scripts off: a plain GET form.
      const noJs = await browser.newContext({
        javaScriptEnabled: false,
        storageState: await ctx.storageState(),
      });
      const nj = await noJs.newPage();
      await nj.goto(app.url("/dashboard/bookings"));
      await nj.getByLabel("Search by the name or email of anyone invited").fill("cleo@");
      await nj.getByRole("button", { name: "Search" }).click();
      await nj.waitForURL(/[?&]q=cleo%40/);
      const found = nj.locator("[data-booking]");
      assert.equal(await found.count(), 1);
      assert.match(await found.innerText(), /Cleo/);
      await nj.getByLabel("Search by the name or email of anyone invited").fill("nobody");
      await nj.getByRole("button", { name: "Search" }).click();
      await nj.getByText("No bookings match “nobody”.").waitFor();
      await noJs.close();

      // Home: "Reject or more…" rejects right there, and the request leaves the list.
      await page.goto(app.url("/dashboard"), { waitUntil: "networkidle" });
      const pending = page.getByTestId("home-pending");
      const benItem = pending.locator("li", { hasText: "Ben" });
      await benItem.getByText("Reject or more…").click();
      await benItem.getByLabel(/A message for Ben/).fill("Sorry, that week is full.");
      await benItem.getByRole("button", { name: "Reject request" }).click();
      await page.getByTestId("home-done").waitFor();
      assert.match(page.url(), /\/dashboard$/);
      await pending.locator("li", { hasText: "Ben" }).waitFor({ state: "detached" });
      const rejected = await smtp.waitForMail((m) =>
        m.to.includes("ben@example.test") && /Sorry, that week is full\./.test(m.text)
      );
      assert.ok(rejected);
      await screenshot(page, "bookings-2-home-rejected");

      await shootAll(browser, app.url("/dashboard/bookings"), "bookings-list", {
        ready: "[data-booking]",
        storageState: await ctx.storageState(),
      });
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
