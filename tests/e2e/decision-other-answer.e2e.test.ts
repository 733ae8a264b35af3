/**
 * The host's confirm page offers "Reject instead" (with the message for the guest) and the
 * reject page "Confirm instead", pressed as a person would, without scripts and with them, at
 * 360 px and on a desktop, with no axe findings.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, checkA11y, hydrated, screenshot } from "../support/browser.ts";
import type { Browser } from "playwright-core";
import { fullDay } from "../support/slots.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const VIEWS = [
  ["phone360", { width: 360, height: 740 }],
  ["desktop", { width: 1366, height: 768 }],
] as const;

/** A guest's request for the demo host's `nth` time; the host's links from the mail (the log). */
async function requestLinks(
  app: Awaited<ReturnType<typeof startApp>>,
  browser: Browser,
  nth: number,
) {
  const guest = await browser.newPage({ locale: "en-US", timezoneId: "America/New_York" });
  // A day from tomorrow on with the times this asks for: the page's own first day may be today,
  // with fewer left as the host's day goes on (it failed so at 10:30 UTC on 2026-11-30).
  const { path } = await fullDay(app.baseUrl, "/calendar/demo/intro-call", {
    tz: "America/New_York",
    min: nth + 1,
  });
  await guest.goto(app.baseUrl + path);
  await guest.locator("a[data-slot]").nth(nth).click();
  await guest.getByLabel("Name").fill(`Gia ${nth}`);
  await guest.getByLabel("Email").fill(`gia.${nth}@example.test`);
  const since = app.logs().length;
  await guest.getByRole("button", { name: "Request this time" }).click();
  await guest.getByRole("heading", { name: "Your request has been sent" }).waitFor();
  const confirm = (await app.waitForLog(/http:\/\/\S+\/booking\/\S+\/confirm/, { since }))[0];
  const reject = (await app.waitForLog(/http:\/\/\S+\/booking\/\S+\/reject/, { since }))[0];
  await guest.close();
  return { confirm, reject };
}

Deno.test({
  ...opts,
  name:
    "decision pages: reject from the confirm page, confirm from the reject page, with and without scripts",
  async fn() {
    await using app = await startApp({ env: { INVITO_DEMO: "1", INVITO_MIN_FILL_TIME: "0s" } });
    const browser = await borrowBrowser();
    try {
      let nth = 0;
      for (const scripts of [false, true]) {
        for (const [view, viewport] of VIEWS) {
          const links = await requestLinks(app, browser, nth++);
          const ctx = await browser.newContext({
            locale: "en-US",
            viewport,
            javaScriptEnabled: scripts,
          });
          const host = await ctx.newPage();
          await host.goto(links.confirm);
          if (scripts) await hydrated(host);
          await host.getByText("Reject instead").click();
          await host.getByLabel("A message for Gia").fill("Could we meet next week?");
          if (scripts) {
            assert.deepEqual(await checkA11y(host), []);
            await screenshot(host, `decision-confirm-page-reject-open-${view}`);
          }
          await host.getByRole("button", { name: "Reject request" }).click();
          await host.getByRole("heading", { name: "Request rejected" }).waitFor();
          assert.equal(await host.getByRole("button", { name: /Confirm/ }).count(), 0);

          const other = await requestLinks(app, browser, nth++);
          await host.goto(other.reject);
          if (scripts) await hydrated(host);
          if (scripts) {
            assert.deepEqual(await checkA11y(host), []);
            await screenshot(host, `decision-reject-page-${view}`);
          }
          await host.getByRole("button", { name: "Confirm instead" }).click();
          await host.getByRole("heading", { name: "Booking confirmed" }).waitFor();
          assert.equal(await host.getByRole("button", { name: /Reject/ }).count(), 0);
          // The confirm page of the one just confirmed offers nothing more.
          await host.goto(other.confirm);
          assert.equal(await host.getByText("Reject instead").count(), 0);
          await ctx.close();
        }
      }
    } finally {
      await browser.close();
    }
  },
});
