import assert from "node:assert/strict";
import { setSuspended } from "./host-data.ts";
import { getActiveUser, insertUser } from "./users.ts";
import { keys } from "./keys.ts";

Deno.test("setSuspended: of 20 concurrent suspensions exactly one suspends (the rest find it done); the sessions go; reactivating revives none", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const made = await insertUser(kv, {
      email: "ann@example.test",
      name: "Ann",
      wantedUsername: "ann",
      timeZone: "UTC",
      emailVerifiedMs: 1,
      image: null,
    }, 1_000);
    assert.ok(made.ok);
    const id = made.user.id;
    for (const t of ["a", "b", "c"]) {
      await kv.atomic().set(keys.session(t), { userId: id }).set(keys.sessionByUser(id, t), true)
        .commit();
    }
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => setSuspended(kv, id, 2_000 + i, 2_000 + i)),
    );
    const won = results.filter((r) => r !== null && r !== "unchanged");
    assert.equal(won.length, 1);
    assert.equal(results.filter((r) => r === "unchanged").length, 19);
    assert.equal(await getActiveUser(kv, id), null);
    const left = [];
    for await (const e of kv.list({ prefix: ["session"] })) left.push(e.key);
    assert.deepEqual(left, []);
    const back = await setSuspended(kv, id, null, 2_500);
    assert.ok(back && back !== "unchanged" && back.suspendedAtMs === undefined);
    assert.equal((await getActiveUser(kv, id))?.id, id);
    assert.equal((await kv.get(keys.session("a"))).value, null);
    assert.equal(
      await setSuspended(kv, "01J99999999999999999999999" as typeof id, 3_000, 3_000),
      null,
    );
  } finally {
    kv.close();
  }
});
