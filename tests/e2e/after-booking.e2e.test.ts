/**
 * After booking, as a guest meets it in Chromium and in their mailbox: the confirmation page and
 * the confirmation mail offer Google Calendar, Outlook and Apple/.ics; the "request sent" mail's
 * HTML part has Reschedule and Cancel buttons like its text part.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { shootAll } from "../support/shots.ts";
import { fullDay } from "../support/slots.ts";

/** The hrefs of the HTML part's links, with their text. */
function htmlLinks(html: string): { text: string; href: string }[] {
  return [...html.matchAll(/<a href="([^"]+)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({
    href: m[1].replaceAll("&amp;", "&"),
    text: m[2],
  }));
}

Deno.test({
  name:
    "e2e: the confirmation page and mail offer Google, Outlook and .ics; the request mail's HTML has Reschedule and Cancel",
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

      // A full day from tomorrow on: the page's own first day may be today, whose first time can
      // pass before the click.
      const { date } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
        tz: "Europe/Berlin",
      });
      // A booking confirmed at once.
      await page.goto(`${app.baseUrl}/calendar/demo/quick-chat?tz=Europe/Berlin&date=${date}`);
      await page.locator("a[data-slot]").first().click();
      await page.getByLabel("Name").fill("Cleo");
      await page.getByLabel("Email").fill("cleo@example.test");
      await page.getByRole("button", { name: "Book this time" }).click();
      await page.getByRole("heading", { name: "You are booked" }).waitFor();
      const add = page.getByTestId("add-to-calendar");
      await add.getByRole("heading", { name: "Add to your calendar" }).waitFor();
      const google = new URL(
        (await add.getByRole("link", { name: "Google Calendar" }).getAttribute("href"))!,
      );
      assert.equal(google.host, "calendar.google.com");
      assert.equal(google.searchParams.get("action"), "TEMPLATE");
      assert.match(google.searchParams.get("dates")!, /^\d{8}T\d{6}Z\/\d{8}T\d{6}Z$/);
      assert.match(google.searchParams.get("text")!, /Quick chat/);
      const outlook = new URL(
        (await add.getByRole("link", { name: "Outlook.com" }).getAttribute("href"))!,
      );
      assert.equal(outlook.host, "outlook.live.com");
      assert.equal(outlook.searchParams.get("rru"), "addevent");
      const office = new URL(
        (await add.getByRole("link", { name: "Outlook (Microsoft 365)" }).getAttribute("href"))!,
      );
      assert.equal(office.host, "outlook.office.com");
      // The .ics downloads an invitation.
      const ics = add.getByRole("link", { name: "Apple / other (.ics)" });
      const icsRes = await fetch(new URL((await ics.getAttribute("href"))!, app.baseUrl));
      assert.equal(icsRes.status, 200);
      assert.match(await icsRes.text(), /BEGIN:VEVENT/);
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "after-1-confirmed");
      const confirmedUrl = page.url();

      // The confirmation mail offers the same, in both parts.
      const confirmed = await smtp.waitForMail((m) =>
        m.to.includes("cleo@example.test") && /^Confirmed/.test(m.subject)
      );
      const links = htmlLinks(confirmed.html);
      for (
        const [label, host] of [
          ["Google Calendar", "calendar.google.com"],
          ["Outlook.com", "outlook.live.com"],
          ["Outlook (Microsoft 365)", "outlook.office.com"],
        ]
      ) {
        const l = links.find((x) => x.text === label);
        assert.ok(l, `no ${label} button in the HTML part`);
        assert.equal(new URL(l.href).host, host);
        assert.ok(confirmed.text.includes(`${label}: https://${host}/`), `${label} in text`);
      }
      assert.ok(
        links.some((l) => l.text === "Apple / other (.ics)" && l.href.endsWith("/invite.ics")),
      );

      // A request: the HTML part has Reschedule and Cancel, like the text part.
      await page.goto(`${app.baseUrl}/calendar/demo/intro-call?tz=Europe/Berlin&date=${date}`);
      await page.locator("a[data-slot]").first().click();
      await page.getByLabel("Name").fill("Dora");
      await page.getByLabel("Email").fill("dora@example.test");
      await page.getByRole("button", { name: /Request this time|Book this time/ }).click();
      await page.getByRole("heading", { name: "Your request has been sent" }).waitFor();
      const pending = await smtp.waitForMail((m) =>
        m.to.includes("dora@example.test") && /^Request sent/.test(m.subject)
      );
      const pl = htmlLinks(pending.html);
      const reschedule = pl.find((l) => l.text === "Reschedule");
      const cancel = pl.find((l) => l.text === "Cancel booking" || l.text === "Cancel");
      assert.ok(reschedule && /\/booking\/[^/]+\/reschedule$/.test(reschedule.href), pending.html);
      assert.ok(cancel && /\/booking\/[^/]+\/cancel$/.test(cancel.href));
      assert.ok(pending.text.includes(reschedule.href) && pending.text.includes(cancel.href));

      await shootAll(browser, confirmedUrl, "after-confirmed", {
        ready: "[data-testid=add-to-calendar]",
      });
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
