/**
 * embed.js's prefill, each value as long as the field it fills takes and the widget's address
 * within 8,000 characters (ADR 046 "Prefill"), driven by a site's page in Chromium: a site that
 * passes answers longer than any booking question takes (2,000) gets a widget that opens, with
 * its name and email filled in and its note whole; a name one over the form's 100 is left out.
 * Before, embed.js put every value up to 4,000 characters into the address, and four such
 * answers in a script other than Latin (nine characters each as sent) made an address past the
 * server's 64 KiB request head: the connection was dropped and the frame stayed broken. A
 * routing form's long answer takes 4,000 (filled in whole), one over is left out.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { borrowBrowser, hydrated } from "../support/browser.ts";
import { freePort } from "../support/ports.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { publishedForm } from "../support/routing.ts";
import { fullDay } from "../support/slots.ts";

Deno.test({
  name:
    "e2e embed prefill fields: values as long as their fields take, the address within 8,000 characters; long answers no longer break the widget",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-embed-fields-");
    const host = await createHost(seed, { username: "nora", weekly: EVERY_DAY_ALL_DAY });
    await createEventType(seed, host, {
      slug: "chat",
      title: "Chat",
      questions: [{ id: "topic001", type: "long", label: "Topic", required: false }],
    });
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
    // The widget opens on a day from tomorrow on (in the browser's zone, the machine's): its own
    // first day may be today, whose first time can pass before the click, and a passed time
    // opens no form.
    const onDay = (await fullDay(app.baseUrl, "/calendar/nora/chat", {
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      min: 1,
    })).date;
    const browser = await borrowBrowser();
    try {
      const open = async (url: string, prefill: Record<string, unknown>) => {
        script = `Invito.inline({ url: ${JSON.stringify(url)}, parent: "#book", prefill: ${
          JSON.stringify(prefill)
        } });`;
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.2:${server.addr.port}/`);
        const iframe = await page.waitForSelector("#book iframe");
        const src = (await iframe.getAttribute("src"))!;
        return { page, src, frame: (await iframe.contentFrame())! };
      };

      const long = "中".repeat(2_000);
      const note = "y".repeat(2_000);
      const first = await open(`/widget/nora/chat?date=${onDay}`, {
        email: "zoe@example.test",
        note,
        answers: { topic001: long + "!", a: long, b: long, c: long },
      });
      assert.ok(first.src.length <= 8_000, `the widget's address: ${first.src.length} characters`);
      await hydrated(first.frame);
      await first.frame.locator("a[data-slot]").first().click();
      await first.frame.locator("#b-note").waitFor();
      assert.equal(await first.frame.inputValue("#b-email"), "zoe@example.test");
      assert.equal((await first.frame.inputValue("#b-note")).length, note.length);
      assert.equal(await first.frame.inputValue("[name=q_topic001]"), "");
      await first.page.close();

      // The form's own limits: 100 for a name (101 left out), a long answer of 2,000 whole.
      const second = await open(`/widget/nora/chat?date=${onDay}`, {
        name: "n".repeat(101),
        email: "zoe@example.test",
        answers: { topic001: "t".repeat(2_000) },
      });
      assert.ok(!new URL(second.src).searchParams.has("name"), "a 101-character name left out");
      await hydrated(second.frame);
      await second.frame.locator("a[data-slot]").first().click();
      await second.frame.locator("#b-note").waitFor();
      assert.equal(await second.frame.inputValue("#b-name"), "");
      assert.equal((await second.frame.inputValue("[name=q_topic001]")).length, 2_000);
      await second.page.close();

      // A routing form's long answer takes 4,000: whole; 4,001 left out.
      for (const [length, shown] of [[4_000, 4_000], [4_001, 0]]) {
        const form = await open("/widget/forms/nora/ask", {
          name: "Zoë Example",
          answers: { details: "z".repeat(length) },
        });
        await hydrated(form.frame);
        const details = await form.frame.inputValue("textarea[name=details]");
        assert.equal(details.length, shown, `an answer of ${length}`);
        assert.equal(await form.frame.inputValue("input[name=name]"), "Zoë Example");
        await form.page.close();
      }

      // A hand-made link far longer than embed.js makes (60,000 characters, within the server's
      // 64 KiB request head): the page opens, the over-long note left out, the name used.
      const { date, slots } = await fullDay(app.baseUrl, "/calendar/nora/chat", { min: 1 });
      const res = await fetch(
        app.url(
          `/calendar/nora/chat?date=${date}&slot=${encodeURIComponent(slots[0])}&tz=UTC` +
            `&name=Zoe&note=${"y".repeat(60_000)}`,
        ),
      );
      const html = await res.text();
      assert.equal(res.status, 200);
      assert.match(html, /id="b-name"[^>]*value="Zoe"/);
      assert.match(html, /<textarea[^>]*id="b-note"[^>]*><\/textarea>/);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
