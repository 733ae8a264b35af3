/**
 * A team's seated time on the team's bookings page, in Chromium: one row with its guests and
 * seats taken, accessible and without sideways scroll on a desktop and a 360 px phone; its owner's
 * "Cancel this meeting" leads to a page that asks first (checked the same way, and in the dark),
 * and that page cancels the meeting with the browser's scripts turned off. Both pages are valid
 * HTML (Nu Html Checker).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  screenshot,
  sidewaysScroll,
  trackPageErrors,
  turnScheme,
} from "../support/browser.ts";
import { seededTeamClass } from "../support/seated-team.ts";
import { vnuErrors } from "../support/vnu.ts";

const AT = `${new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10)}T10:00:00Z`;

Deno.test({
  name:
    "e2e team seated time: one row per time with its guests on a desktop and a phone, accessible, no sideways scroll; an owner cancels it whole on a page that asks first, scripts off",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, team, owner } = await seededTeamClass("invito-owner-cancel-e2e-", {
      start: AT,
      guests: [
        { name: "Ada Lovelace", email: "ada@example.test" },
        {
          name: "Bartholomew Featherstonehaugh-Cholmondeley",
          email: "bartholomew.featherstonehaugh@example-university.test",
        },
        { name: "Cleo", email: "cleo@example.test" },
      ],
    });
    try {
      await using app = await startApp({ dataDir });
      const client = await signInByLink(app, owner.email);
      const list = app.url(`/dashboard/teams/${team.id}/bookings`);
      const browser = await borrowBrowser();
      try {
        const ctx = await contextWithSession(browser, client, {
          timezoneId: "UTC",
          viewport: { width: 1366, height: 900 },
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await page.goto(list, { waitUntil: "networkidle" });
        const time = page.locator("[data-seated-time]");
        await time.waitFor();
        assert.equal(await time.count(), 1, "one row for the time");
        assert.match(await time.innerText(), /3 of 5 seats taken/);
        assert.match(await time.innerText(), /Class/);
        assert.match(
          await time.locator("tr", { hasText: "Ada Lovelace" }).innerText(),
          /confirmed/i,
        );
        assert.deepEqual(await checkA11y(page), []);
        assert.equal(await sidewaysScroll(page), "");
        await screenshot(page, "team-seated-1-desktop");

        await page.setViewportSize({ width: 360, height: 800 });
        await page.goto(list, { waitUntil: "networkidle" });
        await time.waitFor();
        assert.equal(await sidewaysScroll(page), "");
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, "team-seated-2-phone");

        await time.getByRole("link", { name: "Cancel this meeting" }).click();
        await page.getByRole("heading", { name: "Cancel “Class” for every guest?" }).waitFor();
        assert.equal(await sidewaysScroll(page), "");
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, "team-seated-3-phone-confirm");
        // Waits for the page to turn dark before axe reads it: read as the system turned, the
        // buttons' colours were caught mid-transition once under load (`.btn-secondary`).
        await turnScheme(page, "dark");
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, "team-seated-4-phone-confirm-dark");
        assert.deepEqual(errors(), []);
        // Both pages as the server sends them are valid HTML.
        const confirm = new URL(page.url()).pathname;
        const html = new Map<string, string>();
        for (const [name, path] of [["team-seated-list", list], ["team-seated-confirm", confirm]]) {
          html.set(
            name,
            await (await ctx.request.get(app.url(new URL(path, app.baseUrl).pathname))).text(),
          );
        }
        assert.match(html.get("team-seated-list")!, /data-cancel-meeting=/);
        assert.deepEqual(await vnuErrors(html), []);
        await ctx.close();

        // Without scripts: the link, the page that asks, the press, the list that says so.
        const plain = await contextWithSession(browser, client, {
          timezoneId: "UTC",
          viewport: { width: 1366, height: 900 },
          javaScriptEnabled: false,
        });
        const p2 = await plain.newPage();
        await p2.goto(list);
        await p2.locator("[data-seated-time]").getByRole("link", { name: "Cancel this meeting" })
          .click();
        await p2.getByLabel(/reason/i).fill("Teacher is ill");
        await p2.getByRole("button", { name: "Cancel the meeting for everyone" }).click();
        await p2.getByText("Meeting cancelled. 3 guests have been told.").waitFor();
        assert.equal(new URL(p2.url()).pathname, `/dashboard/teams/${team.id}/bookings`);
        assert.equal(await p2.locator('[data-seat-state="confirmed"]').count(), 0);
        await screenshot(p2, "team-seated-5-cancelled-no-js");
        await plain.close();
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
