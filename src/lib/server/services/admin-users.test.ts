/**
 * The admin's people (services/admin-users.ts): a search looks at every account, not only the
 * first thousands; a user is named as the list shows them (`@username`), by address or id, and a
 * closed account by the username it had.
 */
import assert from "node:assert/strict";
import { findUserForAdmin, listUsersForAdmin, suspendUser } from "./admin-users.ts";
import { deleteAccount } from "./account-closing.ts";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { insertUser } from "../store/users.ts";

Deno.test("listUsersForAdmin: a search and a state filter find an account created after the first 5,000", async () => {
  const app = await memoryApp({ guard: false });
  try {
    for (let i = 0; i < 5_010; i++) {
      const r = await insertUser(app.kv, {
        email: `user${i}@example.test`,
        name: `User ${i}`,
        wantedUsername: `user${i}`,
        timeZone: "UTC",
        emailVerifiedMs: null,
        image: null,
      }, app.now());
      assert.ok(r.ok);
    }
    const found = await listUsersForAdmin(app, { q: "user5005" });
    assert.deepEqual(found.rows.map((r) => r.username), ["user5005"]);
    assert.equal(found.more, false);
    assert.equal(found.stoppedAfter, null, "every account was looked at");
    // Past its limit a listing stops, and says after how many accounts.
    const stopped = await listUsersForAdmin(app, { q: "user5005" }, 1_000);
    assert.deepEqual([stopped.rows.length, stopped.stoppedAfter], [0, 1_000]);
    // A page of the newest: the display cap, and "more" past it.
    const all = await listUsersForAdmin(app, { q: "user" });
    assert.equal(all.rows.length, 200);
    assert.equal(all.more, true);
    const late = (await listUsersForAdmin(app, { q: "user5007" })).rows[0];
    assert.ok((await suspendUser(app, { id: null, label: "cli" }, late.id)).ok);
    const suspended = await listUsersForAdmin(app, { state: "suspended" });
    assert.deepEqual(suspended.rows.map((r) => r.username), ["user5007"]);
  } finally {
    app.close();
  }
});

Deno.test("findUserForAdmin: @username (as the list shows it), username, address and id name the same person; a closed account is found by the username it had", async () => {
  const app = await memoryApp();
  try {
    const bob = await createHost(app, { username: "bob", email: "bob@example.test" });
    for (const ref of ["@bob", "bob", " @Bob ", "bob@example.test", "BOB@example.test", bob.id]) {
      assert.equal((await findUserForAdmin(app, ref))?.id, bob.id, ref);
    }
    for (const ref of ["@nobody", "@", "@bob@example.test", "nobody@example.test"]) {
      assert.equal(await findUserForAdmin(app, ref), null, ref);
    }
    const gone = await createHost(app, { username: "gone", email: "gone@example.test" });
    const closed = await deleteAccount(app, gone, "gone", { id: null, label: "cli" });
    assert.ok(closed.ok);
    for (const ref of ["gone", "@gone", gone.id]) {
      const u = await findUserForAdmin(app, ref);
      assert.equal(u?.id, gone.id, ref);
      assert.ok(u?.closedAtMs, `${ref}: the closed account`);
    }
    // A new account that took the address after the closing is the one the address names.
    const again = await createHost(app, { username: "again", email: "gone@example.test" });
    assert.equal((await findUserForAdmin(app, "gone@example.test"))?.id, again.id);
  } finally {
    app.close();
  }
});

Deno.test("suspendUser: an administrator is refused to a web admin and done for the command line (the machine's operator)", async () => {
  const app = await memoryApp({ env: { INVITO_ADMINS: "ann@example.test, bo@example.test" } });
  try {
    // Admins by an address their sign-in verified (domain/admin.ts isAdmin).
    const admin = async (username: string) => {
      const r = await insertUser(app.kv, {
        email: `${username}@example.test`,
        name: username,
        wantedUsername: username,
        timeZone: "UTC",
        emailVerifiedMs: app.now(),
        image: null,
      }, app.now());
      assert.ok(r.ok);
      return r.user;
    };
    const ann = await admin("ann");
    const bo = await admin("bo");
    const web = { id: ann.id, label: "ann" };
    assert.deepEqual(await suspendUser(app, web, bo.id), { ok: false, reason: "admin" });
    assert.deepEqual(await suspendUser(app, web, ann.id), { ok: false, reason: "self" });
    assert.ok((await suspendUser(app, { id: null, label: "cli" }, bo.id)).ok);
  } finally {
    app.close();
  }
});

Deno.test("listUsersForAdmin: a search ignores case and accents — 'jose' finds José Núñez, 'NUNEZ' too", async () => {
  const app = await memoryApp();
  try {
    for (const [name, username] of [["José Núñez", "jose"], ["Ann Lee", "ann"]]) {
      const r = await insertUser(app.kv, {
        email: `${username}@example.test`,
        name,
        wantedUsername: `${username}1`,
        timeZone: "UTC",
        emailVerifiedMs: null,
        image: null,
      }, app.now());
      assert.ok(r.ok);
    }
    for (const q of ["josé", "JOSE NU", "nunez", "Núñez"]) {
      assert.deepEqual((await listUsersForAdmin(app, { q })).rows.map((r) => r.username), [
        "jose1",
      ], q);
    }
  } finally {
    app.close();
  }
});
