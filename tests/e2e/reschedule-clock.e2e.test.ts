/**
 * A guest who booked on a 12-hour clock opens their reschedule link in a German browser, in
 * Chromium: the page writes every time — the booking's own in its heading and the free times —
 * on the clock they chose, before and after its scripts run, unless its address names another.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";

const TWELVE = /\d{1,2}:\d{2}\s?(AM|PM)/;

Deno.test({
  name:
    "e2e reschedule page: one clock on the page — the one the guest booked with, unless its address names one",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const { slots } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "Europe/Berlin",
      query: "lang=de&clock=12h",
    });
    // Booked from the German page on the 12-hour clock (its form carries the clock).
    const res = await fetch(app.url("/calendar/demo/quick-chat?/book"), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "accept-language": "de-DE,de;q=0.9",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        name: "Dora",
        email: "dora@example.test",
        note: "",
        start: slots[3],
        tz: "Europe/Berlin",
        clock: "12h",
      }),
      redirect: "manual",
    });
    await res.body?.cancel();
    assert.equal(res.status, 303);
    const link = res.headers.get("location")!;
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ locale: "de-DE", timezoneId: "Europe/Berlin" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      const clockOf = async () => ({
        heading: await page.getByTestId("manage-moving").innerText(),
        times: await page.locator("a[data-slot]").allInnerTexts(),
      });
      await page.goto(app.url(`${link}/reschedule`));
      await page.locator("a[data-slot]").first().waitFor();
      await hydrated(page);
      const chosen = await clockOf();
      assert.match(chosen.heading, TWELVE, chosen.heading);
      assert.ok(chosen.times.every((t) => TWELVE.test(t)), chosen.times.join(" | "));
      assert.doesNotMatch(page.url(), /clock=24h/, "the browser's language does not switch it");
      // The address names 24 hours: the heading follows too.
      await page.goto(app.url(`${link}/reschedule?clock=24h`));
      await page.locator("a[data-slot]").first().waitFor();
      await hydrated(page);
      const asked = await clockOf();
      assert.doesNotMatch(asked.heading, /AM|PM/, asked.heading);
      assert.ok(asked.times.every((t) => !/AM|PM/.test(t)), asked.times.join(" | "));
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
