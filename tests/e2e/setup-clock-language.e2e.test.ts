/**
 * The first-run setup's hours on the clock of a language the reader chose: a newcomer with an
 * English (US) browser opens the setup's link with `?lang=de` and read German words with “9:00
 * AM” — the times followed the account's clock (Automatic: the browser's English at sign-up),
 * while the booking pages give a chosen language its clock (ADR 056, `guestClock`). Without
 * `?lang=` the account's clock stays, as on the rest of the dashboard.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated } from "../support/browser.ts";
import { signInWithEmail } from "../support/browser-sign-in.ts";

const TWELVE = /^\d{1,2}:\d{2}\s?(AM|PM)$/;
const TWENTY_FOUR = /^\d{2}:\d{2}$/;

Deno.test({
  name:
    "e2e setup: an English browser on /dashboard/setup?lang=de reads the working hours on the 24-hour clock, before and after scripts; without ?lang= the account's 12-hour clock",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ locale: "en-US" });
      const page = await ctx.newPage();
      await signInWithEmail(page, {
        baseUrl: app.baseUrl,
        email: "newcomer@example.test",
        app,
        next: "/dashboard/setup",
      });
      // The start's choices (the end's last one reads “midnight” in English).
      const hours = async () =>
        (await page.locator("#f-start option").allInnerTexts()).map((t) => t.trim());

      await page.goto(app.url("/dashboard/setup"));
      await hydrated(page);
      const own = await hours();
      assert.ok(
        own.length > 0 && own.every((t) => TWELVE.test(t)),
        JSON.stringify(own.filter((t) => !TWELVE.test(t))),
      );

      // German chosen by the address, as the page first arrives and once its scripts run.
      const js = await browser.newContext({ locale: "en-US", javaScriptEnabled: false });
      try {
        await js.addCookies(await ctx.cookies());
        const plain = await js.newPage();
        await plain.goto(app.url("/dashboard/setup?lang=de"));
        const served = (await plain.locator("#f-start option").allInnerTexts()).map((t) =>
          t.trim()
        );
        assert.ok(served.every((t) => TWENTY_FOUR.test(t)), served.slice(0, 4).join(" | "));
      } finally {
        await js.close();
      }
      await page.goto(app.url("/dashboard/setup?lang=de"));
      await hydrated(page);
      assert.equal(await page.locator("html").getAttribute("lang"), "de");
      const german = await hours();
      assert.ok(german.every((t) => TWENTY_FOUR.test(t)), german.slice(0, 4).join(" | "));
    } finally {
      await browser.close();
    }
  },
});
