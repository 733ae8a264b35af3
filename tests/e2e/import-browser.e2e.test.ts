/**
 * Moving servers the way a host does it, in Chromium against the built server: the export file
 * downloaded from one Invito is chosen in the profile's import form on another and sent with
 * its button. The file is over 1 MB (a real export, with the whitespace a pretty-printer or an
 * editor may leave), so server.ts hands its body on as one buffer the import takes back without
 * a copy (http/body-limit.ts `requestBytes`): the booking must arrive whole, in a page that says
 * so and passes axe, on a desktop in light and on a phone in dark.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "e2e import: a host chooses another server's export (over 1 MB) in the profile's form and sends it; the page says what was imported and the booking is there",
  async fn() {
    await using from = await startApp({ demo: true });
    const [start] = await slotsAhead(from.baseUrl, "demo", "quick-chat", 10);
    const booked = await createClient(from.baseUrl).post("/calendar/demo/quick-chat?/book", {
      name: "Gil Moved",
      email: "gil@example.test",
      note: "",
      start,
      tz: "UTC",
    });
    assert.equal(booked.status, 303);
    const exported =
      (await (await signInByLink(from, DEMO_EMAIL)).get("/dashboard/profile/export.json")).body;
    const file = exported + "\n".repeat(1_200_000);

    await using to = await startApp({});
    const mover = await signInByLink(to, "mover@example.test");
    const browser = await borrowBrowser();
    try {
      for (
        const [shot, viewport, colorScheme] of [
          ["desktop-light", { width: 1280, height: 900 }, "light"],
          ["phone-dark", { width: 360, height: 780 }, "dark"],
        ] as const
      ) {
        const ctx = await contextWithSession(browser, mover, {
          viewport,
          colorScheme,
          locale: "en-US",
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await page.goto(to.url("/dashboard/profile"));
        await page.locator("#import-file").setInputFiles({
          name: "invito-demo.json",
          mimeType: "application/json",
          buffer: Buffer.from(file),
        });
        await page.getByRole("button", { name: "Import", exact: true }).click();
        const done = page.getByText("Imported", { exact: true });
        await done.waitFor();
        const notice = await page.locator("section, div").filter({ has: done }).last()
          .innerText();
        // The first import brings the booking; the second finds it there and keeps it.
        assert.match(
          notice,
          shot === "desktop-light" ? /Set: .*1 booking\./ : /1 booking was already here/,
          notice,
        );
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, `import-browser-${shot}`);
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
      const list = await mover.get("/dashboard/bookings");
      assert.equal(list.status, 200);
      assert.match(list.body, /Gil Moved/);
    } finally {
      await browser.close();
    }
  },
});
