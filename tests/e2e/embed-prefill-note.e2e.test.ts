/**
 * embed.js's `prefill` fills in every field a booking link can (ADR 046 "Prefill": name, email,
 * note, phone, answers…): a site owner's page passes what it knows, the note among it — in
 * Cal.com's spelling (`notes`) too — and the widget's booking form opens with it, editable. Before,
 * embed.js dropped `note`, though the same value in a hand-made link (`?note=`) was filled in.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { borrowBrowser, hydrated } from "../support/browser.ts";
import { freePort } from "../support/ports.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { fullDay } from "../support/slots.ts";

Deno.test({
  name:
    "e2e embed prefill: Invito.inline's prefill fills in the note (note or notes) with name, email and an answer",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-embed-note-");
    const host = await createHost(seed, { username: "nora", weekly: EVERY_DAY_ALL_DAY });
    await createEventType(seed, host, {
      slug: "chat",
      title: "Chat",
      questions: [{ id: "company", label: "Company", type: "short", required: false }],
    });
    kv.close();
    await using app = await startApp({ dataDir });
    const { date } = await fullDay(app.baseUrl, "/calendar/nora/chat", { min: 2 });
    const note = "Über die Preise sprechen\nand the 😀 plan";
    let prefill = "";
    const server = Deno.serve(
      { hostname: "127.0.0.2", port: freePort(), onListen: () => {} },
      () =>
        new Response(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
<div id="book"></div><script src="${app.baseUrl}/embed.js"></script>
<script>Invito.inline({ url: "/widget/nora/chat", parent: "#book", prefill: ${prefill} });</script>
</body></html>`,
          { headers: { "content-type": "text/html; charset=utf-8" } },
        ),
    );
    const browser = await borrowBrowser();
    try {
      for (const field of ["note", "notes"]) {
        prefill = JSON.stringify({
          name: "Zoë Example",
          email: "zoe+shop@example.test",
          [field]: note,
          answers: { company: "Ünicode & Co" },
          date,
          timeZone: "UTC",
        });
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.2:${server.addr.port}/`);
        const frame = (await (await page.waitForSelector("#book iframe")).contentFrame())!;
        await hydrated(frame);
        await frame.locator("a[data-slot]").first().click();
        await frame.locator("#b-note").waitFor();
        assert.equal(await frame.inputValue("#b-name"), "Zoë Example");
        assert.equal(await frame.inputValue("#b-email"), "zoe+shop@example.test");
        assert.equal(await frame.inputValue("input[name=q_company]"), "Ünicode & Co");
        assert.equal(await frame.inputValue("#b-note"), note, `prefill.${field}`);
        await page.close();
      }
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
