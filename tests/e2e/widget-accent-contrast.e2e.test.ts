/**
 * A host's accent colour, whatever it is, leaves the widget readable: axe finds no contrast
 * problem on the day view and the booking form with a light accent (yellow, lime) or a very dark
 * one (navy), in light and dark. Before, `accentStyle` only mixed the colour toward white or
 * black: yellow drew the times, day numbers and links at 1.5:1, the chosen day white on yellow,
 * and in dark mode "Book this time" white on #ffff00 (1.07:1).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  checkA11y,
  hydrated,
  launchBrowser,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "e2e widget accent: the day view and the booking form pass axe's contrast check with a yellow, a lime and a navy accent, light and dark",
  async fn() {
    await using app = await startApp({ demo: true });
    // A day mid-month, so the month shows free days (ringed) beside the chosen one.
    const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "Europe/London",
      min: 2,
      from: Temporal.Now.plainDateISO("Europe/London").with({ day: 1 }).add({ months: 1, days: 9 })
        .toString(),
    });
    const browser = await launchBrowser();
    try {
      const problems: string[] = [];
      for (const width of [1280, 360]) {
        const ctx = await browser.newContext({
          timezoneId: "Europe/London",
          viewport: { width, height: 900 },
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        for (const accent of ["ffff00", "00ff00", "000080"]) {
          for (const theme of ["light", "dark"] as const) {
            // Both widths are looked at in screenshots; axe judges colours, the same at any width.
            const judged = width === 1280;
            const look = `accent ${accent}, ${theme}, ${width}px`;
            await page.goto(
              app.url(
                `/widget/demo/quick-chat?theme=${theme}&accent=${accent}&date=${date}&tz=Europe%2FLondon`,
              ),
            );
            await page.locator("a[data-slot]").first().waitFor();
            await hydrated(page);
            // Zone, clock and language open: the chosen clock and language are filled chips.
            await page.getByTestId("settings-line").click();
            await page.locator("[data-testid=guest-settings] nav a[aria-current=true]").first()
              .waitFor();
            if (judged) {
              for (const v of await checkA11y(page)) problems.push(`day view, ${look}: ${v}`);
            }
            await screenshot(page, `widget-accent-${accent}-${theme}-${width}-day`);

            await page.locator("a[data-slot]").first().click();
            await page.getByRole("button", { name: "Book this time" }).waitFor();
            if (judged) {
              for (const v of await checkA11y(page)) problems.push(`form, ${look}: ${v}`);
              // The filled button's text is black or white, whichever stands out more.
              const [fg, bg] = await page.getByRole("button", { name: "Book this time" }).evaluate(
                (el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor],
              );
              const expected = accent === "000080" ? "rgb(255, 255, 255)" : "rgb(0, 0, 0)";
              if (fg !== expected) {
                problems.push(`form, ${look}: "Book this time" is ${fg} on ${bg}, not ${expected}`);
              }
            }
            await screenshot(page, `widget-accent-${accent}-${theme}-${width}-form`);
          }
        }
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  },
});
