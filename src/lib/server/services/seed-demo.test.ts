import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { demoApiKey, seedDemo } from "./seed-demo.ts";

Deno.test("demo key: processes starting at once on one store all get the one demo key", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    // Three processes' apps on one store (same session secret, so the same demo key).
    const apps = await Promise.all([0, 1, 2].map(() => memoryApp({ kv })));
    await seedDemo(apps[0]);
    const keys = await Promise.all(apps.map((app) => demoApiKey(app)));
    assert.ok(keys[0], "a key");
    assert.deepEqual(keys, [keys[0], keys[0], keys[0]]);
  } finally {
    kv.close();
  }
});
