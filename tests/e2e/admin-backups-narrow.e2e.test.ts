/**
 * The instance page's backups on a small phone (360 px), light and dark: each backup is a row of a
 * few lines, its file's path readable, the table scrolling sideways inside its region. Before, the
 * path's column was squeezed to a letter or two a line: each row stood ~260 px tall, only its date
 * in view. Screenshots: test-results/screenshots/admin-backups-narrow-*.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  contextWithSession,
  inEachScheme,
  screenshot,
  sidewaysScroll,
} from "../support/browser.ts";

Deno.test({
  name:
    "e2e admin backups at 360 px: each backup row is a few lines tall with its path readable (it was ~260 px, a letter or two a line)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const backupDir = await Deno.makeTempDir({ prefix: "invito-backups-narrow-" });
    try {
      await using app = await startApp({
        env: { INVITO_ADMINS: "ops@example.test", INVITO_BACKUP_DIR: backupDir },
      });
      const admin = await signInByLink(app, "ops@example.test", { next: "/admin" });
      const made = await admin.post("/admin/instance?/backup", {});
      assert.equal(made.status, 200, made.body.slice(0, 300));
      const browser = await borrowBrowser();
      try {
        const ctx = await contextWithSession(browser, admin, {
          viewport: { width: 360, height: 740 },
          colorScheme: "light",
        });
        const page = await ctx.newPage();
        await page.goto(app.url("/admin/instance"));
        await inEachScheme(page, async (scheme) => {
          const rows = page.locator('[data-testid="backups"] tbody tr');
          assert.ok(await rows.count() > 0, "a backup is listed");
          for (const row of await rows.all()) {
            const box = await row.boundingBox();
            // Text-sm lines are 20 px: a path of ~60 characters takes three or four.
            assert.ok(box && box.height <= 100, `${scheme}: a backup row ${box?.height} px tall`);
          }
          assert.equal(await sidewaysScroll(page), "", `${scheme}: the page scrolls sideways`);
          await page.locator('section[aria-labelledby="backup-h"]').scrollIntoViewIfNeeded();
          await screenshot(page, `admin-backups-narrow-${scheme}`);
        });
        await ctx.close();
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(backupDir, { recursive: true });
    }
  },
});
