/**
 * The host's poll page is live (issue 28: "the host sees the matrix (live, accessible table)"):
 * while it is open in Chromium, an answer posted over HTTP appears in the table without a reload,
 * and a polite live region says who answered; without scripts a reload shows the latest.
 */
import assert from "node:assert/strict";
import { fromTomorrow } from "../support/slots.ts";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";
import { createClient } from "../support/http.ts";

Deno.test({
  name:
    "meeting poll in Chromium: an answer posted over HTTP appears in the host's open matrix without a reload, announced politely",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    try {
      const page = await browser.newPage();
      const errors = trackPageErrors(page);
      await signInAs(page, app.baseUrl, "demo@invito.example", smtp);
      await page.goto(app.url("/dashboard/polls?type=quick-chat"));
      const free = fromTomorrow(
        await page.locator('input[name="start"]').evaluateAll((els) =>
          els.map((e) => (e as HTMLInputElement).value)
        ),
      );
      // The host makes a poll of two times through the dashboard's own form.
      const body = new URLSearchParams({ type: "quick-chat", title: "Live sync" });
      body.append("start", free[0]);
      body.append("start", free[3]);
      const ok = await page.request.post(app.url("/dashboard/polls?/create"), {
        data: body.toString(),
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
      });
      const html = await ok.text();
      assert.equal(ok.status(), 200, html.slice(0, 300));
      const id = /href="\/dashboard\/polls\/([0-9A-Z]{26})"/.exec(html)![1];
      const pollPath = new URL(/data-testid="poll-url">([^<]+)</.exec(html)![1]).pathname;

      await page.goto(app.url(`/dashboard/polls/${id}`));
      const matrix = page.getByTestId("poll-matrix");
      await matrix.waitFor();
      // A poll opens from the bookings list: the tabs say the host is in Bookings (no tab was
      // current, and a phone's menu read "Menu" alone).
      assert.equal(
        await page.getByRole("link", { name: "Bookings", exact: true }).getAttribute(
          "aria-current",
        ),
        "page",
      );
      assert.equal(await matrix.locator("tbody tr").count(), 0);
      const live = page.getByTestId("poll-live");
      assert.equal(await live.getAttribute("aria-live"), "polite");
      const loadsBefore = await page.evaluate(() =>
        performance.getEntriesByType("navigation").length
      );

      // An invitee answers from elsewhere, without scripts.
      const vote = await createClient(app.baseUrl).post(`${pollPath}?/vote`, {
        name: "Zoë Voter",
        email: "zoe@example.test",
        t0: "yes",
        t1: "maybe",
      });
      assert.equal(vote.status, 200);
      const row = matrix.locator("tbody tr", { hasText: "Zoë Voter" });
      await row.waitFor({ timeout: 20_000 });
      assert.deepEqual(await row.locator("td").allTextContents(), ["Yes", "If need be"]);
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="poll-live"]')?.textContent?.includes(
            "Zoë Voter answered.",
          ),
        undefined,
        { timeout: 20_000 },
      );
      assert.match(await matrix.locator("tfoot").innerText(), /1 yes, 0 if need be/);
      assert.equal(
        await page.evaluate(() => performance.getEntriesByType("navigation").length),
        loadsBefore,
        "no reload",
      );
      assert.equal(page.url(), app.url(`/dashboard/polls/${id}`));
      assert.deepEqual(await checkA11y(page), []);
      // Each row reads from its top, as the other tables do: "Invitee" beside a time in two
      // lines and "Total" beside a count over its button were centred on them.
      const sunk = await matrix.evaluate((table) =>
        [...table.querySelectorAll("tr")].flatMap((tr) => {
          const tops = [...tr.querySelectorAll("th, td")].flatMap((cell) => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const first = [...range.getClientRects()].find((r) => r.width > 1);
            return first ? [Math.round(first.top)] : [];
          });
          return Math.max(...tops) - Math.min(...tops) > 3 ? [tr.textContent!.trim()] : [];
        })
      );
      assert.deepEqual(sunk, [], "rows whose cells start at different heights");
      await screenshot(page, "poll-matrix-live");
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});
