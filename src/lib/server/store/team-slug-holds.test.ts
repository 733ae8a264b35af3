import assert from "node:assert/strict";
import { getUserByUsername, insertUser, updateUser } from "./users.ts";
import { getTeamByReleasedSlug, getTeamBySlug, insertTeam, updateTeam } from "./teams.ts";
import { closeAccountRecord } from "./host-data.ts";
import { MAX_USERNAME_HOLDS } from "../domain/username.ts";
import type { TeamRecord } from "../domain/model/records.ts";
import { guardKv } from "../../../../tests/support/kv-guard.ts";

const person = (i: number, wanted: string) => ({
  email: `p${i}@example.test`,
  name: `P${i}`,
  wantedUsername: wanted,
  timeZone: "UTC",
  emailVerifiedMs: null,
  image: null,
});

const teamRecord = (id: string, slug: string, ownerId: string, nowMs: number): TeamRecord => ({
  v: 1,
  id,
  slug,
  name: slug,
  timeZone: "UTC",
  members: [{ userId: ownerId, role: "owner", weight: 1, priority: 2, joinedAtMs: nowMs }],
  createdAtMs: nowMs,
  updatedAtMs: nowMs,
});

const renameTeam = (kv: Deno.Kv, id: string, slug: string, nowMs: number) =>
  updateTeam(kv, id, (cur) => ({ ok: true, next: { ...cur, slug, updatedAtMs: nowMs } }));

Deno.test("team slugs: 20 people racing for the slug a team renames away from — none gets it, the team keeps it held and may take it back", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const t0 = 5_000_000;
  const owner = await insertUser(kv, person(0, "owner"), t0);
  assert.ok(owner.ok);
  assert.deepEqual(await insertTeam(kv, teamRecord("01TEAM", "crew", owner.user.id, t0)), {
    ok: true,
  });
  const others = await Promise.all(
    Array.from({ length: 20 }, (_, i) => insertUser(kv, person(i + 1, `x${i}`), t0)),
  );
  const results = await Promise.all([
    renameTeam(kv, "01TEAM", "crew-two", t0 + 1),
    ...others.map((o) => o.ok ? updateUser(kv, o.user.id, { username: "crew" }, t0 + 1) : null),
    insertTeam(kv, teamRecord("02OTHER", "crew", owner.user.id, t0 + 1)),
  ]);
  assert.ok(results[0]?.ok, "the rename lands");
  assert.ok(results.slice(1).every((r) => r && !r.ok), "nobody else gets the old slug");
  assert.equal(await getUserByUsername(kv, "crew"), null);
  assert.equal((await getTeamByReleasedSlug(kv, "crew", t0 + 2))?.slug, "crew-two");
  // The team may take its old slug back; then it is no longer a forward.
  assert.ok((await renameTeam(kv, "01TEAM", "crew", t0 + 3)).ok);
  assert.equal((await getTeamBySlug(kv, "crew"))?.id, "01TEAM");
  assert.equal(await getTeamByReleasedSlug(kv, "crew", t0 + 4), null);
  kv.close();
});

Deno.test("team slugs: at most 5 held per team; a sixth rename is refused until one ends", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const t0 = 6_000_000;
  const owner = await insertUser(kv, person(0, "owner"), t0);
  assert.ok(owner.ok);
  await insertTeam(kv, teamRecord("01TEAM", "s0", owner.user.id, t0));
  for (let i = 1; i <= MAX_USERNAME_HOLDS; i++) {
    assert.ok((await renameTeam(kv, "01TEAM", `s${i}`, t0 + i)).ok, `rename ${i}`);
  }
  assert.deepEqual(await renameTeam(kv, "01TEAM", "s99", t0 + 10), {
    ok: false,
    reason: "too_many_holds",
  });
  assert.ok((await renameTeam(kv, "01TEAM", "s1", t0 + 11)).ok, "taking one back is allowed");
  kv.close();
});

Deno.test("closing an account holds its username in the closing write: 20 people racing for it all lose", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const t0 = 7_000_000;
  const ann = await insertUser(kv, person(0, "ann"), t0);
  assert.ok(ann.ok);
  const others = await Promise.all(
    Array.from({ length: 20 }, (_, i) => insertUser(kv, person(i + 1, `y${i}`), t0)),
  );
  const results = await Promise.all([
    closeAccountRecord(kv, ann.user.id, t0 + 1),
    ...others.map((o) => o.ok ? updateUser(kv, o.user.id, { username: "ann" }, t0 + 1) : null),
  ]);
  assert.ok(results[0], "the account closes");
  assert.ok(results.slice(1).every((r) => r && "ok" in r && !r.ok), "nobody takes the name");
  const fresh = await insertUser(kv, person(99, "ann"), t0 + 2);
  assert.ok(fresh.ok);
  assert.notEqual(fresh.user.username, "ann");
  kv.close();
});
