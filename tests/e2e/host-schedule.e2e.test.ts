/**
 * The host's scheduling pages in Chromium (issue 28), as a host would use them with the
 * keyboard: Move… from the booking list, Book for a guest, Offer specific times. Each page
 * passes the accessibility check; forms work without the page's scripts.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import { fullDay } from "../support/slots.ts";

const HOST = "demo@invito.example";

Deno.test({
  name:
    "e2e: a host moves a booking, books for a guest and offers specific times from the dashboard, by keyboard, accessibly",
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
      // One full day from tomorrow on for every picker: each opens on the first day with free
      // times, which may be today with one or two left (too few to pick the third or sixth).
      const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
        tz: "Europe/Berlin",
      });
      const onDate = async () => {
        const url = new URL(page.url());
        url.searchParams.set("date", date);
        await page.goto(url.href);
      };
      // A guest books a quick chat on the public page.
      await page.goto(`${app.baseUrl}/calendar/demo/quick-chat?tz=Europe/Berlin&date=${date}`);
      await page.locator("a[data-slot]").first().click();
      await page.getByLabel("Name").fill("Gina Guest");
      await page.getByLabel("Email").fill("gina@example.test");
      await page.getByRole("button", { name: /Book this time/ }).click();
      await page.waitForURL(/\/booking\//);

      await signInAs(page, app.baseUrl, HOST, smtp);
      await page.goto(`${app.baseUrl}/dashboard/bookings`);
      await page.getByRole("link", { name: "Move…" }).first().click();
      await page.getByRole("heading", { name: "Move a booking" }).waitFor();
      await page.waitForURL(/\/reschedule/);
      await onDate();
      await page.getByRole("heading", { name: "Move a booking" }).waitFor();
      assert.match(await page.getByTestId("move-current").innerText(), /Gina Guest/);
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "host-move-1-page");
      // Keyboard: the third free time, a message, submit.
      const radio = page.getByTestId("move-slots").getByRole("radio").nth(2);
      await radio.focus();
      await page.keyboard.press("Space");
      assert.ok(await radio.isChecked(), "Space picks the focused time");
      await page.getByTestId("move-slots").getByLabel("Message for the guest (optional)")
        .fill("Running late");
      await page.getByTestId("move-slots").getByRole("button", { name: "Move the booking" })
        .press("Enter");
      await page.waitForURL(/\/dashboard\/bookings\?moved=/, { timeout: 15_000 }).catch(
        async () => {
          throw new Error(`${page.url()} ${await page.locator("[role=alert]").allInnerTexts()}`);
        },
      );
      await page.getByTestId("moved-done").waitFor();
      assert.equal(
        await page.getByTestId("moved-done").innerText(),
        "Moved; the guest has been told.",
      );
      await smtp.waitForMail((m) =>
        m.to.includes("gina@example.test") && /Running late/.test(m.text)
      );

      await page.getByTestId("book-for-guest").click();
      await page.getByRole("heading", { name: "Book for a guest" }).waitFor();
      await page.waitForURL(/\/dashboard\/bookings\/new/);
      await onDate();
      await page.getByRole("heading", { name: "Book for a guest" }).waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await page.getByTestId("book-form").getByRole("radio").nth(5).check();
      await page.getByLabel("Guest’s name").fill("Hal Phone");
      await page.getByLabel("Guest’s email").fill("hal@example.test");
      await page.getByRole("button", { name: "Book and send the invitation" }).click();
      await page.getByTestId("booked-done").waitFor();
      await smtp.waitForMail((m) => m.to.includes("hal@example.test") && !!m.calendar);

      await page.getByTestId("offer-times").click();
      await page.getByRole("heading", { name: "Offer specific times" }).waitFor();
      assert.deepEqual(await checkA11y(page), []);
      const boxes = page.getByTestId("offer-form").getByRole("checkbox");
      await boxes.nth(7).check();
      await boxes.nth(9).check();
      await page.getByLabel("Note for the guest (optional)").fill("Pick one, please");
      await page.getByRole("button", { name: "Create the link" }).click();
      const url = await page.getByTestId("offer-url").innerText();
      assert.match(url, /\/calendar\/demo\/once\//);
      await screenshot(page, "host-offer-link");
      await page.goto(url);
      await page.getByTestId("host-note").waitFor();
      assert.equal(await page.locator("a[data-slot]").count() >= 1, true);
      assert.deepEqual(await checkA11y(page), []);
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});
