/**
 * A host's list of event types as a guest meets it on a phone, in Chromium: long words wrap in
 * their cards, a name that starts with an emoji keeps it in the avatar, and each type names the
 * lengths it offers.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { borrowBrowser, screenshot, sidewaysScroll, trackPageErrors } from "../support/browser.ts";
import { updateUser } from "../../src/lib/server/store/users.ts";

const LONG_TITLE = "Architekturberatungsgesprächsvorbereitungstermin".repeat(2);
const LONG_URL = "https://example.com/" + "a-very-long-path-segment-without-spaces".repeat(4);

Deno.test({
  name:
    "e2e host listing on a 360 px phone: a long title or URL wraps in its card (no sideways scroll on the page or the widget), an emoji name keeps its avatar, every offered length is named",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-listing-");
    const host = await createHost(seedApp, { username: "mia" });
    assert.ok((await updateUser(kv, host.id, { name: "🎉 Mia Party" })).ok);
    await createEventType(seedApp, host, {
      slug: "consult",
      title: LONG_TITLE,
      description: `Read this first: ${LONG_URL}`,
      durationMin: 30,
      durations: [15, 90],
    });
    kv.close();
    const browser = await borrowBrowser();
    try {
      await using app = await startApp({ dataDir });
      const ctx = await browser.newContext({ viewport: { width: 360, height: 740 } });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      for (const path of ["/calendar/mia", "/widget/mia"]) {
        await page.goto(app.url(path));
        await page.getByText(LONG_TITLE).waitFor();
        assert.equal(await sidewaysScroll(page), "", path);
        // Each length the type offers, not only its default.
        const card = page.locator("li", { hasText: LONG_TITLE });
        assert.match(await card.innerText(), /15 min, 30 min or 90 min/, path);
        await screenshot(page, `host-listing-360${path.replaceAll("/", "-")}`);
      }
      await page.goto(app.url("/calendar/mia"));
      const avatar = page.getByTestId("host-initials");
      assert.equal(await avatar.innerText(), "🎉P");
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
