/**
 * Deletes that race writes changing the same record: another write lands between the delete's
 * read and its commit, every time (the store below makes it), and the delete still lands. A host
 * who pressed Delete or Revoke is never told "not found" about a thing that is still there.
 */
import assert from "node:assert/strict";
import { deleteEventType, findEventType, setEventTypeActive } from "./event-types.ts";
import { authenticate, createApiKey, listKeys, revokeApiKey } from "./api-keys.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
} from "../../../../tests/support/memory-app.ts";
import { writeAfterNextRead } from "../../../../tests/support/kv-interleave.ts";

async function setup(kind: string) {
  const store = writeAfterNextRead(await Deno.openKv(":memory:"), (k) => k[0] === kind, "get");
  const app = await memoryApp({ kv: store.kv });
  const host = await createHost(app, { username: "ann", timeZone: "UTC" });
  return { app, host, arm: store.arm };
}

const closing = async (app: TestApp, run: () => Promise<void>) => {
  try {
    await run();
  } finally {
    app.close();
  }
};

Deno.test("deleteEventType: switched off by another write between its read and its commit, it is still deleted", async () => {
  const { app, host, arm } = await setup("event_type");
  await closing(app, async () => {
    const et = await createEventType(app, host, { slug: "call" });
    let switched = null as { ok: boolean } | null;
    arm(async () => (switched = await setEventTypeActive(app, host, et.id, false)));
    assert.equal(await deleteEventType(app, host, et.id), true, "the delete landed");
    assert.equal(switched?.ok, true, "the other write landed first");
    assert.equal(await findEventType(app, host, et.id), null, "the event type is gone");
  });
});

Deno.test("revokeApiKey: a first use recorded on the key between its read and its commit, it is still revoked", async () => {
  const { app, host, arm } = await setup("api_key");
  await closing(app, async () => {
    const made = await createApiKey(app, host, {
      name: "laptop",
      scopes: ["write"],
      expiresAtMs: null,
    });
    assert.ok(made.ok);
    arm(() => authenticate(app, `Bearer ${made.secret}`));
    assert.equal(await revokeApiKey(app, host, made.key.id), true, "the revoke landed");
    assert.deepEqual(await listKeys(app, host), []);
    assert.equal(await authenticate(app, `Bearer ${made.secret}`), null, "the key is refused");
  });
});
