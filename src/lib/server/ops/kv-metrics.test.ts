import assert from "node:assert/strict";
import { instrumentKv } from "./kv-metrics.ts";
import { renderMetrics } from "./metrics.ts";

/** invito_kv_commits_total by outcome, as a scrape shows it. */
async function commits(): Promise<Record<string, number>> {
  const out: Record<string, number> = { ok: 0, conflict: 0, error: 0 };
  const { body } = await renderMetrics();
  for (const m of body.matchAll(/^invito_kv_commits_total\{outcome="(\w+)"\} (\d+)/gm)) {
    out[m[1]] = Number(m[2]);
  }
  return out;
}

Deno.test("kv metrics: every commit is counted by outcome, through chained calls, and the handle works as before", async () => {
  const raw = await Deno.openKv(":memory:");
  const kv = instrumentKv(raw);
  const before = await commits();
  // Chained calls keep the counted wrapper: the commit at the end of the chain is counted.
  const ok = await kv.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 1).commit();
  assert.ok(ok.ok);
  const stale = await kv.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 2)
    .commit();
  assert.equal(stale.ok, false);
  assert.equal((await kv.get(["a"])).value, 1);
  assert.deepEqual((await kv.getMany([["a"], ["b"]])).map((e) => e.value), [1, null]);
  const closed = await Deno.openKv(":memory:");
  const gone = instrumentKv(closed);
  closed.close();
  await assert.rejects(gone.atomic().set(["x"], 1).commit());
  const after = await commits();
  assert.deepEqual(
    {
      ok: after.ok - before.ok,
      conflict: after.conflict - before.conflict,
      error: after.error - before.error,
    },
    { ok: 1, conflict: 1, error: 1 },
  );
  raw.close();
});

Deno.test("kv metrics: a method replaced on the handle after use is the one called", async () => {
  const raw = await Deno.openKv(":memory:");
  const kv = instrumentKv(raw);
  await kv.set(["k"], "v");
  assert.equal((await kv.get(["k"])).value, "v");
  let asked = 0;
  const get = kv.get.bind(kv);
  // deno-lint-ignore no-explicit-any
  (kv as any).get = (key: Deno.KvKey) => (asked++, get(key));
  assert.equal((await kv.get(["k"])).value, "v");
  assert.equal(asked, 1);
  raw.close();
});
