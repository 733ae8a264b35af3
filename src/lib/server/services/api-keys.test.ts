import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { demoApiKey, seedDemo } from "./seed-demo.ts";
import { authenticate, createApiKey, listKeys, revokeApiKey } from "./api-keys.ts";
import { getUserByUsername } from "../store/users.ts";

async function dump(kv: Deno.Kv) {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: [] })) out.push(JSON.stringify(e.key) + e.versionstamp);
  return out;
}

Deno.test("demo key: the same secret at every start, written once, and made again after a revoke", async () => {
  const app = await memoryApp();
  await seedDemo(app);
  const first = await demoApiKey(app);
  assert.match(first!, /^inv_[A-Za-z0-9_-]{43}$/);
  const before = await dump(app.kv);
  assert.equal(await demoApiKey(app), first);
  assert.deepEqual(await dump(app.kv), before, "a restart writes nothing");
  const auth = await authenticate(app, `Bearer ${first}`);
  assert.equal(auth?.host.username, "demo");
  assert.deepEqual(auth?.key.scopes, ["read", "write"]);
  const demo = (await getUserByUsername(app.kv, "demo"))!;
  assert.ok(await revokeApiKey(app, demo, auth!.key.id));
  assert.equal(await authenticate(app, `Bearer ${first}`), null);
  assert.equal(await demoApiKey(app), first);
  assert.ok(await authenticate(app, `Bearer ${first}`));
  app.close();
});

Deno.test("API keys: only the hash and a prefix are stored; last use is recorded at most once a minute", async () => {
  const app = await memoryApp();
  await seedDemo(app);
  const demo = (await getUserByUsername(app.kv, "demo"))!;
  const res = await createApiKey(app, demo, { name: "k", scopes: ["read"], expiresAtMs: null });
  assert.ok(res.ok);
  const stored = JSON.stringify(await dump(app.kv)) +
    JSON.stringify(await Array.fromAsync(app.kv.list({ prefix: [] }), (e) => e.value));
  assert.ok(!stored.includes(res.secret), "the secret is nowhere in the store");
  assert.equal(res.key.prefix, res.secret.slice(0, 12));
  await authenticate(app, `Bearer ${res.secret}`);
  const used = (await listKeys(app, demo)).find((k) => k.id === res.key.id)!.lastUsedAtMs;
  assert.equal(used, app.now());
  app.clock.ms += 30_000;
  await authenticate(app, `Bearer ${res.secret}`);
  assert.equal((await listKeys(app, demo)).find((k) => k.id === res.key.id)!.lastUsedAtMs, used);
  app.clock.ms += 31_000;
  await authenticate(app, `Bearer ${res.secret}`);
  assert.equal(
    (await listKeys(app, demo)).find((k) => k.id === res.key.id)!.lastUsedAtMs,
    app.now(),
  );
  for (
    const bad of [
      null,
      "",
      "Bearer",
      "Basic abc",
      `Bearer ${res.secret}x`,
      `Bearer  ${res.secret.slice(1)}`,
    ]
  ) {
    assert.equal(await authenticate(app, bad), null, String(bad));
  }
  app.close();
});
