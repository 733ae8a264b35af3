/**
 * A guest booked from Asia/Kolkata and moves the booking from a browser in Pacific/Auckland, in
 * Chromium: the reschedule page speaks in the zone its picker shows (its "now on …" line too),
 * and the zone they moved it in is theirs from then on — the result page and the mail about the
 * move say the new time in Auckland time. It used to say "12:30 pm–1:00 pm (Asia/Kolkata)" for
 * a 7:00 pm picked in Auckland: the move's form sent the time, never the zone it was shown in.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";
import { formatTimeRange } from "../../src/lib/shared/format.ts";

const AUCKLAND = "Pacific/Auckland";

Deno.test({
  name:
    "e2e reschedule in another zone: the page's heading and picker speak the browser's zone, and the moved booking's page and mail use it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const { slots } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "Asia/Kolkata",
      min: 4,
    });
    // Booked from Kolkata on the 12-hour clock (the booking form's own fields).
    const res = await fetch(app.url("/calendar/demo/quick-chat?/book"), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "accept-language": "en-US,en;q=0.9",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        name: "Kiri",
        email: "kiri@example.test",
        note: "",
        start: slots[0],
        tz: "Asia/Kolkata",
        clock: "12h",
      }),
      redirect: "manual",
    });
    await res.body?.cancel();
    assert.equal(res.status, 303);
    const link = res.headers.get("location")!;
    await smtp.waitForMail((m) => m.to.includes("kiri@example.test"));

    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ locale: "en-US", timezoneId: AUCKLAND });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url(`${link}/reschedule`));
      // The browser's zone replaces the booking's in the address, and the page follows it.
      await page.waitForURL(/tz=Pacific%2FAuckland/);
      await page.locator("a[data-slot]").first().waitFor();
      await hydrated(page);
      const heading = await page.getByTestId("manage-moving").innerText();
      assert.match(heading, /\(Pacific\/Auckland\)/, heading);
      assert.doesNotMatch(heading, /Kolkata/, heading);
      assert.match(await page.getByTestId("settings-line").innerText(), /Auckland/);

      const target = page.locator("a[data-slot]").first();
      const start = (await target.getAttribute("data-slot"))!;
      const startMs = Date.parse(start);
      const shown = formatTimeRange(startMs, startMs + 15 * 60_000, AUCKLAND, "12h", "en-US");
      await target.click();
      await page.getByRole("heading", { name: "Move your booking here?" }).waitFor();
      await page.getByRole("button", { name: "Move my booking" }).click();
      await page.getByRole("heading", { name: "Your booking was moved" }).waitFor();
      const when = await page.getByTestId("booking-when").innerText();
      assert.match(when, /\(Pacific\/Auckland, GMT\+1[23]\)/, when);
      assert.ok(when.includes(shown.split("–")[0]), `${when} has ${shown}`);
      assert.doesNotMatch(when.split("\n").slice(0, 2).join(" "), /Kolkata/, when);

      const moved = await smtp.waitForMail((m) =>
        m.to.includes("kiri@example.test") && /^Rescheduled/.test(m.subject)
      );
      assert.match(moved.text, /Pacific\/Auckland/, moved.text);
      assert.doesNotMatch(moved.text, /Kolkata/, moved.text);
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
