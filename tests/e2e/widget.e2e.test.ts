/**
 * The widget on someone else's site, in Chromium: another origin (127.0.0.2, a different site)
 * embeds it inline and as a popup; a guest books inside the iframe with third-party cookies
 * blocked; the iframe grows with its content; the dashboard and a confirm page refuse framing.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { freePort } from "../support/ports.ts";
import {
  borrowBrowser,
  hydrated,
  launchBrowser,
  screenshot,
  showFailureState,
  widgetFits,
} from "../support/browser.ts";
import type { Frame } from "playwright-core";
import { fullDay } from "../support/slots.ts";

function serveSite(html: (appUrl: string) => string, appUrl: string) {
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.2", port, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    return new Response(html(appUrl).replaceAll("{{PATH}}", path), {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  });
  return { url: `http://127.0.0.2:${port}`, close: () => server.shutdown() };
}

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "e2e widget: booked inside an inline iframe on another site with third-party cookies blocked, and the iframe follows the content's height",
  async fn() {
    await using app = await startApp({ demo: true });
    // The widget opens on a full day from tomorrow on: its own first day may be today, whose
    // first time can pass before the visitor books it.
    const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "Europe/London",
    });
    const site = serveSite(
      (u) =>
        `<!doctype html><html><head><title>Shop</title></head><body style="margin:0;font-family:sans-serif">
      <h1>Our shop</h1>
      <div id="inline" data-invito="/widget/demo/quick-chat?theme=light&accent=0d9488&date=${date}"></div>
      <p>Footer</p>
      <script src="${u}/embed.js" async></script></body></html>`,
      app.baseUrl,
    );
    const browser = await launchBrowser({ args: ["--test-third-party-cookie-phaseout"] });
    try {
      const ctx = await browser.newContext({
        timezoneId: "Europe/London",
        viewport: { width: 1024, height: 800 },
      });
      const page = await ctx.newPage();
      await page.goto(site.url + "/");
      const iframe = page.locator("#inline iframe");
      await iframe.waitFor();
      const frame = (await (await iframe.elementHandle())!.contentFrame()) as Frame;
      await frame.locator("a[data-slot]").first().waitFor();
      // Settled: moved to the visitor's own zone (which changes the times shown; the page's
      // inline script does that before the app's scripts arrive), then hydrated: widgetFits
      // below waits for the focus the script moves to the form after a client-side navigation.
      await frame.waitForURL(/tz=Europe%2FLondon/);
      await frame.locator("a[data-slot]").first().waitFor();
      await hydrated(frame);
      const heightOf = async () =>
        Number(
          (await iframe.evaluate((el: HTMLIFrameElement) => el.style.height)).replace("px", ""),
        );
      const contentHeight = () =>
        frame.evaluate(() =>
          Math.ceil(document.querySelector("[data-widget]")!.getBoundingClientRect().height)
        );
      // The parent resized the iframe to the widget's own height.
      await page.waitForFunction(
        ([h]) =>
          Math.abs(
            parseFloat(
              (document.querySelector("#inline iframe") as HTMLIFrameElement).style.height,
            ) - h,
          ) <= 2,
        [await contentHeight()],
      );
      const pickerHeight = await heightOf();
      // The accent colour from the snippet is applied.
      const bg = await frame.locator("a[aria-current=date]").evaluate((el) =>
        getComputedStyle(el).backgroundColor
      );
      assert.equal(bg, "rgb(13, 148, 136)");
      await screenshot(page, "widget-1-inline");

      await frame.locator("a[data-slot]").first().click();
      await frame.getByLabel("Name").waitFor();
      await widgetFits(frame);
      await frame.getByLabel("Name").fill("Iris Inframe");
      await frame.getByLabel("Email").fill("iris@example.test");
      await frame.getByRole("button", { name: "Book this time" }).click();
      await frame.getByRole("heading", { name: "You are booked" }).waitFor();
      assert.match(frame.url(), /\/widget\/booking\/[A-Za-z0-9_-]+\?theme=light&accent=0d9488$/);
      const resultHeight = await contentHeight();
      assert.ok(
        Math.abs(resultHeight - pickerHeight) > 20,
        `the content changed height (${pickerHeight} → ${resultHeight})`,
      );
      await page.waitForFunction(
        ([h]) =>
          Math.abs(
            parseFloat(
              (document.querySelector("#inline iframe") as HTMLIFrameElement).style.height,
            ) - h,
          ) <= 2,
        [resultHeight],
      );
      await screenshot(page, "widget-2-booked");
      // No cookie was needed, or set, anywhere in the guest flow.
      assert.deepEqual(await ctx.cookies(), []);
      await ctx.close();
    } catch (err) {
      await showFailureState(browser, app.logs);
      throw err;
    } finally {
      await browser.close();
      await site.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "e2e widget: a popup button opens the widget in a modal that Escape closes; foreign resize messages are ignored",
  async fn() {
    await using app = await startApp({ demo: true });
    const site = serveSite((u) =>
      `<!doctype html><html><head><title>Blog</title></head><body>
      <button type="button" data-invito-popup="/widget/demo/">Book a call</button>
      <script src="${u}/embed.js" async></script></body></html>`, app.baseUrl);
    const browser = await borrowBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
      await page.goto(site.url + "/");
      await page.waitForFunction(() =>
        (window as unknown as { __invitoEmbed?: boolean }).__invitoEmbed === true
      );
      await page.getByRole("button", { name: "Book a call" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.waitFor();
      const frame = page.frameLocator("[data-invito-overlay] iframe");
      await frame.getByRole("link", { name: /Intro call/ }).waitFor();
      await screenshot(page, "widget-3-popup");
      // A message from the embedding page itself (not Invito's origin) cannot resize our iframe.
      // (The widget's own resize messages may still be arriving, so the height is compared with
      // the forged one, not with an earlier reading.)
      await page.evaluate(() =>
        globalThis.postMessage({ type: "invito:resize", height: 4321 }, "*")
      );
      await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
      assert.notEqual(
        await page.locator("[data-invito-overlay] iframe").evaluate((el: HTMLIFrameElement) =>
          el.style.height
        ),
        "4321px",
      );
      await frame.getByRole("link", { name: /Intro call/ }).click();
      await frame.locator("a[data-slot]").first().waitFor();
      // Escape inside the widget reaches the overlay through the widget's script.
      await hydrated(page.locator("[data-invito-overlay] iframe"));
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      assert.equal(
        await page.evaluate(() => document.activeElement?.textContent),
        "Book a call",
        "focus returns to the button",
      );
    } finally {
      await browser.close();
      await site.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "e2e framing: the dashboard and a confirm page framed by another site are refused by the browser",
  async fn() {
    await using app = await startApp({ demo: true });
    // From tomorrow on: today's last time could pass before the post.
    const [slot] = (await fullDay(app.baseUrl, "/calendar/demo/intro-call", { min: 1 })).slots;
    const since = app.logs().length;
    await fetch(`${app.baseUrl}/calendar/demo/intro-call?/book`, {
      method: "POST",
      headers: { origin: app.baseUrl, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name: "Fay", email: "fay@example.test", start: slot, tz: "UTC" }),
      redirect: "manual",
    }).then((r) => r.body?.cancel());
    const confirm = (await app.waitForLog(/https?:\/\/\S+\/confirm/, { since }))[0];
    const site = serveSite((u) =>
      `<!doctype html><html><body>
      <iframe id="dash" src="${u}/signin"></iframe>
      <iframe id="confirm" src="${confirm}"></iframe>
      <iframe id="widget" src="${u}/widget/demo/"></iframe></body></html>`, app.baseUrl);
    const browser = await borrowBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(site.url + "/", { waitUntil: "load" });
      const frameUrl = async (id: string) =>
        (await (await page.locator(`#${id}`).elementHandle())!.contentFrame())!;
      const widget = await frameUrl("widget");
      await widget.getByRole("heading", { name: /Book a time with/ }).waitFor();
      for (const id of ["dash", "confirm"]) {
        const f = await frameUrl(id);
        // A refused frame shows Chromium's error page, never our content.
        assert.match(
          f.url(),
          /^chrome-error:/,
          `${id} must not render inside the frame (${f.url()})`,
        );
      }
    } finally {
      await browser.close();
      await site.close();
    }
  },
});
