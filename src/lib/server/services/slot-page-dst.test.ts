import assert from "node:assert/strict";
import { getSlotPage } from "./slot-page.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../../../../tests/support/teams.ts";

Deno.test("getSlotPage: on the day a guest's clocks go back, the hour that comes twice is told apart by its offset; other times read as usual", async () => {
  // Sydney leaves daylight time at 3:00 on 4 April 2027: 2:00–2:59 comes twice.
  const app = await memoryApp({ nowIso: "2027-03-20T00:00:00Z" });
  try {
    const host = await createHost(app, {
      username: "ny",
      timeZone: "America/New_York",
      weekly: EVERY_DAY_ALL_DAY,
    });
    await createEventType(app, host, {
      slug: "hour",
      durationMin: 60,
      requiresConfirmation: false,
    });
    const page = await getSlotPage(app, {
      username: "ny",
      slug: "hour",
      timeZone: "Australia/Sydney",
      date: "2027-04-04",
      clock: "12h",
      locale: "en",
    });
    assert.ok(page.ok);
    const labels = page.ok ? page.slots.map((s) => s.label) : [];
    assert.equal(new Set(labels).size, labels.length, `labels repeat: ${labels.join(", ")}`);
    assert.ok(labels.includes("2:00 AM (GMT+11)"), labels.join(", "));
    assert.ok(labels.includes("2:00 AM (GMT+10)"), labels.join(", "));
    assert.ok(labels.includes("1:00 AM") && labels.includes("3:00 AM"), labels.join(", "));
  } finally {
    app.close();
  }
});
