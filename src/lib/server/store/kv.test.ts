import assert from "node:assert/strict";
import { openReadKv } from "./kv.ts";

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
