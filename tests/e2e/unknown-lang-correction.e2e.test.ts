/**
 * A guest link with a language this server does not speak (`?lang=xx`, `?lang=pt`): the page is
 * written in the fallback language, as it should be, but the booking panel took any `lang=` for a
 * language the guest chose (whose clock is theirs, ADR 056) and left the guessed clock standing.
 * A guest whose browser writes 12 hours (navigator.language en-US) while its first
 * Accept-Language tag is German came from the host's page to an event type and read "09:00";
 * without `lang=` the same visit reads "9:00 AM". An unknown language must behave as no `lang=`
 * at all; a language the server speaks keeps its own clock.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const TWELVE = /^\d{1,2}:\d{2}\s?(AM|PM)$/;
const TWENTY_FOUR = /^\d{2}:\d{2}$/;

Deno.test({
  ...opts,
  name: "unknown ?lang= on a booking page: the browser's own clock still replaces the guessed one",
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      for (
        const [lang, clock] of [
          [null, TWELVE],
          ["xx", TWELVE],
          ["pt", TWELVE],
          // A language the server speaks, chosen: its clock is the guest's (ADR 056).
          ["de", TWENTY_FOUR],
        ] as const
      ) {
        // Accept-Language says German (the server guesses 24 hours); the browser writes 12.
        const ctx = await browser.newContext({ locale: "de-DE", timezoneId: "America/New_York" });
        await ctx.addInitScript(() => {
          Object.defineProperty(Navigator.prototype, "language", { get: () => "en-US" });
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        // From the host's page to the event type: the panel's scripts, not the head script,
        // correct the guess on a page reached inside the app.
        await page.goto(app.url(`/calendar/demo${lang ? `?lang=${lang}` : ""}`));
        await hydrated(page);
        await page.locator("a[href*='/quick-chat']").first().click();
        const slot = page.locator("a[data-slot]").first();
        await slot.waitFor();
        const label = `lang=${lang}`;
        if (clock === TWELVE) {
          await page.waitForURL((u) => u.searchParams.get("clock") === "12h", { timeout: 10_000 })
            .catch(() => {});
          await page.waitForFunction(
            () => /AM|PM/.test(document.querySelector("a[data-slot]")?.textContent ?? ""),
            undefined,
            { timeout: 5_000 },
          ).catch(() => {});
        }
        assert.match((await slot.innerText()).trim(), clock, `${label}: ${page.url()}`);
        // The page opened by its address behaves the same (the head script, before paint).
        const again = new URL(page.url());
        again.searchParams.delete("clock");
        await page.goto(again.href);
        await hydrated(page);
        await slot.waitFor();
        assert.match((await slot.innerText()).trim(), clock, `${label} reloaded: ${page.url()}`);
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
