/**
 * A booking page's `slot=` at the ends of what JavaScript's Date reads (year -271821, +275760),
 * over HTTP against the built server: the page opens and says the time is not free, as for any
 * time it does not offer, on a seated, a repeating and a plain event type, alone and embedded.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";

async function seed() {
  const { dataDir, kv, app } = await seedStore("invito-far-slot-");
  const host = await createHost(app, { username: "coach", timeZone: "Europe/Berlin" });
  await createEventType(app, host, { slug: "call", requiresConfirmation: false });
  await createEventType(app, host, {
    slug: "class",
    requiresConfirmation: false,
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  await createEventType(app, host, {
    slug: "weekly",
    requiresConfirmation: false,
    series: { everyWeeks: 1, count: 4, freeOnly: false },
  });
  kv.close();
  return dataDir;
}

Deno.test({
  name:
    "booking page over HTTP: slot= at the ends of Date's range opens the page with 'no longer free', never a 500",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed();
    try {
      await using app = await startApp({ dataDir });
      // Date.parse reads both; Temporal cannot place them in a zone west or east of UTC.
      for (const slot of ["-271821-04-20T00:00:00Z", "+275760-09-13T00:00:00Z"]) {
        for (
          const page of [
            "/calendar/coach/call",
            "/calendar/coach/class",
            "/calendar/coach/weekly",
            "/widget/coach/class",
          ]
        ) {
          const q = new URLSearchParams({ slot, tz: "America/New_York" });
          const res = await fetch(`${app.baseUrl}${page}?${q}`);
          const html = await res.text();
          assert.equal(res.status, 200, `${page} slot=${slot}: ${res.status}`);
          assert.match(html, /That time is no longer free/, `${page} slot=${slot}`);
        }
      }
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
