/**
 * A routing form's page on a small phone (360 px), in every language: the funnel table's headers
 * ("Regel", "Weitergeleitet", "Gebucht") each stay inside their own column with space between
 * them, and the table fits the card. In German the two last headers ran together
 * ("WeitergeleitetGebucht"): the cells had no space between them and the long word overflowed.
 * Screenshots: test-results/screenshots/routing-funnel-360-*.png.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { signInByLink } from "../support/auth.ts";
import { borrowBrowser, contextWithSession, SCREENSHOTS } from "../support/browser.ts";
import { shootAll } from "../support/shots.ts";
import { publishedForm } from "../support/routing.ts";

const LANGS = ["en", "de", "fr", "es"];

Deno.test({
  name:
    "e2e routing forms at 360 px: the funnel's headers keep apart inside their columns in en, de, fr and es",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-funnel-360-");
    const host = await createHost(seed, { username: "rita" });
    const call = await createEventType(seed, host, { slug: "call", title: "Call" });
    const formId = await publishedForm(seed, host.id, "ask", {
      questions: [{ key: "size", type: "number", label: "Team size", required: true }],
      routes: [{
        id: "r_big",
        match: "all",
        conditions: [{ key: "size", op: "gte", values: ["10"] }],
        destination: { kind: "event_type", ownerId: host.id, eventTypeId: call.id },
      }],
      fallback: { kind: "message", text: "Thanks!" },
    });
    kv.close();
    await using app = await startApp({ dataDir });
    const owner = await signInByLink(app, "rita@example.test");
    const browser = await borrowBrowser();
    try {
      const url = app.url(`/dashboard/routing/${formId}`);
      for (const lang of LANGS) {
        const ctx = await contextWithSession(browser, owner, {
          viewport: { width: 360, height: 780 },
        });
        const page = await ctx.newPage();
        await page.goto(`${url}?lang=${lang}`);
        const table = page.locator("section[aria-labelledby=funnel-h] table");
        await table.waitFor();
        const found = await table.evaluate((t) => {
          const cells = [...t.querySelectorAll("thead th")] as HTMLElement[];
          const text = cells.map((th) => {
            const r = document.createRange();
            r.selectNodeContents(th);
            const b = r.getBoundingClientRect();
            return { text: th.textContent, left: b.left, right: b.right };
          });
          const box = (t.closest("section") as HTMLElement).getBoundingClientRect();
          return {
            text,
            overflowing: cells.filter((th) => th.scrollWidth > th.clientWidth)
              .map((th) => th.textContent),
            tableRight: t.getBoundingClientRect().right,
            cardRight: box.right,
          };
        });
        for (let i = 1; i < found.text.length; i++) {
          const [a, b] = [found.text[i - 1], found.text[i]];
          assert.ok(
            b.left - a.right >= 8,
            `${lang}: "${a.text}" and "${b.text}" are ${b.left - a.right} px apart`,
          );
        }
        assert.deepEqual(found.overflowing, [], `${lang}: headers wider than their column`);
        assert.ok(found.tableRight <= found.cardRight, `${lang}: the table fits the card`);
        if (SCREENSHOTS) {
          await page.locator("section[aria-labelledby=funnel-h]").screenshot({
            path: join(
              repoRoot,
              "test-results",
              "screenshots",
              `routing-funnel-360-table-${lang}.png`,
            ),
          });
        }
        await ctx.close();
      }
      const storageState = await (await contextWithSession(browser, owner)).storageState();
      await shootAll(browser, url, "routing-funnel-360", {
        views: [{ name: "phone360", viewport: { width: 360, height: 780 } }],
        langs: LANGS,
        ready: "section[aria-labelledby=funnel-h] table",
        storageState,
      });
    } finally {
      await browser.close();
    }
  },
});
