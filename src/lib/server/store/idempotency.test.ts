import assert from "node:assert/strict";
import { finishRun, IDEMPOTENCY_TTL_MS } from "./idempotency.ts";
import { keys } from "./keys.ts";
import type { IdempotencyRecord } from "../domain/model/records.ts";
import { REMOTE_KV_LIMITS } from "../domain/kv-budget.ts";

const done = (i: number, body: unknown): IdempotencyRecord => ({
  v: 1,
  fingerprint: `f${i}`,
  state: "done",
  untilMs: 0,
  createdAtMs: 0,
  status: 201,
  body,
});

/** The store, with each commit's sets and bytes (as remote KV counts them) recorded. */
async function countingKv() {
  const kv = await Deno.openKv(":memory:");
  const writes: { sets: number; bytes: number }[] = [];
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    const w = { sets: 0, bytes: 0 };
    const set = op.set.bind(op);
    op.set = (key, value, options) => {
      w.sets++;
      w.bytes += JSON.stringify(key).length + JSON.stringify(value).length;
      return set(key, value, options);
    };
    const commit = op.commit.bind(op);
    op.commit = () => (writes.push(w), commit());
    return op;
  };
  return { kv, writes };
}

Deno.test("finished runs' answers that arrive while one is being written go together in the next write, each readable with its expiry", async () => {
  const { kv, writes } = await countingKv();
  await Promise.all(
    Array.from({ length: 120 }, (_, i) => finishRun(kv, "s", `k${i}`, done(i, { id: i }))),
  );
  // The first goes at once, alone; the others arrived while it was written.
  assert.deepEqual(writes.map((w) => w.sets), [1, 119]);
  for (let i = 0; i < 120; i++) {
    const e = await kv.get<IdempotencyRecord>(keys.idempotency("s", `k${i}`));
    assert.deepEqual(e.value, done(i, { id: i }));
  }
  // One at a time when nothing else is waiting: no wait for company.
  await finishRun(kv, "s", "alone", done(0, null));
  assert.deepEqual(writes.at(-1), { sets: 1, bytes: writes.at(-1)!.bytes });
  assert.ok(IDEMPOTENCY_TTL_MS > 24 * 3_600_000);
  kv.close();
});

Deno.test("finished runs' answers are written in batches that stay inside remote KV's limits", async () => {
  const { kv, writes } = await countingKv();
  // 31 answers of 28,000 characters each (two bytes a character as stored: 56 KB, under the
  // 64 KiB a value may take): 1.7 MB in all, more than two writes may carry.
  const big = (i: number) => ({ id: i, text: "é“".repeat(14_000) });
  await Promise.all(
    Array.from({ length: 31 }, (_, i) => finishRun(kv, "s", `b${i}`, done(i, big(i)))),
  );
  assert.equal(writes.reduce((n, w) => n + w.sets, 0), 31);
  assert.ok(writes.length >= 5, `${writes.length} writes`);
  for (const w of writes) {
    assert.ok(w.sets <= REMOTE_KV_LIMITS.mutations);
    assert.ok(w.bytes * 2 <= REMOTE_KV_LIMITS.bytes, `${w.bytes} characters in one write`);
  }
  kv.close();
});

Deno.test("a failed write rejects the answers it carried; the next ones are written", async () => {
  const kv = await Deno.openKv(":memory:");
  const atomic = kv.atomic.bind(kv);
  let fail = true;
  kv.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = () => fail ? Promise.reject(new Error("store down")) : commit();
    return op;
  };
  await assert.rejects(finishRun(kv, "s", "x", done(1, null)), /store down/);
  fail = false;
  await finishRun(kv, "s", "y", done(2, null));
  assert.equal((await kv.get(keys.idempotency("s", "x"))).value, null);
  assert.deepEqual((await kv.get(keys.idempotency("s", "y"))).value, done(2, null));
  kv.close();
});
