/**
 * A poll of many times on a phone: an invitee scrolls through its days, not through a full-width
 * box per time. The times sit under one heading per day as compact toggles, several to a row
 * (a tap goes yes → if need be → no, as in Doodle); the page stays a form that works without
 * scripts, reads to axe in light and dark, and the votes arrive as chosen. The host's own page
 * of answers fits the phone too.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  hydrated,
  screenshot,
  sidewaysScroll,
} from "../support/browser.ts";
import { fromTomorrow, startsIn } from "../support/slots.ts";
import { answerPoll } from "../support/poll.ts";

const HOST = "demo@invito.example";
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
/** Twenty times (a poll's most) over ten days: once ~4,350 px of full-width rows at 360 px. */
const MAX_PHONE_HEIGHT = 1_800;

const pageHeight = (page: Page) => page.evaluate(() => document.documentElement.scrollHeight);

/** The matrix row of an invitee: their answers in the host's words. */
function rowOf(matrix: string, name: string): string[] {
  const row = new RegExp(`<th scope="row"[^>]*>${name}</th>([\\s\\S]*?)</tr>`).exec(matrix);
  return row ? [...row[1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]) : [];
}

Deno.test({
  name:
    "poll page on a phone: twenty times over ten days under day headings as compact toggles (short page, no sideways scroll, axe light and dark), votes by tap and keyboard, with and without scripts, reach the host",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInByLink(app, HOST, { smtp });
    // Two times on each of ten days (UTC dates: the demo host's day times share one), paging on
    // with "Later days" as the host would: a weekend may fall in a page. None of today's: one
    // can pass while the test runs, and a passed time has no button on the host's page.
    const byDay = new Map<string, string[]>();
    let query = "type=quick-chat";
    for (let pageNo = 0; pageNo < 4; pageNo++) {
      const body = (await host.get(`/dashboard/polls?${query}`)).body;
      for (const s of fromTomorrow(startsIn(body))) {
        byDay.set(s.slice(0, 10), [...(byDay.get(s.slice(0, 10)) ?? []), s]);
      }
      if ([...byDay.values()].filter((d) => d.length >= 2).length >= 10) break;
      const later = /name="from" value="(\d{4}-\d{2}-\d{2})" data-testid="picker-later/.exec(body);
      assert.ok(later, `a "Later days" button after ${[...byDay.keys()]}`);
      query = `type=quick-chat&from=${later[1]}`;
    }
    const days = [...byDay.values()].filter((d) => d.length >= 2).slice(0, 10);
    assert.equal(days.length, 10, `ten days with two free times: ${[...byDay.keys()]}`);
    const form = new URLSearchParams({ type: "quick-chat", title: "Team offsite planning" });
    for (const d of days) for (const s of [d[0], d.at(-1)!]) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200, made.body.slice(0, 300));
    const id = /href="\/dashboard\/polls\/([0-9A-Z]{26})"/.exec(made.body)![1];
    const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;

    const browser = await borrowBrowser();
    try {
      for (const scheme of ["light", "dark"] as const) {
        const js = scheme === "dark";
        const ctx = await browser.newContext({
          viewport: PHONE,
          colorScheme: scheme,
          javaScriptEnabled: js,
        });
        const page = await ctx.newPage();
        await page.goto(app.url(path));
        if (js) await hydrated(page);
        const height = await pageHeight(page);
        assert.ok(height <= MAX_PHONE_HEIGHT, `${scheme}: the page is ${height} px tall at 360 px`);
        assert.equal(await sidewaysScroll(page), "", scheme);
        // One heading per day, each time once under it.
        assert.equal(await page.locator('[data-testid="poll-day"]').count(), 10, scheme);
        // Each toggle is a touch target a thumb finds.
        const box = await page.locator('[data-testid="poll-time-0"]').boundingBox();
        assert.ok(
          box && box.height >= 40 && box.width >= 44,
          `${scheme}: toggle ${JSON.stringify(box)}`,
        );
        if (js) assert.deepEqual(await checkA11y(page), [], scheme);
        await screenshot(page, `poll-phone-${scheme}`);

        const who = js ? "Ann Script" : "Ann Plain";
        await page.fill("#vote-name", who);
        await page.fill("#vote-email", `${js ? "script" : "plain"}@example.test`);
        const before = await page.getByTestId("poll-time-1").boundingBox();
        await answerPoll(page, 0, "yes");
        await answerPoll(page, 1, "maybe");
        // A tapped toggle stays where the finger is (its mark does not push it along).
        assert.deepEqual(await page.getByTestId("poll-time-1").boundingBox(), before, scheme);
        await answerPoll(page, 3, "yes");
        // The keyboard: the toggle's answers are a radio group; an arrow moves on from "No" to "Yes".
        await page.locator('input[name="t5"]:checked').focus();
        await page.keyboard.press("ArrowDown");
        assert.ok(
          await page.locator('input[name="t5"][value="yes"]').isChecked(),
          `${scheme}: arrow key`,
        );
        if (js) {
          // With scripts, Space on a toggle moves on as a tap does: No → Yes → If need be.
          await page.locator('input[name="t7"]:checked').focus();
          await page.keyboard.press("Space");
          await page.keyboard.press("Space");
          assert.ok(await page.locator('input[name="t7"][value="maybe"]').isChecked(), "Space");
          assert.deepEqual(await checkA11y(page), [], `${scheme}, answered`);
          await screenshot(page, `poll-phone-${scheme}-answered`);
        }
        await page.click('form[method="POST"] button[type="submit"]');
        await page.waitForSelector('[data-testid="vote-done"]');
        await ctx.close();
      }

      // The desktop in light and dark, and the page in German on a phone.
      for (const scheme of ["light", "dark"] as const) {
        const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: scheme });
        const page = await ctx.newPage();
        await page.goto(app.url(path));
        await hydrated(page);
        assert.deepEqual(await checkA11y(page), [], `desktop ${scheme}`);
        // The days side by side, not one long column.
        assert.ok((await pageHeight(page)) <= 1_100, `desktop: ${await pageHeight(page)} px tall`);
        await screenshot(page, `poll-desktop-${scheme}`);
        await ctx.close();
      }
      {
        const ctx = await browser.newContext({ viewport: PHONE });
        const page = await ctx.newPage();
        await page.goto(app.url(`${path}?lang=de`));
        await hydrated(page);
        assert.equal(await sidewaysScroll(page), "", "de");
        assert.ok((await pageHeight(page)) <= MAX_PHONE_HEIGHT, "de height");
        assert.deepEqual(await checkA11y(page), [], "de");
        await screenshot(page, "poll-phone-de");
        await ctx.close();
      }

      // The host's page of answers on a phone: no sideways scroll of the page, readable.
      for (const scheme of ["light", "dark"] as const) {
        const ctx = await contextWithSession(browser, host, {
          viewport: PHONE,
          colorScheme: scheme,
        });
        const page = await ctx.newPage();
        await page.goto(app.url(`/dashboard/polls/${id}`));
        await hydrated(page);
        assert.equal(await sidewaysScroll(page), "", `host ${scheme}`);
        // The times down the page under one heading per day, not twenty columns sideways; each
        // says who answered yes or if need be, and offers its button.
        const list = page.getByTestId("poll-days");
        assert.equal(await list.locator("h3").count(), 10, `host ${scheme}: day headings`);
        assert.equal(await list.locator("li").count(), 20, `host ${scheme}: times`);
        // Named as the language lists people ("Ann Plain and Ann Script"), not joined by commas.
        assert.match(
          await list.locator("li").nth(0).innerText(),
          /Yes: Ann (Script|Plain) and Ann (Plain|Script)\n/,
        );
        assert.match(await list.locator("li").nth(1).innerText(), /If need be: Ann/);
        assert.equal(
          await page.getByTestId("poll-matrix").isVisible(),
          false,
          "the table is the desktop's",
        );
        assert.equal(
          await list.getByRole("button", { name: /^Book this time: / }).count(),
          20,
          `host ${scheme}: a button per time`,
        );
        assert.deepEqual(await checkA11y(page), [], `host ${scheme}`);
        await screenshot(page, `poll-host-phone-${scheme}`);
        if (scheme === "dark") {
          await page.goto(app.url(`/dashboard/polls/${id}?lang=de`));
          assert.match(
            await page.getByTestId("poll-days").locator("li").nth(0).innerText(),
            /Ja: Ann (Script|Plain) und Ann (Plain|Script)\n/,
          );
        }
        await ctx.close();
      }
    } finally {
      await browser.close();
    }

    const matrix = (await host.get(`/dashboard/polls/${id}`)).body;
    const want = ["Yes", "If need be", "No", "Yes", "No", "Yes", ...Array(14).fill("No")];
    assert.deepEqual(rowOf(matrix, "Ann Plain"), want);
    assert.deepEqual(rowOf(matrix, "Ann Script"), want.with(7, "If need be"));
  },
});
