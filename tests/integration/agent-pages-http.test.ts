/**
 * The markdown booking page a program reads, against the built server: a host free all day (48
 * half-hour times a day) has more times than the page lists. Every day it lists is whole (the
 * same times as the JSON slots for that day), and the page says how many more there are and
 * links to the JSON slots of the days it left out.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInClient } from "../support/team-signin.ts";
import { finishSetupAllDay } from "../support/host-setup.ts";

Deno.test({
  name:
    "agent page over HTTP: never lists part of a day; says how many more free times there are and links to their JSON slots",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp();
    const host = await signInClient(app, "ada@example.test");
    await finishSetupAllDay(host, { name: "Ada", username: "ada", timeZone: "UTC" });
    const home = await (await fetch(`${app.baseUrl}/calendar/ada.md`)).text();
    const slug = /\/calendar\/ada\/([a-z0-9-]+)\.md/.exec(home)![1];

    // The JSON slots of the page's two weeks. The page lists from today, whose next time can
    // pass between the page and the JSON read: the JSON is read before and after the page, and
    // all three again while the two differ (a time passed in between), so that they agree.
    const first = new Date().toISOString().slice(0, 10);
    const slotsJson = async () =>
      await (await fetch(
        `${app.baseUrl}/api/v1/users/ada/event-types/${slug}/slots?start=${first}&end=${
          new Date(Date.parse(`${first}T00:00:00Z`) + 13 * 86_400_000).toISOString().slice(0, 10)
        }&timeZone=UTC`,
      )).json() as { slots: { start: string }[] };
    let md = "";
    let all: { slots: { start: string }[] } = { slots: [] };
    for (let read = 0; read < 3; read++) {
      const before = JSON.stringify(await slotsJson());
      md = await (await fetch(`${app.baseUrl}/calendar/ada/${slug}.md?tz=UTC`)).text();
      all = await slotsJson();
      if (JSON.stringify(all) === before) break;
    }
    const listed = md.split("\n").filter((l) => l.startsWith("- ") && l.includes("`20"));
    assert.ok(listed.length >= 1, md);
    const byDay = new Map<string, number>();
    for (const line of listed) {
      const starts = [...line.matchAll(/`(\d{4}-\d{2}-\d{2})T[^`]+`/g)].map((m) => m[1]);
      assert.equal(new Set(starts).size, 1, `one day per line: ${line.slice(0, 80)}`);
      byDay.set(starts[0], starts.length);
    }
    const more = /(\d+) more free times? from .+ to .+, each day whole: (\S+)/.exec(md);
    assert.ok(more, `the page says what it left out:\n${md.slice(0, 1500)}`);

    // Each listed day has all its times (the JSON slots of the same two weeks).
    const json = new Map<string, number>();
    for (const s of all.slots) {
      json.set(s.start.slice(0, 10), (json.get(s.start.slice(0, 10)) ?? 0) + 1);
    }
    for (const [day, n] of byDay) assert.equal(n, json.get(day), `${day} listed whole`);
    const listedTotal = [...byDay.values()].reduce((a, b) => a + b, 0);
    assert.equal(Number(more[1]), all.slots.length - listedTotal, "how many more");

    // The link answers with exactly those times.
    const rest = await (await fetch(more[2])).json() as { slots: { start: string }[] };
    assert.equal(rest.slots.length, Number(more[1]));
    assert.ok(rest.slots.every((s) => !byDay.has(s.start.slice(0, 10))), "only days not listed");
  },
});
