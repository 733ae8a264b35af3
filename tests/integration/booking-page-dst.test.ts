/**
 * The booking page of a guest whose clocks go back on the day they look at: the hour that comes
 * twice is two times told apart by their offsets, and a chosen hour across the change says when
 * it starts and ends ("2:00 AM (GMT+11)–2:00 AM (GMT+10)", not "2:00 AM–2:00 AM").
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";

/** Sydney's clocks go back on the first Sunday of April: the next one ahead of the real clock. */
function nextSydneyFallBack(nowMs = Date.now()): string {
  for (let y = new Date(nowMs).getUTCFullYear();; y++) {
    const d = new Date(Date.UTC(y, 3, 1));
    d.setUTCDate(1 + (7 - d.getUTCDay()) % 7);
    // Two days ahead at least: its 2 AM is the day before in UTC.
    if (d.getTime() > nowMs + 2 * 86_400_000) return d.toISOString().slice(0, 10);
  }
}
const DAY = nextSydneyFallBack();

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

Deno.test({
  name:
    "booking page: a Sydney guest on the day their clocks go back (the first Sunday of April) reads the repeated 2 AM twice with offsets, and the chosen hour across the change with both",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-dst-page-");
    const host = await createHost(seed, {
      username: "ny",
      timeZone: "America/New_York",
      weekly: EVERY_DAY_ALL_DAY,
    });
    await createEventType(seed, host, {
      slug: "hour",
      durationMin: 60,
      requiresConfirmation: false,
      bookingWindowDays: 365,
    });
    kv.close();
    await using app = await startApp({ dataDir });
    const guest = createClient(app.baseUrl);
    const day = await guest.get(
      `/calendar/ny/hour?tz=Australia%2FSydney&clock=12h&lang=en&date=${DAY}`,
    );
    assert.equal(day.status, 200);
    const labels = [...day.body.matchAll(/data-slot="([^"]+)"[^>]*>([^<]+)</g)].map((m) => [
      m[1],
      m[2].trim(),
    ]);
    const twice = labels.filter(([, l]) => l.startsWith("2:00 AM"));
    assert.deepEqual(twice.map(([, l]) => l), ["2:00 AM (GMT+11)", "2:00 AM (GMT+10)"]);
    const chosen = await guest.get(
      `/calendar/ny/hour?tz=Australia%2FSydney&clock=12h&lang=en&date=${DAY}&slot=${
        encodeURIComponent(twice[0][0])
      }`,
    );
    assert.match(text(chosen.body), /2:00 AM \(GMT\+11\)–2:00 AM \(GMT\+10\)/);
  },
});
