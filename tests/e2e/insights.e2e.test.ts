/**
 * A host with 10,000 bookings over a year reads their insights in Chromium: light and dark, on a
 * desktop and a 360 px phone, with an axe check each time. The numbers drawn equal the CSV
 * download; a guest's visit and booking move the funnel by exactly one each; another host sees
 * none of it.
 */
import assert from "node:assert/strict";
import { signInWithEmail } from "../support/browser-sign-in.ts";
import type { BrowserContext, Page } from "playwright-core";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  inEachScheme,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedInsightsHost } from "../support/insights-seed.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";
import { waitFor } from "../support/wait.ts";
import { fullDay } from "../support/slots.ts";

async function signIn(
  page: Page,
  app: Awaited<ReturnType<typeof startApp>>,
  email: string,
  next: string,
) {
  await page.goto(`${app.baseUrl}${next}`);
  await page.waitForURL(/\/signin\?next=/);
  await signInWithEmail(page, { baseUrl: app.baseUrl, app, email, next });
}

/** Every shape of a chart as "row|column" → value, as drawn (`data-cell="row,column,value"`). */
async function drawn(page: Page, chartId: string): Promise<Map<string, number>> {
  const cells = await page.locator(`[data-chart="${chartId}"] rect[data-cell]`).evaluateAll(
    (rects) => rects.map((r) => r.getAttribute("data-cell")!),
  );
  return new Map(cells.map((c) => {
    const [row, column, value] = c.split(",");
    return [`${row}|${column}`, Number(value)];
  }));
}

async function csvOf(ctx: BrowserContext, url: string): Promise<(string | number)[][]> {
  const res = await ctx.request.get(url);
  assert.equal(res.status(), 200, url);
  assert.match(res.headers()["content-type"], /^text\/csv/);
  assert.match(res.headers()["content-disposition"], /^attachment; filename="invito-/);
  return parseCsv(await res.text());
}

async function look(page: Page, name: string) {
  assert.deepEqual(await checkA11y(page), [], `axe on ${name}`);
  await screenshot(page, name);
}

Deno.test({
  name:
    "e2e insights: 10,000 bookings over a year, read light and dark on desktop and phone; the CSV equals the chart; a visit moves the funnel by one; another host sees nothing",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // The history is written before the server starts, as the live counting would have.
    const { dataDir, kv, app: seedApp } = await seedStore("invito-insights-");
    try {
      const seeded = await seedInsightsHost(seedApp, {
        username: "hanna",
        email: "hanna@example.test",
        bookings: 10_000,
        days: 365,
        extras: true,
        calendars: "ok",
      });
      kv.close();

      await using app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });
      const browser = await borrowBrowser();
      try {
        const desktop = await browser.newContext({
          timezoneId: "Europe/Berlin",
          viewport: { width: 1280, height: 900 },
        });
        const page = await desktop.newPage();
        const errors = trackPageErrors(page);
        await signIn(page, app, "hanna@example.test", "/dashboard/insights");
        await page.getByRole("heading", { name: "Insights", level: 1 }).waitFor();
        // Insights sits in the dashboard's "More" menu, whose button then names the page.
        await page.getByRole("navigation").locator("summary").filter({ hasText: "Insights" })
          .click();
        assert.equal(
          await page.getByRole("link", { name: "Insights" }).getAttribute("aria-current"),
          "page",
        );
        for (
          const id of [
            "funnel",
            "meetings-by-day",
            "busiest-hours",
            "lead-time",
            "meeting-length",
            "endings",
          ]
        ) {
          assert.ok((await drawn(page, id)).size > 0, `${id} draws something`);
        }
        // Health: the parked calendar write links to its booking; both calendars are listed.
        await page.locator("[data-parked]").getByRole("link", { name: "Open the booking" })
          .waitFor();
        assert.equal(await page.locator("[data-calendar]").count(), 2);
        await look(page, "insights-1-desktop-light");

        // The chart's numbers are the CSV's, cell by cell, and the table behind it lists them.
        for (const id of ["meetings-by-day", "busiest-hours", "funnel", "endings"]) {
          const csv = await csvOf(desktop, `${app.baseUrl}/dashboard/insights/${id}.csv?range=30`);
          const shapes = await drawn(page, id);
          let nonZero = 0;
          csv.slice(1).forEach((row, i) =>
            row.forEach((v, c) => {
              if (c === 0 || typeof v !== "number" || v === 0) return;
              if (id === "funnel" && c > 1) return; // rates, written beside the bars
              nonZero++;
              assert.equal(shapes.get(`${i}|${c}`), v, `${id} row ${i} column ${c}`);
            })
          );
          assert.equal(shapes.size, nonZero, `${id}: one shape per non-zero number`);
        }
        await page.locator('[data-chart="funnel"] summary').click();
        const firstRow = await page.locator('[data-chart="funnel"] tbody tr').first().innerText();
        const funnelCsv = await csvOf(
          desktop,
          `${app.baseUrl}/dashboard/insights/funnel.csv?range=30`,
        );
        assert.match(firstRow, new RegExp(Number(funnelCsv[1][1]).toLocaleString("en-US")));

        // Last 90 days, one event type: the form is a plain GET, so the view has its own URL.
        await page.locator("label", { hasText: "Last 90 days" }).click();
        await page.getByLabel("Event type", { exact: true }).selectOption({ label: "Quick chat" });
        await page.getByRole("button", { name: "Show" }).click();
        await page.waitForURL(/range=90/);
        assert.match(page.url(), new RegExp(`type=${seeded.eventTypeIds[1]}`));
        assert.match(await page.locator("[data-period]").innerText(), /\(90 days\)/);
        await look(page, "insights-2-desktop-90-days-quick-chat");

        // A custom range the wrong way round is a 400 that says what to fix, with the form.
        const bad = await desktop.newPage();
        const answer = await bad.goto(
          `${app.baseUrl}/dashboard/insights?range=custom&from=2026-05-01&to=2026-04-01`,
        );
        assert.equal(answer?.status(), 400);
        await bad.getByText("The start date must not be after the end date.").waitFor();
        assert.equal(await bad.getByLabel("From").inputValue(), "2026-05-01");
        await look(bad, "insights-3-bad-range");
        await bad.close();

        // Dark, desktop.
        const dark = await browser.newContext({
          timezoneId: "Europe/Berlin",
          viewport: { width: 1280, height: 900 },
          colorScheme: "dark",
          storageState: await desktop.storageState(),
        });
        const darkPage = await dark.newPage();
        await darkPage.goto(`${app.baseUrl}/dashboard/insights`);
        assert.ok(
          await darkPage.evaluate(() => document.documentElement.classList.contains("dark")),
        );
        await look(darkPage, "insights-4-desktop-dark");

        // A 360 px phone, light and dark.
        {
          const phone = await browser.newContext({
            timezoneId: "Europe/Berlin",
            viewport: { width: 360, height: 780 },
            colorScheme: "light",
            storageState: await desktop.storageState(),
          });
          const p = await phone.newPage();
          await p.goto(`${app.baseUrl}/dashboard/insights?range=90`);
          await inEachScheme(p, async (scheme) => {
            // Nothing but the tables behind the charts may scroll sideways.
            const overflow = await p.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(overflow <= 360, `the page is ${overflow} px wide on a 360 px phone`);
            await look(p, `insights-5-phone-${scheme}`);
          });
          await phone.close();
        }

        // A guest's visit: exactly one view, one "found free times", one pick, one booking.
        const funnelNow = async () =>
          (await csvOf(desktop, `${app.baseUrl}/dashboard/insights/funnel.csv?range=7`)).slice(1)
            .map((r) => r[1] as number);
        // A day from tomorrow on with free times, read as the signed-in host (whose views are
        // not counted): the page's own first day may be today, whose first time can pass before
        // the guest books it.
        const { date } = await fullDay(app.baseUrl, "/calendar/hanna/quick-chat", {
          tz: "America/New_York",
          min: 3,
          get: async (p) => await (await desktop.request.get(app.baseUrl + p)).text(),
        });
        const before = await funnelNow();
        const guestCtx = await browser.newContext({
          timezoneId: "America/New_York",
          locale: "en-US",
          viewport: { width: 1280, height: 900 },
        });
        const guest = await guestCtx.newPage();
        await guest.goto(`${app.baseUrl}/calendar/hanna/quick-chat?date=${date}`);
        await guest.waitForURL(/tz=America%2FNew_York/);
        // Hovering over times without choosing them picks nothing.
        const slots = guest.locator("a[data-slot]");
        for (let i = 0; i < Math.min(3, await slots.count()); i++) await slots.nth(i).hover();
        await slots.first().click();
        await guest.getByRole("heading", { name: "Your details" }).waitFor();
        await guest.getByLabel("Name").fill("Grace Guest");
        await guest.getByLabel("Email").fill("grace@example.test");
        await guest.getByRole("button", { name: "Book this time" }).click();
        await guest.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
        await guestCtx.close();
        // Counts land just after the responses they describe.
        const after = await waitFor(async () => {
          const now = await funnelNow();
          return now[4] !== before[4] && now;
        }, { message: "the booking to be counted" });
        assert.deepEqual(after.map((n, i) => n - before[i]), [1, 1, 1, 1, 1]);

        // Another host: empty insights, and the first host's event type and CSV are not theirs.
        const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const otherPage = await other.newPage();
        await signIn(otherPage, app, "otto@example.test", "/dashboard/insights");
        const values = await otherPage.locator("[data-headline] dd.text-2xl").allInnerTexts();
        assert.deepEqual(values, ["0", "0", "0", "0%", "0"]);
        assert.equal(await otherPage.locator("rect[data-cell]").count(), 0);
        const foreign = await otherPage.goto(
          `${app.baseUrl}/dashboard/insights?type=${seeded.eventTypeIds[0]}`,
        );
        assert.equal(foreign?.status(), 404);
        const foreignCsv = await other.request.get(
          `${app.baseUrl}/dashboard/insights/funnel.csv?type=${seeded.eventTypeIds[0]}`,
        );
        assert.equal(foreignCsv.status(), 404);
        const theirs = parseCsv(
          await (await other.request.get(`${app.baseUrl}/dashboard/insights/funnel.csv`)).text(),
        );
        assert.ok(theirs.slice(1).every((r) => r[1] === 0));
        await other.close();

        // Signed out: no insights, no CSV — only the way to sign in.
        const anon = await fetch(`${app.baseUrl}/dashboard/insights/funnel.csv`, {
          redirect: "manual",
        });
        await anon.body?.cancel();
        assert.equal(anon.status, 303);
        assert.match(anon.headers.get("location") ?? "", /^\/signin\?next=/);

        assert.deepEqual(errors(), []);
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
