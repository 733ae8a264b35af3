/**
 * The local store's expiry index holds only the keys that expire (ADR 063): what Deno KV does
 * with it (delete expired keys, find the next expiry) must be exactly what it did with its own
 * index over every key.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { EXPIRING_KEYS_INDEX, indexOnlyExpiringKeys, openKv } from "./kv.ts";

const HANDLE = Symbol.for("invito.kv");

/** The index's definition and how many entries its leaves hold (SQLite's dbstat). */
function expiryIndex(path: string) {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const { sql } = db.prepare(
      "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'kv_expiration_ms_idx'",
    ).get() as { sql: string };
    const { cells } = db.prepare(
      "SELECT coalesce(sum(ncell), 0) AS cells FROM dbstat WHERE name = 'kv_expiration_ms_idx' AND pagetype = 'leaf'",
    ).get() as { cells: number };
    // The two statements Deno KV runs on it (denoland/denokv sqlite/backend.rs,
    // STATEMENT_DELETE_ALL_EXPIRED and STATEMENT_EARLIEST_EXPIRATION), as SQLite plans them.
    const plans = [
      "DELETE FROM kv WHERE expiration_ms >= 0 AND expiration_ms <= 123",
      "SELECT expiration_ms FROM kv WHERE expiration_ms >= 0 ORDER BY expiration_ms LIMIT 1",
    ].map((q) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as { detail: string }[]).map((r) => r.detail)
        .join("; ")
    );
    return { sql, cells, plans };
  } finally {
    db.close();
  }
}

/**
 * What `fn` writes with console.warn about the store in `dir` (each of openKv's warnings names
 * its file), and its result. Only those: the test runs in a module with other test files, and a
 * count of another file's store, closed before its paced write, warns of its own while this
 * store opens (a CI run caught "[insights] 7 count(s) dropped: Bad resource ID" here).
 */
async function warningsOf<T>(
  dir: string,
  fn: () => T | Promise<T>,
): Promise<{ result: T; warned: string[] }> {
  const warn = console.warn;
  const warned: string[] = [];
  console.warn = (...args: unknown[]) => {
    const said = args.join(" ");
    if (said.includes(dir)) warned.push(said);
    else warn(...args);
  };
  try {
    return { result: await fn(), warned };
  } finally {
    console.warn = warn;
  }
}

/** Closes the process's store handle (`openKv` keeps one per process) and removes its folder. */
async function closeStore(kv: Deno.Kv, dir: string) {
  kv.close();
  delete (globalThis as Record<symbol, unknown>)[HANDLE];
  await Deno.remove(dir, { recursive: true });
}

async function until(what: string, ok: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("a store Invito opens indexes by expiry only its expiring keys: Deno KV still finds and deletes them by that index, and every other key is written once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-expiry-index-" });
  const path = `${dir}/invito.kv`;
  const { result: kv, warned } = await warningsOf(dir, () => openKv(path));
  try {
    assert.deepEqual(warned, [], "a new file is made by Deno KV and then changed, quietly");
    for (let i = 0; i < 60; i++) await kv.set(["kept", i], { i });
    for (let i = 0; i < 5; i++) await kv.set(["brief", i], i, { expireIn: 300 });
    const briefUntil = Date.now() + 300;
    for (let i = 0; i < 5; i++) await kv.set(["hour", i], i, { expireIn: 3_600_000 });
    const index = expiryIndex(path);
    assert.match(index.sql, /WHERE expiration_ms >= 0$/);
    assert.equal(index.cells, 10, "one entry per expiring key, none for the 60 that never expire");
    for (const plan of index.plans) {
      assert.match(plan, /USING (COVERING )?INDEX kv_expiration_ms_idx/);
    }
    // Deno KV deletes expired rows from the file when a connection starts and then every
    // minute: a second connection, as the server's reader, once their time has passed.
    await until("the brief keys' time to pass", () => Promise.resolve(Date.now() > briefUntil));
    const second = await Deno.openKv(path);
    try {
      await second.get(["kept", 0]);
    } finally {
      second.close();
    }
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const { n } = db.prepare("SELECT count(*) AS n FROM kv WHERE expiration_ms >= 0").get() as {
        n: number;
      };
      assert.equal(n, 5, "the five expired rows are deleted, the five for an hour stay");
    } finally {
      db.close();
    }
    assert.equal(expiryIndex(path).cells, 5);
    const got = await kv.getMany([["brief", 0], ["hour", 0], ["kept", 59]]);
    assert.deepEqual(got.map((e) => e.value), [null, 0, { i: 59 }]);
    // The handle opened before the change writes and reads on (its statements were prepared
    // against the old schema).
    const res = await kv.atomic().check({ key: ["new"], versionstamp: null }).set(["new"], 1)
      .commit();
    assert.ok(res.ok);
    assert.equal((await kv.get(["new"])).value, 1);
  } finally {
    await closeStore(kv, dir);
  }
});

Deno.test("a store made before, with Deno KV's index over every key, is changed on its next open with every key kept; a second change leaves it as it is", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-expiry-index-old-" });
  const path = `${dir}/invito.kv`;
  const old = await Deno.openKv(path);
  for (let i = 0; i < 40; i++) await old.set(["booking", i], { i });
  await old.set(["hold"], 1, { expireIn: 3_600_000 });
  old.close();
  assert.equal(expiryIndex(path).cells, 41, "Deno's own index holds every key");
  const kv = await openKv(path);
  try {
    const after = expiryIndex(path);
    assert.equal(after.sql, EXPIRING_KEYS_INDEX);
    assert.equal(after.cells, 1);
    const all = [];
    for await (const e of kv.list({ prefix: ["booking"] })) all.push(e.value);
    assert.equal(all.length, 40);
    assert.deepEqual((await kv.get(["hold"])).value, 1);
    indexOnlyExpiringKeys(path);
    assert.deepEqual(expiryIndex(path), after);
  } finally {
    await closeStore(kv, dir);
  }
});

Deno.test("a store held by another process's write keeps Deno KV's index and stays usable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-expiry-index-held-" });
  const path = `${dir}/invito.kv`;
  const kv = await Deno.openKv(path);
  const other = new DatabaseSync(path);
  try {
    // As another process would, the write waits for Deno KV's own first writes of the store it
    // just opened (its clean-up of expired keys): without it, a busy box made those overlap and
    // this BEGIN failed at once with "database is locked" (a full npm test, 2026-12-01).
    other.exec("PRAGMA busy_timeout = 10000");
    other.exec("BEGIN IMMEDIATE");
    const { warned } = await warningsOf(dir, () => indexOnlyExpiringKeys(path, 100));
    other.exec("ROLLBACK");
    assert.match(warned.join("\n"), /Kept Deno KV's expiry index/);
    assert.doesNotMatch(expiryIndex(path).sql, /WHERE/);
    await kv.set(["still"], 1);
    assert.equal((await kv.get(["still"])).value, 1);
  } finally {
    other.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
