/**
 * A newcomer runs Radicale (or Nextcloud) on the same machine or at home and connects it on the
 * Calendars page: Invito refuses private addresses unless INVITO_ALLOW_PRIVATE_CALDAV is set, but
 * the refusal said only "could not be reached … public internet", and no page named the setting
 * that allows it. The message must name it, the same for a refused and an unreachable address (so
 * it cannot be used to scan ports), (the catalogs carry it in every language).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, checkA11y, contextWithSession, screenshot } from "../support/browser.ts";
import { signIn } from "../reliability/harness.ts";
import { freePort } from "../support/ports.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "calendars: a CalDAV server on this machine is refused with the setting that allows it",
  async fn() {
    await using app = await startApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "false" } });
    const c = await signIn(app, "rada@example.test");
    const browser = await borrowBrowser();
    try {
      for (
        const [lang, expected] of [
          ["en", /could not be reached.*INVITO_ALLOW_PRIVATE_CALDAV=true/],
        ] as const
      ) {
        for (const scheme of ["light", "dark"] as const) {
          const ctx = await contextWithSession(browser, c, {
            colorScheme: scheme,
            viewport: { width: 360, height: 740 },
          });
          const page = await ctx.newPage();
          await page.goto(`${app.baseUrl}/dashboard/calendars`);
          const form = page.locator("form[action='?/add']");
          await form.locator("input[name=serverUrl]").fill("http://localhost:5232/");
          await form.locator("input[name=username]").fill("rada");
          await form.locator("input[name=password]").fill("secret");
          await form.locator("button[type=submit]").click();
          const message = form.getByText(/INVITO_|5232|erreich|reached/).first();
          await message.waitFor();
          assert.match(await form.innerText(), expected);
          assert.deepEqual(await checkA11y(page), []);
          await screenshot(page, `caldav-private-${lang}-${scheme}`);
          await ctx.close();
        }
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "calendars: with private servers allowed, a CalDAV server that is not running is said so, not the setting",
  async fn() {
    await using app = await startApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
    const c = await signIn(app, "rada@example.test");
    const browser = await borrowBrowser();
    try {
      const ctx = await contextWithSession(browser, c, { viewport: { width: 360, height: 740 } });
      const page = await ctx.newPage();
      await page.goto(`${app.baseUrl}/dashboard/calendars`);
      const form = page.locator("form[action='?/add']");
      await form.locator("input[name=serverUrl]").fill(`http://127.0.0.1:${freePort()}/`);
      await form.locator("input[name=username]").fill("rada");
      await form.locator("input[name=password]").fill("secret");
      await form.locator("button[type=submit]").click();
      await form.getByText(/could not be reached/).waitFor();
      const text = await form.innerText();
      assert.match(
        text,
        /could not be reached\. Check the address and that the server is running\./,
      );
      assert.doesNotMatch(text, /INVITO_ALLOW_PRIVATE_CALDAV|public internet/);
      assert.deepEqual(await checkA11y(page), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
