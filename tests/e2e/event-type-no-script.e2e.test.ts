/**
 * The event type form without its scripts (turned off, or not arrived yet on a slow phone): a
 * host who changes the default length gets an event type of that length. The form said the
 * default is always offered by sending it as a hidden `durations` field, rendered with the old
 * default, so without the script that moves it a new default of 45 was refused with "Also offer
 * 45 min".
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import { borrowBrowser, contextWithSession } from "../support/browser.ts";

Deno.test({
  name:
    "event type form without scripts: a new default length is taken and offered alone, an extra ticked length beside it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp();
    const client = await signInByLink(app, "plain.host@example.test");
    const browser = await borrowBrowser();
    try {
      const ctx = await contextWithSession(browser, client, { javaScriptEnabled: false });
      const page = await ctx.newPage();
      for (const [title, tick] of [["Strategy session", null], ["Deep dive", "60"]] as const) {
        await page.goto(`${app.baseUrl}/dashboard/event-types/new`);
        await page.getByLabel("Title").fill(title);
        await page.getByLabel("Default duration (minutes)").fill("45");
        if (tick) await page.locator(`input[name="durations"][value="${tick}"]`).check();
        await page.getByRole("button", { name: "Create event type" }).click();
        await page.waitForURL(/\/dashboard\/event-types\/[0-9A-Z]{26}/);
        const lengths = await page.locator('input[type="checkbox"][name="durations"]:checked')
          .evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value));
        assert.deepEqual(lengths, tick ? ["60"] : [], `${title}: lengths besides the default`);
        assert.equal(await page.getByLabel("Default duration (minutes)").inputValue(), "45");
        assert.ok(await page.getByRole("checkbox", { name: "45 min · default" }).isChecked());
      }
    } finally {
      await browser.close();
    }
  },
});
