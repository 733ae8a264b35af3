/**
 * A poll page's time toggles (tiles) and the keyboard: a radio under the tile takes the focus,
 * and the tile shows the ring. The ring hung on CSS `:has()`, which Firefox before 121 and Safari
 * before 15.4 do not know: a browser drops a rule whose selector it cannot read, so there a
 * keyboard user met no focus at all. Those browsers are played here by removing, from the page's
 * own style sheets, every rule an old browser drops (`:has()`; for old Safari `:focus-visible`
 * too), then pressing Tab. A mouse tap shows no ring where the browser knows `:focus-visible`.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { borrowBrowser, checkA11y, hydrated, screenshot } from "../support/browser.ts";
import { fromTomorrow, startsIn } from "../support/slots.ts";

const HOST = "demo@invito.example";

/** Drops every style rule whose selector names one of `unknown`, as a browser without it does. */
function dropRules(page: Page, unknown: string[]) {
  return page.evaluate((unknown) => {
    const walk = (list: CSSRuleList, owner: CSSStyleSheet | CSSGroupingRule | CSSStyleRule) => {
      for (let i = list.length - 1; i >= 0; i--) {
        const rule = list[i];
        if (
          rule instanceof CSSStyleRule && unknown.some((u) => rule.selectorText.includes(u))
        ) {
          owner.deleteRule(i);
        } else if ("cssRules" in rule) {
          walk(
            (rule as CSSGroupingRule).cssRules,
            rule as CSSGroupingRule,
          );
        }
      }
    };
    for (const sheet of document.styleSheets) walk(sheet.cssRules, sheet);
  }, unknown);
}

/** The ring on the focused time's tile (the toggle or its visible box), or "" when none shows. */
function ringOf(page: Page) {
  return page.evaluate(() => {
    const input = document.activeElement;
    if (!(input instanceof HTMLInputElement) || input.type !== "radio") return "no radio focused";
    const toggle = input.closest("fieldset")!;
    for (const el of [toggle, ...toggle.querySelectorAll("span[aria-hidden]")]) {
      const s = getComputedStyle(el);
      if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) {
        return `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}`;
      }
      if (s.boxShadow !== "none") return s.boxShadow;
    }
    return "";
  });
}

/** Tab from the e-mail field until a time's radio has the focus. */
async function tabToTile(page: Page) {
  await page.focus("#vote-email");
  for (let n = 0; n < 10; n++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => (document.activeElement as HTMLInputElement).type === "radio")) {
      return;
    }
  }
  assert.fail("Tab never reached a time's toggle");
}

Deno.test({
  name:
    "poll page: Tab to a time's toggle shows the focus ring, also in a browser without :has() (Firefox < 121) or without :has() and :focus-visible (Safari < 15.4); a tap shows none; axe light and dark",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInByLink(app, HOST, { smtp });
    const free = fromTomorrow(startsIn((await host.get("/dashboard/polls?type=quick-chat")).body));
    const form = new URLSearchParams({ type: "quick-chat", title: "Team offsite planning" });
    for (const s of free.slice(0, 3)) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200, made.body.slice(0, 300));
    const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;

    const browser = await borrowBrowser();
    const problems: string[] = [];
    try {
      for (const scheme of ["light", "dark"] as const) {
        for (
          const [who, unknown] of [
            ["Chromium", []],
            ["Firefox < 121", [":has("]],
            ["Safari < 15.4", [":has(", ":focus-visible"]],
          ] as const
        ) {
          const ctx = await browser.newContext({
            viewport: { width: 360, height: 740 },
            colorScheme: scheme,
          });
          try {
            const page = await ctx.newPage();
            await page.goto(app.url(path));
            await hydrated(page);
            await dropRules(page, [...unknown]);
            await tabToTile(page);
            const ring = await ringOf(page);
            if (!ring) problems.push(`${scheme}, ${who}: Tab to a toggle shows no focus`);
            if (who === "Chromium") {
              for (const v of await checkA11y(page)) problems.push(`${scheme}: ${v}`);
              await screenshot(page, `poll-tile-focus-${scheme}`);
              // A tap moves the answer on and focuses its radio, without a ring.
              await page.locator('[data-testid="poll-time-1"]').click();
              const tapped = await ringOf(page);
              if (tapped) problems.push(`${scheme}: a tap shows a focus ring (${tapped})`);
            }
          } finally {
            await ctx.close();
          }
        }
      }
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, []);
  },
});
