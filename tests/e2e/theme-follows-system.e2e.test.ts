/**
 * A page left open follows the system's light or dark setting as it changes (a phone turning
 * dark at dusk), on every page, as the dashboard did: the guest's booking page, a routing form
 * and the home page (the dashboard's toggle: "Dark" holds, "System" follows again). The page's
 * head script chose `.light` or `.dark` once, at load, so a guest
 * page stayed light on a dark phone until it was loaded again. A theme chosen by the page's
 * address (`?theme=light`, as the widget's embed sets it) or in the dashboard's toggle stays.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore, WORKDAYS } from "../support/memory-app.ts";
import { hydrated, launchBrowser } from "../support/browser.ts";
import type { Page } from "playwright-core";

/** The root's theme class and the body's background colour as the page paints it. */
function painted(page: Page) {
  return page.evaluate(() => ({
    dark: document.documentElement.classList.contains("dark"),
    light: document.documentElement.classList.contains("light"),
    background: getComputedStyle(document.body).backgroundColor,
  }));
}

Deno.test({
  name:
    "theme: an open page follows the system turning dark and light again; a theme the address chose stays",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-theme-follow-");
    const host = await createHost(seed, { username: "dana", weekly: WORKDAYS });
    await createEventType(seed, host, { slug: "chat", title: "Chat" });
    kv.close();
    await using app = await startApp({ dataDir });
    const browser = await launchBrowser();
    try {
      const ctx = await browser.newContext({ colorScheme: "light" });
      const page = await ctx.newPage();
      for (const path of ["/dana/chat", "/"]) {
        await page.emulateMedia({ colorScheme: "light" });
        await page.goto(app.url(path));
        await hydrated(page);
        const light = await painted(page);
        assert.deepEqual([light.dark, light.light], [false, true], `${path} loads light`);
        await page.emulateMedia({ colorScheme: "dark" });
        await page.waitForFunction(() => document.documentElement.classList.contains("dark"));
        const dark = await painted(page);
        assert.equal(dark.light, false, path);
        assert.notEqual(dark.background, light.background, `${path}: the page is painted dark`);
        await page.emulateMedia({ colorScheme: "light" });
        await page.waitForFunction(() => document.documentElement.classList.contains("light"));
        assert.deepEqual(await painted(page), light, `${path}: light again`);
      }
      // A theme chosen in the toggle holds against the system; "System" follows it again.
      await page.getByRole("radio", { name: "Dark" }).click();
      await page.emulateMedia({ colorScheme: "dark" });
      await page.emulateMedia({ colorScheme: "light" });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      assert.equal((await painted(page)).dark, true, "the toggle's Dark holds on a light system");
      await page.getByRole("radio", { name: "System" }).click();
      await page.waitForFunction(() => document.documentElement.classList.contains("light"));
      await page.emulateMedia({ colorScheme: "dark" });
      await page.waitForFunction(() => document.documentElement.classList.contains("dark"));
      // The address's theme is the host's choice for an embed: the system does not override it.
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(app.url("/dana/chat?theme=light"));
      await hydrated(page);
      await page.emulateMedia({ colorScheme: "dark" });
      // Let a change event (if any handler wrongly followed it) run before reading.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      assert.deepEqual(
        (await painted(page)).light,
        true,
        "?theme=light stays light on a dark system",
      );
    } finally {
      await browser.close();
    }
  },
});
