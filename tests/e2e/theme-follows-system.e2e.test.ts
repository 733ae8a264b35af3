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
import { borrowBrowser, hydrated } from "../support/browser.ts";
import type { Page } from "playwright-core";
import { freePort } from "../support/ports.ts";

/** The root's theme class and the body's background colour as the page paints it. */
function painted(page: Page) {
  return page.evaluate(() => ({
    dark: document.documentElement.classList.contains("dark"),
    light: document.documentElement.classList.contains("light"),
    background: getComputedStyle(document.body).backgroundColor,
  }));
}

/** A server whose one host, dana, offers /dana/chat. */
async function danaWithChat(prefix: string) {
  const { dataDir, kv, app: seed } = await seedStore(prefix);
  const host = await createHost(seed, { username: "dana", weekly: WORKDAYS });
  await createEventType(seed, host, { slug: "chat", title: "Chat" });
  kv.close();
  return await startApp({ dataDir });
}

Deno.test({
  name:
    "theme: an open page follows the system turning dark and light again; a theme the address chose stays",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await danaWithChat("invito-theme-follow-");
    const browser = await borrowBrowser();
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

Deno.test({
  name:
    "theme: a widget framed where it may not use storage (a sandboxed iframe) still takes its address's theme and follows the system",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await danaWithChat("invito-theme-sandbox-");
    // Another site frames the widget as some site builders do: sandboxed without
    // allow-same-origin, so the framed page's origin is opaque and reading localStorage throws.
    const widget = (q: string) => app.url(`/widget/dana/chat?tz=Europe%2FLondon${q}`);
    const port = freePort();
    const site = Deno.serve({ hostname: "127.0.0.2", port, onListen: () => {} }, () =>
      new Response(
        `<!doctype html><html lang="en"><head><title>Shop</title></head><body>
        <iframe id="dark" sandbox="allow-scripts allow-forms" src="${
          widget("&theme=dark")
        }"></iframe>
        <iframe id="system" sandbox="allow-scripts allow-forms" src="${widget("")}"></iframe>
        </body></html>`,
        { headers: { "content-type": "text/html; charset=utf-8" } },
      ));
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ colorScheme: "light", timezoneId: "Europe/London" });
      const page = await ctx.newPage();
      await page.goto(`http://127.0.0.2:${port}/`);
      const frame = async (id: string) => {
        const f = (await (await page.locator(`#${id}`).elementHandle())!.contentFrame())!;
        await f.locator("h1").first().waitFor();
        return f;
      };
      const dark = await frame("dark");
      const system = await frame("system");
      assert.equal(
        await dark.evaluate(() => {
          try {
            return typeof localStorage;
          } catch (e) {
            return (e as Error).name;
          }
        }),
        "SecurityError",
        "the framed page may not use storage (else this test proves nothing)",
      );
      const classes = (f: typeof dark) =>
        f.evaluate(() =>
          [...document.documentElement.classList].filter((c) => c === "dark" || c === "light")
        );
      assert.deepEqual(await classes(dark), ["dark"], "?theme=dark is dark on a light system");
      assert.deepEqual(await classes(system), ["light"], "no theme asked: the system's light");
      await page.emulateMedia({ colorScheme: "dark" });
      await system.waitForFunction(() => document.documentElement.classList.contains("dark"));
      assert.deepEqual(await classes(system), ["dark"], "and it follows the system turning dark");
    } finally {
      await browser.close();
      await site.shutdown();
    }
  },
});

Deno.test({
  name:
    "theme: with all cookies and site data blocked, the home page's toggle still switches the open page",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({});
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ colorScheme: "light" });
      // What Chromium does for a site whose cookies and site data the visitor blocked (no switch
      // turns that on from here): reading window.localStorage throws a SecurityError.
      await ctx.addInitScript(() => {
        Object.defineProperty(window, "localStorage", {
          get() {
            throw new DOMException("Access is denied for this document.", "SecurityError");
          },
        });
      });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(app.url("/"));
      await hydrated(page);
      assert.equal((await painted(page)).light, true, "the system's light");
      await page.getByRole("radio", { name: "Dark" }).first().click();
      await page.waitForFunction(() => document.documentElement.classList.contains("dark"));
      assert.equal(
        await page.getByRole("radio", { name: "Dark" }).first().getAttribute("aria-checked"),
        "true",
      );
      assert.deepEqual(errors, [], "no script error on the page");
    } finally {
      await browser.close();
    }
  },
});
