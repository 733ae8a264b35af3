/**
 * A team's pages on a small phone (360 px): the tab bar scrolls sideways, and the tab of the page
 * shown ("Formularios" in Spanish, the last one) was out of view on load, so nothing said where
 * the reader was. It opens in view now, in every language, light and dark, without scrolling the
 * page itself; axe finds nothing serious. Screenshots: test-results/screenshots/team-tabs-*.png.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam } from "../support/teams.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  inEachScheme,
  sessionCookies,
} from "../support/browser.ts";
import { shootAll } from "../support/shots.ts";

Deno.test({
  name:
    "e2e team pages at 360 px: the current tab is in view on load (every language, light and dark)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-team-tabs-");
    const { team } = await seedTeam(seed, {
      slug: "support",
      name: "Customer Success Europe",
      members: [
        { username: "olga", timeZone: "America/Argentina/Buenos_Aires" },
        { username: "max" },
      ],
    });
    kv.close();
    await using app = await startApp({ dataDir });
    const cookies = sessionCookies(await signInByLink(app, "olga@example.test"));
    const problems: string[] = [];
    const browser = await borrowBrowser();
    try {
      // One context: each load is checked in light and then dark as the system turns.
      const ctx = await browser.newContext({
        viewport: { width: 360, height: 740 },
        colorScheme: "light",
        timezoneId: "Europe/Berlin",
      });
      try {
        await ctx.addCookies(cookies);
        const p = await ctx.newPage();
        for (const tab of ["routing", "bookings"]) {
          for (const lang of ["en", "de", "fr", "es"]) {
            const res = await p.goto(app.url(`/dashboard/teams/${team.id}/${tab}?lang=${lang}`));
            assert.equal(res?.status(), 200);
            await hydrated(p);
            await inEachScheme(p, async (scheme) => {
              const where = await p.evaluate(() => {
                const cur = document.querySelector<HTMLElement>(
                  'nav a[aria-current="page"][href*="/dashboard/teams/"]',
                )!;
                const bar = cur.closest("nav")!;
                const b = bar.getBoundingClientRect();
                const r = cur.getBoundingClientRect();
                return {
                  text: cur.textContent!.trim(),
                  inView: r.left >= b.left - 1 && r.right <= b.right + 1,
                  scrolls: bar.scrollWidth > bar.clientWidth,
                  pageScrollY: scrollY,
                };
              });
              const label = `${tab} ${scheme} ${lang}: "${where.text}"`;
              if (!where.inView) problems.push(`${label} out of view`);
              if (where.pageScrollY !== 0) problems.push(`${label}: the page scrolled`);
              if (tab === "routing" && lang === "es" && !where.scrolls) {
                problems.push(`${label}: the bar no longer scrolls (test proves nothing)`);
              }
              for (const v of await checkA11y(p)) problems.push(`${label}: ${v}`);
            });
          }
        }
      } finally {
        await ctx.close();
      }
      // A member's line (address · role · zone) wraps between words and at the address's "@"
      // and dots, never inside a word: at 360 px it read "Propietario · Eur|ope/Berlin".
      for (const lang of ["es", "de"]) {
        const ctx = await browser.newContext({ viewport: { width: 360, height: 740 } });
        try {
          await ctx.addCookies(cookies);
          const p = await ctx.newPage();
          await p.goto(app.url(`/dashboard/teams/${team.id}?lang=${lang}`));
          assert.equal(await p.locator("[data-member-line]").count(), 2);
          const broken = await p.evaluate(() =>
            [...document.querySelectorAll("[data-member-line]")].flatMap((line) => {
              const cut: string[] = [];
              const walk = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
              for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                for (const word of n.textContent!.matchAll(/\S+/g)) {
                  const range = document.createRange();
                  range.setStart(n, word.index!);
                  range.setEnd(n, word.index! + word[0].length);
                  const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                  if (tops.size > 1) cut.push(word[0]);
                }
              }
              return cut;
            })
          );
          for (const word of broken) problems.push(`team page ${lang}: "${word}" cut in two`);
        } finally {
          await ctx.close();
        }
      }
      await shootAll(browser, app.url(`/dashboard/teams/${team.id}/routing`), "team-tabs", {
        storageState: { cookies: cookies.map((c) => ({ ...c, expires: -1 })), origins: [] },
        langs: ["es", "fr"],
        views: [
          { name: "phone360", viewport: { width: 360, height: 740 } },
          { name: "desktop", viewport: { width: 1366, height: 768 } },
        ],
      });
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, []);
  },
});
