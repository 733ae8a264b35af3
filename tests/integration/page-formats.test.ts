/**
 * ADR 058: a page carries the formats its own render made (`<script type="application/json"
 * id="invito-formats">`), for the browser to hydrate from without `Intl`. Renders side by side
 * never lend each other theirs, and a page a cache keeps carries what it shows.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";

const block = (html: string): Record<string, string> | null => {
  const m = /<script type="application\/json" id="invito-formats">(.*?)<\/script>/s.exec(html);
  return m ? JSON.parse(m[1]) : null;
};

Deno.test({
  name:
    "page formats: forty booking pages rendered at once in four zones and four languages each carry only their own zone's and language's formats, which are the words the page shows",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
    const zones = ["Asia/Tokyo", "America/New_York", "Europe/Berlin", "Australia/Adelaide"];
    const langs = ["en-US", "de-DE", "fr-FR", "es-ES"];
    const asks = Array.from({ length: 40 }, (_, i) => ({
      zone: zones[i % 4],
      lang: langs[Math.floor(i / 4) % 4],
      // Distinct URLs, so no page is a kept copy of another (each is rendered).
      url: app.url(
        `/calendar/demo/intro-call?tz=${encodeURIComponent(zones[i % 4])}&n=${i}`,
      ),
    }));
    const pages = await Promise.all(asks.map(async (a) => ({
      ...a,
      html: await (await fetch(a.url, { headers: { "accept-language": a.lang } })).text(),
    })));
    for (const { zone, lang, html } of pages) {
      const formats = block(html);
      assert.ok(formats, `${zone} ${lang}: no formats`);
      const keys = Object.keys(formats);
      assert.ok(keys.length >= 10, `${zone} ${lang}: ${keys.length} formats`);
      for (const key of keys) {
        const args = key.split("|");
        // Every answer is for this page's zone (or a zone-less civil date), in its language.
        assert.ok(
          !args.some((a) => a.includes("/") && a !== zone),
          `${zone} ${lang}: ${key}`,
        );
        if (args[0] !== "zo" && args[0] !== "iso") {
          assert.equal(args.at(-1), lang, `${zone} ${lang}: ${key}`);
        }
      }
      // What the page shows is what it carries: the month's title and the zone's offset.
      const title = /id="month-title"[^>]*>([^<]*)</.exec(html)?.[1];
      // (A heading begins with a capital: "Novembre 2026".)
      assert.ok(
        title && Object.values(formats).some((v) => title.toLowerCase() === v.toLowerCase()),
        title,
      );
      const offset = Object.entries(formats).find(([k]) => k.startsWith("zo|"))?.[1];
      // (The settings line writes its minus as a minus sign: "GMT−5", format.ts zoneCityOffset.)
      assert.ok(
        offset && html.includes(`(${offset.replace("-", "\u2212")})`),
        `${zone}: ${offset}`,
      );
    }
    // A kept page (the same URL again) carries the same.
    const again = await (await fetch(asks[5].url, { headers: { "accept-language": asks[5].lang } }))
      .text();
    assert.deepEqual(block(again), block(pages[5].html));
  },
});
