/**
 * A host's first visit, as a person would in Chromium: sign in with an email link, set the
 * profile, create an event type, set weekly hours, and see it all listed — with an axe check
 * on every page, at desktop width and on a 360 px phone in dark mode.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  showFailureState,
  sidewaysScroll,
  trackPageErrors,
} from "../support/browser.ts";
import type { Page } from "playwright-core";

async function a11y(page: Page, name: string) {
  assert.deepEqual(await checkA11y(page), [], `axe on ${name}`);
  await screenshot(page, name);
}

Deno.test({
  name:
    "e2e host: sign in by email link, set profile, create an event type, set availability, and see them listed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({
        timezoneId: "Europe/Lisbon",
        viewport: { width: 1280, height: 900 },
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);

      await page.goto(`${app.baseUrl}/dashboard/event-types`);
      await page.waitForURL(/\/signin\?next=/);
      await a11y(page, "host-0-signin");
      // With the scripts running the request carries the browser's zone (asserted below).
      await hydrated(page);
      const since = app.logs().length;
      await page.getByLabel("Email address").fill("Hanna.Host@example.test");
      await page.getByRole("button", { name: "Email me a sign-in link" }).click();
      await page.getByRole("heading", {
        name: /Check your email|sign-in link is in the server log/,
      }).waitFor();
      const link = (await app.waitForLog(/http:\/\/\S+\/signin\/verify\?\S+/, { since }))[0];
      await page.goto(link);
      await a11y(page, "host-1-verify");
      await page.getByRole("button", { name: "Sign in to Invito" }).click();
      // Back where the host was going, signed in.
      await page.waitForURL(/\/dashboard\/event-types$/);
      // The dashboard's start page first offers the setup to a new host, who skips it here.
      await page.goto(`${app.baseUrl}/dashboard`);
      await page.waitForURL(/\/dashboard\/setup$/);
      await page.getByRole("button", { name: "Skip for now" }).click();
      await page.waitForURL(/\/dashboard$/);

      // Profile: the account was created with the browser's zone and a username from the address.
      await page.goto(`${app.baseUrl}/dashboard/profile`);
      await page.getByRole("heading", { name: /Profile/ }).first().waitFor();
      assert.equal(await page.getByLabel("Username").inputValue(), "hanna-host");
      assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/Lisbon");
      await page.getByLabel("Display name").fill("Hanna Host");
      await page.getByLabel("Username").fill("hanna");
      await page.getByLabel("Time zone").fill("Europe/Berlin");
      await a11y(page, "host-2-profile");
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.getByText(/links.*redirect there for 90 days/i).first().waitFor();
      assert.equal(await page.getByLabel("Username").inputValue(), "hanna");

      // A bad event type shows what to fix; a good one is created.
      await page.goto(`${app.baseUrl}/dashboard/event-types/new`);
      await hydrated(page); // the refusal is shown in place (a form post's 400 page logs an error)
      await a11y(page, "host-3-new-event-type");
      await page.getByLabel("Title").fill("Strategy session");
      await page.getByLabel("Default duration (minutes)").fill("3");
      await page.getByRole("button", { name: "Create event type" }).click();
      await page.getByText(/Duration must be at least 5|at least 5/).first().waitFor();
      assert.equal(
        await page.getByLabel("Title").inputValue(),
        "Strategy session",
        "values are kept",
      );
      await page.getByLabel("Default duration (minutes)").fill("45");
      await page.getByRole("button", { name: "Create event type" }).click();
      await page.waitForURL(/\/dashboard\/event-types\/[0-9A-Z]{26}/);

      // Weekly hours: an overlapping range is refused with a message; a clean week is saved.
      await page.goto(`${app.baseUrl}/dashboard/availability`);
      await a11y(page, "host-4-availability");
      await hydrated(page); // adding a range is the script's
      await page.getByRole("button", { name: "Add hours on Monday" }).click();
      await page.getByLabel("Monday, hours 2, from").selectOption("16:00");
      await page.getByLabel("Monday, hours 2, until").selectOption("18:00");
      await page.getByRole("button", { name: "Save weekly hours" }).click();
      await page.getByText(/overlaps/).first().waitFor();
      await page.getByLabel("Monday, hours 2, from").selectOption("17:00");
      await page.getByRole("button", { name: "Save weekly hours" }).click();
      await page.getByText("Saved hours").waitFor();
      // The saved hours read on the host's clock (an en-US browser: 12-hour), like the menus.
      await page.waitForFunction(() => /5:00\sPM/.test(document.body.innerText));

      // The dashboard lists what was made, with the public links.
      await page.goto(`${app.baseUrl}/dashboard`);
      await a11y(page, "host-5-home");
      assert.equal(
        await page.getByTestId("public-link").innerText(),
        `${app.baseUrl}/calendar/hanna/`,
      );
      await page.getByText("Strategy session").first().waitFor();
      await page.goto(`${app.baseUrl}/dashboard/event-types`);
      await a11y(page, "host-6-event-types");
      await page.getByRole("link", { name: /Strategy session/ }).first().waitFor();
      assert.ok((await page.content()).includes("/calendar/hanna/strategy-session"));

      // Guests see it: Monday now runs until 18:00 Berlin for a 45-minute meeting.
      const pub = await ctx.newPage();
      await pub.goto(`${app.baseUrl}/calendar/hanna/strategy-session?tz=Europe/Berlin`);
      await pub.getByRole("heading", { name: "Strategy session" }).waitFor();
      for (const path of ["/dashboard/bookings", "/dashboard/embed", "/dashboard/calendars"]) {
        await page.goto(app.baseUrl + path);
        await a11y(page, `host-7${path.replaceAll("/", "-")}`);
      }
      assert.deepEqual(errors(), []);
      const state = await ctx.storageState();
      await ctx.close();

      // The same pages on a 360 px phone in dark mode: readable, no sideways scrolling, axe-clean.
      const phone = await browser.newContext({
        viewport: { width: 360, height: 780 },
        colorScheme: "dark",
        storageState: state,
      });
      const p2 = await phone.newPage();
      for (
        const path of [
          "/dashboard",
          "/dashboard/event-types",
          "/dashboard/availability",
          "/dashboard/profile",
        ]
      ) {
        await p2.goto(app.baseUrl + path);
        assert.ok(await p2.evaluate(() => document.documentElement.classList.contains("dark")));
        assert.equal(await sidewaysScroll(p2), "", `${path} scrolls sideways`);
        await a11y(p2, `host-phone${path.replaceAll("/", "-")}`);
      }
      await phone.close();
      // And as the page stands before its scripts run (a slow phone, or none): the browser's own
      // controls (a file input, a select) must fit too.
      const plain = await browser.newContext({
        viewport: { width: 360, height: 780 },
        javaScriptEnabled: false,
        storageState: state,
      });
      const p3 = await plain.newPage();
      for (
        const path of [
          "/dashboard",
          "/dashboard/event-types",
          "/dashboard/availability",
          "/dashboard/profile",
          "/dashboard/bookings",
          "/dashboard/calendars",
        ]
      ) {
        await p3.goto(app.baseUrl + path);
        assert.equal(await sidewaysScroll(p3), "", `${path} without scripts scrolls sideways`);
      }
      await plain.close();
    } catch (e) {
      await showFailureState(browser, app.logs);
      throw e;
    } finally {
      await browser.close();
    }
  },
});
