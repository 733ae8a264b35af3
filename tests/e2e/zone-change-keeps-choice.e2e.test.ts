/**
 * A guest who has picked a time and started typing their details notices the times are in the
 * wrong zone and changes it on the "Your details" step: the time they chose stays chosen, now
 * read in the new zone (on another date there when the zone is far enough away), and what they
 * typed stays in the fields. Before, the page went back to the day's list with nothing chosen
 * and the typed name, address and note gone.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";
import { formatTime, isoDateIn } from "../../src/lib/shared/format.ts";

const AUCKLAND = "Pacific/Auckland";
const PAGE = "/calendar/demo/quick-chat";

Deno.test({
  name:
    "e2e zone change on the details step: the chosen time stays chosen in the new zone and the typed details stay, with and without scripts",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const { slots } = await fullDay(app.baseUrl, PAGE, { tz: "UTC", min: 4 });
    // A time that falls on the next date in Auckland: the page must show that date there.
    const start = slots.find((s) => isoDateIn(Date.parse(s), AUCKLAND) !== s.slice(0, 10));
    assert.ok(start, `a time on another date in Auckland among ${slots.join(", ")}`);
    const inAuckland = formatTime(Date.parse(start), AUCKLAND, "24h", "en-GB");

    const browser = await borrowBrowser();
    try {
      // With scripts: the zone chosen from the field's suggestions.
      const page = await browser.newPage({ locale: "en-GB", timezoneId: "UTC" });
      const errors = trackPageErrors(page);
      await page.goto(app.url(`${PAGE}?tz=UTC&clock=24h&date=${start.slice(0, 10)}`));
      await hydrated(page);
      await page.locator(`a[data-slot="${start}"]`).click();
      await page.getByRole("heading", { name: "Your details" }).waitFor();
      await page.getByLabel("Name", { exact: true }).fill("Kiri Te Kanawa");
      await page.getByLabel("Email").fill("kiri@example.test");
      await page.getByLabel(/Anything to share/).fill("About the tour dates.");
      await page.getByTestId("guest-settings").locator("summary").click();
      await page.getByRole("combobox", { name: "Your time zone" }).fill("Auckland");
      await page.getByRole("option", { name: /Auckland/ }).first().click();
      await page.waitForURL(/tz=Pacific%2FAuckland/);
      await page.getByTestId("settings-line").filter({ hasText: "Auckland" }).waitFor();
      const chosen = await page.getByTestId("chosen-slot").innerText();
      assert.match(chosen, /Pacific\/Auckland/, chosen);
      assert.ok(chosen.includes(inAuckland), `${chosen} says ${inAuckland}`);
      assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "Kiri Te Kanawa");
      assert.equal(await page.getByLabel("Email").inputValue(), "kiri@example.test");
      assert.equal(
        await page.getByLabel(/Anything to share/).inputValue(),
        "About the tour dates.",
      );
      // And it books that very time, in the zone now shown.
      await page.getByRole("button", { name: /^(Book|Request) this time/ }).click();
      await page.getByTestId("booking-when").waitFor();
      const when = await page.getByTestId("booking-when").innerText();
      assert.ok(when.includes(inAuckland), `${when} says ${inAuckland}`);
      assert.match(when, /Auckland/, when);
      assert.deepEqual(errors(), []);

      // Without scripts: the zone typed and sent with the form's own button.
      const plain = await browser.newPage({ javaScriptEnabled: false, locale: "en-GB" });
      const other = slots.find((s) =>
        s !== start && isoDateIn(Date.parse(s), AUCKLAND) !== s.slice(0, 10)
      ) ?? slots.find((s) => s !== start)!;
      await plain.goto(app.url(`${PAGE}?tz=UTC&clock=24h&date=${other.slice(0, 10)}`));
      await plain.locator(`a[data-slot="${other}"]`).click();
      await plain.getByRole("heading", { name: "Your details" }).waitFor();
      await plain.getByTestId("guest-settings").locator("summary").click();
      await plain.getByLabel("Your time zone").fill("Auckland");
      await plain.getByRole("button", { name: "Show times" }).click();
      await plain.getByTestId("settings-line").filter({ hasText: "Auckland" }).waitFor();
      const plainChosen = await plain.getByTestId("chosen-slot").innerText();
      const otherInAuckland = formatTime(Date.parse(other), AUCKLAND, "24h", "en-GB");
      assert.ok(plainChosen.includes(otherInAuckland), `${plainChosen} says ${otherInAuckland}`);
    } finally {
      await browser.close();
    }
  },
});
