/**
 * The remote-KV guard itself: it must trip on exactly what Deno Deploy KV / denokv refuse, and
 * let everything else through to the real handle.
 */
import assert from "node:assert/strict";
import { guardKv, guardStats, isGuarded, KvGuardError, unguarded } from "../support/kv-guard.ts";
import { memoryApp } from "../support/memory-app.ts";

async function withKv(fn: (kv: Deno.Kv, raw: Deno.Kv) => void | Promise<void>) {
  const raw = await Deno.openKv(":memory:");
  try {
    await fn(guardKv(raw), raw);
  } finally {
    raw.close();
  }
}

Deno.test("kv-guard: an atomic operation with 11 checks is refused and writes nothing; 10 checks commit", async () => {
  await withKv(async (kv) => {
    const entries = Array.from({ length: 11 }, (_, i) => ({ key: ["k", i], versionstamp: null }));
    await assert.rejects(
      kv.atomic().check(...entries).set(["written"], 1).commit(),
      (e) => e instanceof KvGuardError && /11 checks/.test(e.message),
    );
    // One check at a time counts the same as many at once.
    const op = kv.atomic();
    for (const e of entries) op.check(e);
    await assert.rejects(op.set(["written"], 1).commit(), KvGuardError);
    assert.equal((await kv.get(["written"])).value, null);
    const ok = await kv.atomic().check(...entries.slice(0, 10)).set(["written"], 1).commit();
    assert.ok(ok.ok);
    assert.equal((await kv.get(["written"])).value, 1);
  });
});

Deno.test("kv-guard: more than 1,000 mutations in one atomic operation are refused; 1,000 commit", async () => {
  await withKv(async (kv) => {
    const big = kv.atomic();
    for (let i = 0; i < 1_000; i++) big.set(["m", i], i);
    big.delete(["m", 0]);
    await assert.rejects(
      big.commit(),
      (e) => e instanceof KvGuardError && /1001 mutations/.test(e.message),
    );
    assert.equal((await kv.get(["m", 1])).value, null);
    // mutate() with several mutations counts each; sum/min/max count too.
    const mixed = kv.atomic()
      .mutate(
        ...Array.from(
          { length: 997 },
          (_, i) => ({ type: "set" as const, key: ["m", i], value: i }),
        ),
      )
      .sum(["n"], 1n).min(["lo"], 1n).max(["hi"], 1n);
    assert.ok((await mixed.commit()).ok);
    assert.equal((await kv.get(["m", 996])).value, 996);
    assert.equal(guardStats(kv)?.maxMutations, 1_001);
  });
});

Deno.test("kv-guard: queues are refused (kv.enqueue, kv.listenQueue and atomic().enqueue)", async () => {
  await withKv((kv) => {
    assert.throws(() => kv.enqueue({ job: 1 }), KvGuardError);
    assert.throws(() => kv.listenQueue(() => {}), KvGuardError);
    assert.throws(() => kv.atomic().enqueue({ job: 1 }), KvGuardError);
  });
});

Deno.test("kv-guard: reads, lists, watches and plain writes pass through to the real handle", async () => {
  await withKv(async (kv, raw) => {
    await kv.set(["a"], 1);
    assert.equal((await raw.get(["a"])).value, 1, "the write reached the real store");
    const listed = [];
    for await (const e of kv.list({ prefix: [] })) listed.push(e.key);
    assert.deepEqual(listed, [["a"]]);
    await kv.delete(["a"]);
    assert.equal((await kv.get(["a"])).versionstamp, null);
    assert.ok(isGuarded(kv) && !isGuarded(raw));
    assert.equal(unguarded(kv), raw);
    assert.equal(guardKv(kv), kv, "guarding twice is a no-op");
  });
});

Deno.test("kv-guard: memoryApp uses the guard unless told not to", async () => {
  const app = await memoryApp();
  try {
    assert.ok(isGuarded(app.kv));
    await assert.rejects(
      app.kv.atomic().check(
        ...Array.from({ length: 11 }, (_, i) => ({ key: ["x", i], versionstamp: null })),
      ).commit(),
      KvGuardError,
    );
  } finally {
    app.close();
  }
  const open = await memoryApp({ guard: false });
  try {
    assert.ok(!isGuarded(open.kv));
  } finally {
    open.close();
  }
});
