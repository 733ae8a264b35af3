/**
 * The KV Connect test server against Deno's own remote client (`Deno.openKv("http://…")`): it
 * answers like a local KV does (order, versionstamps, checks, expiry, watch), it refuses what
 * denokv refuses even when a client sends it, and its faults do what they say.
 */
import assert from "node:assert/strict";
import protobuf from "protobufjs";
import { join } from "node:path";
import { KV_CONNECT_LIMITS, startKvConnect } from "../support/kv-connect-server.ts";
import { prng } from "../../bench/lib.ts";
import { waitFor } from "../support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Opens the server with Deno's remote client (the token is read from the env at open). */
async function remote(url: string, token: string): Promise<Deno.Kv> {
  Deno.env.set("DENO_KV_ACCESS_TOKEN", token);
  return await Deno.openKv(url);
}

function randomKey(r: () => number): Deno.KvKey {
  const parts: Deno.KvKeyPart[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const t = Math.floor(r() * 6);
    if (t === 0) parts.push(["a", "b", "", "é", "a\u0000b", "zz"][Math.floor(r() * 6)]);
    else if (t === 1) parts.push(Math.floor(r() * 2000) - 1000 + (r() < 0.3 ? 0.5 : 0));
    else if (t === 2) parts.push(BigInt(Math.floor(r() * 2000) - 1000));
    else if (t === 3) parts.push(r() < 0.5);
    else if (t === 4) {
      parts.push(
        new Uint8Array(Array.from({ length: Math.floor(r() * 4) }, () => Math.floor(r() * 3))),
      );
    } else parts.push(`s${Math.floor(r() * 50)}`);
  }
  return parts;
}

Deno.test({
  ...opts,
  name: "KV Connect server: lists, reverse lists, limits and getMany answer exactly as a local KV",
  async fn() {
    await using s = await startKvConnect();
    const kv = await remote(s.url, s.token);
    const local = await Deno.openKv(":memory:");
    try {
      const r = prng(24);
      for (let i = 0; i < 150; i++) {
        const key = randomKey(r);
        const value = i % 3 === 0 ? { i, at: new Date(0), set: new Set([i]) } : `v${i}`;
        await kv.set(key, value);
        await local.set(key, value);
      }
      const all = async (db: Deno.Kv, sel: Deno.KvListSelector, o: Deno.KvListOptions = {}) => {
        const out = [];
        for await (const e of db.list(sel, o)) out.push([e.key, e.value]);
        return out;
      };
      for (
        const o of [{}, { reverse: true }, { limit: 7 }, { reverse: true, limit: 5, batchSize: 2 }]
      ) {
        assert.deepEqual(await all(kv, { prefix: [] }, o), await all(local, { prefix: [] }, o));
      }
      for (const prefix of [["a"], [true], [false], [0n]] as Deno.KvKey[]) {
        assert.deepEqual(await all(kv, { prefix }), await all(local, { prefix }));
      }
      assert.deepEqual(
        await all(kv, { start: ["a"], end: ["s3"] }),
        await all(local, { start: ["a"], end: ["s3"] }),
      );
      const some = [randomKey(r), randomKey(r), ["missing"]];
      assert.deepEqual(
        (await kv.getMany(some)).map((e) => e.value),
        (await local.getMany(some)).map((e) => e.value),
      );
    } finally {
      kv.close();
      local.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "KV Connect server: versionstamps grow, checks decide, sum/min/max use u64, expiry hides entries",
  async fn() {
    await using s = await startKvConnect();
    const kv = await remote(s.url, s.token);
    try {
      const a = await kv.set(["k"], 1);
      const b = await kv.set(["k"], 2);
      assert.ok(a.ok && b.ok && a.versionstamp < b.versionstamp);
      assert.equal((await kv.get(["k"])).versionstamp, b.versionstamp);
      // a stale check fails and writes nothing; a current one wins
      assert.equal(
        (await kv.atomic().check({
          key: ["k"],
          versionstamp: (a as Deno.KvCommitResult).versionstamp,
        }).set(["k"], 3).commit()).ok,
        false,
      );
      const cur = await kv.get(["k"]);
      assert.equal((await kv.atomic().check(cur).set(["k"], 4).set(["j"], 1).commit()).ok, true);
      assert.deepEqual((await kv.getMany([["k"], ["j"]])).map((e) => e.value), [4, 1]);
      // unique by versionstamp null
      assert.equal(
        (await kv.atomic().check({ key: ["u"], versionstamp: null }).set(["u"], 1).commit()).ok,
        true,
      );
      assert.equal(
        (await kv.atomic().check({ key: ["u"], versionstamp: null }).set(["u"], 2).commit()).ok,
        false,
      );
      await kv.atomic().sum(["n"], 5n).sum(["n"], 7n).min(["lo"], 9n).min(["lo"], 3n)
        .max(["hi"], 3n).max(["hi"], 9n).commit();
      assert.deepEqual(
        (await kv.getMany([["n"], ["lo"], ["hi"]])).map((e) => (e.value as Deno.KvU64).value),
        [12n, 3n, 9n],
      );
      // Long enough that the read right after the write sees it on a loaded machine; then the
      // entry must turn absent by itself (waited for, not slept on).
      await kv.set(["gone"], "x", { expireIn: 2_000 });
      assert.equal((await kv.get(["gone"])).value, "x");
      await waitFor(async () => (await kv.get(["gone"])).value === null, {
        timeoutMs: 10_000,
        message: "the expired entry reads as absent",
      });
      assert.equal(
        (await kv.atomic().check({ key: ["gone"], versionstamp: null }).set(["gone"], 1).commit())
          .ok,
        true,
        "an expired entry passes a must-not-exist check",
      );
      // a 64 KiB value round-trips (stored in chunks locally)
      const big = new Uint8Array(65_000).map((_, i) => i % 251);
      await kv.set(["big"], big);
      assert.deepEqual((await kv.get(["big"])).value, big);
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  ...opts,
  name: "KV Connect server: watch streams the current value and then each change",
  async fn() {
    await using s = await startKvConnect();
    const kv = await remote(s.url, s.token);
    try {
      await kv.set(["w"], 1);
      const reader = kv.watch([["w"], ["other"]]).getReader();
      assert.deepEqual((await reader.read()).value!.map((e) => e.value), [1, null]);
      await kv.set(["w"], 2);
      assert.deepEqual((await reader.read()).value!.map((e) => e.value), [2, null]);
      await kv.delete(["w"]);
      assert.deepEqual((await reader.read()).value!.map((e) => e.value), [null, null]);
      await reader.cancel();
    } finally {
      kv.close();
    }
  },
});

/** Talks the data path directly, to send what Deno's client would never send. */
async function rawClient(url: string, token: string) {
  const proto = await Deno.readTextFile(
    join(import.meta.dirname!, "..", "support", "kv-connect", "datapath.proto"),
  );
  const root = protobuf.parse(proto, { keepCase: true }).root;
  const AtomicWrite = root.lookupType("com.deno.kv.datapath.AtomicWrite");
  const SnapshotRead = root.lookupType("com.deno.kv.datapath.SnapshotRead");
  const meta = await (await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ supportedVersions: [3] }),
  })).json();
  assert.equal(meta.version, 3);
  assert.equal(meta.endpoints[0].consistency, "strong");
  const post = async (path: string, type: protobuf.Type, obj: Record<string, unknown>) => {
    const res = await fetch(`${url}${meta.endpoints[0].url}/${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${meta.token}`,
        "content-type": "application/x-protobuf",
        "x-denokv-version": "3",
        "x-denokv-database-id": meta.databaseId,
      },
      body: type.encode(type.fromObject(obj)).finish() as Uint8Array<ArrayBuffer>,
    });
    return { status: res.status, text: await res.text() };
  };
  return {
    write: (obj: Record<string, unknown>) => post("atomic_write", AtomicWrite, obj),
    read: (obj: Record<string, unknown>) => post("snapshot_read", SnapshotRead, obj),
  };
}

Deno.test({
  ...opts,
  name:
    "KV Connect server: a crafted write or read over any of denokv's limits is refused by the server with 400 and a reason",
  async fn() {
    await using s = await startKvConnect();
    const raw = await rawClient(s.url, s.token);
    const L = KV_CONNECT_LIMITS;
    const key = (i: number) => new TextEncoder().encode(`\x02k${i}\x00`);
    const set = (i: number, size = 4) => ({
      key: key(i),
      value: { data: new Uint8Array(size), encoding: 3 },
      mutation_type: 1,
    });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        "11 checks",
        { checks: Array.from({ length: 11 }, (_, i) => ({ key: key(i) })), mutations: [set(0)] },
        /too many checks/,
      ],
      [
        "1,001 mutations",
        { mutations: Array.from({ length: 1001 }, (_, i) => set(i)) },
        /too many mutations/,
      ],
      ["a 65,537-byte value", { mutations: [set(0, L.maxValueBytes + 1)] }, /value too large/],
      [
        "a 2,049-byte key",
        { mutations: [{ ...set(0), key: new Uint8Array(L.maxWriteKeyBytes + 1).fill(7) }] },
        /key too large/,
      ],
      [
        "820 KiB in one write",
        { mutations: Array.from({ length: 13 }, (_, i) => set(i, 64_000)) },
        /total mutation size too large/,
      ],
      [
        // denokv counts the checks' keys into a write's size as well as the mutations' keys and
        // values: 805 KB of mutations and 20 KB of checked keys is over.
        "800 KiB with its checked keys",
        {
          checks: Array.from({ length: 10 }, (_, i) => ({
            key: new Uint8Array(2_000).fill(100 + i),
          })),
          mutations: [
            ...Array.from({ length: 12 }, (_, i) => set(i, 64_000)),
            set(12, 37_000),
          ],
        },
        /total mutation size too large/,
      ],
      ["an enqueue", { enqueues: [{ payload: new Uint8Array([1]), deadline_ms: 0 }] }, /enqueue/],
    ];
    for (const [what, body, reason] of cases) {
      const res = await raw.write(body);
      assert.equal(res.status, 400, what);
      assert.match(res.text, reason, what);
    }
    const range = (limit: number) => ({
      start: new Uint8Array([0]),
      end: new Uint8Array([0xff]),
      limit,
    });
    const r1 = await raw.read({ ranges: Array.from({ length: 11 }, () => range(1)) });
    assert.equal(r1.status, 400);
    assert.match(r1.text, /too many ranges/);
    const r2 = await raw.read({ ranges: [range(600), range(401)] });
    assert.equal(r2.status, 400);
    assert.match(r2.text, /too many entries/);
    // at the limits exactly, it is accepted
    assert.equal(
      (await raw.write({
        checks: Array.from({ length: 10 }, (_, i) => ({ key: key(5000 + i) })),
        mutations: Array.from({ length: 1000 }, (_, i) => set(i, 400)),
      })).status,
      200,
    );
    assert.equal(
      (await raw.read({ ranges: Array.from({ length: 10 }, () => range(100)) })).status,
      200,
    );
    assert.equal(s.stats().commits, 1, "nothing refused was applied");
  },
});

Deno.test({
  ...opts,
  name:
    "KV Connect server faults: 503s and a cut before the commit are retried by Deno's client and land once; a lost answer lands but the client hears it failed",
  async fn() {
    await using s = await startKvConnect();
    const kv = await remote(s.url, s.token);
    try {
      s.faults.set({ fail5xx: 2, latencyMs: [5, 20] });
      assert.equal((await kv.set(["a"], 1)).ok, true);
      assert.equal(s.stats().injected.fail5xx, 2);

      s.faults.set({ dropBeforeCommit: 1 });
      const before = s.stats().commits;
      const dropped = await kv.atomic().check({ key: ["b"], versionstamp: null }).set(["b"], 1)
        .commit();
      assert.equal(dropped.ok, true, "the client resent the write after the cut, and it landed");
      assert.equal(s.stats().commits, before + 1, "applied once");

      // The answer of a commit that landed is lost: the client resends, the resend's check
      // fails against the first landing, and the caller is told "not ok". Only a re-read can
      // tell the truth — which is why the app settles every failed commit by reading.
      s.faults.set({ loseAnswer: 1 });
      const lost = await kv.atomic().check({ key: ["c"], versionstamp: null }).set(["c"], "landed")
        .commit();
      assert.equal(lost.ok, false);
      assert.equal((await kv.get(["c"])).value, "landed");
      assert.equal(s.stats().injected.loseAnswer, 1);
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "KV Connect server faults: `failChecks` answers the matching writes with checks as if a checked key had changed, applying nothing; a write of other keys, or without checks, lands",
  async fn() {
    await using s = await startKvConnect();
    const kv = await remote(s.url, s.token);
    try {
      s.faults.set({ failChecks: 2, matchKey: "vote" });
      const guarded = () =>
        kv.atomic().check({ key: ["vote", "ada"], versionstamp: null }).set(["vote", "ada"], 1)
          .commit();
      assert.equal((await guarded()).ok, false, "refused as a lost race");
      const other = await kv.atomic().check({ key: ["other"], versionstamp: null })
        .set(["other"], 1).commit();
      assert.equal(other.ok, true, "a write of other keys is not hit");
      assert.equal((await kv.set(["vote", "bob"], 1)).ok, true, "nor one without checks");
      assert.equal((await guarded()).ok, false);
      assert.equal((await kv.get(["vote", "ada"])).value, null, "nothing refused was applied");
      assert.equal(s.stats().injected.failChecks, 2);
      assert.equal((await guarded()).ok, true, "after N, writes land again");
    } finally {
      kv.close();
    }
  },
});
