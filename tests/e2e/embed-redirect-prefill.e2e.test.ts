/**
 * After booking and before it (issue 29), as a host sets it up and guests meet it in Chromium:
 * - the event type's thank-you page: refused with a clear message unless https or one of the
 *   host's own sites; the booking page's form post (no JavaScript) answers 303 to it with the
 *   documented booking parameters; in the widget the embedding page itself goes there when the
 *   host allows it (embed.js follows `invito:redirect`);
 * - prefill from the link: name and email filled in and editable, an address that cannot be one
 *   ignored without a word, locked when the host locks them; the event type's layout applies.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { freePort } from "../support/ports.ts";
import {
  borrowBrowser,
  checkA11y,
  screenshot,
  showFailureState,
  slowScripts,
  trackPageErrors,
  widgetFits,
} from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import { saveEmbedOrigins } from "../support/embed-settings.ts";
import { vnuErrors } from "../support/vnu.ts";
import type { Frame, Page } from "playwright-core";
import { fullDay } from "../support/slots.ts";

function serveShop(appBase: string, port: number, date: string) {
  const server = Deno.serve({ hostname: "127.0.0.2", port, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    const body = path === "/thanks"
      ? `<h1>Thanks from the shop</h1>`
      : `<h1>Our shop</h1><div id="book"></div><script src="${appBase}/embed.js"></script>
<script>window.__viewed = false; Invito.on("event_type_viewed", function () { window.__viewed = true; });
Invito.inline({ url: "/widget/demo/quick-chat", parent: "#book", prefill: { name: "Ada Guest", email: "ada@guest.example", date: "${date}" } });</script>`;
    return new Response(
      `<!doctype html><html lang="en"><head><title>Shop</title></head><body>${body}</body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );
  });
  return { origin: `http://127.0.0.2:${port}`, close: () => server.shutdown() };
}

/** The host opens Quick chat's "Booking page and after booking" page. */
async function openSettings(host: Page, base: string) {
  await host.goto(`${base}/dashboard/event-types`);
  await host.getByRole("link", { name: "Edit Quick chat" }).first().click();
  await host.getByRole("link", { name: "Booking page and after booking" }).click();
  await host.getByRole("heading", { name: "Booking page and after booking" }).waitFor();
}

async function saveSettings(
  host: Page,
  o: { url: string; params?: boolean; lock?: boolean; layout?: string },
) {
  await host.locator(`input[name=layout][value=${o.layout ?? "month"}]`).check();
  await host.locator("input[name=lockPrefill]").setChecked(o.lock ?? false);
  await host.getByLabel(/Thank-you page/).fill(o.url);
  await host.locator("input[name=thankYouParams]").setChecked(o.params ?? false);
  await host.getByRole("button", { name: "Save changes" }).click();
}

/** Picks the first free time and books with what the form holds. */
async function bookFirstTime(where: Page | Frame) {
  await where.locator("a[data-slot]").first().click();
  await where.locator("#b-name").waitFor();
  if ("frameElement" in where) await widgetFits(where);
  await where.locator("#book button[type=submit]").click();
}

Deno.test({
  name:
    "e2e embed redirect and prefill: thank-you page validated; 303 to it without JavaScript; the embedding page goes there when allowed; prefill editable, invalid ignored, lockable",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    // A full day from tomorrow on: the first day offered may be today, whose first time can pass
    // before the booking is sent.
    const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "Europe/Berlin",
    });
    const shop = serveShop(app.baseUrl, freePort(), date);
    const browser = await borrowBrowser();
    try {
      const hostCtx = await browser.newContext();
      const host = await hostCtx.newPage();
      const hostErrors = trackPageErrors(host);
      await signInAs(host, app.baseUrl, "demo@invito.example", smtp);

      // A thank-you page on plain http elsewhere, or not a web address, is refused, said clearly.
      await openSettings(host, app.baseUrl);
      assert.deepEqual(await checkA11y(host), []);
      for (const bad of [`http://shop.example/thanks`, "javascript:alert(1)"]) {
        await saveSettings(host, { url: bad });
        await host.locator("#bp-thanks-err").waitFor();
        assert.match(
          await host.locator("#bp-thanks-err").innerText(),
          /must start with https:\/\/|not a web address/,
        );
        assert.equal(await host.getByLabel(/Thank-you page/).getAttribute("aria-invalid"), "true");
      }
      await screenshot(host, "embed-thank-you-refused");
      // The settings page and the Embed page, as the server sends them, are valid HTML.
      const html = new Map<string, string>();
      html.set("booking-page-settings", await (await host.request.get(host.url())).text());
      html.set(
        "embed-page",
        await (await host.request.get(`${app.baseUrl}/dashboard/embed`)).text(),
      );
      assert.ok(html.get("embed-page")!.includes("shareGuestData"));
      assert.deepEqual(await vnuErrors(html), []);

      // The shop's own http site counts as the host's once it is on the embed list.
      await saveEmbedOrigins(host, app.baseUrl, shop.origin);
      await openSettings(host, app.baseUrl);
      await saveSettings(host, { url: `${shop.origin}/thanks?from=invito`, params: true });
      await host.getByRole("status").filter({ hasText: "Saved." }).waitFor();

      // Without JavaScript: the form post answers 303 straight to the thank-you page.
      const noJs = await browser.newContext({
        javaScriptEnabled: false,
        timezoneId: "Europe/Berlin",
      });
      const guest = await noJs.newPage();
      const posts: { status: number; location: string | null }[] = [];
      guest.on("response", (r) => {
        if (r.request().method() === "POST") {
          posts.push({ status: r.status(), location: r.headers()["location"] ?? null });
        }
      });
      await guest.goto(
        `${app.baseUrl}/calendar/demo/quick-chat?tz=Europe/Berlin&date=${date}&name=Noah+Guest&email=noah@guest.example`,
      );
      await bookFirstTime(guest);
      await guest.waitForURL(`${shop.origin}/thanks?**`);
      const thanks = new URL(guest.url());
      assert.equal(thanks.searchParams.get("from"), "invito");
      assert.equal(thanks.searchParams.get("invito_event_type"), "quick-chat");
      assert.equal(thanks.searchParams.get("invito_status"), "confirmed");
      assert.match(thanks.searchParams.get("invito_booking_id") ?? "", /^[0-9A-Z]{26}$/);
      assert.match(
        thanks.searchParams.get("invito_start") ?? "",
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/,
      );
      assert.ok(!thanks.search.includes("noah"), "no personal data in the address");
      assert.deepEqual(posts.map((p) => p.status), [303]);
      assert.equal(posts[0].location, thanks.href);
      await noJs.close();

      // With JavaScript in the widget, and the host allowing it: the shop's page itself goes.
      await host.goto(`${app.baseUrl}/dashboard/embed`);
      await host.locator("input[name=navigateParent]").setChecked(true);
      await host.locator("form[action='?/events'] button[type=submit]").click();
      await host.getByRole("status").filter({ hasText: "Saved." }).first().waitFor();
      const jsCtx = await browser.newContext({ timezoneId: "Europe/Berlin" });
      await slowScripts(jsCtx);
      const visitor = await jsCtx.newPage();
      const visitorErrors = trackPageErrors(visitor);
      await visitor.goto(shop.origin);
      const iframe = visitor.locator("#book iframe");
      await iframe.waitFor();
      const frame = (await (await iframe.elementHandle())!.contentFrame())!;
      // The widget's scripts run (only they post event_type_viewed): the booking then takes the
      // scripted path, whose invito:redirect embed.js follows.
      await visitor.waitForFunction(() =>
        (globalThis as unknown as { __viewed: boolean }).__viewed
      );
      await bookFirstTime(frame);
      await visitor.waitForURL(`${shop.origin}/thanks?**`);
      assert.equal(new URL(visitor.url()).searchParams.get("invito_event_type"), "quick-chat");
      assert.deepEqual(visitorErrors(), []);
      await jsCtx.close();

      // Prefill: filled in and editable; an email that cannot be one is left out, silently.
      const pCtx = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const p = await pCtx.newPage();
      const prefilled = (email: string) =>
        `${app.baseUrl}/calendar/demo/quick-chat?tz=Europe/Berlin&date=${date}&name=Ada+Guest&email=${email}`;
      await p.goto(prefilled("not-an-address"));
      await p.locator("a[data-slot]").first().click();
      await p.locator("#b-name").waitFor();
      assert.equal(await p.locator("#b-name").inputValue(), "Ada Guest");
      assert.equal(await p.locator("#b-email").inputValue(), "");
      assert.equal(await p.locator("#b-name").getAttribute("readonly"), null);
      await p.locator("#b-name").fill("Ada Changed");
      assert.equal(await p.locator("#b-name").inputValue(), "Ada Changed");
      assert.equal(await p.getByRole("alert").count(), 0, "no error shown for the bad address");

      // The host locks prefilled name and email, and picks the week layout.
      await openSettings(host, app.baseUrl);
      await saveSettings(host, { url: "", lock: true, layout: "week" });
      await host.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      await p.goto(prefilled("ada%40guest.example"));
      await p.locator("[data-layout=week] a[data-slot]").first().click();
      await p.locator("#b-name").waitFor();
      assert.equal(await p.locator("#b-name").getAttribute("readonly"), "");
      assert.equal(await p.locator("#b-email").getAttribute("readonly"), "");
      assert.equal(await p.locator("#b-email").inputValue(), "ada@guest.example");
      await screenshot(p, "prefill-locked");
      await pCtx.close();
      // The two refused saves answer 400 (as they should); nothing else went wrong.
      assert.deepEqual(
        hostErrors().filter((e) => !e.includes("status of 400")),
        [],
      );
      await hostCtx.close();
    } catch (err) {
      await showFailureState(browser, app.logs);
      throw err;
    } finally {
      await shop.close();
      await browser.close();
    }
  },
});
