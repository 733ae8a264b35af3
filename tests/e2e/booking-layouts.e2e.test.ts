/**
 * The booking page's layouts (issue 29): month (the calendar and a day's times), week (Monday to
 * Sunday side by side) and column (the next three days), chosen by `layout=`. Each, in every
 * language, is valid HTML (Nu) and clean for axe in light and dark, fits a 360 px phone without
 * sideways scrolling, and books by keyboard alone. The embedding guide is checked the same way.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  inEachScheme,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { vnuErrors } from "../support/vnu.ts";
import { fullDay } from "../support/slots.ts";
import { LANGUAGES } from "../../src/lib/shared/i18n.ts";

const LAYOUTS = ["month", "week", "column"] as const;

Deno.test({
  name:
    "e2e layouts: month, week and column views are Nu/axe clean in four languages, light and dark, fit 360 px and book by keyboard",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    // A full day from tomorrow on: the first day offered may be today with one time left.
    const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "Europe/Berlin",
    });
    const page0 = (layout: string, lang: string) =>
      app.url(
        `/calendar/demo/quick-chat?tz=Europe/Berlin&date=${date}&clock=24h&layout=${layout}&lang=${lang}`,
      );

    // Nu: every layout in every language, as the server sends it (and the guide).
    const docs = new Map<string, string>();
    for (const layout of LAYOUTS) {
      for (const lang of LANGUAGES) {
        const res = await fetch(page0(layout, lang));
        assert.equal(res.status, 200);
        const html = await res.text();
        if (layout !== "month") {
          assert.match(html, new RegExp(`data-layout="${layout}"`), `${layout} ${lang}`);
          assert.ok((html.match(/data-day="/g) ?? []).length === (layout === "week" ? 7 : 3));
        }
        docs.set(`${layout}-${lang}`, html);
      }
    }
    docs.set("docs-embed", await (await fetch(app.url("/docs/embed"))).text());
    assert.deepEqual(await vnuErrors(docs), []);

    const browser = await borrowBrowser();
    try {
      // Each load is checked in light and then dark as the system turns (`inEachScheme`).
      for (const width of [1280, 360]) {
        const ctx = await browser.newContext({
          viewport: { width, height: 900 },
          colorScheme: "light",
          timezoneId: "Europe/Berlin",
          locale: "en-GB",
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        for (const layout of LAYOUTS) {
          for (const lang of LANGUAGES) {
            await page.goto(page0(layout, lang));
            await page.locator("a[data-slot]").first().waitFor();
            await inEachScheme(page, async (scheme) => {
              const where = `${layout} ${lang} ${scheme} ${width}px`;
              assert.deepEqual(await checkA11y(page), [], where);
              const overflow = await page.evaluate(() =>
                document.documentElement.scrollWidth - document.documentElement.clientWidth
              );
              assert.ok(overflow <= 0, `${where}: ${overflow} px sideways`);
              if (lang === LANGUAGES.at(-1)) {
                await screenshot(page, `layout-${layout}-${scheme}-${width}`);
              }
            });
          }
        }
        if (width === 1280) {
          await page.goto(app.url("/docs/embed"));
          assert.deepEqual(await checkA11y(page), [], "docs/embed");
        }
        assert.deepEqual(errors(), []);
        await ctx.close();
      }

      // By keyboard: in the week view, Tab reaches a time, Enter opens the form for it.
      const ctx = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const page = await ctx.newPage();
      await page.goto(page0("week", "en"));
      const first = page.locator("a[data-slot]").first();
      const start = await first.getAttribute("data-slot");
      await first.waitFor();
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press("Tab");
        if (await page.evaluate(() => document.activeElement?.hasAttribute("data-slot"))) break;
      }
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute("data-slot")),
        start,
      );
      await page.keyboard.press("Enter");
      await page.locator("#b-name").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("layout"), "week");
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
