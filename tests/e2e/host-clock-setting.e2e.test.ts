/**
 * The host's 12/24-hour clock. It was taken from the first sign-in's browser and then frozen
 * (without the sign-in page's script, always 24 hours): a host who switched the dashboard to
 * English still read "09:00", and Profile offered only "24-hour" and "12-hour". Profile's "Times"
 * now offers "Automatic" — the language's clock, following it when the language changes — and a
 * new account starts on it; a fixed choice stays fixed.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  hydrated,
  sessionCookies,
} from "../support/browser.ts";
import { shootAll } from "../support/shots.ts";
import { signIn } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** The first working-hours start the Availability page shows ("9:00 AM" or "09:00"). */
async function workingHoursStart(page: Page, baseUrl: string): Promise<string> {
  await page.goto(`${baseUrl}/dashboard/availability`);
  const select = page.locator("main select").filter({ has: page.locator("option") }).first();
  await select.waitFor();
  return (await select.locator("option:checked").innerText()).trim();
}

async function saveProfile(
  page: Page,
  baseUrl: string,
  change: { language?: string; clock?: string },
): Promise<void> {
  await page.goto(`${baseUrl}/dashboard/profile`);
  await hydrated(page);
  if (change.language) await page.locator("#f-locale").selectOption(change.language);
  if (change.clock) await page.locator("#f-clock").selectOption(change.clock);
  const saved = page.waitForResponse((r) => r.request().method() === "POST");
  await page.locator("form:has(#f-clock) button[type=submit]").first().click();
  assert.ok((await saved).status() < 400);
  await page.waitForLoadState("networkidle");
}

Deno.test({
  ...opts,
  name:
    "host clock: a new account is on 'Automatic', which follows the language; a fixed clock stays",
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      const c = await signIn(app, "nina@example.test");
      const ctx = await contextWithSession(browser, c, { locale: "en-US" });
      const page = await ctx.newPage();
      await page.goto(app.url("/dashboard/profile"));
      const times = page.getByLabel("Times", { exact: true });
      assert.equal(await times.inputValue(), "auto");
      assert.match(await times.locator("option:checked").innerText(), /Automatic/);
      assert.deepEqual(await checkA11y(page), []);

      // Automatic follows the language: German writes 24 hours, English (US) 12.
      await saveProfile(page, app.baseUrl, { language: "de" });
      assert.equal(await workingHoursStart(page, app.baseUrl), "09:00");
      await saveProfile(page, app.baseUrl, { language: "en" });
      assert.match(await workingHoursStart(page, app.baseUrl), /^9:00\s?AM$/);

      // A fixed clock is kept whatever the language.
      await saveProfile(page, app.baseUrl, { clock: "24h" });
      assert.equal(await workingHoursStart(page, app.baseUrl), "09:00");
      await saveProfile(page, app.baseUrl, { language: "en" });
      assert.equal(await workingHoursStart(page, app.baseUrl), "09:00");
      await page.goto(app.url("/dashboard/profile"));
      assert.equal(await page.getByLabel("Times", { exact: true }).inputValue(), "24h");
      await ctx.close();

      const state = { cookies: sessionCookies(c).map((k) => ({ ...k, expires: -1 })), origins: [] };
      await shootAll(browser, app.url("/dashboard/profile"), "profile-clock", {
        ready: "#f-clock",
        storageState: state,
        views: [
          { name: "phone360", viewport: { width: 360, height: 740 } },
          { name: "desktop", viewport: { width: 1366, height: 768 } },
        ],
      });
    } finally {
      await browser.close();
    }
  },
});
