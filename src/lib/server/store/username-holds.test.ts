import assert from "node:assert/strict";
import { getUserByReleasedUsername, getUserByUsername, insertUser, updateUser } from "./users.ts";
import { MAX_USERNAME_HOLDS, USERNAME_HOLD_MS } from "../domain/username.ts";
import { guardKv } from "../../../../tests/support/kv-guard.ts";

const person = (i: number, wanted: string) => ({
  email: `p${i}@example.test`,
  name: `P${i}`,
  wantedUsername: wanted,
  timeZone: "UTC",
  emailVerifiedMs: null,
  image: null,
});

Deno.test("usernames: a released name is held for its owner — refused to others, skipped for new accounts, free again after 90 days", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const t0 = 1_000_000;
  const alice = await insertUser(kv, person(1, "alice"), t0);
  const bob = await insertUser(kv, person(2, "bob"), t0);
  assert.ok(alice.ok && bob.ok);
  const renamed = await updateUser(kv, alice.user.id, { username: "alicia" }, t0);
  assert.ok(renamed.ok);
  assert.deepEqual(renamed.user.previousUsernames, [{
    username: "alice",
    untilMs: t0 + USERNAME_HOLD_MS,
  }]);
  assert.equal(await getUserByUsername(kv, "alice"), null);
  assert.equal((await getUserByReleasedUsername(kv, "alice", t0 + 1))?.id, alice.user.id);

  assert.deepEqual(await updateUser(kv, bob.user.id, { username: "alice" }, t0 + 1), {
    ok: false,
    reason: "username_taken",
  });
  const newcomer = await insertUser(kv, person(3, "alice"), t0 + 1);
  assert.ok(newcomer.ok && newcomer.user.username === "alice-2");

  // The owner takes it back: the hold ends, the newer name is held instead.
  const back = await updateUser(kv, alice.user.id, { username: "alice" }, t0 + 2);
  assert.ok(back.ok && back.user.username === "alice");
  assert.deepEqual(back.user.previousUsernames?.map((h) => h.username), ["alicia"]);
  assert.equal((await getUserByReleasedUsername(kv, "alicia", t0 + 3))?.id, alice.user.id);
  assert.equal(
    await getUserByReleasedUsername(kv, "alice", t0 + 3),
    null,
    "live names don't forward",
  );

  // 90 days on, "alicia" is anyone's.
  const later = t0 + 2 + USERNAME_HOLD_MS;
  assert.equal(await getUserByReleasedUsername(kv, "alicia", later), null);
  const taken = await updateUser(kv, bob.user.id, { username: "alicia" }, later);
  assert.ok(taken.ok && taken.user.username === "alicia");
  kv.close();
});

Deno.test("usernames: at most 5 names are held per host; a sixth rename waits until the soonest hold ends", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const t0 = 5_000_000;
  const u = await insertUser(kv, person(1, "n0"), t0);
  assert.ok(u.ok);
  for (let i = 1; i <= MAX_USERNAME_HOLDS; i++) {
    assert.ok((await updateUser(kv, u.user.id, { username: `n${i}` }, t0 + i)).ok, `rename ${i}`);
  }
  const sixth = await updateUser(kv, u.user.id, { username: "n99" }, t0 + 10);
  assert.deepEqual(sixth, {
    ok: false,
    reason: "too_many_holds",
    untilMs: t0 + 1 + USERNAME_HOLD_MS,
  });
  // Taking a held name back is always allowed.
  assert.ok((await updateUser(kv, u.user.id, { username: "n0" }, t0 + 11)).ok);
  kv.close();
});

Deno.test("usernames: 20 hosts racing for a name its owner is taking back — the owner wins or nobody else does", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const t0 = 9_000_000;
  const owner = await insertUser(kv, person(0, "carol"), t0);
  assert.ok(owner.ok);
  assert.ok((await updateUser(kv, owner.user.id, { username: "caroline" }, t0)).ok);
  const others = await Promise.all(
    Array.from({ length: 20 }, (_, i) => insertUser(kv, person(i + 1, `x${i}`), t0)),
  );
  const results = await Promise.all([
    updateUser(kv, owner.user.id, { username: "carol" }, t0 + 1),
    ...others.map((o) => o.ok ? updateUser(kv, o.user.id, { username: "carol" }, t0 + 1) : null),
  ]);
  assert.ok(results[0]?.ok, "the owner gets it back");
  assert.ok(results.slice(1).every((r) => r && !r.ok), "nobody else gets it");
  assert.equal((await getUserByUsername(kv, "carol"))?.id, owner.user.id);
  kv.close();
});
