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

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

Deno.test({
  name:
    "booking page: a Sydney guest on 4 April 2027 reads the repeated 2 AM twice with offsets, and the chosen hour across the change with both",
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
      "/calendar/ny/hour?tz=Australia%2FSydney&clock=12h&lang=en&date=2027-04-04",
    );
    assert.equal(day.status, 200);
    const labels = [...day.body.matchAll(/data-slot="([^"]+)"[^>]*>([^<]+)</g)].map((m) => [
      m[1],
      m[2].trim(),
    ]);
    const twice = labels.filter(([, l]) => l.startsWith("2:00 AM"));
    assert.deepEqual(twice.map(([, l]) => l), ["2:00 AM (GMT+11)", "2:00 AM (GMT+10)"]);
    const chosen = await guest.get(
      `/calendar/ny/hour?tz=Australia%2FSydney&clock=12h&lang=en&date=2027-04-04&slot=${
        encodeURIComponent(twice[0][0])
      }`,
    );
    assert.match(text(chosen.body), /2:00 AM \(GMT\+11\)–2:00 AM \(GMT\+10\)/);
  },
});
