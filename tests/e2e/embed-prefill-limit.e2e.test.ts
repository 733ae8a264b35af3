/**
 * embed.js hands each `prefill` value over whole, and a value that does not fit its field is left
 * out (ADR 046 "Prefill"): a note one character over the note's 2,000 leaves the note empty, a
 * note of exactly 2,000 is filled in, and a routing form's long answer of 3,000 characters (its
 * field takes 4,000) is filled in whole. Before, embed.js cut every value to 2,000 characters, so
 * an over-long note was shortened and used, and the long answer arrived cut.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { borrowBrowser, hydrated } from "../support/browser.ts";
import { freePort } from "../support/ports.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { fullDay } from "../support/slots.ts";
import { publishedForm } from "../support/routing.ts";

Deno.test({
  name:
    "e2e embed prefill: a value over its field's limit is left out, never cut to fit (note 2,001 → empty, 2,000 → whole; a form's 3,000-character answer → whole)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-embed-limit-");
    const host = await createHost(seed, { username: "nora", weekly: EVERY_DAY_ALL_DAY });
    await createEventType(seed, host, { slug: "chat", title: "Chat" });
    await publishedForm(seed, host.id, "ask", {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "details", type: "long", label: "Details", required: false },
      ],
      routes: [],
      fallback: { kind: "message", text: "Thanks!" },
    });
    kv.close();
    await using app = await startApp({ dataDir });
    const { date } = await fullDay(app.baseUrl, "/calendar/nora/chat", { min: 2 });
    let script = "";
    const server = Deno.serve(
      { hostname: "127.0.0.2", port: freePort(), onListen: () => {} },
      () =>
        new Response(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
<div id="book"></div><script src="${app.baseUrl}/embed.js"></script>
<script>${script}</script>
</body></html>`,
          { headers: { "content-type": "text/html; charset=utf-8" } },
        ),
    );
    const browser = await borrowBrowser();
    try {
      const open = async (url: string, prefill: Record<string, unknown>) => {
        script = `Invito.inline({ url: ${JSON.stringify(url)}, parent: "#book", prefill: ${
          JSON.stringify(prefill)
        } });`;
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.2:${server.addr.port}/`);
        const frame = (await (await page.waitForSelector("#book iframe")).contentFrame())!;
        await hydrated(frame);
        return { page, frame };
      };
      for (const [length, shown] of [[2_001, ""], [2_000, "y".repeat(2_000)]] as const) {
        const { page, frame } = await open("/widget/nora/chat", {
          name: "Zoë Example",
          note: "y".repeat(length),
          date,
          timeZone: "UTC",
        });
        await frame.locator("a[data-slot]").first().click();
        await frame.locator("#b-note").waitFor();
        assert.equal(await frame.inputValue("#b-name"), "Zoë Example");
        const note = await frame.inputValue("#b-note");
        assert.ok(note === shown, `a note of ${length}: ${note.length} characters shown`);
        await page.close();
      }
      const long = "z".repeat(3_000);
      const { page, frame } = await open("/widget/forms/nora/ask", {
        name: "Zoë Example",
        answers: { details: long },
      });
      const details = await frame.inputValue("textarea[name=details]");
      assert.ok(details === long, `${details.length} of the answer's 3,000 characters shown`);
      await page.close();
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
