/**
 * A moved booking reads as moved, never as cancelled, as a guest and a host meet it in Chromium:
 * the guest moves a request of a type that needs confirmation with the link from their mail;
 * then the old guest link, the old Reschedule link, the host's old Confirm link, the host's
 * booking list and the mails about the move all say it was moved, to when, and lead to the
 * booking it became.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { shootAll } from "../support/shots.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import { fullDay } from "../support/slots.ts";

const HOST = "demo@invito.example";

Deno.test({
  name:
    "e2e: a guest moves a request; old links, the host's list and the mails say it was moved and lead to the new booking",
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
      const { date } = await fullDay(app.baseUrl, "/calendar/demo/intro-call", {
        tz: "Europe/Berlin",
      });
      // Ann asks for an intro call (the host confirms each request).
      await page.goto(`${app.baseUrl}/calendar/demo/intro-call?tz=Europe/Berlin&date=${date}`);
      await page.locator("a[data-slot]").first().click();
      await page.getByLabel("Name").fill("Ann Moved");
      await page.getByLabel("Email").fill("ann@example.test");
      await page.getByRole("button", { name: /Request this time|Book this time/ }).click();
      await page.getByRole("heading", { name: "Your request has been sent" }).waitFor();
      const oldGuestUrl = page.url().replace(/\?.*$/, "");
      const oldWhen = await page.getByTestId("booking-when").innerText();
      const request = await smtp.waitForMail((m) =>
        m.to.includes(HOST) && /^Booking request/.test(m.subject)
      );
      const oldConfirm = request.text.match(/http:\/\/\S+\/booking\/\S+\/confirm/)![0];

      // She moves it with her link; the new time waits for the host again.
      await page.getByRole("link", { name: "Reschedule" }).click();
      await page.waitForURL(/\/reschedule/);
      await page.goto(`${page.url().split("?")[0]}?date=${date}`);
      await page.locator("a[data-slot]").nth(3).click();
      await page.getByRole("button", { name: /Move my booking|Request/ }).click();
      await page.waitForURL((u) => !u.pathname.startsWith(new URL(oldGuestUrl).pathname));
      const heading = page.getByTestId("booking-state");
      assert.equal(await heading.innerText(), "Moved — waiting for Demo Host to confirm");
      const newGuestUrl = page.url().replace(/\?.*$/, "");
      const newWhen = await page.getByTestId("booking-when").innerText();
      assert.notEqual(newWhen, oldWhen);
      // The previous time, struck through.
      const previous = page.getByTestId("booking-previous");
      assert.equal(await previous.locator("s").count(), 1);
      const oldDate = oldWhen.split("\n")[0];
      assert.ok((await previous.innerText()).includes(oldDate));
      await screenshot(page, "moved-1-successor");

      // The old guest link: moved, to when, waiting for the host; never "cancelled".
      await page.goto(oldGuestUrl);
      assert.equal(await heading.innerText(), "This booking was moved");
      const movedTo = await page.getByTestId("moved-to").innerText();
      const newDate = newWhen.split("\n")[0];
      assert.ok(movedTo.startsWith(`Moved to ${newDate}`), movedTo);
      assert.match(movedTo, /— waiting for Demo Host to confirm\.$/);
      assert.equal(await page.getByText("cancelled").count(), 0);
      assert.equal(await page.getByRole("link", { name: "Pick another time" }).count(), 0);
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "moved-2-old-guest-link");
      await page.getByTestId("moved-current").click();
      await page.waitForURL(newGuestUrl);

      // The old Reschedule link: moved, no "Moving … Cancel instead".
      await page.goto(`${oldGuestUrl}/reschedule`);
      assert.equal(await page.getByTestId("manage-heading").innerText(), "This booking was moved");
      assert.match(await page.getByTestId("manage-blocked").innerText(), /^Moved to /);
      assert.equal(await page.getByText("Cancel instead").count(), 0);
      assert.equal(await page.getByText(/^Moving /).count(), 0);
      await page.getByTestId("moved-current").click();
      await page.waitForURL(newGuestUrl);
      // …and the old Cancel link likewise.
      await page.goto(`${oldGuestUrl}/cancel`);
      assert.equal(await page.getByTestId("manage-heading").innerText(), "This booking was moved");

      // The host's old Confirm link: moved, waiting for their answer, and on to the new request.
      await page.goto(oldConfirm);
      assert.equal(
        await page.getByTestId("decision-heading").innerText(),
        "This booking was moved",
      );
      assert.match(
        await page.getByTestId("decision-result").innerText(),
        /^Moved to .* — waiting for your answer\.$/,
      );
      await screenshot(page, "moved-3-old-confirm-link");
      await page.getByTestId("moved-current").click();
      await page.getByRole("heading", { name: "Confirm this booking?" }).waitFor();

      // The mails about the move name the old and the new time.
      const hostMoved = await smtp.waitForMail((m) =>
        m.to.includes(HOST) && /^Rescheduled — Booking request/.test(m.subject)
      );
      assert.match(hostMoved.text, /Moved from .+ to .+\./);
      const line = hostMoved.text.split("\n").find((l) => l.startsWith("Moved from"))!;
      assert.ok(line.includes(oldDate) && line.includes(newDate), line);
      assert.match(hostMoved.html, /Moved from/);
      const guestMoved = await smtp.waitForMail((m) =>
        m.to.includes("ann@example.test") && m.text.includes("Moved from")
      );
      assert.ok(guestMoved.text.includes(newGuestUrl.replace(/^.*\/booking\//, "")));

      // The host's list: one meeting with its history, the old time struck through.
      const host = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const hp = await host.newPage();
      const hostErrors = trackPageErrors(hp);
      await signInAs(hp, app.baseUrl, HOST, smtp);
      await hp.goto(`${app.baseUrl}/dashboard/bookings`);
      const rows = hp.locator("[data-booking]");
      await rows.first().waitFor();
      assert.equal(await rows.count(), 1);
      const row = rows.first();
      assert.equal(await row.locator("[data-previous] s").count(), 1);
      // One clock in the dashboard: the previous time reads like the row's own time (this host
      // saved no clock; an en-US browser reads 12-hour times).
      const twelve = /\d (AM|PM)/;
      assert.match(await row.locator("[data-when]").innerText(), twelve);
      assert.match(await row.locator("[data-previous]").innerText(), twelve);
      assert.equal(await row.getByText("cancelled").count(), 0);
      assert.equal(await row.getByText("pending").count(), 1);
      assert.deepEqual(await checkA11y(hp), []);
      await screenshot(hp, "moved-4-host-list");
      // The "Cancelled" filter lists no cancellation: nothing was cancelled.
      await hp.goto(`${app.baseUrl}/dashboard/bookings?status=cancelled`);
      await hp.getByText("No bookings with this status.").waitFor();

      // Screenshots to look at: the old link and the host's list, in every combination.
      await shootAll(browser, oldGuestUrl, "moved-old-link", { ready: "[data-testid=moved-to]" });
      await shootAll(browser, newGuestUrl, "moved-successor", {
        ready: "[data-testid=booking-previous]",
      });
      await shootAll(browser, `${app.baseUrl}/dashboard/bookings`, "moved-host-list", {
        ready: "[data-previous]",
        storageState: await host.storageState(),
      });
      assert.deepEqual(errors(), []);
      assert.deepEqual(hostErrors(), []);
      await host.close();
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
