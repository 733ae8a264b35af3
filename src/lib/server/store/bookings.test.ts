/**
 * commitPlan's group commit: plans that arrive while a commit is on its way go together in one
 * atomic operation only when their keys are disjoint and their budgets fit remote KV's limits;
 * every plan gets the answer it would have had alone.
 */
import assert from "node:assert/strict";
import { commitPlan } from "./booking-commit.ts";
import type { Key, Plan } from "../domain/booking-engine/index.ts";
import { guardKv, guardStats } from "../../../../tests/support/kv-guard.ts";

function plan(id: string, checks: { key: Key; versionstamp: string | null }[]): Plan {
  return {
    kind: "create",
    checks,
    writes: [...checks.map((c) => ({ op: "set" as const, key: c.key, value: { v: 1 } })), {
      op: "set",
      key: ["b", id],
      value: { id },
    }],
    jobs: [],
    budget: {
      checks: checks.length,
      mutations: checks.length + 1,
      bytes: 100,
      largestValueBytes: 20,
      largestKeyBytes: 20,
    },
    booking: null,
    probe: { key: ["b", id], landed: (v) => v !== null },
  };
}

Deno.test("group commit: disjoint plans arriving together share commits, each within 10 checks, all land", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const plans = Array.from(
    { length: 30 },
    (_, i) =>
      plan(`p${i}`, [{ key: ["f", i], versionstamp: null }, { key: ["g", i], versionstamp: null }]),
  );
  const res = await Promise.all(plans.map((p) => commitPlan(kv, p, 0)));
  assert.ok(res.every((r) => r.ok));
  const stats = guardStats(kv)!;
  assert.ok(stats.commits < 30, `${stats.commits} commits for 30 plans`);
  assert.ok(stats.maxChecks <= 10);
  for (let i = 0; i < 30; i++) assert.ok((await kv.get(["b", `p${i}`])).value);
  kv.close();
});

Deno.test("group commit: plans on one key never go together, and exactly one of them lands", async () => {
  const kv = await Deno.openKv(":memory:");
  const read = await kv.get(["fence"]);
  const fence = { key: ["fence"], versionstamp: read.versionstamp };
  const res = await Promise.all(
    Array.from({ length: 20 }, (_, i) => commitPlan(kv, plan(`q${i}`, [fence]), 0)),
  );
  assert.equal(res.filter((r) => r.ok).length, 1);
  kv.close();
});

Deno.test("group commit: a group one of whose checks fails still lands every other plan", async () => {
  const kv = await Deno.openKv(":memory:");
  await kv.set(["taken"], 1); // a check for absence of this key fails
  const res = await Promise.all([
    commitPlan(kv, plan("a", [{ key: ["x"], versionstamp: null }]), 0),
    commitPlan(kv, plan("b", [{ key: ["y"], versionstamp: null }]), 0),
    commitPlan(kv, plan("bad", [{ key: ["taken"], versionstamp: null }]), 0),
    commitPlan(kv, plan("c", [{ key: ["z"], versionstamp: null }]), 0),
  ]);
  assert.deepEqual(res.map((r) => r.ok), [true, true, false, true]);
  assert.equal((await kv.get(["b", "bad"])).value, null);
  kv.close();
});
