/**
 * In Chromium with an English browser: a guest who opened their move page in German (`?lang=de`)
 * and moves their booking with the page's scripts running lands on a German booking page.
 * (Without scripts: lang-after-post-http.test.ts.)
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import { createClient } from "../support/http.ts";
import { fullDay } from "../support/slots.ts";

Deno.test({
  name:
    "e2e languages: a guest with an English browser moves their booking from the German move page and reads the booking page after it in German",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const { date, slots } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", { min: 3 });
    const booked = await createClient(app.baseUrl).post(
      `/calendar/demo/quick-chat?/book&tz=UTC&date=${date}`,
      { name: "Ann", email: "ann@example.test", start: slots[0], tz: "UTC" },
      { headers: { "accept-language": "en-US" } },
    );
    assert.equal(booked.status, 303);
    const manage = new URL(booked.location!).pathname;

    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(
        `${app.baseUrl}${manage}/reschedule?lang=de&tz=UTC&date=${date}&slot=${
          encodeURIComponent(slots[2])
        }`,
      );
      await hydrated(page);
      await page.getByRole("button", { name: "Termin verschieben" }).click();
      await page.waitForURL((u) => /^\/booking\/[^/]+$/.test(u.pathname) && u.pathname !== manage);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      assert.equal(await page.locator("html").getAttribute("lang"), "de");
      assert.equal(
        (await page.getByRole("heading", { level: 1 }).first().textContent())?.trim(),
        "Ihre Buchung wurde verschoben",
      );
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});
