import assert from "node:assert/strict";
import { getUserByUsername, insertUser, updateUser } from "./users.ts";
import { createKvAdapter } from "./auth-adapter.ts";

const newUser = (i: number, wanted = "alice") => ({
  email: `alice${i}@example.test`,
  name: "Alice",
  wantedUsername: wanted,
  timeZone: "Europe/Berlin",
  emailVerifiedMs: null,
  image: null,
});

Deno.test("insertUser: 50 concurrent first sign-ins wanting the same username get 50 distinct usernames", async () => {
  const kv = await Deno.openKv(":memory:");
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => insertUser(kv, newUser(i), 1_000)),
  );
  const names = results.map((r) => (r.ok ? r.user.username : "FAILED"));
  assert.equal(new Set(names).size, 50);
  assert.ok(names.includes("alice") && names.includes("alice-2") && names.includes("alice-50"));
  for (const n of names) assert.equal((await getUserByUsername(kv, n))?.username, n);
  kv.close();
});

Deno.test("insertUser: usernames are URL-safe slugs made from what the user is called", async () => {
  const kv = await Deno.openKv(":memory:");
  const r1 = await insertUser(kv, { ...newUser(1), wantedUsername: "Zoë O'Brien+cal" }, 1);
  assert.ok(r1.ok && r1.user.username === "zoe-o-brien");
  const r2 = await insertUser(kv, { ...newUser(2), wantedUsername: "!!!" }, 1);
  assert.ok(r2.ok && r2.user.username === "host");
  const r3 = await insertUser(kv, { ...newUser(3), wantedUsername: "dashboard" }, 1);
  assert.ok(r3.ok && r3.user.username !== "dashboard", "reserved names are not handed out");
  kv.close();
});

Deno.test("insertUser: one email address never becomes two users, even when two sign-ins race", async () => {
  const kv = await Deno.openKv(":memory:");
  const adapter = createKvAdapter(kv, { timeZone: "UTC" });
  const made = await Promise.all(
    Array.from(
      { length: 10 },
      () => adapter.createUser!({ id: "x", email: "Same@Example.test", emailVerified: null }),
    ),
  );
  assert.equal(new Set(made.map((u) => u.id)).size, 1);
  assert.equal(made[0].email, "same@example.test");
  kv.close();
});

Deno.test("updateUser: changing to a taken username is refused and nothing changes", async () => {
  const kv = await Deno.openKv(":memory:");
  const a = await insertUser(kv, newUser(1, "anna"), 1);
  const b = await insertUser(kv, newUser(2, "bert"), 1);
  assert.ok(a.ok && b.ok);
  assert.deepEqual(await updateUser(kv, b.user.id, { username: "anna" }), {
    ok: false,
    reason: "username_taken",
  });
  assert.equal((await getUserByUsername(kv, "bert"))?.id, b.user.id);
  const moved = await updateUser(kv, b.user.id, { username: "bertram" });
  assert.ok(moved.ok);
  assert.equal(await getUserByUsername(kv, "bert"), null, "the old name is released");
  assert.equal((await getUserByUsername(kv, "bertram"))?.id, b.user.id);
  kv.close();
});

Deno.test("auth adapter: a magic-link token works once even under 10 concurrent uses, and sessions end at sign-out", async () => {
  const kv = await Deno.openKv(":memory:");
  let now = 1_000_000;
  const adapter = createKvAdapter(kv, { timeZone: "UTC", now: () => now });
  await adapter.createVerificationToken!({
    identifier: "a@example.test",
    token: "hashed",
    expires: new Date(now + 60_000),
  });
  const uses = await Promise.all(
    Array.from(
      { length: 10 },
      () => adapter.useVerificationToken!({ identifier: "a@example.test", token: "hashed" }),
    ),
  );
  assert.equal(uses.filter(Boolean).length, 1);
  const user = await adapter.createUser!({
    id: "x",
    email: "a@example.test",
    emailVerified: new Date(now),
  });
  await adapter.createSession!({
    sessionToken: "s1",
    userId: user.id,
    expires: new Date(now + 3_600_000),
  });
  assert.equal((await adapter.getSessionAndUser!("s1"))?.user.id, user.id);
  now += 3_600_000;
  assert.equal(
    await adapter.getSessionAndUser!("s1"),
    null,
    "an expired session is not accepted even before KV drops it",
  );
  await adapter.createSession!({
    sessionToken: "s2",
    userId: user.id,
    expires: new Date(now + 3_600_000),
  });
  await adapter.deleteSession!("s2");
  assert.equal(await adapter.getSessionAndUser!("s2"), null);
  kv.close();
});
