/**
 * Filter rows where a text box stands beside a drop-down: the admin's people list (search and
 * state), the audit log (kind, who, from, to) and a routing form's responses (route, booked,
 * search). Each box of a row is as tall as the others, at 360 px and on a desktop, light and
 * dark, and so is the row's button. Before, a text box was 2 px taller than the select beside it
 * (38 px against 36 px), and than a primary button: their bottoms lined up, their tops did not. Screenshots: test-results/screenshots/field-heights-*.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore, WORKDAYS } from "../support/memory-app.ts";
import { signInByLink } from "../support/auth.ts";
import { publishedForm } from "../support/routing.ts";
import { borrowBrowser, contextWithSession, inEachScheme, screenshot } from "../support/browser.ts";

const VIEWS = [
  { name: "small", viewport: { width: 360, height: 740 } },
  { name: "desktop", viewport: { width: 1366, height: 768 } },
] as const;

Deno.test({
  name:
    "e2e field heights: on the admin pages and a routing form's responses, a text box is exactly as tall as the drop-down and the button beside it (it was 2 px taller), 360 px and desktop, light and dark",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-field-heights-");
    const host = await createHost(seed, { username: "rita", weekly: WORKDAYS });
    const call = await createEventType(seed, host, { slug: "call", title: "Call" });
    const formId = await publishedForm(seed, host.id, "ask", {
      questions: [{ key: "name", type: "short", label: "Name", required: true }],
      routes: [],
      fallback: { kind: "event_type", ownerId: host.id, eventTypeId: call.id },
    }, "Qualify");
    kv.close();
    await using app = await startApp({ dataDir, env: { INVITO_ADMINS: "rita@example.test" } });
    const rita = await signInByLink(app, "rita@example.test");
    const rows: Record<string, string[]> = {
      "/admin": ["#u-q", "#u-state"],
      "/admin/audit": ["#a-kind", "#a-who", "#a-from", "#a-to"],
      [`/dashboard/routing/${formId}/responses`]: ["#f-route", "#f-booked", "#f-q"],
    };
    const browser = await borrowBrowser();
    const problems: string[] = [];
    try {
      for (const view of VIEWS) {
        const ctx = await contextWithSession(browser, rita, {
          viewport: view.viewport,
          colorScheme: "light",
        });
        const page = await ctx.newPage();
        for (const [path, fields] of Object.entries(rows)) {
          const res = await page.goto(app.url(path));
          assert.equal(res?.status(), 200, path);
          await inEachScheme(page, async (scheme) => {
            const heights: string[] = [];
            for (const f of fields) {
              const box = await page.locator(f).boundingBox();
              assert.ok(box, `${path}: ${f} not shown`);
              heights.push(`${f} ${box.height}`);
            }
            // The row's button too: a primary one was 2 px shorter than the boxes (no border).
            const button = await page.locator("form", { has: page.locator(fields[0]) })
              .locator('button[type="submit"]').boundingBox();
            assert.ok(button, `${path}: no button`);
            heights.push(`button ${button.height}`);
            const distinct = new Set(heights.map((h) => h.split(" ")[1]));
            if (distinct.size > 1) {
              problems.push(`${path} ${view.name} ${scheme}: ${heights.join(", ")}`);
            }
            const name = path.startsWith("/admin") ? path.replace(/\//g, "-") : "-responses";
            await screenshot(page, `field-heights${name}-${view.name}-${scheme}`);
          });
        }
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, []);
  },
});
