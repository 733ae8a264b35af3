/**
 * First-run setup: the first event type's title comes filled in ("Intro call"), and its hint
 * said "Leave it empty to create one later" — an empty field the newcomer never sees. The hint
 * must describe the field as it is (filled in: clear it to make none now), in every language and
 * the pseudo-locale; and clearing it really saves no event type.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  hydrated,
  sessionCookies,
} from "../support/browser.ts";
import { shootAll } from "../support/shots.ts";
import { signIn } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const HINTS: [string, RegExp, RegExp][] = [
  ["en", /Intro call/, /clear the field/i],
  ["de", /Kennenlerngespräch/, /Feld leeren/i],
  ["fr", /Premier échange/, /videz le champ/i],
  ["es", /Primera llamada/, /vacía el campo/i],
  // The pseudo-locale: English accented and padded.
  ["en-XA", /./, /Çļéáŕ~~ ţĥé~~ ƒíéļð/],
];

Deno.test({
  ...opts,
  name: "setup: the filled-in event title's hint says to clear it, not to leave it empty",
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      const c = await signIn(app, "nina@example.test");
      const ctx = await contextWithSession(browser, c, { locale: "en-US" });
      for (const [lang, title, hint] of HINTS) {
        const page = await ctx.newPage();
        await page.goto(app.url(`/dashboard/setup?lang=${lang}`));
        const field = page.locator('input[name="eventTitle"]');
        const value = await field.inputValue();
        assert.match(value, title, lang);
        assert.notEqual(value, "", lang);
        const describedBy = (await field.getAttribute("aria-describedby")) ?? "";
        const hintText = await page.locator(`[id="${describedBy.split(" ")[0]}"]`).innerText();
        assert.match(hintText, hint, `${lang}: ${hintText}`);
        assert.doesNotMatch(hintText, /leave it empty|leer lassen|laissez vide|déjalo vacío/i);
        if (lang === "en") assert.deepEqual(await checkA11y(page), []);
        await page.close();
      }
      // Cleared, the setup saves and makes no event type.
      const page = await ctx.newPage();
      await page.goto(app.url("/dashboard/setup"));
      await hydrated(page);
      await page.getByLabel("Display name", { exact: true }).fill("Nina");
      await page.locator('input[name="eventTitle"]').fill("");
      await page.getByRole("button", { name: "Save and open my dashboard" }).click();
      await page.waitForURL((u) => u.pathname === "/dashboard");
      await page.goto(app.url("/dashboard/event-types"));
      assert.doesNotMatch(await page.locator("main").innerText(), /Intro call/);
      await ctx.close();
      // Fresh account for the pictures (setup not done yet).
      const d = await signIn(app, "ola@example.test");
      const state = { cookies: sessionCookies(d).map((k) => ({ ...k, expires: -1 })), origins: [] };
      await shootAll(browser, app.url("/dashboard/setup"), "setup-event-title", {
        ready: 'input[name="eventTitle"]',
        storageState: state,
        views: [
          { name: "phone360", viewport: { width: 360, height: 740 } },
          { name: "desktop", viewport: { width: 1366, height: 768 } },
        ],
      });
    } finally {
      await browser.close();
    }
  },
});
