/**
 * A booking page refused after a post without JavaScript (a date of the series was taken) is at
 * the form's address, `?/book&…`: its links (languages, clock, zones) must lead to the page, not
 * carry SvelteKit's action key (`?%2Fbook=`), which posted nothing and kept the refusal's address.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";

const WEEK = 7 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

Deno.test({
  name:
    "refused booking page (no JavaScript, a series date taken): no language, clock or zone link carries the form's action (?/book, %2Fbook)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-refused-links-");
    const allDay = [{ start: "00:00", end: "24:00" }];
    const host = await createHost(seedApp, {
      username: "coach",
      timeZone: "UTC",
      weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
    });
    for (
      const t of [
        { slug: "weekly", durationMin: 60, series: { everyWeeks: 1, count: 4, freeOnly: false } },
        { slug: "call", durationMin: 60 },
      ]
    ) await createEventType(seedApp, host, { requiresConfirmation: false, ...t });
    kv.close();
    try {
      await using app = await startApp({ dataDir });
      const first = Date.parse(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) +
        9 * 3_600_000;
      const post = (slug: string, query: string, who: string) =>
        fetch(`${app.baseUrl}/calendar/coach/${slug}?/book${query}`, {
          method: "POST",
          headers: {
            origin: app.baseUrl,
            accept: "text/html",
            "accept-language": "en-US",
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({
            name: `Guest ${who}`,
            email: `${who}@example.test`,
            note: "",
            start: iso(first),
            tz: "UTC",
          }),
          redirect: "manual",
        });
      const single = await post("call", "", "single");
      assert.equal(single.status, 303);
      await single.body?.cancel();
      // The third date of the series is taken now.
      const taken = await fetch(`${app.baseUrl}/calendar/coach/call?/book`, {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          name: "Other",
          email: "other@example.test",
          note: "",
          start: iso(first + 2 * WEEK + 3_600_000),
          tz: "UTC",
        }),
        redirect: "manual",
      });
      assert.equal(taken.status, 303);
      await taken.body?.cancel();
      const q = `&date=${iso(first).slice(0, 10)}&slot=${
        encodeURIComponent(iso(first + 3_600_000))
      }&tz=UTC`;
      const refused = await fetch(`${app.baseUrl}/calendar/coach/weekly?/book${q}`, {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "accept-language": "en-US",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          name: "Guest",
          email: "guest@example.test",
          note: "",
          start: iso(first + 3_600_000),
          tz: "UTC",
        }),
        redirect: "manual",
      });
      const html = await refused.text();
      assert.equal(refused.status, 409, html.slice(0, 300));
      const hrefs = [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)].map((m) =>
        m[1].replaceAll("&amp;", "&")
      );
      const langs = hrefs.filter((h) => /[?&]lang=/.test(h));
      const clocks = hrefs.filter((h) => /[?&]clock=/.test(h));
      assert.ok(langs.length >= 4, `language links: ${langs.join(" ")}`);
      assert.ok(clocks.length >= 1, `clock links: ${clocks.join(" ")}`);
      const leaking = hrefs.filter((h) => /%2Fbook|\?\/|&\//.test(h));
      assert.deepEqual(leaking, [], "links carrying the form's action");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
