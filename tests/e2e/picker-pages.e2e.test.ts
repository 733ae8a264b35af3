/**
 * The dashboard's time pickers page through the booking window in Chromium, as a host uses them:
 * with the page's scripts, a tick survives "Later days" and "Earlier days" and a link is made
 * with times from two pages; without them the same buttons work (a plain GET of the form);
 * Enter in a poll's title still creates the poll rather than paging. Accessible, no sideways
 * scroll at 360 px, light and dark (screenshots at 360 and 1280 px for a person to look at).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  hydrated,
  screenshot,
  sidewaysScroll,
  trackPageErrors,
  turnScheme,
} from "../support/browser.ts";
import { signInByLink } from "../support/auth.ts";
import { fromTomorrow } from "../support/slots.ts";
import type { Locator } from "playwright-core";

const HOST = "demo@invito.example";

/**
 * The times a picker's form lists, from tomorrow on (the demo host's zone): one of today's can
 * pass while the test pages on and back, and a passed time is no longer listed or taken.
 */
const laterTimes = async (form: Locator) =>
  fromTomorrow(
    await form.locator('input[name="start"]').evaluateAll((els) =>
      els.map((e) => (e as HTMLInputElement).value)
    ),
    "Europe/Berlin",
  );

Deno.test({
  name:
    "e2e: Later / Earlier days in the offer and poll pickers keep what is ticked, with and without scripts; Enter creates; accessible at 360 and 1280 px, light and dark",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const client = await signInByLink(app, HOST, { smtp });
    const browser = await borrowBrowser();
    try {
      // With scripts, on a phone: tick, page on, tick, page back, create.
      const ctx = await contextWithSession(browser, client, {
        viewport: { width: 360, height: 800 },
        timezoneId: "Europe/Berlin",
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url("/dashboard/bookings/offer?type=quick-chat"));
      await hydrated(page);
      const form = page.getByTestId("offer-form");
      const x = (await laterTimes(form))[0];
      const first = form.locator(`input[name="start"][value="${x}"]`);
      await first.check();
      await page.getByTestId("picker-later-top").click();
      await page.waitForURL(/from=/);
      await page.getByTestId("picker-others").waitFor();
      assert.ok(await page.getByTestId("picker-others").getByRole("checkbox").isChecked());
      assert.equal(
        await page.getByTestId("picker-others").getByRole("checkbox").getAttribute("value"),
        x,
      );
      await page.getByLabel("Note for the guest (optional)").fill("Two weeks on works too");
      const far = page.getByTestId("offer-times").getByRole("checkbox").nth(3);
      const y = await far.getAttribute("value");
      await far.check();
      for (const scheme of ["light", "dark"] as const) {
        await turnScheme(page, scheme);
        assert.deepEqual(await checkA11y(page), [], scheme);
        assert.equal(await sidewaysScroll(page), "", scheme);
        await screenshot(page, `picker-offer-later-360-${scheme}`);
      }
      await page.emulateMedia({ colorScheme: "light" });
      await page.getByTestId("picker-earlier-top").click();
      await page.waitForURL((u) => !u.searchParams.has("from") || u.searchParams.get("from")! < y!);
      await page.getByTestId("picker-others").waitFor();
      assert.ok(await page.locator(`input[name="start"][value="${x}"]`).isChecked());
      assert.ok(await page.locator(`input[name="start"][value="${y}"]`).isChecked());
      assert.equal(
        await page.getByLabel("Note for the guest (optional)").inputValue(),
        "Two weeks on works too",
      );
      await page.getByRole("button", { name: "Create the link" }).click();
      const url = await page.getByTestId("offer-url").innerText();
      assert.match(url, /\/calendar\/demo\/once\//);
      const linkPage = await (await fetch(app.url(new URL(url).pathname))).text();
      assert.match(linkPage, /Two weeks on works too/);
      assert.deepEqual(errors(), []);
      await ctx.close();

      // At 1280 px, light and dark: the poll's picker on its second page.
      const wide = await contextWithSession(browser, client, {
        viewport: { width: 1280, height: 900 },
        timezoneId: "Europe/Berlin",
      });
      const p2 = await wide.newPage();
      const errors2 = trackPageErrors(p2);
      await p2.goto(app.url("/dashboard/polls?type=quick-chat"));
      await hydrated(p2);
      const pollForm = p2.getByTestId("poll-form");
      const aValue = (await laterTimes(pollForm))[0];
      const a = pollForm.locator(`input[name="start"][value="${aValue}"]`);
      await a.check();
      await p2.getByTestId("picker-later-top").click();
      await p2.getByTestId("picker-others").waitFor();
      for (const scheme of ["light", "dark"] as const) {
        await turnScheme(p2, scheme);
        assert.deepEqual(await checkA11y(p2), [], scheme);
        await screenshot(p2, `picker-poll-later-1280-${scheme}`);
      }
      await p2.emulateMedia({ colorScheme: "light" });
      const b = p2.getByTestId("poll-times").getByRole("checkbox").nth(1);
      await b.check();
      // Enter in the title creates the poll (the form's first button), not "Earlier days".
      await p2.getByLabel("Meeting title").fill("Planning, later");
      await p2.getByLabel("Meeting title").press("Enter");
      await p2.getByTestId("poll-url").waitFor();
      await p2.getByTestId("poll-open").click();
      await p2.waitForURL(/\/dashboard\/polls\/\w+/);
      const answers = await p2.content();
      assert.match(answers, /Planning, later/);
      assert.deepEqual(errors2(), []);

      // The last page: no "Later days", the window's end said.
      await p2.goto(app.url("/dashboard/polls?type=quick-chat&from=2100-01-01"));
      assert.equal(await p2.getByTestId("picker-later-top").count(), 0);
      await p2.getByText(/This event type takes bookings up to/).waitFor();
      await screenshot(p2, "picker-poll-last-1280-light");
      await wide.close();
      assert.ok(aValue);

      // Without scripts: the same buttons send the form as a GET; the tick comes along.
      const plain = await contextWithSession(browser, client, {
        viewport: { width: 360, height: 800 },
        timezoneId: "Europe/Berlin",
        javaScriptEnabled: false,
      });
      const p3 = await plain.newPage();
      await p3.goto(app.url("/dashboard/bookings/offer?type=quick-chat"));
      const z = (await laterTimes(p3.getByTestId("offer-form")))[2];
      const box = p3.locator(`input[name="start"][value="${z}"]`);
      await box.check();
      await p3.getByTestId("picker-later-top").click();
      await p3.waitForURL(/from=/);
      assert.equal(
        await p3.getByTestId("picker-others").getByRole("checkbox").getAttribute("value"),
        z,
      );
      assert.ok(await p3.getByTestId("picker-others").getByRole("checkbox").isChecked());
      await p3.getByTestId("picker-later-top").click();
      await p3.waitForURL(/from=/);
      assert.ok(await p3.locator(`input[name="start"][value="${z}"]`).isChecked());
      await screenshot(p3, "picker-offer-third-page-360-nojs");
      await plain.close();
    } finally {
      await browser.close();
    }
  },
});
