/**
 * The admin area in Chromium (issue 32): an admin signs in as a person would, finds a host by
 * searching, and suspends them with the keyboard alone; axe finds nothing serious on the users,
 * instance and audit pages (light and dark), and the result is announced as a status.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import type { Page } from "playwright-core";

const ADMIN = "ops@example.test";

async function a11y(page: Page, name: string) {
  assert.deepEqual(await checkA11y(page), [], `axe on ${name}`);
  await screenshot(page, name);
}

Deno.test({
  name:
    "e2e admin (issue 32): search a host and suspend them by keyboard; the booking page then says it takes no bookings; axe-clean admin pages",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const browser = await borrowBrowser();
    try {
      for (const scheme of ["light", "dark"] as const) {
        const ctx = await browser.newContext({
          viewport: { width: 1280, height: 900 },
          colorScheme: scheme,
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await page.goto(`${app.baseUrl}/signin?next=%2Fadmin`);
        await hydrated(page);
        const since = app.logs().length;
        await page.getByLabel("Email address").fill(ADMIN);
        await page.getByRole("button", { name: "Email me a sign-in link" }).click();
        await page.getByRole("heading", {
          name: /Check your email|sign-in link is in the server log/,
        }).waitFor();
        const link = (await app.waitForLog(/http:\/\/\S+\/signin\/verify\?\S+/, { since }))[0];
        await page.goto(link);
        await page.getByRole("button", { name: "Sign in to Invito" }).click();
        await page.waitForURL(/\/admin$/);
        await a11y(page, `admin-users-${scheme}`);
        await page.goto(`${app.baseUrl}/admin/instance`);
        await a11y(page, `admin-instance-${scheme}`);
        await page.goto(`${app.baseUrl}/admin/audit`);
        await a11y(page, `admin-audit-${scheme}`);
        assert.deepEqual(errors(), []);
        await ctx.close();
      }

      // Keyboard only: search, then reach "Suspend demo" by Tab and press Enter.
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await ctx.newPage();
      await page.goto(`${app.baseUrl}/signin?next=%2Fadmin`);
      await hydrated(page);
      const since = app.logs().length;
      await page.getByLabel("Email address").fill(ADMIN);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", {
        name: /Check your email|sign-in link is in the server log/,
      }).waitFor();
      const link = (await app.waitForLog(/http:\/\/\S+\/signin\/verify\?\S+/, { since }))[0];
      await page.goto(link);
      await page.getByRole("button", { name: "Sign in to Invito" }).press("Enter");
      await page.waitForURL(/\/admin$/);
      // On a phone the audit table scrolls sideways: a keyboard reaches that region too.
      await page.goto(`${app.baseUrl}/admin/audit`);
      await a11y(page, "admin-audit-phone");
      await page.goto(`${app.baseUrl}/admin`);
      await hydrated(page);
      await page.getByLabel("Name, username or address").focus();
      await page.keyboard.type("demo");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\?q=demo/);
      const suspend = page.getByRole("button", { name: "Suspend demo" });
      for (
        let i = 0;
        i < 30 && !(await suspend.evaluate((el) => el === document.activeElement));
        i++
      ) {
        await page.keyboard.press("Tab");
      }
      assert.ok(await suspend.evaluate((el) => el === document.activeElement), "reached by Tab");
      await page.keyboard.press("Enter");
      // The page asks first (what suspending deletes for good); the confirming button, by Tab.
      const yes = page.getByRole("button", { name: "Yes, suspend demo" });
      await yes.waitFor();
      for (let i = 0; i < 30 && !(await yes.evaluate((el) => el === document.activeElement)); i++) {
        await page.keyboard.press("Tab");
      }
      assert.ok(
        await yes.evaluate((el) => el === document.activeElement),
        "confirm reached by Tab",
      );
      await a11y(page, "admin-users-suspend-confirm-phone");
      await page.keyboard.press("Enter");
      await page.getByRole("status").filter({ hasText: "is suspended" }).waitFor();
      await page.getByRole("button", { name: "Reactivate demo" }).waitFor();
      await a11y(page, "admin-users-suspended-phone");
      const guest = await (await browser.newContext()).newPage();
      const res = await guest.goto(`${app.baseUrl}/calendar/demo`);
      assert.equal(res?.status(), 410);
      await guest.getByRole("heading", { name: "Not taking bookings" }).waitFor();
      await a11y(guest, "admin-host-suspended-page");
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
