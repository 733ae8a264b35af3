/**
 * embed.js's script API on a site of another origin, in Chromium: a routing form's public address
 * (/forms/{owner}/{slug}) is embeddable like a booking page's — inline, as a `data-invito`
 * snippet and in a popup — and routes the visitor on inside the frame; `Invito.inline` answers a
 * handle whose `destroy()` takes the widget away, and calling it again on the same element (a
 * React effect whose `url` changed) replaces the widget instead of doing nothing.
 */
import assert from "node:assert/strict";
import { type AppHandle, startApp } from "../support/app.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { freePort } from "../support/ports.ts";
import { borrowBrowser, trackPageErrors } from "../support/browser.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import type { Page } from "playwright-core";
import { makeDataDir } from "../support/data-dir.ts";
import { fullDay, openDay } from "../support/slots.ts";

async function withServer(fn: (app: AppHandle) => Promise<void>) {
  const dataDir = await makeDataDir("invito-embed-api-");
  try {
    const kv = await Deno.openKv(`${dataDir}/invito.kv`);
    try {
      const app = await memoryApp({ kv, guard: false, nowIso: new Date().toISOString() });
      const host = await createHost(app, { username: "rita", weekly: EVERY_DAY_ALL_DAY });
      const et = await createEventType(app, host, {
        slug: "chat",
        title: "Chat",
        requiresConfirmation: false,
        questions: [{ id: "k8x2", label: "Company", type: "short", required: false }],
      });
      await createEventType(app, host, { slug: "demo", title: "Demo" });
      const created = await createForm(app, host.id, { title: "Talk to us", slug: "talk" });
      assert.ok(created.ok);
      const saved = await saveForm(app, host.id, created.form.id, {
        title: "Talk to us",
        slug: "talk",
        description: "",
        active: true,
      }, {
        questions: [
          { key: "name", type: "short", label: "Your name", required: true },
          { key: "company", type: "short", label: "Company", required: false },
          {
            key: "topics",
            type: "multi",
            label: "Topics",
            required: false,
            options: ["Security", "Pricing", "A & B"],
          },
        ],
        routes: [],
        fallback: { kind: "event_type", ownerId: host.id, eventTypeId: et.id },
      });
      assert.ok(saved.ok);
    } finally {
      kv.close();
    }
    // (The fill-time check is not what this test is about.)
    const app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });
    try {
      await fn(app);
    } finally {
      await app.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/** A site on 127.0.0.2 whose page body is `body` (embed.js loaded first). */
function serveSite(appBase: string, body: string) {
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.2", port, onListen() {} }, () =>
    new Response(
      `<!doctype html><html lang="en"><head><title>Site</title><script src="${appBase}/embed.js"></script></head><body>${body}</body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    ));
  return { url: `http://127.0.0.2:${port}/`, close: () => server.shutdown() };
}

const frameSrcs = (page: Page, sel: string) =>
  page.locator(`${sel} iframe`).evaluateAll((fs) => fs.map((f) => (f as HTMLIFrameElement).src));

Deno.test({
  name:
    "e2e embed API: a routing form's address embeds inline, by snippet and in a popup, and routes inside the frame; inline() answers a handle to destroy and re-mount",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withServer(async (app) => {
      const site = serveSite(
        app.baseUrl,
        `<div id="a"></div><div id="b" data-invito="/forms/rita/talk"></div><div id="c"></div><div id="d"></div>
<script>
  window.heights = [];
  Invito.on("page_height", function (d, frame) { heights.push([frame.parentNode.id, d.height]); });
  window.handle = Invito.inline({ url: "${app.baseUrl}/forms/rita/talk", parent: "#a", prefill: { name: "Ada" } });
  Invito.inline({ url: "${app.baseUrl}/forms/rita/talk", parent: "#d", prefill: { answers: { topics: ["Pricing", "A & B"] } } });
</script>`,
      );
      const browser = await borrowBrowser();
      try {
        const ctx = await browser.newContext({ timezoneId: "Europe/Berlin" });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await page.goto(site.url);

        // Inline and by snippet: the form's widget, at /widget/forms/….
        await page.locator("#b iframe").waitFor();
        assert.match((await frameSrcs(page, "#a"))[0], /\/widget\/forms\/rita\/talk\?name=Ada$/);
        assert.match((await frameSrcs(page, "#b"))[0], /\/widget\/forms\/rita\/talk$/);
        // A multi select's prefill: the parameter once per value, both ticked in the form.
        assert.match((await frameSrcs(page, "#d"))[0], /\?q_topics=Pricing&q_topics=A\+%26\+B$/);
        const multi = page.frameLocator("#d iframe");
        await multi.getByRole("heading", { name: "Talk to us" }).waitFor();
        assert.ok(await multi.getByLabel("Pricing").isChecked());
        assert.ok(await multi.getByLabel("A & B").isChecked());
        assert.ok(!(await multi.getByLabel("Security").isChecked()));
        const form = page.frameLocator("#a iframe");
        await form.getByRole("heading", { name: "Talk to us" }).waitFor();
        // The frame follows the form's height (its own messages reach embed.js).
        const posted = await page.waitForFunction(() => {
          const h = (globalThis as unknown as { heights: [string, number][] }).heights
            .filter(([id]) => id === "a").at(-1)?.[1];
          const f = document.querySelector("#a iframe") as HTMLIFrameElement;
          return h && f.style.height === `${Math.max(200, Math.round(h))}px` ? h : null;
        });
        assert.ok(Number(await posted.jsonValue()) > 200);
        // The visitor answers and is sent on inside the frame, answers filled in.
        await form.getByLabel("Your name").fill("Ada Visitor");
        await form.getByLabel("Company").fill("Acme");
        await form.getByRole("button", { name: "Continue" }).click();
        // A day from tomorrow on: the page's own first day may be today, whose first time can
        // pass before the click, and a passed time opens no form.
        const { date } = await fullDay(app.baseUrl, "/calendar/rita/chat", {
          tz: "Europe/Berlin",
          min: 1,
        });
        await openDay(form, date);
        await form.locator("a[data-slot]").first().click();
        await form.locator("#b-name").waitFor();
        assert.equal(await form.locator("#b-name").inputValue(), "Ada Visitor");
        assert.equal(await form.locator("#q_k8x2").inputValue(), "Acme");
        assert.equal(new URL(page.url()).origin, new URL(site.url).origin, "the site stays");

        // A popup of the form.
        await page.evaluate(
          (base) =>
            (globalThis as unknown as { Invito: { popup(o: unknown): void } }).Invito.popup({
              url: `${base}/forms/rita/talk`,
            }),
          app.baseUrl,
        );
        const dialog = page.getByRole("dialog");
        await dialog.frameLocator("iframe").getByRole("heading", { name: "Talk to us" }).waitFor();
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "detached" });

        // destroy(): the frame goes; inline() on the element mounts again.
        await page.evaluate(() =>
          (globalThis as unknown as { handle: { destroy(): void } }).handle.destroy()
        );
        assert.equal(await page.locator("#a iframe").count(), 0);
        await page.evaluate((base) => {
          const I = (globalThis as unknown as {
            Invito: { inline(o: unknown): { destroy(): void; frame: HTMLIFrameElement } | null };
          }).Invito;
          const g = globalThis as unknown as Record<string, unknown>;
          g.first = I.inline({ url: `${base}/calendar/rita/chat`, parent: "#c" });
          // …and again with another address (a React effect re-run): replaced, not ignored.
          g.second = I.inline({ url: `${base}/calendar/rita/demo`, parent: "#c" });
          I.inline({ url: `${base}/calendar/rita/chat`, parent: "#a" });
        }, app.baseUrl);
        assert.deepEqual(
          (await frameSrcs(page, "#c")).map((s) => new URL(s).pathname),
          ["/widget/rita/demo"],
        );
        assert.deepEqual(
          (await frameSrcs(page, "#a")).map((s) => new URL(s).pathname),
          ["/widget/rita/chat"],
        );
        await page.frameLocator("#c iframe").getByRole("heading", { name: "Demo" }).waitFor();
        // The replaced widget's handle is spent: destroying it leaves the new one alone.
        await page.evaluate(() => {
          const g = globalThis as unknown as Record<string, { destroy(): void }>;
          g.first.destroy();
        });
        assert.equal(await page.locator("#c iframe").count(), 1);
        await page.evaluate(() => {
          const g = globalThis as unknown as Record<string, { destroy(): void }>;
          g.second.destroy();
          g.second.destroy(); // twice is harmless
        });
        assert.equal(await page.locator("#c iframe").count(), 0);
        assert.deepEqual(errors(), []);
        await ctx.close();
      } finally {
        await browser.close();
        await site.close();
      }
    });
  },
});
