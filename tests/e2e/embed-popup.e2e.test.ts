/**
 * The pop-up widget as a keyboard user and a German site meet it, in Chromium: focus stays in
 * the dialog until it closes (then returns to the link that opened it), a second pop-up never
 * opens over the first, and its own words ("Close", "Book a time") are in the widget's language.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, startApp } from "../support/app.ts";
import { freePort } from "../support/ports.ts";
import { borrowBrowser, hydrated, screenshot, trackPageErrors } from "../support/browser.ts";
import type { Page } from "playwright-core";
import { EMBED_WORDS } from "../../src/lib/shared/embed-words.ts";

/**
 * A site on 127.0.0.2 (German unless `lang` says otherwise; `null`: it names no language): a link
 * before the pop-up link, and embed.js.
 */
function serveSite(appBase: string, lang: string | null = "de") {
  const port = freePort();
  const html = lang === null ? "<html>" : `<html lang="${lang}">`;
  const server = Deno.serve({ hostname: "127.0.0.2", port, onListen() {} }, () =>
    new Response(
      `<!doctype html>${html}<head><title>Laden</title></head><body>
<a id="before" href="/anderswo">Anderswo</a>
<a id="open" href="${appBase}/calendar/demo/quick-chat" data-invito-popup="/widget/demo/quick-chat">Jetzt buchen</a>
<a id="open-fr" href="${appBase}/calendar/demo/" data-invito-popup="/widget/demo/?lang=fr">Réserver</a>
<script src="${appBase}/embed.js"></script></body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    ));
  return { url: `http://127.0.0.2:${port}/`, close: () => server.shutdown() };
}

/** Where the page's focus is: in the pop-up (and on what), or elsewhere. */
const focus = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const inDialog = !!el?.closest("[data-invito-overlay]");
    return {
      inDialog,
      what: el?.tagName === "IFRAME" ? "widget" : el?.getAttribute("aria-label") ?? el?.id ?? "",
    };
  });

Deno.test({
  name:
    "e2e embed pop-up: keyboard focus stays in the dialog (Tab and Shift+Tab wrap), no second pop-up opens over it, Escape closes it and focus returns to the link; its words follow the widget's language",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const site = serveSite(app.baseUrl);
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(site.url);
      await page.waitForFunction(() => "__invitoEmbed" in window);
      await page.locator("#open").focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "Termin buchen" });
      await dialog.waitFor();
      const frame = dialog.locator("iframe");
      await hydrated(frame);
      assert.equal(await frame.getAttribute("title"), "Termin buchen");
      assert.deepEqual(await focus(page), { inDialog: true, what: "Schließen" });
      await screenshot(page, "embed-popup-de");

      // Shift+Tab from Close goes to the widget, never to the page behind (whose opener an Enter
      // would press again). No Enter inside: it would start the widget's own navigation, which
      // the rest of this test would race.
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press("Shift+Tab");
        assert.equal((await focus(page)).inDialog, true, `Shift+Tab ${i + 1}`);
      }
      // Tab past the widget's last control comes back to Close.
      const inside = (await (await frame.elementHandle())!.contentFrame())!;
      await inside.evaluate(() => {
        // Every control Tab stops at.
        const all = [
          ...document.querySelectorAll<HTMLElement>(
            "a[href], button, input, select, textarea, summary, [tabindex]",
          ),
        ].filter((el) =>
          el.offsetParent !== null && !el.hasAttribute("disabled") && el.tabIndex >= 0
        );
        all[all.length - 1].focus();
      });
      await page.keyboard.press("Tab");
      assert.deepEqual(await focus(page), { inDialog: true, what: "Schließen" });
      // The page behind cannot be reached, and neither a click nor the script opens a second.
      assert.equal(
        await page.locator("#before").evaluate((el) => el.closest("[inert]") !== null),
        true,
      );
      await page.evaluate(() =>
        (window as unknown as { Invito: { popup(o: object): void } }).Invito.popup({
          url: "/widget/demo/quick-chat",
        })
      );
      assert.equal(await page.locator("[data-invito-overlay]").count(), 1);
      assert.equal(page.url(), site.url, "nothing behind it was followed");

      // Escape closes it; focus is back on the link that opened it, and the page is live again.
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      assert.deepEqual(await focus(page), { inDialog: false, what: "open" });
      assert.equal(await page.locator("[inert]").count(), 0);

      // A widget address that names its language wins over the page's.
      await page.locator("#open-fr").click();
      await page.getByRole("dialog", { name: "Prendre rendez-vous" }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Fermer" }).count(), 1);
      await page.getByRole("button", { name: "Fermer" }).click();
      await page.locator("[data-invito-overlay]").waitFor({ state: "detached" });
      assert.deepEqual(await focus(page), { inDialog: false, what: "open-fr" });
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
      await site.close();
    }
  },
});

/** The language of the page inside the pop-up's widget, once its scripts run. */
async function widgetLanguage(page: Page): Promise<string> {
  const frame = page.locator("[data-invito-overlay] iframe");
  await hydrated(frame);
  const inside = (await (await frame.elementHandle())!.contentFrame())!;
  return await inside.evaluate(() => document.documentElement.lang);
}

Deno.test({
  name:
    "e2e embed pop-up: the widget inside speaks the language of the pop-up's own words — the page's, else the visitor's — and a language its address names still wins",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const german = serveSite(app.baseUrl);
    const unnamed = serveSite(app.baseUrl, null);
    const browser = await borrowBrowser();
    try {
      // A visitor whose browser asks for English, on a German site: German around and inside.
      const ctx = await browser.newContext({ locale: "en-US", timezoneId: "Europe/Berlin" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(german.url);
      await page.waitForFunction(() => "__invitoEmbed" in window);
      await page.locator("#open").click();
      await page.getByRole("dialog", { name: "Termin buchen" }).waitFor();
      assert.match(await widgetLanguage(page), /^de\b/);
      await screenshot(page, "embed-popup-de-page-en-browser");
      await page.getByRole("button", { name: "Schließen" }).click();
      await page.locator("[data-invito-overlay]").waitFor({ state: "detached" });
      // The embedder named French in the widget's address: French around and inside.
      await page.locator("#open-fr").click();
      await page.getByRole("dialog", { name: "Prendre rendez-vous" }).waitFor();
      assert.match(await widgetLanguage(page), /^fr\b/);
      assert.deepEqual(errors(), []);
      await ctx.close();

      // A site that names no language, a German browser: the pop-up's words are the visitor's
      // language, as the widget's are (they were English around a German widget).
      const ctxDe = await browser.newContext({ locale: "de-DE", timezoneId: "Europe/Berlin" });
      const pageDe = await ctxDe.newPage();
      const errorsDe = trackPageErrors(pageDe);
      await pageDe.goto(unnamed.url);
      await pageDe.waitForFunction(() => "__invitoEmbed" in window);
      await pageDe.locator("#open").click();
      await pageDe.getByRole("dialog", { name: "Termin buchen" }).waitFor();
      assert.equal(await pageDe.getByRole("button", { name: "Schließen" }).count(), 1);
      assert.match(await widgetLanguage(pageDe), /^de\b/);
      assert.deepEqual(errorsDe(), []);
      await ctxDe.close();
    } finally {
      await browser.close();
      await german.close();
      await unnamed.close();
    }
  },
});

Deno.test("embed.js: the pop-up's own words are the catalogs' (shared/embed-words.ts), in every language", async () => {
  const script = await Deno.readTextFile(join(repoRoot, "static", "embed.js"));
  const table = Object.fromEntries(
    [...script.matchAll(/^\s+(\w\w): \["([^"]+)", "([^"]+)"\],$/gm)].map((
      m,
    ) => [m[1], [m[2], m[3]]]),
  );
  for (const lang of ["en", "de", "fr", "es"]) {
    const catalog = JSON.parse(
      await Deno.readTextFile(join(repoRoot, "src", "lib", "messages", `${lang}.json`)),
    );
    assert.deepEqual(table[lang], EMBED_WORDS.map((k) => catalog[k]), lang);
  }
});
