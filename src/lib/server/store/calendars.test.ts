/**
 * A calendar account changed by several presses at once: "save new password" pressed again and
 * again beside "remove". Each commit one press loses is another press landing: every password
 * press is saved until the removal lands, and the removal lands (it was answered 500 once it had
 * lost five times). A removed account never comes back.
 */
import assert from "node:assert/strict";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import {
  emptyHead,
  getAccountEntry,
  insertAccount,
  removeAccount,
  replaceAccountPassword,
} from "./calendars.ts";

Deno.test("calendar account: removed while its new password is saved 30 times at once, it is removed and stays removed; no press throws", async () => {
  const app = await memoryApp();
  try {
    const host = await createHost(app);
    const password = (n: number) => ({ v: 1 as const, kid: "k", iv: String(n), ct: "" });
    assert.ok(
      await insertAccount(app.kv, {
        account: {
          v: 1,
          id: "acc1",
          hostId: host.id,
          provider: "caldav",
          serverUrl: "https://dav.example.test/",
          username: "ann",
          password: password(0),
          principalUrl: "",
          homeUrl: "",
          createdAtMs: app.now(),
        },
        calendars: [{
          v: 1,
          id: "cal1",
          hostId: host.id,
          accountId: "acc1",
          url: "https://dav.example.test/ann/cal/",
          displayName: "Ann",
          color: null,
          writable: true,
          checkConflicts: true,
          createdAtMs: app.now(),
        }],
        heads: [emptyHead("cal1", "acc1")],
        writeback: null,
      }),
    );
    const presses = Array.from(
      { length: 30 },
      (_, i) => replaceAccountPassword(app.kv, host.id, "acc1", password(i + 1)),
    );
    const [removed, ...saved] = await Promise.allSettled([
      removeAccount(app.kv, host.id, "acc1"),
      ...presses,
    ]);
    assert.equal(
      removed.status,
      "fulfilled",
      String(removed.status === "rejected" && removed.reason),
    );
    assert.deepEqual(removed.value, ["cal1"]);
    for (const s of saved) {
      assert.equal(s.status, "fulfilled", String(s.status === "rejected" && s.reason));
    }
    assert.equal((await getAccountEntry(app.kv, host.id, "acc1")).value, null, "stays removed");
  } finally {
    app.close();
  }
});
