/**
 * The dashboard's Home over HTTP against the built server, for a host with a recurring series and
 * a seated time: a guest's request for a six-date series is one request waiting (one Confirm
 * answers every date), and a seated time with two guests is one of the next meetings.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import { createEventType } from "../support/memory-app.ts";
import { formInstant as iso, seriesStore, tomorrowAtUtc as tomorrowAt } from "../support/series.ts";
import { postPlainRead } from "../support/http.ts";

const seed = () =>
  seriesStore("invito-home-series-", {
    count: 6,
    requiresConfirmation: true,
    more: (app, host) =>
      createEventType(app, host, {
        slug: "class",
        title: "Yoga class",
        durationMin: 60,
        requiresConfirmation: false,
        seats: { perTime: 5, showAttendees: false, hideCount: false },
      }),
  });

/** The text of the Home section whose list carries `testid`, tags and comments dropped. */
function listItems(html: string, testid: string): string[] {
  const list = html.match(new RegExp(`data-testid="${testid}"[^]*?</ul>`))?.[0] ?? "";
  return [...list.matchAll(/<li[^>]*>([^]*?)<\/li>/g)].map((m) =>
    m[1].replace(/<!--[^]*?-->/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim()
  );
}

Deno.test({
  name:
    "home over HTTP: a six-date series request waits as one request that says it is a series; a seated time with two guests is one next meeting naming how many come",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed();
    try {
      await using app = await startApp({ dataDir });
      const book = (slug: string, start: number, who: string) =>
        postPlainRead(app.baseUrl, `/calendar/coach/${slug}?/book`, {
          name: who,
          email: `${who.toLowerCase()}@example.test`,
          note: "",
          start: iso(start),
          tz: "UTC",
        });
      assert.equal((await book("weekly", tomorrowAt(9), "Pat")).status, 303);
      for (const who of ["Ada", "Bob"]) {
        assert.equal((await book("class", tomorrowAt(12), who)).status, 303);
      }
      const host = await signInByLink(app, "coach@example.test");
      const html = (await host.get("/dashboard")).body;
      // Before: six rows "Pat · Weekly coaching" with a Confirm each, under "Waiting for you (6)",
      // though the first Confirm answered all six.
      assert.equal(html.match(/Waiting for you \(\d+\)/)?.[0], "Waiting for you (1)");
      const pending = listItems(html, "home-pending");
      assert.equal(pending.length, 1, JSON.stringify(pending));
      assert.match(pending[0], /Pat · Weekly coaching/);
      assert.match(pending[0], /A series of 6 dates: Confirm or Reject answers every date/);
      // Before: "Ada · Yoga class" and "Bob · Yoga class", as if two meetings at one time.
      const next = listItems(html, "home-next");
      assert.equal(next.length, 1, JSON.stringify(next));
      assert.match(next[0], /2 guests · Yoga class/);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
