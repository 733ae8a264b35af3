/**
 * A host's accent colour, whatever it is, leaves the widget readable: axe finds no contrast
 * problem on the day view and the booking form with a light accent (yellow, lime) or a very dark
 * one (navy), in light and dark. Before, `accentStyle` only mixed the colour toward white or
 * black: yellow drew the times, day numbers and links at 1.5:1, the chosen day white on yellow,
 * and in dark mode "Book this time" white on #ffff00 (1.07:1). The Embed page previews the
 * colour as the widget draws it and says when it was moved.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  sessionCookies,
  trackPageErrors,
} from "../support/browser.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { accentPalette } from "../../src/lib/shared/accent.ts";
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
    const browser = await borrowBrowser();
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

Deno.test({
  ...opts,
  name:
    "e2e Embed page: a yellow accent previews darkened in light, the page says so in one line, and the floating button's text is black",
  async fn() {
    await using app = await startApp({ demo: true });
    const cookies = sessionCookies(await signInByLink(app, DEMO_EMAIL));
    const browser = await borrowBrowser();
    try {
      for (const [width, scheme] of [[1280, "light"], [360, "dark"]] as const) {
        const ctx = await browser.newContext({
          viewport: { width, height: 900 },
          colorScheme: scheme,
        });
        await ctx.addCookies(cookies);
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await page.goto(app.url("/dashboard/embed"));
        await hydrated(page);
        const note = page.getByTestId("accent-moved");
        // The default blue is drawn as it is: nothing to say.
        assert.equal(await note.count(), 0);
        await page.getByLabel("What to show").selectOption({ label: "Quick chat" });
        await page.locator("#e-theme").selectOption("light");
        await page.getByLabel("Accent colour").fill("#ffff00");
        assert.equal(
          await note.innerText(),
          "Shown darker on light pages, so that it stays readable.",
        );
        assert.equal(
          await page.getByLabel("Accent colour").getAttribute("aria-describedby"),
          "e-accent-moved",
        );
        // The preview's widget draws the chosen day in the darkened yellow, with black text.
        const frame = page.getByTestId("embed-preview").frameLocator("iframe");
        const day = frame.locator("a[aria-current=date]");
        await day.waitFor();
        const [fg, bg] = await day.evaluate((el) => [
          getComputedStyle(el).color,
          getComputedStyle(el).backgroundColor,
        ]);
        const shown = accentPalette("#ffff00").light.steps[600];
        const rgb = [1, 3, 5].map((i) => parseInt(shown.slice(i, i + 2), 16)).join(", ");
        assert.equal(bg, `rgb(${rgb})`);
        assert.equal(fg, "rgb(0, 0, 0)");
        await screenshot(page, `embed-accent-ffff00-light-${width}-${scheme}`);

        // Dark keeps this yellow as it is; "the visitor's system" may show either.
        await page.locator("#e-theme").selectOption("dark");
        assert.equal(await note.count(), 0);
        await page.locator("#e-theme").selectOption("system");
        assert.equal(
          await note.innerText(),
          "Shown darker on light pages, so that it stays readable.",
        );
        await page.getByLabel("Accent colour").fill("#000080");
        await page.locator("#e-theme").selectOption("dark");
        assert.equal(
          await note.innerText(),
          "Shown lighter on dark pages, so that it stays readable.",
        );
        await frame.locator("a[aria-current=date]").waitFor();
        await screenshot(page, `embed-accent-000080-dark-${width}-${scheme}`);

        // The floating button on the host's page: their yellow as picked, text black.
        await page.getByLabel("Accent colour").fill("#ffff00");
        await page.locator("input[type=radio][value=floating]").check();
        const float = page.getByTestId("embed-preview").locator("a[data-invito-popup]");
        assert.equal(await float.evaluate((el) => getComputedStyle(el).color), "rgb(0, 0, 0)");
        assert.equal(
          await float.evaluate((el) => getComputedStyle(el).backgroundColor),
          "rgb(255, 255, 0)",
        );
        assert.match(
          await page.getByTestId("snippet").innerText(),
          /background:#ffff00;color:#000000;/,
        );
        await screenshot(page, `embed-accent-ffff00-floating-${width}-${scheme}`);
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
