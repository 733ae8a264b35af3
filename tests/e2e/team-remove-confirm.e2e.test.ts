/**
 * Removing a member and leaving a team ask first, as deleting an event type does: with scripts a
 * dialog says what happens (Cancel keeps everything as it was), without them a link leads to a
 * page that asks the same and whose button does it. Both acted on one click before.
 * Screenshots (INVITO_SCREENSHOTS=1): test-results/screenshots/team-remove-*.png, team-leave-*.png.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import type { Page } from "playwright-core";

const members = async (p: Page) =>
  await p.locator("[data-member]").evaluateAll((els) =>
    els.map((e) => e.getAttribute("data-member"))
  );

Deno.test({
  name:
    "e2e team: Remove member and Leave team ask first and say what happens — a dialog with scripts (Cancel changes nothing), a page without; only the confirming button acts",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-team-remove-");
    const { team, users } = await seedTeam(seed, {
      members: ["olga", "max", "cleo", "dan", "eve"].map((username) => ({ username })),
    });
    await seedTeamEventType(seed, team, { slug: "call", title: "Call", teamMode: "round_robin" });
    // Max's alone: removing him leaves it with nobody, and the owner is told.
    await seedTeamEventType(seed, team, {
      slug: "intro",
      title: "Intro",
      teamMode: "round_robin",
      hostIds: [users[1].id],
    });
    kv.close();
    await using app = await startApp({ dataDir });
    const base = `/dashboard/teams/${team.id}`;
    const browser = await borrowBrowser();
    const session = async (who: string, javaScriptEnabled = true) =>
      await contextWithSession(browser, await signInByLink(app, `${who}@example.test`), {
        viewport: { width: 1280, height: 900 },
        javaScriptEnabled,
      });
    /** The members as the team's page lists them now (loaded again in a page with scripts). */
    const teamMembers = async (p: Page) => {
      await p.goto(app.url(base));
      return await members(p);
    };
    try {
      // ── with scripts: the owner removes Max ──
      const owner = await (await session("olga")).newPage();
      const errors = trackPageErrors(owner);
      await owner.goto(app.url(base));
      await hydrated(owner);
      await owner.getByRole("button", { name: "Remove Host max" }).click();
      const ask = owner.getByRole("dialog", { name: "Remove Host max from The Crew?" });
      await ask.waitFor();
      assert.match(await ask.innerText(), /The bookings they have stay theirs/);
      assert.deepEqual(await checkA11y(owner), [], "axe, remove dialog");
      await screenshot(owner, "team-remove-dialog");
      // Cancel: nothing happens.
      await ask.getByRole("button", { name: "Cancel" }).click();
      await ask.waitFor({ state: "hidden" });
      assert.ok((await members(owner)).includes("max@example.test"), "Max is still a member");
      // Asked again and confirmed: removed.
      await owner.getByRole("button", { name: "Remove Host max" }).click();
      await ask.getByRole("button", { name: "Remove from team" }).click();
      await owner.getByText("Member removed").waitFor();
      assert.ok(!(await members(owner)).includes("max@example.test"), "Max removed");
      const hostless = owner.getByTestId("removed-hostless");
      assert.match(await hostless.innerText(), /“Intro” now has nobody taking part/);
      assert.doesNotMatch(await hostless.innerText(), /Call/);
      await screenshot(owner, "team-remove-hostless");
      // Deleting an event type still asks the same way (its dialog is the same component).
      await owner.goto(app.url(`${base}/event-types`));
      await hydrated(owner);
      await owner.getByRole("button", { name: "Delete Call" }).click();
      const del = owner.getByRole("dialog", { name: "Delete “Call”?" });
      await del.waitFor();
      assert.match(await del.innerText(), /Bookings already made are kept/);
      await del.getByRole("button", { name: "Cancel" }).click();
      await del.waitFor({ state: "hidden" });

      // ── with scripts: Cleo leaves ──
      const cleo = await (await session("cleo")).newPage();
      const cleoErrors = trackPageErrors(cleo);
      await cleo.goto(app.url(base));
      await hydrated(cleo);
      await cleo.getByRole("button", { name: "Leave team" }).click();
      const leave = cleo.getByRole("dialog", { name: "Leave The Crew?" });
      await leave.waitFor();
      const said = await leave.innerText();
      assert.match(said, /The bookings you have stay yours/);
      assert.match(said, /Only a new invitation from an owner brings you back/);
      assert.deepEqual(await checkA11y(cleo), [], "axe, leave dialog");
      await screenshot(cleo, "team-leave-dialog");
      await leave.getByRole("button", { name: "Cancel" }).click();
      await leave.waitFor({ state: "hidden" });
      assert.equal(new URL(cleo.url()).pathname, base, "still on the team's page");
      await cleo.getByRole("button", { name: "Leave team" }).click();
      await leave.getByRole("button", { name: "Leave team" }).click();
      await cleo.waitForURL(/\/dashboard\/teams\?left=1$/);
      assert.deepEqual([...errors(), ...cleoErrors()], []);

      // ── without scripts: the owner removes Dan, Eve leaves ──
      const plain = await (await session("olga", false)).newPage();
      await plain.goto(app.url(base));
      await plain.getByRole("link", { name: "Remove Host dan" }).click();
      await plain.getByRole("heading", { name: "Remove Host dan from The Crew?" }).waitFor();
      assert.match(await plain.locator("main").innerText(), /The bookings they have stay theirs/);
      await screenshot(plain, "team-remove-page-no-js");
      // Checked by the owner's page with scripts (axe runs in the page; this one has none).
      await owner.goto(plain.url());
      assert.deepEqual(await checkA11y(owner), [], "axe, remove page");
      assert.ok((await teamMembers(owner)).includes("dan@example.test"), "asking changed nothing");
      await plain.getByRole("button", { name: "Remove from team" }).click();
      await plain.getByText("Member removed").waitFor();
      assert.ok(!(await teamMembers(owner)).includes("dan@example.test"), "Dan removed");

      const eve = await (await session("eve", false)).newPage();
      await eve.goto(app.url(base));
      await eve.getByRole("link", { name: "Leave team" }).click();
      await eve.getByRole("heading", { name: "Leave The Crew?" }).waitFor();
      assert.match(
        await eve.locator("main").innerText(),
        /Only a new invitation from an owner brings you back/,
      );
      await screenshot(eve, "team-leave-page-no-js");
      await eve.getByRole("button", { name: "Leave team" }).click();
      await eve.waitForURL(/\/dashboard\/teams\?left=1$/);
      assert.deepEqual(await teamMembers(owner), ["olga@example.test"]);
    } finally {
      await browser.close();
    }
  },
});
