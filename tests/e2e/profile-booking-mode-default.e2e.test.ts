/**
 * A host who answered the setup's "How guests book" one way had no page to change their mind:
 * every new event type kept starting on the first answer. The Profile page now has the choice
 * ("New event types"), saved with the rest of the profile, without scripts too; the new event
 * type form, their own and their team's, starts on it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, startApp } from "../support/app.ts";
import { borrowBrowser, contextWithSession, hydrated, SCREENSHOTS } from "../support/browser.ts";
import { signInByLink } from "../support/auth.ts";
import type { BrowserContext, Page } from "playwright-core";

const opts = { sanitizeResources: false, sanitizeOps: false };
const shot = (name: string) => join(repoRoot, "test-results", "screenshots", `${name}.png`);

const INSTANT = "Guests book instantly";
const CONFIRM = "I confirm each request by mail";
// By its words: once the page's scripts render the radio, "on" is no attribute to select by.
const mode = (page: Page, confirm: boolean) =>
  page.getByRole("radio", { name: confirm ? CONFIRM : INSTANT });

/** The host's own new event type form and their team's both start on `confirm`. */
async function formsStartOn(
  ctx: BrowserContext,
  app: { url(p: string): string },
  teamId: string,
  confirm: boolean,
  when: string,
) {
  const page = await ctx.newPage();
  for (const path of ["/dashboard/event-types/new", `/dashboard/teams/${teamId}/event-types/new`]) {
    await page.goto(app.url(path));
    assert.equal(await mode(page, confirm).isChecked(), true, `${when}: ${path}`);
    assert.equal(await mode(page, !confirm).isChecked(), false, `${when}: ${path}`);
  }
  await page.close();
}

Deno.test({
  ...opts,
  name:
    "Profile's 'New event types' choice: changed there (with or without scripts), the host's and their team's new event type forms start on it, and back",
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      const c = await signInByLink(app, "rita@example.test");
      const made = await c.post("/dashboard/teams?/create", {
        name: "Rita's Crew",
        slug: "rita-crew",
        timeZone: "Europe/Berlin",
      });
      const teamId = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(made.location ?? "")
        ?.[1];
      assert.ok(teamId, `the team is made (${made.status})`);

      const plain = await contextWithSession(browser, c, {
        locale: "en-US",
        javaScriptEnabled: false,
      });
      await formsStartOn(plain, app, teamId, false, "as signed up");

      // A choice that is neither is refused with words, and nothing is saved.
      const odd = await c.post("/dashboard/profile?/save", {
        name: "Rita",
        username: "rita",
        timeZone: "UTC",
        requiresConfirmation: "maybe",
      });
      assert.equal(odd.status, 400);
      assert.match(odd.body, /Choose how guests book/);
      await formsStartOn(plain, app, teamId, false, "after a refused save");

      // Without scripts: the choice is an ordinary field of the profile form.
      const p = await plain.newPage();
      await p.goto(app.url("/dashboard/profile"));
      const choice = p.getByRole("group", { name: "New event types" });
      assert.equal(await mode(p, false).isChecked(), true, "the setup's answer (none: instant)");
      await choice.getByRole("radio", { name: CONFIRM }).check();
      await p.getByRole("button", { name: "Save profile" }).click();
      await p.getByText("Profile saved").waitFor();
      assert.equal(await mode(p, true).isChecked(), true, "kept after saving");
      await formsStartOn(plain, app, teamId, true, "after Profile (no scripts)");
      await plain.close();

      // With scripts: and back.
      const ctx = await contextWithSession(browser, c, { locale: "en-US" });
      const page = await ctx.newPage();
      await page.goto(app.url("/dashboard/profile"));
      await hydrated(page);
      assert.equal(await mode(page, true).isChecked(), true);
      await page.getByRole("group", { name: "New event types" }).getByRole("radio", {
        name: INSTANT,
      })
        .check();
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.getByText("Profile saved").waitFor();
      await formsStartOn(ctx, app, teamId, false, "back after Profile");

      // The page as a host meets it: a phone, a desktop, light and dark.
      for (const scheme of SCREENSHOTS ? ["light", "dark"] as const : []) {
        await page.emulateMedia({ colorScheme: scheme });
        for (
          const [name, viewport] of [
            ["phone360", { width: 360, height: 740 }],
            ["desktop", { width: 1366, height: 768 }],
          ] as const
        ) {
          await page.setViewportSize(viewport);
          await page.getByRole("group", { name: "New event types" }).evaluate((el) =>
            el.scrollIntoView({ block: "center" })
          );
          await page.screenshot({
            path: shot(`profile-booking-mode-${name}-${scheme}`),
            // The scheme just switched: the cards end their colour transition first.
            animations: "disabled",
          });
        }
      }
      await ctx.close();
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await browser.close();
    }
  },
});
