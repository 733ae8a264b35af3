/**
 * The clock a booking page writes, in Chromium with an English (US) browser: a language the
 * guest chose (`?lang=de`, the language links) brings that language's clock (24 hours), as the
 * README says; with no choice, the browser's language decides (12 hours); a clock named in the
 * address wins over both. It showed German words with "9:00 AM": the browser's language decided
 * even where the guest had chosen German (ADR 056's head script and BookingPanel's effect).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";

const TWELVE = /\d{1,2}:\d{2}\s?(AM|PM)/;
const TWENTY_FOUR = /^\d{2}:\d{2}$/;

Deno.test({
  name:
    "e2e clock: an English browser on ?lang=de reads German times on the 24-hour clock (before and after scripts, and after choosing German from the language links); without ?lang= its own 12-hour clock; ?clock=12h wins",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const zone = "Europe/Berlin";
    const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", { tz: zone });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ locale: "en-US", timezoneId: zone });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      const times = async () => {
        await page.locator("a[data-slot]").first().waitFor();
        await hydrated(page);
        return (await page.locator("a[data-slot]").allInnerTexts()).map((t) => t.trim());
      };
      const base = `/calendar/demo/quick-chat?date=${date}&tz=${encodeURIComponent(zone)}`;

      // German chosen by the address: German words, 24-hour times, and no move to clock=12h.
      await page.goto(app.url(`${base}&lang=de`));
      const german = await times();
      assert.equal(await page.locator("html").getAttribute("lang"), "de");
      assert.ok(german.length > 0 && german.every((t) => TWENTY_FOUR.test(t)), german.join(" | "));
      assert.doesNotMatch(page.url(), /clock=/);
      // The settings line's clock says so too.
      assert.doesNotMatch(await page.locator("main").innerText(), TWELVE);

      // Nothing chosen: the English browser's clock.
      await page.goto(app.url(base));
      const english = await times();
      assert.ok(english.every((t) => TWELVE.test(t)), english.join(" | "));

      // German chosen from the language links: 24 hours again.
      await page.getByTestId("settings-line").click();
      await page.getByTestId("guest-settings").locator('a[hreflang="de"]').click();
      await page.waitForURL(/lang=de/);
      await page.waitForFunction(() => document.documentElement.lang === "de");
      const switched = await times();
      assert.ok(switched.every((t) => TWENTY_FOUR.test(t)), switched.join(" | "));

      // A clock named in the address wins over the language.
      await page.goto(app.url(`${base}&lang=de&clock=12h`));
      const named = await times();
      assert.ok(named.every((t) => TWELVE.test(t)), named.join(" | "));
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
