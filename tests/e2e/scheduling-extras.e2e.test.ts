/**
 * Issue 17 as a host and a guest would click it in Chromium: a secret event type with a
 * follow-up, a single-use link that books once and then says so, public holidays imported into
 * time off, and the troubleshooter explaining the booked day — with axe on each page and
 * screenshots at desktop width (light) and on a 360 px phone (dark).
 */
import assert from "node:assert/strict";
import { signInWithEmail } from "../support/browser-sign-in.ts";
import { startApp } from "../support/app.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import type { Page } from "playwright-core";
import { fullDay } from "../support/slots.ts";

async function a11y(page: Page, name: string) {
  assert.deepEqual(await checkA11y(page), [], `axe on ${name}`);
  await screenshot(page, name);
}

Deno.test({
  name:
    "e2e extras: secret type hidden but bookable by a single-use link that works once; holidays import; troubleshooter explains the day",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ env: { INVITO_MIN_FILL_TIME: "0s" } });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({
        timezoneId: "Europe/Berlin",
        viewport: { width: 1280, height: 900 },
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);

      // Sign in by email link.
      await page.goto(`${app.baseUrl}/dashboard/event-types`);
      await page.waitForURL(/\/signin\?next=/);
      await signInWithEmail(page, {
        baseUrl: app.baseUrl,
        app,
        email: "sam@example.test",
        next: "/dashboard/event-types",
      });

      // A listed type and a secret one with a follow-up.
      for (const [title, secret] of [["Intro chat", false], ["VIP session", true]] as const) {
        await page.goto(`${app.baseUrl}/dashboard/event-types/new`);
        await page.getByLabel("Title").fill(title);
        await page.getByLabel("Guests book instantly").check();
        if (secret) {
          await page.getByLabel("Secret").check();
          await page.getByRole("button", { name: "Add follow-up" }).click();
          await page.getByLabel("Message of follow-up 1").fill("Thank you for your time!");
          await a11y(page, "extras-1-secret-editor");
        }
        await page.getByRole("button", { name: "Create event type" }).click();
        await page.waitForURL(/\/dashboard\/event-types\/[0-9A-Z]{26}/);
      }
      assert.equal(await page.getByLabel("Secret").isChecked(), true);
      assert.equal(
        await page.getByLabel("Message of follow-up 1").inputValue(),
        "Thank you for your time!",
      );
      await page.goto(`${app.baseUrl}/dashboard/event-types`);
      await page.getByText("Secret", { exact: true }).first().waitFor();

      // The host page lists only the listed type; the secret page asks not to be indexed.
      const hostPage = await (await fetch(`${app.baseUrl}/calendar/sam/`)).text();
      assert.match(hostPage, /Intro chat/);
      assert.doesNotMatch(hostPage, /VIP session/);
      const secretRes = await fetch(`${app.baseUrl}/calendar/sam/vip-session`);
      assert.equal(secretRes.status, 200);
      assert.equal(secretRes.headers.get("x-robots-tag"), "noindex");
      assert.match(await secretRes.text(), /<meta name="robots" content="noindex"/);

      // Single-use links: make two, one for a guest, one to revoke.
      await page.getByRole("link", { name: "Single-use links of VIP session" }).click();
      await page.getByRole("heading", { name: "Single-use links" }).waitFor();
      await page.getByLabel(/Note/).fill("For Grace");
      await page.getByRole("button", { name: "Make single-use link" }).click();
      const url = (await page.getByTestId("minted").locator("code").innerText()).trim();
      assert.match(url, /\/calendar\/sam\/once\/[A-Za-z0-9_-]+$/);
      assert.ok(!url.includes("vip"), "the link does not reveal the secret address");
      await page.getByLabel(/Note/).fill("Spare");
      await page.getByRole("button", { name: "Make single-use link" }).click();
      await page.getByTestId("minted").locator("code").filter({ hasNotText: url }).waitFor();
      await page.getByRole("button", { name: "Revoke link Spare" }).click();
      await page.locator('[data-state="revoked"]').waitFor();
      await a11y(page, "extras-2-links");

      // The guest books through it…
      const guestCtx = await browser.newContext({
        timezoneId: "Europe/Berlin",
        viewport: { width: 1280, height: 900 },
      });
      const guest = await guestCtx.newPage();
      // On a day from tomorrow on: the link's own first day may be today, whose first time can
      // pass while the guest fills in.
      const { path } = await fullDay(app.baseUrl, new URL(url).pathname, {
        tz: "Europe/Berlin",
        min: 1,
      });
      await guest.goto(app.url(path));
      const slot = guest.locator("a[data-slot]").first();
      await slot.waitFor();
      const startIso = await slot.getAttribute("data-slot");
      await slot.click();
      await guest.getByLabel("Name").fill("Grace Guest");
      await guest.getByLabel("Email").fill("grace@example.test");
      await screenshot(guest, "extras-3-link-form");
      await guest.getByRole("button", { name: /Book|Request/ }).click();
      await guest.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
      // …and the link is spent.
      await guest.goto(url);
      await guest.getByRole("heading", { name: "This link has been used" }).waitFor();
      assert.deepEqual(await checkA11y(guest), []);
      await screenshot(guest, "extras-4-link-used");
      await guestCtx.close();

      await page.reload();
      await page.locator('[data-state="used"]').getByText("Grace Guest").waitFor();

      // Public holidays into time off: review, then save.
      await page.goto(`${app.baseUrl}/dashboard/availability`);
      await page.getByLabel("Country").selectOption("DE");
      await page.getByLabel(/Region/).selectOption("BY");
      await page.getByRole("button", { name: "Import holidays" }).click();
      await page.getByText(/public holidays? of Germany \(Bayern\) added/).waitFor();
      const added = await page.getByText("New", { exact: true }).count();
      assert.ok(added >= 10, `imported ${added} holidays`);
      await a11y(page, "extras-5-holidays");
      await page.getByRole("button", { name: "Save time off" }).click();
      await page.getByText("Time off saved").waitFor();
      await page.getByLabel("Country").selectOption("DE");
      await page.getByLabel(/Region/).selectOption("BY");
      await page.getByRole("button", { name: "Import holidays" }).click();
      await page.getByText("Nothing new to import").waitFor();

      // The troubleshooter explains the booked day.
      const date = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(
        Date.parse(startIso!),
      );
      const time = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(Date.parse(startIso!));
      // The troubleshooter sits in the dashboard's "More" menu.
      await page.getByRole("navigation").locator("summary").click();
      await page.getByRole("link", { name: "Troubleshooter" }).click();
      await page.getByLabel("Event type").selectOption({ label: "VIP session" });
      await page.getByLabel("Day", { exact: true }).fill(date);
      await page.getByLabel(/Check a time/).fill(time);
      await page.getByRole("button", { name: "Explain" }).click();
      await page.waitForURL(/date=/);
      await page.getByTestId("asked").getByText(/not offered/).waitFor();
      assert.match(await page.getByTestId("asked").innerText(), /“VIP session” with Grace Guest/);
      await page.getByTestId("timeline").waitFor();
      await a11y(page, "extras-6-troubleshooter");
      assert.deepEqual(errors(), []);
      const state = await ctx.storageState();
      await ctx.close();

      // A 360 px phone in dark mode.
      const phone = await browser.newContext({
        viewport: { width: 360, height: 780 },
        colorScheme: "dark",
        storageState: state,
      });
      const p2 = await phone.newPage();
      const links = await (await fetch(url)).text();
      assert.match(links, /This link has been used/);
      for (
        const path of [
          `/dashboard/troubleshoot?date=${date}&at=${time}`,
          "/dashboard/availability",
          "/dashboard/event-types",
        ]
      ) {
        await p2.goto(app.baseUrl + path);
        assert.ok(await p2.evaluate(() => document.documentElement.classList.contains("dark")));
        const width = await p2.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 360, `${path} scrolls sideways (${width}px)`);
        await a11y(p2, `extras-phone${path.replace(/\?.*$/, "").replaceAll("/", "-")}`);
      }
      await p2.getByRole("link", { name: "Single-use links of VIP session" }).click();
      await p2.getByRole("heading", { name: "Single-use links" }).waitFor();
      const width = await p2.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `links page scrolls sideways (${width}px)`);
      await a11y(p2, "extras-phone-links");
      await p2.goto(url);
      await a11y(p2, "extras-phone-link-used");
      await phone.close();
    } finally {
      await browser.close();
    }
  },
});
