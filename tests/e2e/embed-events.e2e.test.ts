/**
 * The widget's events to the page that embeds it (docs/decisions/046-embed-events.md), as a site
 * owner's page on another origin receives them in Chromium: a full booking posts, in order,
 * event_type_viewed → date_selected → time_selected → booked, with heights along the way, only
 * to the origins the host listed; guest data only with the host's consent and never with "*".
 * The page uses the documented embed.js API (Invito.inline, Invito.on) with prefill and utm.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { freePort } from "../support/ports.ts";
import {
  borrowBrowser,
  hydrated,
  screenshot,
  showFailureState,
  slowScripts,
  trackPageErrors,
  widgetFits,
} from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import { saveEmbedOrigins } from "../support/embed-settings.ts";
import { twoDaysInOneMonth } from "../support/slots.ts";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";

type Recorded = { via: "raw" | "api"; origin?: string; data: Record<string, unknown> };

/** A site owner's page on 127.0.0.2: embed.js, one inline widget, every message recorded. */
function serveParent(appBase: string, port: number, widget: string, options: string) {
  const server = Deno.serve(
    { hostname: "127.0.0.2", port, onListen: () => {} },
    (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/thanks") {
        return new Response(
          `<!doctype html><html lang="en"><head><title>Thanks</title></head><body><h1>Thanks from the shop</h1></body></html>`,
          { headers: { "content-type": "text/html; charset=utf-8" } },
        );
      }
      return new Response(
        `<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>
<script>
  window.__seen = [];
  window.addEventListener("message", function (e) { window.__seen.push({ via: "raw", origin: e.origin, data: e.data }); });
</script>
<script src="${appBase}/embed.js"></script>
</head><body style="margin:0;font-family:sans-serif"><h1>Our shop</h1><div id="book"></div>
<script>
  ["page_height", "event_type_viewed", "date_selected", "time_selected", "booked", "redirect"].forEach(function (n) {
    Invito.on(n, function (d) { window.__seen.push({ via: "api", data: d }); });
  });
  Invito.inline(Object.assign({ url: ${JSON.stringify(widget)}, parent: "#book" }, ${options}));
</script></body></html>`,
        { headers: { "content-type": "text/html; charset=utf-8" } },
      );
    },
  );
  return { origin: `http://127.0.0.2:${port}`, close: () => server.shutdown() };
}

async function widgetFrame(page: Page): Promise<Frame> {
  const iframe = page.locator("#book iframe");
  await iframe.waitFor();
  return (await (await iframe.elementHandle())!.contentFrame()) as Frame;
}

const seen = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __seen: Recorded[] }).__seen);

const seenType = (page: Page, type: string) =>
  page.waitForFunction(
    (t) => (globalThis as unknown as { __seen: Recorded[] }).__seen.some((m) => m.data?.type === t),
    type,
  ).catch(async (e) => {
    const got = (await seen(page).catch(() => [])).map((m) => `${m.via}:${m.data?.type}`);
    throw new Error(`${type} never arrived; the parent saw: ${got.join(", ")}`, { cause: e });
  });

/**
 * Opened on `days[0]` (prefilled, so not a step the guest took), the guest picks `days[1]` of the
 * same month, a time, and books with what is prefilled. Clicks wait for the widget's scripts:
 * `event_type_viewed` is posted only by them, and before they run a click is a full page load.
 */
async function bookInWidget(page: Page, frame: Frame, days: [string, string]) {
  await seenType(page, "invito:event_type_viewed");
  await frame.locator(`a[href*='date=${days[1]}']`).click();
  await seenType(page, "invito:date_selected");
  await frame.locator(`a[aria-current=date][href*='date=${days[1]}']`).waitFor();
  await frame.locator("a[data-slot]").first().click();
  await frame.locator("#b-name").waitFor();
  await widgetFits(frame);
  await frame.locator("#book button[type=submit]").click();
  await seenType(page, "invito:booked");
}

/**
 * Records in each widget frame the targetOrigin of every message it posts to its parent
 * (`parent` is [Replaceable]: a stand-in that records and passes each message on).
 */
async function recordTargets(ctx: BrowserContext) {
  await ctx.addInitScript(() => {
    const w = globalThis as unknown as { __targets: string[]; parent: Window; top: Window };
    if (w.top === (w as unknown)) return;
    const real = w.parent;
    w.__targets = [];
    w.parent = {
      postMessage(message: unknown, target: string) {
        w.__targets.push(target);
        real.postMessage(message, target);
      },
    } as unknown as Window;
  });
}

async function saveEmbedSettings(
  host: Page,
  base: string,
  origins: string,
  share: boolean,
  navigateParent = false,
) {
  await saveEmbedOrigins(host, base, origins);
  await host.goto(`${base}/dashboard/embed`);
  await hydrated(host);
  await host.locator("input[name=shareGuestData]").setChecked(share);
  await host.locator("input[name=navigateParent]").setChecked(navigateParent);
  await host.locator("form[action='?/events'] button[type=submit]").click();
  await host.getByRole("status").filter({ hasText: "Saved." }).first().waitFor();
}

Deno.test({
  name:
    "e2e embed events: a parent page on another origin gets viewed → date → time → booked (and heights) only as listed; with '*' no guest data ever",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const browser: Browser = await borrowBrowser();
    const port = freePort();
    // Two days of one month with times enough for both bookings, whatever the date today.
    const days = (await twoDaysInOneMonth(app.baseUrl, "/widget/demo/quick-chat", {
      tz: "Europe/Berlin",
      min: 4,
    })).map((d) => d.date) as [string, string];
    const parent = serveParent(
      app.baseUrl,
      port,
      "/widget/demo/quick-chat",
      JSON.stringify({
        prefill: {
          name: "Ada Guest",
          email: "ada@guest.example",
          timeZone: "Europe/Berlin",
          date: days[0],
        },
        utm: { source: "newsletter", campaign: "winter" },
      }),
    );
    try {
      const hostCtx = await browser.newContext();
      const host = await hostCtx.newPage();
      await signInAs(host, app.baseUrl, "demo@invito.example", smtp);
      await saveEmbedSettings(
        host,
        app.baseUrl,
        `https://other-shop.example\n${parent.origin}`,
        true,
      );

      // A listed site, guest data allowed: everything arrives, exactly targeted, in order.
      const ctx = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await recordTargets(ctx);
      await slowScripts(ctx);
      await page.goto(`${parent.origin}/?utm_medium=email&utm_source=ignored`);
      const frame = await widgetFrame(page);
      // Prefill and utm travel as the widget's own parameters (the options win over the page's).
      const src = new URL(frame.url());
      assert.equal(src.searchParams.get("name"), "Ada Guest");
      assert.equal(src.searchParams.get("utm_source"), "newsletter");
      assert.equal(src.searchParams.get("utm_medium"), "email");
      assert.equal(src.searchParams.get("utm_campaign"), "winter");
      assert.equal(src.searchParams.get("date"), days[0]);
      await bookInWidget(page, frame, days);
      // The prefilled fields were there for the guest, and editable.
      await screenshot(page, "embed-events-booked-listed");
      const listed = await seen(page);
      const raw = listed.filter((m) =>
        m.via === "raw" && String(m.data?.type).startsWith("invito:")
      );
      assert.ok(raw.every((m) => m.origin === app.baseUrl.replace(/\/$/, "")), "from Invito only");
      assert.ok(raw.every((m) => m.data.v === 1), "every message is versioned");
      const steps = raw.map((m) => m.data.type).filter((t) =>
        t !== "invito:page_height" && t !== "invito:resize"
      );
      assert.deepEqual(steps, [
        "invito:event_type_viewed",
        "invito:date_selected",
        "invito:time_selected",
        "invito:booked",
      ]);
      assert.ok(
        raw.some((m) => m.data.type === "invito:page_height" && Number(m.data.height) > 200),
      );
      const api = listed.filter((m) => m.via === "api").map((m) => m.data.type);
      assert.deepEqual(
        api.filter((t) => t !== "invito:page_height"),
        steps,
        "Invito.on saw them too",
      );
      const time = raw.find((m) => m.data.type === "invito:time_selected")!.data;
      const booked = raw.find((m) => m.data.type === "invito:booked")!.data;
      assert.equal(booked.eventType, "quick-chat");
      assert.equal(booked.start, time.start);
      assert.equal(booked.end, time.end);
      assert.match(String(booked.bookingId), /^[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.ok(booked.status === "confirmed" || booked.status === "pending");
      assert.deepEqual(booked.guest, { name: "Ada Guest", email: "ada@guest.example" });
      assert.deepEqual(errors(), []);
      // Each message went to the parent's own origin only — not also to the other listed site
      // and Invito's own, which Chrome reports on the site's console as "target origin does
      // not match" for every message.
      const targets = await frame.evaluate(() =>
        (globalThis as unknown as { __targets: string[] }).__targets
      );
      assert.ok(targets.length >= 5, targets.join(" "));
      assert.deepEqual([...new Set(targets)], [parent.origin]);
      await ctx.close();

      // "*": still every event, to any site — and not one message carries the guest's data.
      await saveEmbedSettings(host, app.baseUrl, "*", true);
      const ctx2 = await browser.newContext({ timezoneId: "Europe/Berlin" });
      await slowScripts(ctx2);
      const page2 = await ctx2.newPage();
      await page2.goto(parent.origin);
      await bookInWidget(page2, await widgetFrame(page2), days);
      const any = (await seen(page2)).filter((m) => m.via === "raw");
      const anyBooked = any.find((m) => m.data?.type === "invito:booked")!.data;
      assert.equal(anyBooked.guest, undefined);
      const text = JSON.stringify(any);
      assert.ok(!text.includes("ada@guest.example") && !text.includes("Ada Guest"), text);
      await ctx2.close();

      // A site not on the list hears nothing, not even heights (the frame is refused anyway).
      await saveEmbedSettings(host, app.baseUrl, "https://elsewhere.example", true);
      const ctx3 = await browser.newContext();
      const page3 = await ctx3.newPage();
      await page3.goto(parent.origin);
      await page3.locator("#book iframe").waitFor();
      await page3.waitForLoadState("load");
      assert.deepEqual(
        (await seen(page3)).filter((m) => String(m.data?.type).startsWith("invito:")),
        [],
      );
      await ctx3.close();
      await hostCtx.close();
    } catch (e) {
      await showFailureState(browser, app.logs);
      throw e;
    } finally {
      await parent.close();
      await browser.close();
    }
  },
});
