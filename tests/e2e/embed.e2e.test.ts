/**
 * Embedding, as a host and their visitors meet it in Chromium: the Embed page previews inline,
 * popup and floating live; on another site the inline iframe reserves the widget's height from
 * the first paint (the page below it does not jump), and a click on the popup button never
 * misses, not even before embed.js has arrived.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { freePort } from "../support/ports.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import { shootAll } from "../support/shots.ts";
import type { Browser, Frame, Page, Route } from "playwright-core";

function serveSite(body: string) {
  const port = freePort();
  const server = Deno.serve(
    { hostname: "127.0.0.2", port, onListen: () => {} },
    () =>
      new Response(
        `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title></head><body style="margin:0;font-family:sans-serif"><h1 style="margin:0;padding:16px">Our shop</h1>${body}<p id="below">Below the widget</p></body></html>`,
        { headers: { "content-type": "text/html; charset=utf-8" } },
      ),
  );
  return { url: `http://127.0.0.2:${port}/`, close: () => server.shutdown() };
}

/** Holds every request matching `pattern` until `release()` (a slow network, decided by the test). */
async function hold(page: Page, pattern: string) {
  const held: Route[] = [];
  let open = false;
  await page.route(pattern, (route) => (open ? route.continue() : void held.push(route)));
  return {
    count: () => held.length,
    release: async () => {
      open = true;
      for (const r of held.splice(0)) await r.continue();
    },
  };
}

/** The snippet the Embed page gives for a style, as a host copies it. */
async function snippetFor(page: Page, style: "inline" | "popup" | "floating") {
  await page.locator(`input[type=radio][value=${style}]`).check();
  await page.getByLabel("What to show").selectOption({ label: "Quick chat" });
  return await page.getByTestId("snippet").innerText();
}

async function reservedThenSettled(browser: Browser, siteUrl: string, width: number) {
  const ctx = await browser.newContext({
    viewport: { width, height: 900 },
    timezoneId: "Europe/Berlin",
  });
  try {
    const page = await ctx.newPage();
    const widget = await hold(page, "**/widget/**");
    await page.goto(siteUrl, { waitUntil: "domcontentloaded" });
    const iframe = page.locator("[data-invito] iframe");
    await iframe.waitFor({ state: "attached" });
    const reserved = await iframe.evaluate((el) => el.getBoundingClientRect().height);
    const belowBefore = await page.locator("#below").evaluate((el) =>
      el.getBoundingClientRect().top
    );
    await widget.release();
    const frame = (await (await iframe.elementHandle())!.contentFrame()) as Frame;
    await frame.locator("a[data-slot]").first().waitFor();
    await hydrated(frame); // it moves to the visitor's zone, and reports its height, when running
    // Settled: the frame's height is the widget's own, as it reports it.
    const content = await frame.evaluate(() =>
      Math.ceil(document.querySelector("[data-widget]")!.getBoundingClientRect().height)
    );
    // The month shown depends on the date: what a six-week month (January 2027 in English, a
    // Sunday-first week) adds to this one's grid, row by row.
    const sixWeeks = await frame.evaluate(() => {
      const grid = document.querySelector("ul[aria-labelledby=month-title]")!;
      const rows = Math.ceil(grid.children.length / 7);
      const pitch =
        (grid.getBoundingClientRect().height + parseFloat(getComputedStyle(grid).rowGap)) /
        rows;
      return Math.ceil((6 - rows) * pitch);
    });
    await page.waitForFunction(
      (h) =>
        Math.abs(
          document.querySelector("[data-invito] iframe")!.getBoundingClientRect().height - h,
        ) <=
          2,
      content,
    );
    const belowAfter = await page.locator("#below").evaluate((el) =>
      el.getBoundingClientRect().top
    );
    await screenshot(page, `embed-inline-host-${width}`);
    return { reserved, settled: content, sixWeeks, jump: Math.abs(belowAfter - belowBefore) };
  } finally {
    await ctx.close();
  }
}

Deno.test({
  name:
    "e2e embed: live preview of inline, popup and floating; the inline frame keeps its height from the first paint; a popup click never misses",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    const sites: { close(): Promise<void> }[] = [];
    try {
      const ctx = await browser.newContext({
        viewport: { width: 1366, height: 900 },
        timezoneId: "Europe/Berlin",
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await signInAs(page, app.baseUrl, "demo@invito.example", smtp);
      await page.goto(app.url("/dashboard/embed"), { waitUntil: "networkidle" });

      // The live preview: inline shows the widget itself…
      const preview = page.getByTestId("embed-preview");
      const inline = await snippetFor(page, "inline");
      const previewFrame = preview.locator("iframe");
      await previewFrame.waitFor();
      const pf = (await (await previewFrame.elementHandle())!.contentFrame()) as Frame;
      await pf.locator("a[data-slot]").first().waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "embed-1-preview-inline");
      // …popup opens the dialog, and Escape closes it…
      const popup = await snippetFor(page, "popup");
      await preview.getByRole("link", { name: "Book a time" }).click();
      assert.match(page.url(), /\/dashboard\/embed$/);
      const dialog = page.getByRole("dialog");
      await dialog.locator("iframe").waitFor();
      await screenshot(page, "embed-2-preview-popup-open");
      // Escape inside the widget reaches the overlay through the widget's script.
      await hydrated(dialog.locator("iframe"));
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      // …and the floating button floats in the corner of the stand-in page, and opens it too.
      const floating = await snippetFor(page, "floating");
      const fb = preview.getByRole("link", { name: "Book a time" });
      const box = (await preview.boundingBox())!;
      const btn = (await fb.boundingBox())!;
      assert.ok(box.x + box.width - (btn.x + btn.width) < 40, "floats at the right");
      assert.ok(box.y + box.height - (btn.y + btn.height) < 40, "floats at the bottom");
      await screenshot(page, "embed-3-preview-floating");
      await fb.click();
      await dialog.locator("iframe").waitFor();
      await hydrated(dialog.locator("iframe"));
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      assert.match(floating, /position:fixed/);

      // On another site: the inline frame reserves the widget's height from the first paint.
      const inlineSite = serveSite(inline);
      sites.push({ close: inlineSite.close });
      for (const width of [1366, 700, 390]) {
        const r = await reservedThenSettled(browser, inlineSite.url, width);
        console.log(`inline at ${width} px: reserved ${r.reserved} px, settled ${r.settled} px`);
        if (width >= 1024) {
          // Beside the calendar the day's times scroll within its height, so the widget is as
          // tall at any hour (a 5- or 6-week month aside): the frame and the page below stay put.
          // Without a reservation the frame grew from 640 px by 100–650 px.
          assert.ok(
            Math.abs(r.settled - r.reserved) <= 64,
            `at ${width} px the frame went from ${r.reserved} to ${r.settled} px`,
          );
          assert.ok(r.jump <= 64, `the page below jumped ${r.jump} px at ${width} px`);
        } else {
          // On a phone or a tablet the day's times follow the calendar and their number depends
          // on the hour: the frame reserves a full day's list under a six-week month, so it
          // never pushes the page below down; it only gives back what a shorter day or month
          // does not need. (It reserved five weeks: in a month of six the frame grew by a row.)
          assert.ok(
            r.settled + r.sixWeeks <= r.reserved + 16,
            `at ${width} px the frame reserved ${r.reserved} px for a widget of ${r.settled} px` +
              (r.sixWeeks ? ` (${r.settled + r.sixWeeks} px in a six-week month)` : ""),
          );
        }
      }

      // A click on the popup button before embed.js has arrived still gets the visitor there.
      const popupSite = serveSite(popup);
      sites.push({ close: popupSite.close });
      const visitor = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const vp = await visitor.newPage();
      const script = await hold(vp, "**/embed.js");
      await vp.goto(popupSite.url, { waitUntil: "domcontentloaded" });
      await vp.getByText("Book a time").click();
      await vp.waitForURL(/\/calendar\/demo\/quick-chat/, { timeout: 10_000 });
      await vp.locator("a[data-slot]").first().waitFor();
      // Once it has arrived, the first click opens the popup.
      await script.release();
      await vp.goto(popupSite.url);
      await vp.waitForFunction(() => "__invitoEmbed" in window);
      await vp.getByText("Book a time").click();
      await vp.getByRole("dialog").locator("iframe").waitFor();
      await visitor.close();

      await shootAll(browser, app.url("/dashboard/embed"), "embed-page", {
        ready: "[data-testid=embed-preview] iframe",
        storageState: await ctx.storageState(),
      });
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      for (const s of sites) await s.close();
      await browser.close();
    }
  },
});
