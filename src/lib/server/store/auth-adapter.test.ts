import assert from "node:assert/strict";
import {
  createKvAdapter,
  getSessionUserId,
  migrateLegacySessions,
  sessionTokenHash,
} from "./auth-adapter.ts";
import { keys } from "./keys.ts";
import { guardKv } from "../../../../tests/support/kv-guard.ts";

async function dump(kv: Deno.Kv): Promise<string> {
  const out: unknown[] = [];
  for await (const e of kv.list({ prefix: [] })) out.push([e.key, e.value]);
  return JSON.stringify(out);
}

Deno.test("sessions: stored under the hash of their token; the token itself is nowhere in the store", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const now = 1_000_000;
  const adapter = createKvAdapter(kv, { timeZone: "UTC", now: () => now });
  const user = await adapter.createUser!({ id: "x", email: "a@example.test", emailVerified: null });
  const token = crypto.randomUUID();
  await adapter.createSession!({
    sessionToken: token,
    userId: user.id,
    expires: new Date(now + 60_000),
  });
  assert.equal((await adapter.getSessionAndUser!(token))?.session.sessionToken, token);
  assert.equal(await getSessionUserId(kv, token, now), user.id);
  assert.ok(!(await dump(kv)).includes(token));
  assert.ok((await kv.get(keys.session(await sessionTokenHash(token)))).value);
  // A cookie far longer than any token we issue is no session (and no oversized KV key).
  assert.equal(await getSessionUserId(kv, "x".repeat(5_000), now), null);
  assert.equal(await adapter.getSessionAndUser!("x".repeat(5_000)), null);
  await adapter.deleteSession!(token);
  assert.equal(await getSessionUserId(kv, token, now), null);
  kv.close();
});

Deno.test("sessions: ones stored before hashing are moved under their hash on start and keep working; expired ones are dropped", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const now = 5_000_000;
  const live = "11111111-2222-4333-8444-555555555555";
  const dead = "99999999-2222-4333-8444-555555555555";
  for (const [token, expiresMs] of [[live, now + 3_600_000], [dead, now - 1]] as const) {
    await kv.atomic()
      .set(["session", token], { v: 1, sessionToken: token, userId: "U1", expiresMs })
      .set(["session_by_user", "U1", token], true)
      .commit();
  }
  // Two processes start at once: each entry moves exactly once.
  const moved = await Promise.all([migrateLegacySessions(kv, now), migrateLegacySessions(kv, now)]);
  assert.equal(moved[0] + moved[1], 2);
  assert.equal(await getSessionUserId(kv, live, now), "U1");
  assert.equal(await getSessionUserId(kv, dead, now), null);
  const text = await dump(kv);
  assert.ok(!text.includes(live) && !text.includes(dead), "no token left in the store");
  assert.equal(await migrateLegacySessions(kv, now), 0, "idempotent");
  kv.close();
});

Deno.test("accounts: an identity without an address never gets an account", async () => {
  const kv = await Deno.openKv(":memory:");
  const adapter = createKvAdapter(kv, { timeZone: "UTC" });
  await assert.rejects(async () => {
    // deno-lint-ignore no-explicit-any
    await adapter.createUser!({ id: "x", email: null as any, emailVerified: null });
  });
  assert.equal(await adapter.getUserByEmail!(""), null);
  kv.close();
});
