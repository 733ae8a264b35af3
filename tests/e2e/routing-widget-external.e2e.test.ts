/**
 * A routing form in the widget that sends a visitor to another site (README: "to another https
 * page"): the site is opened as the embedding page, never inside the frame — most sites refuse
 * to be framed, and the visitor was shown a broken frame where the form had been. With the
 * host's "open the thank-you page in place of my page", embed.js takes the embedding page there
 * at once (`invito:redirect`) — unless the address holds the visitor's answers and the widget may
 * be framed anywhere (guest data never goes to "*"); otherwise the frame offers the site as a
 * link that opens in place of the embedding page.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createHost, seedStore } from "../support/memory-app.ts";
import { borrowBrowser, hydrated } from "../support/browser.ts";
import { freePort } from "../support/ports.ts";
import { publishedForm } from "../support/routing.ts";
import { updateUser } from "../../src/lib/server/store/users.ts";
import type { Page } from "playwright-core";

const NEXT = "https://shop.invalid/next";

Deno.test({
  name:
    "e2e routing widget: a route to another site opens it as the embedding page (at once when the host allows it, else by its link), never inside the frame; answers in its address are never posted to '*'",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-ext-");
    const host = await createHost(seed, { username: "ella" });
    for (const [slug, appendAnswers] of [["ask", true], ["plain", false]] as const) {
      await publishedForm(seed, host.id, slug, {
        questions: [{ key: "name", type: "short", label: "Name", required: true }],
        routes: [],
        fallback: { kind: "url", url: NEXT, appendAnswers },
      });
    }
    kv.close();
    const port = freePort();
    let appBase = "";
    // The site that embeds the form (another origin than Invito's).
    const shop = Deno.serve(
      { hostname: "127.0.0.2", port, onListen: () => {} },
      () =>
        new Response(
          `<!doctype html><html lang="en"><head><title>Shop</title></head><body>
<div id="f"></div><script src="${appBase}/embed.js"></script>
<script>window.__seen = [];
window.addEventListener("message", function (e) { window.__seen.push(JSON.stringify(e.data)); });
Invito.inline({ url: "/forms/ella/" + location.hash.slice(1), parent: "#f" });</script></body></html>`,
          { headers: { "content-type": "text/html; charset=utf-8" } },
        ),
    );
    const browser = await borrowBrowser();
    try {
      // Whether the host lets the widget take the embedding page along, the form, and whether
      // it then goes at once.
      const cases = [
        [false, "ask", false],
        [true, "plain", true],
        // The answers are in the address, and the widget may be framed anywhere: not posted.
        [true, "ask", false],
      ] as const;
      for (const [allowed, slug, atOnce] of cases) {
        // The host's "open the thank-you page in place of my page" (the Embed page's setting).
        const store = await Deno.openKv(`${dataDir}/invito.kv`);
        await updateUser(store, host.id, { embedNavigateParent: allowed });
        store.close();
        await using app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });
        const parent = `http://127.0.0.2:${port}/`;
        appBase = app.baseUrl;
        const page: Page = await browser.newPage();
        const loaded: { url: string; top: boolean }[] = [];
        await page.route(`${NEXT}**`, (r) => {
          loaded.push({ url: r.request().url(), top: r.request().frame() === page.mainFrame() });
          return r.fulfill({ contentType: "text/html", body: "<h1>Next step</h1>" });
        });
        await page.goto(`${parent}#${slug}`);
        const frame = (await (await page.waitForSelector("#f iframe")).contentFrame())!;
        await hydrated(frame);
        await frame.fill("#rf-name", "Vic");
        await frame.locator("button[type=submit]").click();
        if (atOnce) {
          await page.waitForURL(`${NEXT}**`);
        } else {
          const go = frame.getByRole("link", { name: "Continue to shop.invalid" });
          await go.waitFor();
          assert.equal(await go.getAttribute("target"), "_top");
          const seen: string[] = await page.evaluate(() =>
            (globalThis as unknown as { __seen: string[] }).__seen
          );
          assert.ok(!seen.some((m) => m.includes("Vic")), `answers told: ${seen.join(" ")}`);
          await go.click();
          await page.waitForURL(`${NEXT}**`);
        }
        assert.ok(loaded.length > 0);
        assert.ok(
          loaded.every((l) => l.top),
          `the other site opened as the embedding page, not in the frame: ${
            JSON.stringify(loaded)
          }`,
        );
        assert.equal(
          new URL(page.url()).searchParams.get("name"),
          slug === "ask" ? "Vic" : null,
        );
        await page.close();
      }
    } finally {
      await browser.close();
      await shop.shutdown();
    }
  },
});
