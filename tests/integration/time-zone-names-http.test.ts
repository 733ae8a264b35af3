/**
 * A city typed as people write it in their language, through the doors that take it: the time
 * zone combobox's list (`GET /time-zones`) and the setup form's plain text field (no scripts).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signIn } from "../reliability/harness.ts";

Deno.test({
  name:
    "time zones by local city names: the combobox lists Wien, Lissabon, Londres, Nueva York and Pékin, and setup saves München typed without scripts",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp();
    for (
      const [q, lang, zone, label] of [
        ["Wien", "de", "Europe/Vienna", /^Wien — /],
        ["Lissabon", "de", "Europe/Lisbon", /^Lissabon — /],
        ["Londres", "fr", "Europe/London", /^Londres — /],
        ["Nueva York", "es", "America/New_York", /^Nueva York — /],
        ["Pekin", "fr", "Asia/Shanghai", /^Pékin, Chine — /],
      ] as const
    ) {
      const res = await fetch(app.url(`/time-zones?q=${encodeURIComponent(q)}`), {
        headers: { "accept-language": lang },
      });
      assert.equal(res.status, 200);
      const { matches } = await res.json() as { matches: { zone: string; label: string }[] };
      assert.equal(matches[0]?.zone, zone, `${q}: ${JSON.stringify(matches)}`);
      assert.match(matches[0].label, label, q);
    }

    const host = await signIn(app, "ann@example.test");
    const saved = await host.post("/dashboard/setup?/save", {
      name: "Ann",
      username: "ann",
      timeZone: "München",
      days: ["1", "2", "3", "4", "5"],
      start: "09:00",
      end: "17:00",
      eventTitle: "Gespräch",
      durationMin: "30",
    }, { headers: { "accept-language": "de-DE,de;q=0.9" } });
    assert.equal(saved.status, 303, saved.body.replace(/<[^>]+>/g, " ").slice(0, 2000));
    const profile = await host.get("/dashboard/profile");
    assert.match(profile.body, /Europe\/Berlin/, "the zone München keeps");
  },
});
