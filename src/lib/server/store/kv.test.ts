import assert from "node:assert/strict";
import {
  commitPastLocks,
  getEntries,
  getValues,
  isStoreLocked,
  LANDING_GUARD,
  LOST,
  openReadKv,
  storeOpenProblem,
  untilLanded,
} from "./kv.ts";

Deno.test("openReadKv: an in-memory or remote store reads through its one handle", async () => {
  const main = await Deno.openKv(":memory:");
  try {
    assert.equal(await openReadKv(":memory:", main), main);
    assert.equal(await openReadKv("https://kv.example.test/db", main), main);
    assert.equal(await openReadKv("http://127.0.0.1:4512", main), main);
  } finally {
    main.close();
  }
});

Deno.test("openReadKv: a local file gets a second connection that sees every commit once it has returned, concurrent ones included", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-readkv-" });
  const path = `${dir}/invito.kv`;
  const main = await Deno.openKv(path);
  const read = await openReadKv(path, main);
  try {
    assert.notEqual(read, main);
    // The same handle for every caller of this process (like openKv's).
    assert.equal(await openReadKv(path, main), read);
    // 200 writers, each reading its own commit back through the reader at once.
    const seen = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
      const res = await main.atomic().set(["n", i % 20], i).commit();
      assert.ok(res.ok);
      const got = await read.get(["n", i % 20]);
      // A later commit to the same key may have landed in between: never an older one.
      return got.versionstamp !== null && got.versionstamp >= res.versionstamp;
    }));
    assert.equal(seen.filter(Boolean).length, 200);
  } finally {
    read.close();
    main.close();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("invito.kv.read")];
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a checked commit through the App's handle waits out another connection's write lock (Deno KV answers it 'database is locked' at once); other errors are not sent again", async () => {
  const { DatabaseSync } = await import("node:sqlite");
  const { instrumentKv } = await import("../ops/kv-metrics.ts");
  const dir = await Deno.makeTempDir({ prefix: "invito-locked-" });
  const path = `${dir}/invito.kv`;
  const raw = await Deno.openKv(path);
  const kv = instrumentKv(raw);
  await kv.set(["counter"], 0);
  // Another connection (the read handle's clean-up of expired keys, a slow disk's commit, a
  // second process) holds the write lock for a second. A commit with checks reads first, and
  // SQLite refuses a read turning into a write while another connection writes without waiting:
  // Deno KV answers "database is locked" at once, with nothing written.
  const other = new DatabaseSync(path);
  other.exec("BEGIN IMMEDIATE");
  other.exec("UPDATE data_version SET version = version WHERE k = 0");
  const release = setTimeout(() => other.exec("COMMIT"), 1_000);
  try {
    const entry = await kv.get<number>(["counter"]);
    const res = await kv.atomic().check(entry).set(["counter"], entry.value! + 1).commit();
    assert.ok(res.ok, "the commit lands once the lock is released");
    assert.equal((await kv.get(["counter"])).value, 1, "and it landed once");
    // A bad operation is a bug, thrown at once, not sent again.
    const started = Date.now();
    await assert.rejects(
      () => kv.atomic().sum(["counter"], 1n).commit(),
      (e) => e instanceof TypeError && !isStoreLocked(e),
    );
    assert.ok(Date.now() - started < 1_000);
  } finally {
    clearTimeout(release);
    try {
      other.exec("COMMIT");
    } catch {
      // committed by the timer
    }
    other.close();
    raw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("40 conflicting guarded commits sent again past another connection's write lock: exactly one lands, the rest fail their check", async () => {
  const { DatabaseSync } = await import("node:sqlite");
  const { instrumentKv } = await import("../ops/kv-metrics.ts");
  const dir = await Deno.makeTempDir({ prefix: "invito-locked-race-" });
  const path = `${dir}/invito.kv`;
  const raw = await Deno.openKv(path);
  const kv = instrumentKv(raw);
  const other = new DatabaseSync(path);
  try {
    await kv.set(["slot"], null);
    const seen = await kv.get<string | null>(["slot"]);
    // Every writer read the slot free; the lock is taken before any of them commits, so each
    // first attempt is refused "database is locked" and sent again after the release.
    other.exec("BEGIN IMMEDIATE");
    other.exec("UPDATE data_version SET version = version WHERE k = 0");
    const release = setTimeout(() => other.exec("COMMIT"), 300);
    const results = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          kv.atomic().check(seen).set(["slot"], `guest ${i}`).set(["won", i], true).commit(),
      ),
    );
    clearTimeout(release);
    assert.equal(results.filter((r) => r.ok).length, 1, "one winner");
    const winner = results.findIndex((r) => r.ok);
    assert.equal((await kv.get(["slot"])).value, `guest ${winner}`);
    const won = [];
    for await (const e of kv.list({ prefix: ["won"] })) won.push(e.key[1]);
    assert.deepEqual(won, [winner], "no loser's write landed");
  } finally {
    try {
      other.exec("COMMIT");
    } catch {
      // committed by the timer
    }
    other.close();
    raw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("commitPastLocks: sends again only while the store answers 'database is locked', then gives up with it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let refusals = 2;
    let attempts = 0;
    const op = kv.atomic().set(["k"], "v");
    const flaky = {
      commit() {
        attempts++;
        if (refusals-- > 0) return Promise.reject(new TypeError("database is locked"));
        return op.commit();
      },
    } as Deno.AtomicOperation;
    assert.ok((await commitPastLocks(flaky, [0, 0, 0])).ok);
    assert.equal(attempts, 3);
    assert.equal((await kv.get(["k"])).value, "v");
    refusals = 10;
    attempts = 0;
    await assert.rejects(() => commitPastLocks(flaky, [0, 0]), /database is locked/);
    assert.equal(attempts, 3, "one attempt and one per wait");
  } finally {
    kv.close();
  }
});

Deno.test("storeOpenProblem: says what is wrong with INVITO_DB_PATH for relative and absolute paths, and always answers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-open-problem-" });
  const cwd = Deno.cwd();
  try {
    Deno.chdir(dir);
    await Deno.writeTextFile("a-file", "");
    await Deno.mkdir("a-folder");
    const cases: [string, RegExp][] = [
      // A relative path whose folder does not exist (a folder it could not make): it used to
      // walk up forever, since a name without a slash is its own parent.
      [
        "missing/invito.kv",
        /cannot open the store at missing\/invito\.kv \(INVITO_DB_PATH\): boom\./,
      ],
      ["invito.kv", /: boom\. Name a file/],
      ["a-folder", /it is a folder; name the store's file in it, such as a-folder\/invito\.kv/],
      ["a-file/invito.kv", /a-file is a file, not a folder/],
      [`${dir}/a-file/deeper/invito.kv`, /a-file is a file, not a folder/],
      [`${dir}/missing/deeper/invito.kv`, /: boom\./],
    ];
    for (const [path, want] of cases) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = await Promise.race([
        storeOpenProblem(path, new Error("boom")),
        new Promise<string>((r) => timer = setTimeout(() => r("no answer within 5 s"), 5_000)),
      ]).finally(() => clearTimeout(timer));
      assert.match(answer, want, path);
    }
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("untilLanded: 100 read-then-commit writers of one counter at once all land (each lost commit is another's landing); an attempt that never lands stops at the guard with an error", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const key = ["counter"];
    const tries: number[] = [];
    await Promise.all(Array.from({ length: 100 }, async () => {
      let n = 0;
      await untilLanded("count", async () => {
        n++;
        const cur = await kv.get<number>(key);
        const res = await kv.atomic().check(cur).set(key, (cur.value ?? 0) + 1).commit();
        return res.ok || LOST;
      });
      tries.push(n);
    }));
    assert.equal((await kv.get<number>(key)).value, 100, "no write lost");
    assert.ok(Math.max(...tries) <= 100, `a writer tried ${Math.max(...tries)} times`);
    let spun = 0;
    await assert.rejects(
      untilLanded("never", () => Promise.resolve((spun++, LOST))),
      /never: 1000 commits in a row lost/,
    );
    assert.equal(spun, LANDING_GUARD);
  } finally {
    kv.close();
  }
});

Deno.test("getEntries/getValues: 23 keys (Deno KV answers at most ten per read), some absent: each one read once, in the order asked", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const ks = Array.from({ length: 23 }, (_, i) => ["item", i] as Deno.KvKey);
    for (const [i, k] of ks.entries()) if (i % 4 !== 1) await kv.set(k, { i });
    // Why the helpers exist: one read of eleven keys is refused.
    await assert.rejects(() => kv.getMany(ks.slice(0, 11)));
    const asked = [...ks].reverse();
    const entries = await getEntries<{ i: number }>(kv, asked);
    assert.deepEqual(entries.map((e) => e.key), asked);
    assert.deepEqual(
      entries.map((e) => e.value?.i ?? null),
      asked.map((k) => ((k[1] as number) % 4 === 1 ? null : k[1])),
    );
    assert.deepEqual(
      (await getValues<{ i: number }>(kv, asked)).map((v) => v.i),
      asked.map((k) => k[1] as number).filter((i) => i % 4 !== 1),
    );
    assert.deepEqual(await getValues(kv, []), []);
  } finally {
    kv.close();
  }
});
