/**
 * A newcomer confirms their first request from the mail (here: the log) and lands on "Booking
 * confirmed" with nothing to go on: no way to their bookings but typing an address. After the
 * press the page must lead on to the host's bookings (through sign-in when the mail was opened
 * elsewhere), at 360 px, light and dark, with no axe findings.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, checkA11y, screenshot } from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "confirm from the mail: after the press the page leads on to the host's bookings",
  async fn() {
    await using app = await startApp({ env: { INVITO_DEMO: "1", INVITO_MIN_FILL_TIME: "0s" } });
    const browser = await borrowBrowser();
    try {
      for (const scheme of ["light", "dark"] as const) {
        const guest = await browser.newPage({ locale: "en-US", timezoneId: "America/New_York" });
        // A day from tomorrow on with the times asked for: the page's own first day may be
        // today, with fewer left as the host's day goes on.
        const nth = scheme === "light" ? 0 : 1;
        const { path } = await fullDay(app.baseUrl, "/calendar/demo/intro-call", {
          tz: "America/New_York",
          min: nth + 1,
        });
        await guest.goto(app.baseUrl + path);
        await guest.locator("a[data-slot]").nth(nth).click();
        await guest.getByLabel("Name").fill(`Gia ${scheme}`);
        await guest.getByLabel("Email").fill(`gia.${scheme}@example.test`);
        const since = app.logs().length;
        await guest.getByRole("button", { name: "Request this time" }).click();
        await guest.getByRole("heading", { name: "Your request has been sent" }).waitFor();
        const confirm = (await app.waitForLog(/http:\/\/\S+\/booking\/\S+\/confirm/, { since }))[0];
        await guest.close();

        const host = await browser.newPage({
          locale: "en-US",
          colorScheme: scheme,
          viewport: { width: 360, height: 740 },
        });
        await host.goto(confirm);
        await host.getByRole("button", { name: "Confirm booking" }).click();
        await host.getByTestId("decision-result").waitFor();
        const next = host.getByRole("link", { name: "Open your bookings" });
        await next.waitFor();
        assert.deepEqual(await checkA11y(host), []);
        await screenshot(host, `decision-next-${scheme}`);
        await next.click();
        await host.waitForURL(/\/signin\?next=%2Fdashboard%2Fbookings/);
        await host.close();
      }
    } finally {
      await browser.close();
    }
  },
});
