/**
 * A guest moving their booking looks at its day, in Chromium: their own time stands in its place
 * among the free times, marked as theirs in words and for screen readers (`aria-current`), and
 * is not offered as a new time (a move there is refused as `same_time`) — with and without
 * scripts, on the 12- and 24-hour clock, in the month list and the week columns (a seat too).
 * Where the day's times scroll in their own box (beside the calendar, wide screens), the list
 * opens with that time in view, however late in the day it is, and the page itself stays put.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { repoRoot, startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  inEachScheme,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { shootAll } from "../support/shots.ts";
import { fullDay } from "../support/slots.ts";

const TWELVE = /\d{1,2}:\d{2}\s?(AM|PM)/;

/** The catalogs' words for the marker (the test reads them as the page does). */
async function currentWords(lang: string): Promise<string> {
  const path = join(repoRoot, "src", "lib", "messages", `${lang}.json`);
  return JSON.parse(await Deno.readTextFile(path))["booking.current_time"];
}

/** Books `start` over HTTP as the booking page's form posts it; answers the guest's link. */
async function book(base: string, page: string, start: string, tz: string): Promise<string> {
  const res = await fetch(`${base}${page}?/book`, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      name: "Cleo",
      email: "cleo@example.test",
      note: "",
      start,
      tz,
    }),
    redirect: "manual",
  });
  await res.body?.cancel();
  assert.equal(res.status, 303);
  return res.headers.get("location")!;
}

/** One list of times as shown: each item's text, and whether it is the guest's own (not a link). */
function itemsOf(page: Page, list: string) {
  return page.locator(`${list} li`).evaluateAll((lis) =>
    lis.map((li) => {
      const own = li.querySelector("[data-current-time]");
      return {
        start: li.querySelector("a[data-slot]")?.getAttribute("data-slot") ??
          own?.getAttribute("data-current-time") ?? "",
        text: (li as HTMLElement).innerText.replace(/\s+/g, " ").trim(),
        own: !!own,
        link: !!li.querySelector("a"),
        ariaCurrent: own?.getAttribute("aria-current") ?? null,
      };
    })
  );
}

Deno.test({
  name:
    "e2e reschedule page: the booking's own time is in its place in the day's list, marked as the guest's current time and not offered, with and without scripts, on both clocks",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const { date, slots } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "Europe/Berlin",
    });
    const own = slots[3];
    const link = await book(app.baseUrl, "/calendar/demo/quick-chat", own, "Europe/Berlin");
    const browser = await borrowBrowser();
    try {
      for (const scripts of [true, false]) {
        const ctx = await browser.newContext({
          locale: "en-US",
          timezoneId: "Europe/Berlin",
          javaScriptEnabled: scripts,
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        for (const [clock, lang] of [["12h", "en"], ["24h", "de"]] as const) {
          const where = `${scripts ? "scripts" : "no scripts"}, ${clock}, ${lang}`;
          await page.goto(
            app.url(`${link}/reschedule?tz=Europe/Berlin&date=${date}&clock=${clock}&lang=${lang}`),
          );
          await page.locator("[data-current-time]").waitFor();
          if (scripts) await hydrated(page);
          const items = await itemsOf(page, "ul:has(> li > [data-current-time])");
          const at = items.findIndex((x) => x.own);
          assert.equal(items.filter((x) => x.own).length, 1, `${where}: one own time`);
          // In its place: between the free times before and after it, as the day runs.
          assert.equal(items[at].start, own, where);
          assert.equal(items[at - 1]?.start, slots[2], `${where}: ${JSON.stringify(items)}`);
          assert.equal(items[at + 1]?.start, slots[4], `${where}: ${JSON.stringify(items)}`);
          // Marked in words and for screen readers, and not a link to press.
          assert.ok(items[at].text.includes(await currentWords(lang)), items[at].text);
          assert.equal(items[at].ariaCurrent, "true", where);
          assert.equal(items[at].link, false, where);
          assert.equal(await page.locator(`a[data-slot="${own}"]`).count(), 0, where);
          // On the page's clock, as the free times beside it.
          const label = items[at].text;
          if (clock === "12h") assert.match(label, TWELVE, where);
          else assert.doesNotMatch(label, /AM|PM/, where);
          assert.equal(TWELVE.test(items[at - 1].text), clock === "12h", where);
        }
        // An address naming the own time (typed, or an old tab) does not offer to move there.
        await page.goto(
          app.url(`${link}/reschedule?tz=Europe/Berlin&date=${date}&slot=${own}`),
        );
        await page.locator("[data-current-time]").waitFor();
        assert.equal(await page.getByRole("button", { name: "Move my booking" }).count(), 0);
        assert.equal(await page.getByRole("alert").count(), 0, "no 'that time was taken'");
        assert.deepEqual(errors(), []);
        await ctx.close();
      }

      // As a person looks at it: wide and narrow, light and dark, each checked by axe.
      for (const width of [1280, 360]) {
        const ctx = await browser.newContext({
          viewport: { width, height: 900 },
          colorScheme: "light",
          timezoneId: "Europe/Berlin",
        });
        const page = await ctx.newPage();
        await page.goto(app.url(`${link}/reschedule?tz=Europe/Berlin&date=${date}`));
        await page.locator("[data-current-time]").waitFor();
        await hydrated(page);
        await inEachScheme(page, async (scheme) => {
          assert.deepEqual(await checkA11y(page), [], `${width} ${scheme}`);
          const overflow = await page.evaluate(() =>
            document.documentElement.scrollWidth - globalThis.innerWidth
          );
          assert.ok(overflow <= 0, `${width} ${scheme}: ${overflow} px past the edge`);
          await screenshot(page, `reschedule-current-time-${width}-${scheme}`);
        });
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "e2e reschedule page, week columns and a seat: the seat's own time stands in its day's column, marked, without a seats count, not offered",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seeding } = await seedStore("invito-current-time-");
    try {
      const allDay = [{ start: "00:00", end: "24:00" }];
      const host = await createHost(seeding, {
        username: "seats",
        timeZone: "UTC",
        weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
      });
      await createEventType(seeding, host, {
        slug: "class",
        durationMin: 60,
        requiresConfirmation: false,
        layout: "week",
        seats: { perTime: 3, showAttendees: false, hideCount: false },
      });
      kv.close();
      await using app = await startApp({ dataDir });
      // The week shown may begin with today's last times: the day's own times, from tomorrow on.
      const found = await fullDay(app.baseUrl, "/calendar/seats/class", { min: 3 });
      const date = found.date;
      const slots = found.slots.filter((s) => s.startsWith(date));
      const own = slots[2];
      const link = await book(app.baseUrl, "/calendar/seats/class", own, "UTC");
      const browser = await borrowBrowser();
      try {
        for (const scripts of [true, false]) {
          const ctx = await browser.newContext({ timezoneId: "UTC", javaScriptEnabled: scripts });
          const page = await ctx.newPage();
          const errors = trackPageErrors(page);
          await page.goto(app.url(`${link}/reschedule?tz=UTC&date=${date}&clock=24h`));
          await page.locator(`[data-day="${date}"] [data-current-time]`).waitFor();
          if (scripts) await hydrated(page);
          const items = await itemsOf(page, `[data-day="${date}"] ul`);
          const at = items.findIndex((x) => x.own);
          assert.equal(items[at].start, own);
          assert.equal(items[at - 1]?.start, slots[1], JSON.stringify(items));
          assert.equal(items[at + 1]?.start, slots[3], JSON.stringify(items));
          assert.ok(items[at].text.includes(await currentWords("en")), items[at].text);
          assert.doesNotMatch(items[at].text, /seats? left/, "they hold a seat there already");
          assert.equal(items[at].ariaCurrent, "true");
          assert.equal(items[at].link, false);
          // axe runs in the page's script world, which a context without scripts does not have.
          if (scripts) {
            assert.deepEqual(await checkA11y(page), []);
            await screenshot(page, "reschedule-current-time-week-seat");
          }
          assert.deepEqual(errors(), []);
          await ctx.close();
        }
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

/**
 * Where the guest's own time is, as they see it: its box against every box around it that
 * scrolls its content (the day's times beside the calendar), the page's scroll and the focus.
 */
function seen(page: Page) {
  return page.locator("[data-current-time]").evaluate((el) => {
    const r = el.getBoundingClientRect();
    const boxes: { clipped: boolean; scrolls: boolean }[] = [];
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      const y = getComputedStyle(p).overflowY;
      if (y !== "auto" && y !== "scroll") continue;
      const b = p.getBoundingClientRect();
      boxes.push({
        clipped: r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5,
        scrolls: p.scrollHeight > p.clientHeight,
      });
    }
    return {
      boxes,
      pageY: globalThis.scrollY,
      focus: document.activeElement?.tagName ?? null,
    };
  });
}

Deno.test({
  name:
    "e2e reschedule page: a late current time opens in view in the day's scrolling list at 1280 px (and in place at 360 px), with and without scripts, the page not moved and the focus not taken",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    // A day long enough that its times overflow the box beside the calendar.
    const { date, slots } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "Europe/Berlin",
      min: 16,
    });
    const own = slots.at(-1)!;
    const link = await book(app.baseUrl, "/calendar/demo/quick-chat", own, "Europe/Berlin");
    const url = app.url(`${link}/reschedule?tz=Europe/Berlin&date=${date}`);
    const browser = await borrowBrowser();
    try {
      // With scripts, without, and with scripts in a browser that has no `scroll-initial-target`
      // (Firefox and Safari today: the page's styles are served without it).
      for (const way of ["scripts", "no scripts", "scripts, no initial target"] as const) {
        const scripts = way !== "no scripts";
        for (const width of [1280, 360]) {
          const where = `${width} px, ${way}`;
          const ctx = await browser.newContext({
            viewport: { width, height: 800 },
            timezoneId: "Europe/Berlin",
            javaScriptEnabled: scripts,
          });
          if (way === "scripts, no initial target") {
            await ctx.route(/\.css$/, async (route) => {
              const res = await route.fetch();
              const css = (await res.text()).replaceAll("scroll-initial-target:nearest", "");
              await route.fulfill({ response: res, body: css });
            });
          }
          const page = await ctx.newPage();
          const errors = trackPageErrors(page);
          await page.goto(url);
          await page.locator("[data-current-time]").waitFor();
          if (scripts) await hydrated(page);
          const at = await seen(page);
          if (width === 1280) {
            assert.ok(at.boxes.some((b) => b.scrolls), `${where}: the day's times scroll in a box`);
          }
          assert.deepEqual(
            at.boxes.filter((b) => b.clipped),
            [],
            `${where}: the current time is within its box`,
          );
          assert.equal(at.pageY, 0, `${where}: the page itself did not move`);
          assert.equal(at.focus, "BODY", `${where}: nothing took the focus`);
          await screenshot(page, `reschedule-late-current-time-${width}-${way}`);
          assert.deepEqual(errors(), [], where);
          await ctx.close();
        }
      }
      await shootAll(browser, url, "reschedule-late-current-time", {
        ready: "[data-current-time]",
        langs: ["en"],
      });
    } finally {
      await browser.close();
    }
  },
});
