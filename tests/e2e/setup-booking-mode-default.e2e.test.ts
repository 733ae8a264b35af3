/**
 * A newcomer answers the setup's "How guests book" with "I confirm each request by mail"; the
 * event type they make next week came out as instant booking, their answer forgotten. The
 * setup's choice is now the new event type form's preset (still theirs to change per type), and
 * a host who chose instant booking gets instant booking, as before.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, startApp } from "../support/app.ts";
import { borrowBrowser, contextWithSession, hydrated, SCREENSHOTS } from "../support/browser.ts";
import { signInByLink } from "../support/auth.ts";
import type { Page } from "playwright-core";

const opts = { sanitizeResources: false, sanitizeOps: false };

const VIEWS = [
  ["phone360", { width: 360, height: 740 }],
  ["desktop", { width: 1366, height: 768 }],
] as const;
const shot = (name: string) => join(repoRoot, "test-results", "screenshots", `${name}.png`);

// By its words: once the page's scripts render the radio, "on" (a radio's default value) is
// no attribute to select by.
const mode = (page: Page, on: boolean) =>
  page.getByRole("radio", {
    name: on ? "I confirm each request by mail" : "Guests book instantly",
  });

Deno.test({
  ...opts,
  name:
    "setup's booking choice presets the new event type form: requests stay requests, instant stays instant",
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      for (const confirm of [true, false]) {
        const who = confirm ? "rita" : "ivan";
        const c = await signInByLink(app, `${who}@example.test`);
        const ctx = await contextWithSession(browser, c, { locale: "en-US" });
        const page = await ctx.newPage();
        await page.goto(app.url("/dashboard/setup"));
        await hydrated(page);
        await page.getByLabel("Display name", { exact: true }).fill(confirm ? "Rita" : "Ivan");
        await mode(page, confirm).check();
        await page.getByRole("button", { name: "Save and open my dashboard" }).click();
        await page.waitForURL((u) => u.pathname === "/dashboard");

        // The setup's own event type, and a new one made later, untouched.
        await page.goto(app.url("/dashboard/event-types/new"));
        assert.equal(await mode(page, confirm).isChecked(), true, `${who}: preset`);
        assert.equal(await mode(page, !confirm).isChecked(), false, `${who}: preset`);
        if (confirm && SCREENSHOTS) {
          // The section around the choice (the whole form is a long page at 360 px).
          const section = page.locator("section", { has: mode(page, true) });
          for (const [name, viewport] of VIEWS) {
            await page.setViewportSize(viewport);
            await section.screenshot({ path: shot(`setup-mode-default-new-${name}`) });
          }
        }
        await hydrated(page);
        await page.getByLabel("Title").fill("Second meeting");
        await page.getByRole("button", { name: "Create event type" }).click();
        await page.waitForURL(/\/dashboard\/event-types\/\w+\?created=1/);
        assert.equal(await mode(page, confirm).isChecked(), true, `${who}: saved as preset`);

        // Still the host's choice per type: this one the other way.
        await page.goto(app.url("/dashboard/event-types/new"));
        await hydrated(page);
        await page.getByLabel("Title").fill("Third meeting");
        await mode(page, !confirm).check();
        await page.getByRole("button", { name: "Create event type" }).click();
        await page.waitForURL(/\/dashboard\/event-types\/\w+\?created=1/);
        assert.equal(await mode(page, !confirm).isChecked(), true, `${who}: changed per type`);
        await ctx.close();

        // Without scripts the page says the same (the preset is in the page as served).
        const plain = await contextWithSession(browser, c, {
          locale: "en-US",
          javaScriptEnabled: false,
        });
        const p = await plain.newPage();
        await p.goto(app.url("/dashboard/event-types/new"));
        assert.equal(await mode(p, confirm).isChecked(), true, `${who}: no scripts`);
        await plain.close();
      }
    } finally {
      await browser.close();
    }
  },
});
