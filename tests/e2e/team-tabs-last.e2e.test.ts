/**
 * A team's tab bar on a small phone (360 px) on its last tab (Routing forms): the bar scrolled to
 * its end and the tabs before it (Team first) were off to the left with nothing saying so. A mark
 * (a fade and an arrow) now shows on each side where tabs are out of view, never over the current
 * tab and never over the words of a tab in view (the fade before lay over the “E” of “Event types”
 * and the “R” of “Reservas”); on the first tab the bar starts at its beginning. Every language,
 * light and dark.
 * Screenshots: test-results/screenshots/phone360-team-tabs-*.png.
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
  screenshot,
  sessionCookies,
} from "../support/browser.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1366, height: 768 };
const LANGS = ["en", "de", "fr", "es"];

Deno.test({
  ...opts,
  name:
    "e2e team tabs at 360 px on the last tab (Routing forms), every language, light and dark: the tab is in view, the tabs before it show or a mark says they are there",
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-tabs360-");
    const { team } = await seedTeam(seed, {
      slug: "support",
      name: "Support",
      members: [{ username: "olga" }, { username: "max" }],
    });
    kv.close();
    await using app = await startApp({ dataDir });
    const cookies = sessionCookies(await signInByLink(app, "olga@example.test"));
    const browser = await borrowBrowser();
    const problems: string[] = [];
    try {
      // One context: each load is checked in light and then dark as the system turns.
      const ctx = await browser.newContext({ viewport: PHONE, colorScheme: "light" });
      await ctx.addCookies(cookies);
      const p = await ctx.newPage();
      try {
        for (const tab of ["routing", "", "event-types"]) {
          for (const lang of LANGS) {
            await p.goto(
              app.url(`/dashboard/teams/${team.id}${tab ? `/${tab}` : ""}?lang=${lang}`),
            );
            await hydrated(p);
            await inEachScheme(p, async (scheme) => {
              const label = `${tab || "team"} ${scheme} ${lang}`;
              // The bar settles (the browser's own first scroll, then the page's script).
              await p.waitForFunction(() => {
                const bar = document.querySelector<HTMLElement>("[data-tab-bar]")!;
                return bar.dataset.moreBefore === String(bar.scrollLeft > 1);
              });
              const m = await p.evaluate(() => {
                const bar = document.querySelector<HTMLElement>("[data-tab-bar]")!;
                const b = bar.getBoundingClientRect();
                const tabs = [...bar.querySelectorAll("a")];
                const i = tabs.findIndex((a) => a.getAttribute("aria-current") === "page");
                const cur = tabs[i].getBoundingClientRect();
                const mark = (side: string) => {
                  const el = document.querySelector(`[data-tab-more="${side}"]`);
                  if (!el) return null;
                  const r = el.getBoundingClientRect();
                  const visible = getComputedStyle(el).visibility !== "hidden" &&
                    getComputedStyle(el).opacity !== "0" && r.width > 0;
                  return { visible, left: r.left, right: r.right };
                };
                return {
                  scrollLeft: bar.scrollLeft,
                  more: bar.scrollWidth - bar.clientWidth - bar.scrollLeft,
                  inView: cur.left >= b.left - 1 && cur.right <= b.right + 1,
                  last: i === tabs.length - 1,
                  // how much of the tabs before the current one shows in the bar
                  earlierShown: tabs.slice(0, i).reduce(
                    (n, a) => {
                      const r = a.getBoundingClientRect();
                      return n + Math.max(0, Math.min(r.right, b.right) - Math.max(r.left, b.left));
                    },
                    0,
                  ),
                  first: tabs[0].getBoundingClientRect().left - b.left,
                  before: mark("before"),
                  after: mark("after"),
                  cur: { left: cur.left, right: cur.right },
                  // The words of each tab wholly in the bar (a tab cut at an edge is out of view).
                  words: tabs.map((a) => {
                    const range = document.createRange();
                    range.selectNodeContents(a);
                    const r = range.getBoundingClientRect();
                    return { text: a.textContent!, left: r.left, right: r.right };
                  }).filter((w) => w.left >= b.left - 0.5 && w.right <= b.right + 0.5),
                  pageScrollY: scrollY,
                };
              });
              if (!m.inView) problems.push(`${label}: the current tab is out of view`);
              if (m.pageScrollY !== 0) problems.push(`${label}: the page scrolled`);
              if (tab === "" && m.scrollLeft !== 0) {
                problems.push(`${label}: on the first tab the bar does not start at the beginning`);
              }
              if (m.last && m.earlierShown < 40) {
                problems.push(
                  `${label}: only ${m.earlierShown}px of the tabs before the current one show`,
                );
              }
              // Tabs hidden on a side: a mark on that side says so; none where nothing is hidden.
              if (!m.before || !m.after) problems.push(`${label}: no marks for hidden tabs`);
              else {
                if (m.before.visible !== m.scrollLeft > 1) {
                  problems.push(
                    `${label}: mark before ${m.before.visible}, ${m.scrollLeft}px hidden`,
                  );
                }
                if (m.after.visible !== m.more > 1) {
                  problems.push(`${label}: mark after ${m.after.visible}, ${m.more}px hidden`);
                }
                // The current tab's words are not under a mark.
                if (m.before.visible && m.before.right > m.cur.left + 12) {
                  problems.push(`${label}: the mark before covers the current tab`);
                }
                if (m.after.visible && m.after.left < m.cur.right - 12) {
                  problems.push(`${label}: the mark after covers the current tab`);
                }
                // No tab in view has a letter under a mark (at 360 px on the last tab the fade
                // before lay over the “E” of “Event types” and the “R” of “Reservas”).
                for (const w of m.words) {
                  for (const mark of [m.before, m.after]) {
                    if (mark.visible && w.right > mark.left + 0.5 && w.left < mark.right - 0.5) {
                      problems.push(
                        `${label}: a mark (${Math.round(mark.left)}–${
                          Math.round(mark.right)
                        }) covers “${w.text}” (${Math.round(w.left)}–${Math.round(w.right)})`,
                      );
                    }
                  }
                }
              }
              for (const v of await checkA11y(p)) problems.push(`${label}: ${v}`);
              if (tab === "routing" && (lang === "en" || lang === "es")) {
                await screenshot(p, `phone360-team-tabs-routing-${scheme}-${lang}`);
              }
            });
          }
        }
      } finally {
        await ctx.close();
      }
      for (const scheme of ["light", "dark"] as const) {
        const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: scheme });
        try {
          await ctx.addCookies(cookies);
          const p = await ctx.newPage();
          await p.goto(app.url(`/dashboard/teams/${team.id}/routing?lang=es`));
          await hydrated(p);
          const marks = await p.locator("[data-tab-more]").evaluateAll((els) =>
            els.filter((e) => getComputedStyle(e).visibility !== "hidden").length
          );
          if (marks !== 0) problems.push(`desktop ${scheme}: ${marks} marks where every tab shows`);
          await screenshot(p, `phone360-team-tabs-routing-desktop-${scheme}-es`);
        } finally {
          await ctx.close();
        }
      }
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, []);
  },
});
