/**
 * The host's seated times, one table per time: on a desktop their columns line up from one time
 * to the next (each table sized its columns by its own guests' names, so "State" stood at a
 * different place in each card), and on a 360 px phone a long address breaks only where it reads
 * well — before an "@" or a dot, or after a hyphen — never mid-word ("bartholomew.feath|erstonehaugh@…").
 * Checked in the four languages, light and dark, with axe. Screenshots:
 * test-results/screenshots/seated-layout-*.png.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  inEachScheme,
  screenshot,
  sessionCookies,
} from "../support/browser.ts";
import { signInByLink } from "../support/auth.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { fullDay } from "../support/slots.ts";

const LONG = "bartholomew.featherstonehaugh@internationale-versicherung.example.test";

Deno.test({
  name:
    "e2e seated times: columns line up across the times on a desktop; long addresses break only at @ and dots on a 360 px phone",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-seated-layout-");
    const allDay = [{ start: "00:00", end: "24:00" }];
    const host = await createHost(seed, {
      username: "seats",
      timeZone: "UTC",
      weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
    });
    await createEventType(seed, host, {
      slug: "class",
      title: "Pottery class",
      durationMin: 60,
      requiresConfirmation: false,
      seats: { perTime: 3, showAttendees: false, hideCount: false },
    });
    kv.close();
    try {
      await using app = await startApp({ dataDir });
      const { slots } = await fullDay(app.baseUrl, "/calendar/seats/class", { min: 5 });
      const guests: [string, string, string][] = [
        [slots[2], "Ada Lovelace", "ada@example.test"],
        [slots[4], "Bartholomew Featherstonehaugh", LONG],
        [slots[4], "Li Na", "li@example.test"],
      ];
      for (const [start, name, email] of guests) {
        const res = await fetch(`${app.baseUrl}/calendar/seats/class?/book`, {
          method: "POST",
          headers: {
            origin: app.baseUrl,
            accept: "text/html",
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({ name, email, note: "", start, tz: "UTC" }),
          redirect: "manual",
        });
        await res.body?.cancel();
        assert.equal(res.status, 303, name);
      }
      const cookies = sessionCookies(await signInByLink(app, "seats@example.test"));
      const problems: string[] = [];
      const browser = await borrowBrowser();
      try {
        // A context per width: each load is checked in light and then dark as the system turns.
        for (const [view, width] of [["desktop", 1366], ["phone360", 360]] as const) {
          const ctx = await browser.newContext({
            timezoneId: "UTC",
            viewport: { width, height: 900 },
            colorScheme: "light",
          });
          try {
            await ctx.addCookies(cookies);
            const page = await ctx.newPage();
            for (const lang of ["en", "de", "fr", "es"]) {
              await page.goto(app.url(`/dashboard/bookings?lang=${lang}`));
              await hydrated(page);
              const times = page.locator("[data-seated-time]");
              await times.first().waitFor();
              assert.equal(await times.count(), 2);
              await inEachScheme(page, async (scheme) => {
                const label = `${view} ${scheme} ${lang}`;
                // One seat of three, in French: "1 place prise sur 3" (it read "1 places prises").
                if (lang === "fr") {
                  const badge = await page.locator("[data-seats-taken='1']").innerText();
                  if (badge !== "1 place prise sur 3") problems.push(`${label}: "${badge}"`);
                }
                if (view === "desktop") {
                  const lefts = await page.evaluate(() =>
                    [...document.querySelectorAll("[data-seated-time] thead tr")].map((tr) =>
                      [...tr.querySelectorAll("th")].map((th) =>
                        Math.round(th.getBoundingClientRect().left)
                      )
                    )
                  );
                  if (JSON.stringify(lefts[0]) !== JSON.stringify(lefts[1])) {
                    problems.push(`${label}: columns start at ${JSON.stringify(lefts)}`);
                  }
                } else {
                  // Where each address's lines break: only before or after an "@" or a dot.
                  const breaks = await page.evaluate(() =>
                    [...document.querySelectorAll(
                      "[data-booking] [data-email]",
                    )].flatMap((el) => {
                      const text = el.textContent!;
                      const tops: number[] = [];
                      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
                      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                        for (let i = 0; i < n.textContent!.length; i++) {
                          const range = document.createRange();
                          range.setStart(n, i);
                          range.setEnd(n, i + 1);
                          tops.push(Math.round(range.getBoundingClientRect().top));
                        }
                      }
                      const bad: string[] = text.includes("@") ? [] : [`not an address: ${text}`];
                      for (let i = 1; i < tops.length; i++) {
                        if (tops[i] === tops[i - 1]) continue;
                        // (after a hyphen too, where the address itself has one)
                        if (!/[@.]/.test(text[i]) && !/[@.-]/.test(text[i - 1])) {
                          bad.push(`${text.slice(0, i)}|${text.slice(i)}`);
                        }
                      }
                      return bad;
                    })
                  );
                  for (const b of breaks) problems.push(`${label}: address broken mid-word: ${b}`);
                  // Each time's table fits its card: no guest's buttons cut off at the edge.
                  const cut = await page.evaluate(() =>
                    [...document.querySelectorAll("[data-seated-time] table")].map((t) =>
                      Math.round(
                        t.getBoundingClientRect().right -
                          t.parentElement!.getBoundingClientRect().right,
                      )
                    ).filter((d) => d > 0)
                  );
                  if (cut.length) {
                    problems.push(`${label}: a table reaches ${cut.join(", ")} px past its card`);
                  }
                  const over = await page.evaluate(() =>
                    document.documentElement.scrollWidth - globalThis.innerWidth
                  );
                  if (over > 0) {
                    problems.push(`${label}: the page reaches ${over} px past the screen`);
                  }
                }
                for (const v of await checkA11y(page)) problems.push(`${label}: ${v}`);
                if (lang === "en" || lang === "fr") {
                  await screenshot(page, `seated-layout-${view}-${scheme}-${lang}`);
                }
              });
            }
          } finally {
            await ctx.close();
          }
        }
      } finally {
        await browser.close();
      }
      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
