/**
 * Guest pages' own links (languages, clocks, zones, the form's address) carry the parameters the
 * page reads, with values within their bounds — never the rest of the address it was opened at.
 * A 64 KB address of made-up parameters used to come back in every language link: a 421 KB page
 * (reflection amplification), and junk carried into every next address.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";

Deno.test({
  name:
    "guest pages opened with junk and huge parameters: their links carry none of it, the page stays small, tz/date/prefill/embed looks still carried",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-bounded-links-");
    const allDay = [{ start: "00:00", end: "24:00" }];
    const host = await createHost(seedApp, {
      username: "coach",
      timeZone: "UTC",
      weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
    });
    await createEventType(seedApp, host, { slug: "call", durationMin: 30 });
    kv.close();
    try {
      await using app = await startApp({ dataDir });
      const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const known = `tz=Europe%2FParis&month=${
        day.slice(0, 7)
      }&date=${day}&name=Ada&email=ada%40example.test&theme=dark&accent=0f766e&utm_source=news`;
      const big = "J".repeat(16_000);
      const junk = `junk=${big}&zzz${big}=1&note=${"N".repeat(16_000)}&ref=${"R".repeat(16_000)}`;
      for (
        const path of [
          "/calendar/coach/call",
          "/widget/coach/call",
          "/calendar/coach",
          "/widget/coach",
        ]
      ) {
        const small = await fetch(`${app.baseUrl}${path}?${known}`, {
          headers: { "accept-language": "en" },
        });
        const smallHtml = await small.text();
        assert.equal(small.status, 200, path);
        const res = await fetch(`${app.baseUrl}${path}?${known}&${junk}`, {
          headers: { "accept-language": "en" },
        });
        const html = await res.text();
        assert.equal(res.status, 200, path);
        const attrs = [...html.matchAll(/\b(?:href|action)="([^"]*)"/g)].map((m) =>
          m[1].replaceAll("&amp;", "&")
        );
        const junky = attrs.filter((h) => /JJJ|NNN|RRR|junk|zzz/.test(h));
        assert.deepEqual(junky.map((h) => h.slice(0, 80)), [], `${path}: links carrying junk`);
        // The page grows by no more than a few lines of text with the junk, not by copies of it.
        assert.ok(
          html.length < smallHtml.length + 4_000,
          `${path}: ${html.length} bytes with junk vs ${smallHtml.length} without`,
        );
        // The language links (the head's alternates name bare addresses).
        const langs = attrs.filter((h) => h.startsWith("/") && /[?&]lang=/.test(h));
        assert.ok(langs.length >= 4, `${path}: language links ${langs.length}`);
        for (const h of langs) {
          assert.match(h, /tz=Europe%2FParis/, `${path}: ${h}`);
          if (path.endsWith("/call")) {
            assert.match(h, new RegExp(`date=${day}`), `${path}: ${h}`);
            assert.match(h, /name=Ada/, `${path}: ${h}`);
            assert.match(h, /email=ada%40example\.test/, `${path}: ${h}`);
            assert.match(h, /utm_source=news/, `${path}: ${h}`);
          }
          if (path.startsWith("/widget/")) assert.match(h, /theme=dark/, `${path}: ${h}`);
        }
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
