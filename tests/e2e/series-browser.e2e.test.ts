/**
 * A guest books a recurring series in Chromium (issue 25): the page lists every date of the
 * series once a time is picked, one of them marked as skipped (the host allows the free dates
 * only), the form books the others, and the booking page lists the series with a link to each
 * date. Accessibility checked on both pages; screenshots for a person to look at.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import {
  appOnStore,
  createEventType,
  createHost,
  recordingMailer,
  seedStore,
} from "../support/memory-app.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import { fullDay } from "../support/slots.ts";

Deno.test({
  name:
    "e2e: a guest in New York picks a time of a Berlin host's fortnightly series, sees its six dates with the taken one skipped, and books the five others",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath, kv, app: seed } = await seedStore("invito-series-browser-");
    try {
      const hours = [{ start: "09:00", end: "17:00" }];
      const host = await createHost(seed, {
        username: "coach",
        timeZone: "Europe/Berlin",
        weekly: { 1: hours, 2: hours, 3: hours, 4: hours, 5: hours, 6: [], 7: [] },
      });
      await createEventType(seed, host, {
        slug: "coaching",
        title: "Coaching",
        durationMin: 60,
        requiresConfirmation: false,
        bookingWindowDays: 90,
        series: { everyWeeks: 2, count: 6, freeOnly: true },
      });
      await createEventType(seed, host, {
        slug: "call",
        durationMin: 60,
        requiresConfirmation: false,
        bookingWindowDays: 90,
      });
      kv.close();
      await using app = await startApp({ dataDir });
      const browser = await borrowBrowser();
      try {
        const ctx = await browser.newContext({
          timezoneId: "America/New_York",
          locale: "en-US",
          viewport: { width: 1280, height: 900 },
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        // A day from tomorrow on: the page's own first day may be today, whose first time can
        // pass while the guest fills in.
        const { date } = await fullDay(app.baseUrl, "/calendar/coach/coaching", {
          tz: "America/New_York",
          min: 1,
        });
        await page.goto(`${app.baseUrl}/calendar/coach/coaching?date=${date}`);
        await page.waitForURL(/tz=America%2FNew_York/);
        const slot = page.locator("a[data-slot]").first();
        const start = await slot.getAttribute("data-slot");
        assert.ok(start);
        // Someone books the series' third date first (a single call, through the same engine).
        const kv2 = await Deno.openKv(dbPath);
        try {
          const other = await appOnStore(kv2, {
            INVITO_DB_PATH: dbPath,
            INVITO_SESSION_SECRET: "seed-secret-".padEnd(48, "x"),
            INVITO_DISABLE_CRON: "true",
          }, { mailer: recordingMailer() });
          const r = await bookSlot(other, {
            username: "coach",
            slug: "call",
            // Four weeks on the host's wall clock (the series' dates), across a DST change too.
            start: Temporal.Instant.from(start!).toZonedDateTimeISO("Europe/Berlin")
              .add({ weeks: 4 }).toInstant().toString(),
            name: "Other",
            email: "other@example.test",
            note: "",
            timeZone: "UTC",
          });
          assert.ok(r.ok, JSON.stringify(r));
        } finally {
          kv2.close();
        }
        await slot.click();
        await page.getByRole("heading", { name: "Your details" }).waitFor();
        const dates = page.getByTestId("series-dates").locator("li");
        await dates.first().waitFor();
        assert.equal(await dates.count(), 6);
        assert.deepEqual(
          await dates.evaluateAll((els) => els.map((e) => e.getAttribute("data-free"))),
          ["yes", "yes", "no", "yes", "yes", "yes"],
        );
        assert.match((await dates.nth(2).textContent())!, /skipped/);
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, "series-1-dates");
        await page.getByLabel("Name").fill("Sam Series");
        await page.getByLabel("Email").fill("sam@example.test");
        await page.getByRole("button", { name: "Book the 5 free dates" }).click();
        const list = page.getByTestId("series-list");
        await list.waitFor();
        assert.equal(await list.locator("ol > li").count(), 5);
        assert.equal(await list.locator("a").count(), 4, "a link to each other date");
        // The date left out is named under them (ADR 048, amended).
        const skipped = list.getByTestId("series-skipped").locator("li");
        assert.equal(await skipped.count(), 1);
        assert.match(
          await list.innerText(),
          /This date of the series was not free and is not booked/,
        );
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, "series-2-booked");
        assert.deepEqual(errors(), []);
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
