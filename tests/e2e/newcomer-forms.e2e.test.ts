/**
 * Forms a new host fills in during their first minutes, in Chromium against the built server,
 * where a newcomer walking through them met friction: a routing form that would not be made
 * from its name alone, and an event type preview that read “NaN” once the server had refused
 * the form.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  checkA11y,
  contextWithSession,
  hydrated,
  launchBrowser,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { signIn } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1366, height: 768 };

Deno.test({
  ...opts,
  name:
    "newcomer event type refused by the server: the preview still reads the length (30 min), never NaN",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "ezra@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const browser = await launchBrowser();
    try {
      const ctx = await contextWithSession(browser, c, { viewport: DESKTOP, locale: "en-US" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url("/dashboard/event-types/new"));
      await hydrated(page);
      const preview = page.getByRole("complementary").filter({ hasText: "Preview" });
      await page.getByLabel("Title").fill("Weekly coaching");
      // Seats and a series together: the server refuses (a series takes one guest per time).
      await page.getByLabel("Guests per time").fill("3");
      await page.locator('select[name="seriesEveryWeeks"]').selectOption("1");
      await page.getByLabel("Number of dates").fill("4");
      await page.getByRole("button", { name: "Create event type" }).click();
      await page.getByText("Nothing was saved. Please fix:").waitFor();
      const text = await preview.innerText();
      assert.doesNotMatch(text, /NaN/, `preview after the refusal: ${text}`);
      assert.match(text, /30 min/);
      await screenshot(page, "newcomer-event-type-refused-1366-light-en");
      assert.deepEqual(errors().filter((e) => !/status of 400/.test(e)), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
