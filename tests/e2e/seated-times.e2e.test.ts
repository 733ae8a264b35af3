/**
 * A seated time in the host's booking list, in Chromium (issue 25): one row with its guests,
 * checked by axe on a desktop and a 360 px phone (nothing reaches past the edge; "Cancel this
 * meeting" opened, in the dark) and by the Nu Html Checker, and one seat cancelled from there as
 * a host would click it.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { fullDay } from "../support/slots.ts";
import { vnuErrors } from "../support/vnu.ts";

async function seed() {
  const { dataDir, kv, app } = await seedStore("invito-seated-");
  const allDay = [{ start: "00:00", end: "24:00" }];
  const host = await createHost(app, {
    username: "seats",
    timeZone: "UTC",
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  await createEventType(app, host, {
    slug: "class",
    title: "Pottery class",
    durationMin: 60,
    requiresConfirmation: false,
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  kv.close();
  return dataDir;
}

Deno.test({
  name:
    "e2e seated times: one row per seated time with its guests and their states, accessible on a desktop and a phone; a seat is cancelled from there",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed();
    await using smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      // A full day from tomorrow on: the page's own first day may be today with fewer than three
      // times, or with times that pass while the test runs.
      const slot = (await fullDay(app.baseUrl, "/calendar/seats/class", { min: 3 })).slots[2];
      for (const who of ["Ada Lovelace", "Bob Marley"]) {
        const res = await fetch(`${app.baseUrl}/calendar/seats/class?/book`, {
          method: "POST",
          headers: {
            origin: app.baseUrl,
            accept: "text/html",
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({
            name: who,
            email: `${who.split(" ")[0].toLowerCase()}@example.test`,
            note: "",
            start: slot,
            tz: "UTC",
          }),
          redirect: "manual",
        });
        await res.body?.cancel();
        assert.equal(res.status, 303, who);
      }
      const browser = await borrowBrowser();
      try {
        const ctx = await browser.newContext({
          timezoneId: "UTC",
          viewport: { width: 1366, height: 900 },
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await signInAs(page, app.baseUrl, "seats@example.test", smtp);
        await page.goto(app.url("/dashboard/bookings"), { waitUntil: "networkidle" });
        const time = page.locator("[data-seated-time]");
        await time.waitFor();
        assert.equal(await time.count(), 1, "one row for the time");
        assert.match(await time.innerText(), /2 of 3 seats taken/);
        const bob = time.locator("tr", { hasText: "Bob Marley" });
        assert.match(await bob.innerText(), /bob@example\.test/);
        assert.match(await bob.innerText(), /confirmed/i);
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, "seated-times-1-desktop");

        await bob.getByText("Cancel seat").click();
        await bob.getByLabel(/reason/i).fill("Class moved");
        await bob.getByRole("button", { name: /Cancel Bob Marley’s seat/ }).click();
        await page.locator("[data-seats-taken='1']").waitFor();
        assert.match(await time.locator("tr", { hasText: "Bob Marley" }).innerText(), /cancelled/i);
        await screenshot(page, "seated-times-2-cancelled");

        await page.setViewportSize({ width: 360, height: 800 });
        await page.goto(app.url("/dashboard/bookings"), { waitUntil: "networkidle" });
        await time.waitFor();
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - globalThis.innerWidth
        );
        assert.ok(overflow <= 0, `the page reaches ${overflow} px past a 360 px screen`);
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, "seated-times-3-phone");
        // "Cancel this meeting" opened, in the dark: its confirm is labelled and readable.
        await page.emulateMedia({ colorScheme: "dark" });
        await time.locator("[data-cancel-meeting] summary").click();
        await time.getByRole("button", { name: "Cancel the meeting for everyone" }).waitFor();
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, "seated-times-4-phone-cancel-meeting-dark");
        // The list as the server sends it, seated times and their confirm included, is valid HTML.
        const html = await (await ctx.request.get(app.url("/dashboard/bookings"))).text();
        assert.match(html, /data-cancel-meeting=/);
        assert.deepEqual(await vnuErrors(new Map([["seated-bookings", html]])), []);
        assert.deepEqual(errors(), []);
        await ctx.close();
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
