/**
 * A keyboard guest on the booking page keeps their place: a refused form puts focus on what to
 * fix, choosing a clock keeps focus on the choice, and the month arrow that is gone at the last
 * bookable month hands focus to the month's name — never to the top of the page.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";

const focused = (page: import("playwright-core").Page) =>
  page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return a
      ? `${a.tagName.toLowerCase()}#${a.id}|${a.getAttribute("name") ?? ""}|${
        a.textContent?.trim().slice(0, 20)
      }`
      : "";
  });

Deno.test({
  name:
    "e2e booking page by keyboard: a refused form focuses the field to fix, a clock choice keeps focus, the last month's gone arrow hands focus to the month's name",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: "UTC", locale: "en-US" });
      let page = await ctx.newPage();
      const errors = trackPageErrors(page);
      const { path } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", { tz: "UTC" });
      await page.goto(app.baseUrl + path);
      await hydrated(page);
      await page.locator("a[data-slot]").first().click();
      await page.getByRole("heading", { name: "Your details" }).waitFor();
      await page.locator('input[name="email"]').fill("ann@example.test");
      await page.getByRole("button", { name: "Book this time" }).focus();
      await page.keyboard.press("Enter");
      await page.getByText("Please fill this in").waitFor();
      await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "name");

      // The clock: chosen by keyboard, focus stays on it (a page of its own, as a guest opens it).
      await page.close();
      page = await ctx.newPage();
      const later = trackPageErrors(page);
      await page.goto(app.baseUrl + path);
      await hydrated(page);
      await page.getByTestId("guest-settings").locator("summary").click();
      // The 12-hour choice, the first of the two.
      const clock = page.getByRole("navigation", { name: "Time format" }).getByRole("link").first();
      await clock.focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(/clock=12h/);
      assert.match(await focused(page), /^a#\|\|1:00\sPM/);

      // Month by month to the last bookable one: focus ends on its name.
      for (let i = 0; i < 12; i++) {
        const next = page.getByRole("link", { name: "Next month" });
        if (!(await next.count())) break;
        const shown = await page.locator("#month-title").textContent();
        await next.focus();
        await page.keyboard.press("Enter");
        // The next month is on screen (the arrow may be gone with it).
        await page.waitForFunction(
          (before) => document.getElementById("month-title")?.textContent !== before,
          shown,
        );
      }
      assert.equal(await page.evaluate(() => document.activeElement?.id), "month-title");
      assert.deepEqual([...errors(), ...later()], []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
