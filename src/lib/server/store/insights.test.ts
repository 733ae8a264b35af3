import assert from "node:assert/strict";
import { addCounts, openCounts, type OwnedDelta, readCounts } from "./insights.ts";
import { guardKv } from "../../../../tests/support/kv-guard.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const DAY = 86_400_000;
const day = (offset: number) => new Date(NOW + offset * DAY).toISOString().slice(0, 10);
const delta = (d: string, n = 1, metric = "view"): OwnedDelta => ({
  ownerId: "host",
  family: "ev",
  day: d,
  eventTypeId: "et",
  metric,
  n,
});
const sum = (rows: { n: number }[]) => rows.reduce((s, r) => s + r.n, 0);

Deno.test("insights store: a copy of old days is never stale, even when another process writes to them", async () => {
  const raw = await Deno.openKv(":memory:");
  const kv = guardKv(raw);
  try {
    await addCounts(kv, [delta(day(-10)), delta(day(-1)), delta(day(0))], NOW);
    const first = await openCounts(kv, "host", NOW);
    assert.equal(sum(await first.read("ev", day(-30), day(0))), 3);
    // A count in flight at midnight lands on an old day, written by another process.
    await addCounts(kv, [delta(day(-10), 2)], NOW);
    const second = await openCounts(kv, "host", NOW);
    assert.equal(sum(await second.read("ev", day(-30), day(0))), 5);
    assert.equal(sum(await second.read("ev", day(-10), day(-10))), 3);
    // Recent days are always read fresh.
    await addCounts(kv, [delta(day(0), 4)], NOW);
    assert.equal(sum(await (await openCounts(kv, "host", NOW)).read("ev", day(-1), day(0))), 6);
  } finally {
    raw.close();
  }
});

Deno.test("insights store: reading through the copy gives what a straight scan gives, for any ranges in any order", async () => {
  const raw = await Deno.openKv(":memory:");
  const kv = guardKv(raw);
  try {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const deltas: OwnedDelta[] = [];
    for (let i = 0; i < 2_000; i++) {
      deltas.push(
        delta(day(-Math.floor(random() * 400)), 1 + Math.floor(random() * 3), `m${i % 7}`),
      );
    }
    // More than one atomic write's worth of sums, and decrements among them.
    deltas.push(delta(day(-5), -1, "m1"), delta(day(-300), -2, "m2"));
    await addCounts(kv, deltas, NOW);
    const key = (r: { day: string; metric: string; n: number }) => `${r.day} ${r.metric} ${r.n}`;
    for (let i = 0; i < 40; i++) {
      const a = Math.floor(random() * 420);
      const b = Math.floor(random() * 420);
      const [from, to] = [day(-Math.max(a, b)), day(-Math.min(a, b))];
      const reader = await openCounts(kv, "host", NOW);
      const viaCopy = (await reader.read("ev", from, to)).map(key).sort();
      const straight = (await readCounts(kv, "host", "ev", from, to)).map(key).sort();
      assert.deepEqual(viaCopy, straight, `${from}..${to}`);
    }
  } finally {
    raw.close();
  }
});
