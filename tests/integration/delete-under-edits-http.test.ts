/**
 * A host deletes something while other writes change it: the delete lands, and the host is never
 * told "not found" about a thing that is still there. An event type deleted while its editor's
 * saves land (a second tab, a double-clicked Save), an API key revoked while a client makes its
 * first calls with it (each first call records its use on the key).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInClient } from "../support/team-signin.ts";
import { formsOf, submitForm } from "../support/auth.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ROUNDS = 10;

Deno.test({
  ...opts,
  name:
    "an event type deleted while its editor's saves land is deleted (303 to the list, its page then 404), never answered 'not found' while it stays",
  async fn() {
    await using app = await startApp();
    const host = await signInClient(app, "host@example.test");
    for (let round = 0; round < ROUNDS; round++) {
      const slug = `call-${round}`;
      const fields = {
        title: `Call ${round}`,
        slug,
        durationMin: "30",
        bookingWindowDays: "30",
        color: "#2549ea",
        active: "on",
      };
      const created = await host.post("/dashboard/event-types/new", fields);
      const id = /event-types\/([0-9A-Z]{26})/.exec(created.location ?? "")?.[1];
      assert.ok(id, `created (${created.status})`);
      const base = `/dashboard/event-types/${id}`;
      const saves = Array.from(
        { length: 16 },
        (_, i) => host.post(base, { ...fields, durationMin: String(15 + 15 * (i % 3)) }),
      );
      const [deleted, ...saved] = await Promise.all([host.post(`${base}/delete`, {}), ...saves]);
      assert.equal(deleted.status, 303, `round ${round}: the delete answered ${deleted.status}`);
      assert.equal(deleted.location, app.url("/dashboard/event-types?deleted=1"));
      for (const s of saved) assert.ok([200, 303, 404].includes(s.status), `a save: ${s.status}`);
      assert.equal((await host.get(base)).status, 404, "the deleted event type's editor is gone");
      assert.doesNotMatch(
        (await host.get("/dashboard/event-types")).body,
        new RegExp(`/${slug}\\b`),
      );
    }
  },
});

Deno.test({
  ...opts,
  name:
    "an API key revoked while a client makes its first calls with it is revoked (the page says so, the key is refused after), never 'this key is gone' while it works",
  async fn() {
    await using app = await startApp();
    const host = await signInClient(app, "host@example.test");
    for (let round = 0; round < ROUNDS; round++) {
      const made = await host.post("/dashboard/developers?/createKey", {
        name: `laptop ${round}`,
        expires: "never",
      });
      assert.equal(made.status, 200);
      const secret = /\b(inv_[A-Za-z0-9_-]{20,})/.exec(made.body)?.[1];
      assert.ok(secret, "the new key is shown once");
      const revoke = formsOf(await host.get("/dashboard/developers")).find((f) =>
        f.action.endsWith("?/revokeKey")
      );
      assert.ok(revoke, "a revoke form");
      const call = () =>
        fetch(app.url("/api/v1/me"), { headers: { authorization: `Bearer ${secret}` } })
          .then(async (r) => (await r.body?.cancel(), r.status));
      const [revoked, ...calls] = await Promise.all([
        submitForm(host, revoke),
        ...Array.from({ length: 12 }, call),
      ]);
      assert.equal(revoked.status, 200, `round ${round}: the revoke answered ${revoked.status}`);
      assert.doesNotMatch(revoked.body, /That key is already gone/);
      for (const s of calls) assert.ok([200, 401].includes(s), `a call: ${s}`);
      assert.equal(await call(), 401, "the revoked key is refused");
    }
  },
});
