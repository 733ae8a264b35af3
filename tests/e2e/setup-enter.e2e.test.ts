/**
 * First-run setup in Chromium: Enter in a field does the page's main action (save and go on to
 * the welcome dashboard), with and without the page's scripts — not "Save and connect a
 * calendar", the first button in the form.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, contextWithSession, hydrated } from "../support/browser.ts";
import { signIn } from "../reliability/harness.ts";

Deno.test({
  name:
    "e2e setup: Enter in the name or the username field saves and opens the welcome dashboard, with scripts and without",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      for (
        const [email, field, javaScriptEnabled] of [
          ["ann@example.test", "Display name", true],
          ["bea@example.test", "Username", false],
        ] as const
      ) {
        const c = await signIn(app, email);
        const ctx = await contextWithSession(browser, c, { locale: "en-US", javaScriptEnabled });
        const page = await ctx.newPage();
        await page.goto(app.url("/dashboard/setup"));
        if (javaScriptEnabled) await hydrated(page);
        const input = page.getByLabel(field, { exact: true });
        if (field === "Display name") await input.fill("Ann Lee");
        else await page.getByLabel("Display name", { exact: true }).fill("Bea");
        await input.press("Enter");
        await page.waitForURL((u) => u.pathname !== "/dashboard/setup");
        const url = new URL(page.url());
        assert.equal(url.pathname + url.search, "/dashboard?welcome=1", `${field}: ${page.url()}`);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
