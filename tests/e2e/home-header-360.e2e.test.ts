/**
 * The home page's header on a small phone (360 px): logo, theme choice and “Tableau de bord”
 * (“Se connecter”, “Iniciar sesión”, “Anmelden”) took two rows. On a phone the theme choice sits
 * at the foot of the page, beside the language; the header is one row in every language, signed
 * in or out, light and dark. Screenshots: test-results/screenshots/phone360-home-*.png.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  inEachScheme,
  screenshot,
  sessionCookies,
} from "../support/browser.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1366, height: 768 };
const LANGS = ["en", "de", "fr", "es"];

Deno.test({
  ...opts,
  name:
    "e2e home page at 360 px, signed out and in, every language, light and dark: the header is one row, nothing scrolls sideways, the theme choice is still on the page",
  async fn() {
    await using app = await startApp({ demo: true });
    const cookies = sessionCookies(await signInByLink(app, DEMO_EMAIL));
    const browser = await borrowBrowser();
    const problems: string[] = [];
    try {
      // A context for each: each load is checked in light and then dark as the system turns.
      for (const signedIn of [false, true]) {
        const ctx = await browser.newContext({ viewport: PHONE, colorScheme: "light" });
        try {
          if (signedIn) await ctx.addCookies(cookies);
          const p = await ctx.newPage();
          for (const lang of LANGS) {
            await p.goto(app.url(`/?lang=${lang}`));
            await hydrated(p);
            await inEachScheme(p, async (scheme) => {
              const label = `${signedIn ? "signed in" : "signed out"} ${scheme} ${lang}`;
              const m = await p.evaluate(() => {
                const header = document.querySelector("body header")!;
                const items = [...header.querySelectorAll("a, [role=radiogroup]")]
                  .map((e) => e.getBoundingClientRect())
                  .filter((r) => r.width > 0);
                return {
                  items: items.length,
                  // One row: every item of the header overlaps every other vertically.
                  oneRow: Math.max(...items.map((r) =>
                    r.top
                  )) < Math.min(...items.map((r) => r.bottom)),
                  rowHeight: Math.max(...items.map((r) => r.height)),
                  headerHeight: header.getBoundingClientRect().height,
                  padding: parseFloat(getComputedStyle(header).paddingTop) +
                    parseFloat(getComputedStyle(header).paddingBottom),
                  scrollWidth: document.scrollingElement!.scrollWidth,
                };
              });
              if (!m.oneRow) problems.push(`${label}: the header wraps`);
              if (Math.abs(m.headerHeight - m.padding - m.rowHeight) > 1) {
                problems.push(`${label}: header ${m.headerHeight}px for a ${m.rowHeight}px row`);
              }
              if (m.scrollWidth > 360) problems.push(`${label}: ${m.scrollWidth}px wide`);
              const action = signedIn ? "/dashboard" : "/signin";
              if (!(await p.locator(`header a[href="${action}"]`).isVisible())) {
                problems.push(`${label}: no ${action} in the header`);
              }
              if (await p.getByRole("radiogroup").count() !== 1) {
                problems.push(`${label}: the theme choice is not on the page once`);
              }
              for (const v of await checkA11y(p)) problems.push(`${label}: ${v}`);
              if (signedIn && lang === "fr" || !signedIn && lang === "en") {
                await screenshot(p, `phone360-home-${signedIn ? "in" : "out"}-${scheme}-${lang}`);
              }
            });
          }
        } finally {
          await ctx.close();
        }
      }
      // On a desktop the header keeps the theme choice beside the sign-in.
      {
        const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: "light" });
        try {
          const p = await ctx.newPage();
          await p.goto(app.url("/?lang=fr"));
          await hydrated(p);
          await inEachScheme(p, async (scheme) => {
            if (!(await p.locator("header").getByRole("radiogroup").isVisible())) {
              problems.push(`desktop ${scheme}: the theme choice left the header`);
            }
            await screenshot(p, `phone360-home-desktop-${scheme}-fr`);
          });
        } finally {
          await ctx.close();
        }
      }
      // The theme chosen at the foot of the page on a phone holds (the page turns dark).
      const ctx = await browser.newContext({ viewport: PHONE, colorScheme: "light" });
      try {
        const p = await ctx.newPage();
        await p.goto(app.url("/?lang=en"));
        await hydrated(p);
        await p.getByRole("radio", { name: "Dark" }).click();
        assert.ok(await p.evaluate(() => document.documentElement.classList.contains("dark")));
        assert.equal(
          await p.getByRole("radio", { name: "Dark" }).getAttribute("aria-checked"),
          "true",
        );
      } finally {
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, []);
  },
});
