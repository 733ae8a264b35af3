/**
 * French on a small phone (360 px): the pages whose words changed most with the French
 * typography and "agenda" (no-break spaces keep a word and its colon or « » together, so a line
 * can only break elsewhere) still fit the screen, with nothing wider than it. Screenshots land
 * in test-results/screenshots/fr-360-*.png for a person to look at.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, screenshot, trackPageErrors } from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";

Deno.test({
  name: "e2e French at 360 px: booking page, Home, Agendas, hours and bookings fit the screen",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({
        timezoneId: "Europe/Paris",
        viewport: { width: 360, height: 760 },
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      const pages = [
        ["booking", "/calendar/demo/intro-call?lang=fr", "a[data-slot]"],
        ["home", "/dashboard?lang=fr", "main h1"],
        ["calendars", "/dashboard/calendars?lang=fr", "main h1"],
        ["availability", "/dashboard/availability?lang=fr", "main h1"],
        ["bookings", "/dashboard/bookings?lang=fr", "main h1"],
      ] as const;
      const look = async ([name, path, ready]: readonly [string, string, string]) => {
        await page.goto(app.url(path), { waitUntil: "networkidle" });
        await page.locator(ready).first().waitFor();
        assert.match((await page.locator("html").getAttribute("lang")) ?? "", /^fr\b/, path);
        const wide = await page.evaluate(() => {
          const limit = document.documentElement.clientWidth;
          const out = [document.documentElement.scrollWidth > limit ? "page" : ""];
          for (const el of document.querySelectorAll("body *")) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > limit + 1 && getComputedStyle(el).position !== "fixed") {
              out.push(`${el.tagName.toLowerCase()} “${(el.textContent ?? "").slice(0, 40)}”`);
            }
          }
          return out.filter(Boolean).slice(0, 5);
        });
        assert.deepEqual(wide, [], `${path} is wider than 360 px`);
        await screenshot(page, `fr-360-${name}`);
      };
      // Signed in first, in English (the sign-in helper reads English labels); ?lang=fr then.
      await signInAs(page, app.baseUrl, "demo@invito.example", smtp);
      for (const p of pages) await look(p);
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
