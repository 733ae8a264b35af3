/**
 * A dashboard page answering its own form shows what was just saved. Dashboard → Embed →
 * "Events and redirects" showed the boxes as they were before (the page's load read the
 * signed-in user as hooks had read it, before the action saved): "Saved." beside an unticked box
 * that a reload showed ticked, so a host who ticked it again and saved turned the setting off.
 * Checked with and without scripts, and again after a reload; and the profile's photo, which
 * now gets the same one fresh read (http/fresh-user.ts) instead of its own assignment.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  contextWithSession,
  hydrated,
  trackPageErrors,
} from "../support/browser.ts";
import type { Page } from "playwright-core";
import { Buffer } from "node:buffer";

const opts = { sanitizeResources: false, sanitizeOps: false };
/** A 2×2 PNG. */
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANBQEAnbqB2gAAAABJRU5ErkJggg==",
  ),
  (ch) => ch.charCodeAt(0),
);

const SHARE = "input[name=shareGuestData]";
const NAVIGATE = "input[name=navigateParent]";

/** Ticks the two boxes as asked, presses the section's Save, and waits for "Saved.". */
async function save(page: Page, share: boolean, navigate: boolean) {
  await page.locator(SHARE).setChecked(share);
  await page.locator(NAVIGATE).setChecked(navigate);
  await page.locator("form[action='?/events'] button[type=submit]").click();
  await page.locator("form[action='?/events'] [role=status]", { hasText: "Saved." }).waitFor();
}

async function shown(page: Page) {
  return {
    share: await page.locator(SHARE).isChecked(),
    navigate: await page.locator(NAVIGATE).isChecked(),
  };
}

Deno.test({
  ...opts,
  name:
    "e2e Embed page 'Events and redirects': after Save the boxes show what was saved, with and without scripts, and after a reload",
  async fn() {
    await using app = await startApp();
    const client = await signInByLink(app, "esme@example.test");
    const browser = await borrowBrowser();
    try {
      for (const scripts of [true, false]) {
        const ctx = await contextWithSession(browser, client, { javaScriptEnabled: scripts });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        const open = async () => {
          await page.goto(app.url("/dashboard/embed"));
          if (scripts) await hydrated(page);
        };
        const how = scripts ? "with scripts" : "without scripts";
        await open();
        assert.deepEqual(await shown(page), { share: false, navigate: false }, how);
        for (
          const want of [
            { share: true, navigate: false },
            { share: false, navigate: true },
            { share: true, navigate: true },
            { share: false, navigate: false },
          ]
        ) {
          await save(page, want.share, want.navigate);
          assert.deepEqual(await shown(page), want, `after Save, ${how}`);
          await open();
          assert.deepEqual(await shown(page), want, `after a reload, ${how}`);
        }
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "e2e Profile without scripts: the page answering 'Upload photo' shows the photo, and the one answering 'Remove photo' shows none",
  async fn() {
    await using app = await startApp();
    const client = await signInByLink(app, "pia@example.test");
    const browser = await borrowBrowser();
    try {
      const ctx = await contextWithSession(browser, client, { javaScriptEnabled: false });
      const page = await ctx.newPage();
      await page.goto(app.url("/dashboard/profile"));
      const photo = page.locator("section#photo img, img[src*=photo]");
      assert.equal(await photo.count(), 0);
      await page.locator("#photo-file").setInputFiles({
        name: "me.png",
        mimeType: "image/png",
        buffer: Buffer.from(PNG),
      });
      await page.getByRole("button", { name: "Upload photo" }).click();
      await page.getByText("Photo saved").waitFor();
      assert.ok(await photo.count() > 0, "the photo is shown after Upload");
      await page.getByRole("button", { name: "Remove photo" }).click();
      await page.getByText("Photo removed").waitFor();
      assert.equal(await photo.count(), 0, "no photo after Remove");
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
