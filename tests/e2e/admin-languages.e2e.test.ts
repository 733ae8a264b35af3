/**
 * The admin area as an operator reads it on a small phone (360 px) and a desktop, light and dark,
 * in German and French: nothing scrolls sideways, axe finds nothing serious, and the pages speak
 * the chosen language; the question before suspending someone too. Screenshots land in test-results/screenshots/ for a person to look at.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  inEachScheme,
  screenshot,
  sessionCookies,
  sidewaysScroll,
  trackPageErrors,
} from "../support/browser.ts";
import { chooseLanguage, signInByLink } from "../support/auth.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const ADMIN = "ops@example.test";
const VIEWS = [
  { name: "small", viewport: { width: 360, height: 740 } },
  { name: "desktop", viewport: { width: 1366, height: 768 } },
] as const;
const PAGES = ["/admin", "/admin/instance", "/admin/audit", "/admin/audit?from=2026-02-30"];

Deno.test({
  name:
    "e2e admin area at 360 px and desktop, light and dark, German and French: no sideways scroll, axe-clean, each page (and the question before suspending) in its language",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    // Something in the log: the demo host signs in, then the admin.
    await signInByLink(app, DEMO_EMAIL);
    const admin = await signInByLink(app, ADMIN, { next: "/admin" });
    const browser = await borrowBrowser();
    const problems: string[] = [];
    try {
      // Each load is checked in light and then dark as the system turns (`inEachScheme`).
      for (const view of VIEWS) {
        for (const lang of ["de", "fr"]) {
          const ctx = await browser.newContext({
            viewport: view.viewport,
            colorScheme: "light",
            locale: lang,
            extraHTTPHeaders: { "accept-language": lang },
          });
          // The admin reads Invito in this language (Profile → Language, clock Automatic), as
          // an operator who speaks it would: a form's answer comes back in it too.
          await chooseLanguage(admin, lang);
          await ctx.addCookies(sessionCookies(admin));
          const page = await ctx.newPage();
          const errors = trackPageErrors(page);
          for (const path of PAGES) {
            const sep = path.includes("?") ? "&" : "?";
            const res = await page.goto(`${app.baseUrl}${path}${sep}lang=${lang}`);
            await inEachScheme(page, async (scheme) => {
              const at = `${path} ${view.name} ${scheme} ${lang}`;
              if (res?.status() !== 200) problems.push(`${at}: status ${res?.status()}`);
              const htmlLang = await page.locator("html").getAttribute("lang");
              if (htmlLang !== lang) problems.push(`${at}: <html lang="${htmlLang}">`);
              const wide = await sidewaysScroll(page);
              if (wide) problems.push(`${at}: scrolls sideways: ${wide}`);
              const axe = await checkA11y(page);
              if (axe.length) problems.push(`${at}: axe: ${axe.join("; ")}`);
              // Who and whom (addresses, usernames) read on one line; the table scrolls
              // sideways on a phone rather than squeezing them into a few letters a line.
              const broken = await page.evaluate(() =>
                [...document.querySelectorAll("tbody td:nth-child(3), tbody td:nth-child(4)")]
                  .map((td) => {
                    const range = document.createRange();
                    range.selectNodeContents(td);
                    const lines = new Set(
                      [...range.getClientRects()].map((r) => Math.round(r.top)),
                    );
                    return lines.size > 1 ? `"${td.textContent}" on ${lines.size} lines` : "";
                  }).filter(Boolean)
              );
              if (broken.length) problems.push(`${at}: ${broken.join(", ")}`);
              const name = `admin-${path.replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "")}`;
              await screenshot(page, `${name}-${view.name}-${scheme}-${lang}`);
            });
          }
          // The question before suspending (what goes for good), in the same views.
          await page.goto(`${app.baseUrl}/admin?lang=${lang}`);
          await page.locator('[data-user="demo"] form[action="?/suspend"] button').click();
          await page.getByTestId("suspend-confirm").waitFor();
          await inEachScheme(page, async (scheme) => {
            const at = `suspend question ${view.name} ${scheme} ${lang}`;
            const asked = await page.locator("html").getAttribute("lang");
            if (asked !== lang) problems.push(`${at}: <html lang="${asked}">`);
            const wide = await sidewaysScroll(page);
            if (wide) problems.push(`${at}: scrolls sideways: ${wide}`);
            const axe = await checkA11y(page);
            if (axe.length) problems.push(`${at}: axe: ${axe.join("; ")}`);
            await screenshot(page, `admin-suspend-confirm-${view.name}-${scheme}-${lang}`);
          });
          for (const e of errors()) problems.push(`${view.name} ${lang}: ${e}`);
          await ctx.close();
        }
      }
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, []);
  },
});
