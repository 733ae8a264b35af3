/**
 * The Embed page's live preview in the page's language: a German page read in an English browser
 * previewed an English widget (the inline frame followed the browser). The preview now names the
 * page's language; the snippet the host copies names none, so their visitors still get theirs.
 * Screenshots: test-results/screenshots/phone360-embed-*.png.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  hydrated,
  inEachScheme,
  screenshot,
  sessionCookies,
} from "../support/browser.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1366, height: 768 };

Deno.test({
  ...opts,
  name:
    "e2e Embed page in German with an English browser: the live preview's widget speaks German; the snippet to copy names no language",
  async fn() {
    await using app = await startApp({ demo: true });
    const cookies = sessionCookies(await signInByLink(app, DEMO_EMAIL));
    const browser = await borrowBrowser();
    try {
      for (const view of [PHONE, DESKTOP]) {
        const ctx = await browser.newContext({
          viewport: view,
          colorScheme: "light",
          locale: "en-US",
          extraHTTPHeaders: { "accept-language": "en-US,en;q=0.9" },
        });
        try {
          await ctx.addCookies(cookies);
          const p = await ctx.newPage();
          await p.goto(app.url("/dashboard/embed?lang=de"));
          await hydrated(p);
          assert.equal(await p.locator("h1").innerText(), "Auf Ihrer Website einbetten");
          const frame = p.getByTestId("embed-preview").locator("iframe");
          await frame.waitFor();
          const content = (await frame.elementHandle())!.contentFrame();
          const inner = (await content)!;
          await inner.waitForSelector("html[data-hydrated]", { state: "attached" });
          assert.equal(await inner.evaluate(() => document.documentElement.lang), "de");
          const snippet = await p.getByTestId("snippet").innerText();
          assert.ok(!/lang=/.test(snippet), `the snippet names a language: ${snippet}`);
          await inEachScheme(p, async (scheme) => {
            await screenshot(p, `phone360-embed-${view.width}-${scheme}-de`);
          });
        } finally {
          await ctx.close();
        }
      }
    } finally {
      await browser.close();
    }
  },
});
