/**
 * Pages with colour inputs log nothing in Chromium's console: no "The specified value "" does not
 * conform to the required format "#rrggbb"" on loading the new event type form or the Embed page,
 * nor after a client-side navigation to them.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser } from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import type { Page } from "playwright-core";

/** Every console message of a level a person would see as a problem (warnings and errors). */
function trackConsole(page: Page): () => string[] {
  const out: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "warning" || m.type() === "error") out.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => out.push(`pageerror: ${e.message}`));
  return () => [...out];
}

Deno.test({
  name: "e2e: the new event type form and the Embed page log no console warnings",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const page = await ctx.newPage();
      await signInAs(page, app.baseUrl, "demo@invito.example", smtp);
      for (const path of ["/dashboard/event-types/new", "/dashboard/embed"]) {
        const messages = trackConsole(page);
        await page.goto(app.url(path), { waitUntil: "networkidle" });
        await page.locator("input[type=color]").first().waitFor();
        assert.deepEqual(messages(), [], `console on ${path}`);
      }
      // Reached by a click (client-side rendering, no hydration): quiet too.
      const messages = trackConsole(page);
      await page.goto(app.url("/dashboard"), { waitUntil: "networkidle" });
      // Embed sits in the dashboard's "More" menu.
      await page.getByRole("navigation").locator("summary").click();
      await page.getByRole("link", { name: "Embed", exact: true }).first().click();
      await page.waitForURL(/\/dashboard\/embed$/);
      await page.locator("input[type=color]").first().waitFor();
      await page.goto(app.url("/dashboard/event-types"), { waitUntil: "networkidle" });
      await page.locator("a[href='/dashboard/event-types/new']").first().click();
      await page.waitForURL(/\/event-types\/new$/);
      await page.locator("input[type=color]").first().waitFor();
      assert.deepEqual(messages(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
