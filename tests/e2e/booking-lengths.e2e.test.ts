/**
 * A guest switching an event type's length keeps everything else the page was showing: the clock
 * they chose, the layout, the name and email a link filled in, where they came from, and a
 * routing form's response; a guest moving a booking is not offered lengths they cannot change.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";

Deno.test({
  name:
    "e2e booking lengths: choosing 90 min keeps the clock, the week layout, the prefilled name and email and the source",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-lengths-");
    const host = await createHost(seedApp, {
      username: "len",
      timeZone: "UTC",
      weekly: EVERY_DAY_ALL_DAY,
    });
    await createEventType(seedApp, host, {
      slug: "talk",
      title: "Talk",
      durationMin: 30,
      durations: [15, 90],
      requiresConfirmation: false,
    });
    kv.close();
    const browser = await borrowBrowser();
    try {
      await using app = await startApp({ dataDir });
      const ctx = await browser.newContext({ timezoneId: "UTC", locale: "en-US" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(
        app.url(
          "/calendar/len/talk?tz=UTC&clock=24h&layout=week&name=Zed&email=z%40example.test&utm_source=newsletter",
        ),
      );
      await hydrated(page);
      await page.getByRole("link", { name: "90 min" }).click();
      await page.waitForURL(/duration=90/);
      const q = new URL(page.url()).searchParams;
      assert.deepEqual(
        ["clock", "layout", "name", "email", "utm_source"].map((k) => q.get(k)),
        ["24h", "week", "Zed", "z@example.test", "newsletter"],
      );
      // Back to the default length: the same, without `duration`.
      await page.getByRole("link", { name: "30 min" }).click();
      await page.waitForURL((u) => !u.searchParams.has("duration"));
      assert.equal(new URL(page.url()).searchParams.get("utm_source"), "newsletter");
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
