/**
 * A guest who uses only the keyboard (Tab, Enter, Space, arrows) books in Chromium, with the
 * keys counted from page load to "booked"; and the booking page's keyboard and contrast
 * promises: focus follows the chosen day, every time is in view (no inner scroller), day circles
 * keep their size in a wide widget, free days stand apart from the card in dark mode.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  contrastIn,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { datePath, fullDay, fullDays } from "../support/slots.ts";

/** The focused element, as "tag#id" plus its text, to follow the path in a failure. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el
      ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} ${
        el.innerText?.trim().slice(0, 40) ?? ""
      }`
      : "none";
  });

Deno.test({
  name:
    "keyboard only: from page load to booked in at most 10 navigation keys (Tab, Enter, Space), with focus following each choice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        timezoneId: "Europe/Berlin",
        locale: "en-GB",
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      // A full day from tomorrow on: the page's own first day may be today, whose first time can
      // pass while the keys are pressed.
      const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
        tz: "Europe/Berlin",
      });
      await page.goto(app.url(datePath("/calendar/demo/quick-chat", date)), {
        waitUntil: "networkidle",
      });

      const keys: string[] = [];
      const press = async (key: string) => {
        keys.push(key);
        await page.keyboard.press(key);
      };
      // 1–2: the first Tab reaches "Skip to the free times"; Enter lands on the day's times.
      await press("Tab");
      assert.match(await focused(page), /Skip to the free times/);
      await press("Enter");
      assert.match(await focused(page), /h2#times-heading/);
      // 3–4: the first time, then the form, whose heading takes focus.
      await press("Tab");
      assert.match(await focused(page), /^a /, "the first free time");
      await press("Enter");
      await page.waitForURL(/slot=/);
      await page.waitForFunction(() => document.activeElement?.id === "details-heading");
      // 5: on to the name field (past nothing but the heading).
      await press("Tab");
      assert.match(await focused(page), /input#b-name/);
      await page.keyboard.type("Kim Keys");
      await press("Tab");
      assert.match(await focused(page), /input#b-email/);
      await page.keyboard.type("kim@example.test");
      // 7–10: past the optional note and additional guests (issue 29) to the button, pressed
      // with Space.
      await press("Tab");
      await press("Tab");
      assert.match(await focused(page), /textarea#b-guests/);
      await press("Tab");
      assert.match(await focused(page), /button/);
      await press("Space");
      await page.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
      await page.getByRole("heading", { name: "You are booked" }).waitFor();
      assert.ok(keys.length <= 10, `${keys.length} keys: ${keys.join(" ")}`);
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "booking page: choosing another day by keyboard moves focus to its times; every time is in view; circles stay small in a wide widget; free days stand apart in dark mode",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        timezoneId: "Europe/Berlin",
        colorScheme: "dark",
      });
      const page = await ctx.newPage();
      // Two full days of one month from tomorrow on, the page on the first: its own first day may
      // be today with a few times left, or a month's last free day with no other in its grid.
      const [shown, other] = await fullDays(app.baseUrl, "/calendar/demo/quick-chat", {
        tz: "Europe/Berlin",
        min: 10,
        sameMonth: true,
      });
      await page.goto(app.url(shown.path), { waitUntil: "networkidle" });
      // Another free day, chosen with Enter: focus lands on that day's times, not the page top.
      const second = page.locator(`a[aria-label*="free"][href*="date=${other.date}"]`);
      const label = await second.getAttribute("aria-label");
      await second.focus();
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.activeElement?.id === "times-heading");
      const heading = await page.locator("#times-heading").innerText();
      assert.ok(label!.startsWith(heading.split(",")[0]), `${heading} for ${label}`);
      // All of the day's times are on the page: the list does not scroll inside itself.
      const list = page.locator("ul[aria-label^='Free times on']");
      const [scroll, client] = await list.evaluate((el) => [el.scrollHeight, el.clientHeight]);
      assert.ok(
        scroll <= client + 1,
        `the times list scrolls inside itself (${scroll} > ${client})`,
      );
      const slots = await list.locator("a").count();
      assert.ok(slots >= 10, `${slots} times`);
      for (let i = 0; i < slots; i++) {
        assert.ok(await list.locator("a").nth(i).isVisible());
      }
      // Dark mode: a free day's ring stands at least 3:1 against the card, and a free day against
      // a day without times (no ring).
      const colours = await page.evaluate(() => {
        const free = document.querySelector('a[aria-label*="free"]:not([aria-current])')!;
        const card = free.closest(".card")!;
        // The ring is one of the box shadows; the others are transparent.
        const ring = [
          ...getComputedStyle(free).boxShadow.matchAll(
            /(?:rgba?|oklch|oklab|lab|color)\([^)]*\)/g,
          ),
        ].map((m) => m[0]).filter((c) => !/^rgba\(0, 0, 0, 0\)$/.test(c)).at(-1)!;
        return { ring, card: getComputedStyle(card).backgroundColor };
      });
      const ratio = await contrastIn(page, colours.ring, colours.card);
      assert.ok(
        ratio >= 3,
        `free day ring ${colours.ring} on ${colours.card}: ${ratio.toFixed(2)}:1`,
      );
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "keyboard-dark-calendar");

      // A wide widget: day circles keep a sensible size instead of growing with the frame.
      const wide = await browser.newContext({ viewport: { width: 1800, height: 1000 } });
      const w = await wide.newPage();
      await w.goto(app.url("/widget/demo/quick-chat?tz=Europe%2FBerlin"), {
        waitUntil: "networkidle",
      });
      const sizes = await w.locator('ul[aria-labelledby="month-title"] li > *').evaluateAll((els) =>
        els.map((el) => el.getBoundingClientRect().width)
      );
      assert.ok(Math.max(...sizes) <= 44.5, `day circles up to ${Math.max(...sizes)} px wide`);
      await screenshot(w, "keyboard-wide-widget");
      await wide.close();
    } finally {
      await browser.close();
    }
  },
});
