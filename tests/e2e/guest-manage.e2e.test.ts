/**
 * As a person would, in Chromium: one guest cancels from their booking page, another moves
 * theirs to a new time; both sides hear about it by mail.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";

Deno.test({
  name:
    "e2e: a guest cancels with a reason, another reschedules to a new time, and the host is told",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      // One full day from tomorrow on for both pickers: each opens on the first day with free
      // times, which may be today with a time or two left (gone before the click, or no fourth).
      const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
        tz: "Europe/Berlin",
      });
      const book = async (name: string) => {
        await page.goto(`${app.baseUrl}/calendar/demo/quick-chat?tz=Europe/Berlin&date=${date}`);
        await page.locator("a[data-slot]").first().click();
        await page.getByLabel("Name").fill(name);
        await page.getByLabel("Email").fill(`${name.toLowerCase()}@example.test`);
        await page.getByRole("button", { name: "Book this time" }).click();
        await page.getByRole("heading", { name: "You are booked" }).waitFor();
        return page.url();
      };

      // Ada cancels.
      const adaUrl = await book("Ada");
      await page.getByRole("link", { name: "Cancel" }).click();
      await page.getByRole("heading", { name: "Cancel this booking?" }).waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await page.getByLabel(/Reason for Demo Host/).fill("Something came up, sorry!");
      await screenshot(page, "manage-1-cancel");
      await page.getByRole("button", { name: "Cancel booking" }).click();
      await page.getByTestId("cancel-result").waitFor();
      const hostNote = await smtp.waitForMail((m) =>
        m.to.includes("demo@invito.example") && /^Cancelled/.test(m.subject)
      );
      assert.match(hostNote.text, /Reason: Something came up, sorry!/);
      const adaMail = await smtp.waitForMail((m) =>
        m.to.includes("ada@example.test") && /^Cancelled/.test(m.subject)
      );
      assert.equal(adaMail.calendar ? /METHOD:CANCEL/.test(adaMail.calendar) : false, true);
      await page.goto(adaUrl);
      await page.getByRole("heading", { name: "This booking was cancelled" }).waitFor();

      // Ben reschedules: his slot is the one Ada freed, and he moves to a later one.
      const benUrl = await book("Ben");
      const before = await page.getByTestId("booking-when").innerText();
      await page.getByRole("link", { name: "Reschedule" }).click();
      await page.waitForURL(/\/reschedule/);
      await page.goto(`${page.url().split("?")[0]}?date=${date}`);
      await page.locator("a[data-slot]").nth(3).waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await page.locator("a[data-slot]").nth(3).click();
      await page.getByRole("heading", { name: "Move your booking here?" }).waitFor();
      await screenshot(page, "manage-2-reschedule");
      await page.getByRole("button", { name: "Move my booking" }).click();
      await page.getByRole("heading", { name: "Your booking was moved" }).waitFor();
      const after = await page.getByTestId("booking-when").innerText();
      assert.notEqual(after, before);
      await screenshot(page, "manage-3-moved");
      const moved = await smtp.waitForMail((m) =>
        m.to.includes("ben@example.test") && /^Rescheduled — Confirmed/.test(m.subject)
      );
      assert.ok(moved.calendar);
      // The old link now says the booking was moved, and cannot move it again.
      await page.goto(benUrl + "/reschedule");
      await page.getByTestId("manage-blocked").waitFor();
      assert.match(await page.getByTestId("manage-blocked").innerText(), /^Moved to /);
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
