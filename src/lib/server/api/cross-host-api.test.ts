/**
 * Another host's key names ids it does not own: every route taking an id answers it exactly as an
 * id that does not exist (404, the same bytes), and nothing of the owner's changes. Bookings are
 * covered in api.test.ts; these are the other resources a key acts on by id.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";
import { createForm } from "../services/routing-forms.ts";
import { submitForm } from "../services/routing-visits.ts";
import { fillToken } from "../services/anti-spam.ts";
import { newId } from "../store/users.ts";
import type { UserRecord } from "../domain/model/records.ts";

Deno.test("API: another host's key cannot read or change a host's event types, webhooks, forms, polls or one-off links", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  try {
    const ann = await createHost(app, { username: "ann", weekly: WORKDAYS });
    const bob = await createHost(app, { username: "bob", weekly: WORKDAYS });
    await createEventType(app, ann, { slug: "intro", requiresConfirmation: false });
    await createEventType(app, bob, { slug: "intro", requiresConfirmation: false });
    const key = async (u: UserRecord) => {
      const res = await createApiKey(app, u, {
        name: "k",
        scopes: ["read", "write"],
        expiresAtMs: null,
      });
      assert.ok(res.ok);
      return res.secret;
    };
    const annKey = await key(ann);
    const bobKey = await key(bob);
    const { call } = apiClient(app);

    // Ann's resources.
    const ets = await call("GET", "/event-types", { key: annKey });
    const etId = ets.body.data[0].id as string;
    const sub = await call("POST", "/webhooks", {
      key: annKey,
      body: { url: "http://127.0.0.1:9/ann", events: ["booking.confirmed"] },
    });
    assert.equal(sub.status, 201, sub.text);
    const subId = sub.body.subscription.id as string;
    const test = await call("POST", `/webhooks/${subId}/test`, { key: annKey, body: {} });
    assert.equal(test.status, 202, test.text);
    const messageId = test.body.messageId as string;
    const times = ["2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z"];
    const poll = await call("POST", "/polls", {
      key: annKey,
      body: { eventType: "intro", title: "Sync", times },
    });
    assert.equal(poll.status, 201, poll.text);
    const link = await call("POST", "/one-off-links", {
      key: annKey,
      body: { eventType: "intro", times: ["2026-11-27T09:00:00Z"] },
    });
    assert.equal(link.status, 201, link.text);
    const form = await createForm(app, ann.id, { title: "Ask", slug: "ask" });
    assert.ok(form.ok);
    const ft = await fillToken(app);
    app.clock.ms += 60_000;
    const sent = await submitForm(app, {
      owner: "ann",
      slug: "ask",
      posted: (k) => ({ name: ["Guest"], email: ["guest@example.com"] })[k] ?? [],
      fillToken: ft,
      honeypot: "",
    });
    assert.ok(sent.ok);

    // Bob names each of them; then an id nobody has, for the answer to compare with.
    const unknown = newId(app.now());
    const tries: [string, (id: string) => string, unknown?][] = [
      ["GET", (id) => `/event-types/${id}`],
      ["PATCH", (id) => `/event-types/${id}`, { description: "Bob was here" }],
      ["DELETE", (id) => `/event-types/${id}`],
    ];
    const hookTries: typeof tries = [
      ["GET", (id) => `/webhooks/${id}`],
      ["PATCH", (id) => `/webhooks/${id}`, { url: "http://127.0.0.1:9/bob" }],
      ["POST", (id) => `/webhooks/${id}/rotate-secret`, {}],
      ["POST", (id) => `/webhooks/${id}/test`, {}],
      ["GET", (id) => `/webhooks/${id}/deliveries`],
      ["POST", (id) => `/webhooks/${id}/deliveries/${messageId}/redeliver`, {}],
      ["DELETE", (id) => `/webhooks/${id}`],
    ];
    const pollTries: typeof tries = [
      ["GET", (id) => `/polls/${id}`],
      ["POST", (id) => `/polls/${id}/pick`, { start: times[0] }],
      ["POST", (id) => `/polls/${id}/close`],
    ];
    const linkTries: typeof tries = [["POST", (id) => `/one-off-links/${id}/revoke`]];
    const formTries: typeof tries = [
      ["GET", (id) => `/forms/${id}`],
      ["GET", (id) => `/forms/${id}/responses`],
    ];
    const owned: [string, typeof tries][] = [
      [etId, tries],
      [subId, hookTries],
      [poll.body.id, pollTries],
      [link.body.id, linkTries],
      [form.form.id, formTries],
    ];
    for (const [id, list] of owned) {
      for (const [method, path, body] of list) {
        const theirs = await call(method, path(id), { key: bobKey, body });
        const none = await call(method, path(unknown), { key: bobKey, body });
        assert.equal(theirs.status, 404, `${method} ${path(id)}: ${theirs.text}`);
        assert.equal(theirs.text, none.text, `${method} ${path(id)} tells the id exists`);
      }
    }
    // Bob's lists hold none of Ann's.
    for (const path of ["/event-types", "/webhooks", "/polls", "/one-off-links", "/forms"]) {
      const list = await call("GET", path, { key: bobKey });
      assert.equal(list.status, 200, `${path}: ${list.text}`);
      for (const id of [etId, subId, poll.body.id, link.body.id, form.form.id]) {
        assert.ok(!list.text.includes(id), `${path} lists Ann's ${id}`);
      }
    }

    // Ann's are as they were.
    const et = await call("GET", `/event-types/${etId}`, { key: annKey });
    assert.equal(et.status, 200);
    assert.equal(et.body.description, "");
    const hook = await call("GET", `/webhooks/${subId}`, { key: annKey });
    assert.equal(hook.status, 200);
    assert.equal(hook.body.url, "http://127.0.0.1:9/ann");
    const answers = await call("GET", `/polls/${poll.body.id}`, { key: annKey });
    assert.equal(answers.status, 200);
    assert.equal(answers.body.poll?.state ?? answers.body.state, "open", answers.text);
    const links = await call("GET", "/one-off-links", { key: annKey });
    assert.equal(links.body.data[0].state, "unused", links.text);
    const responses = await call("GET", `/forms/${form.form.id}/responses`, { key: annKey });
    assert.equal(responses.status, 200);
    assert.equal(responses.body.data.length, 1);
  } finally {
    await new Promise((r) => setTimeout(r, 0));
    app.close();
  }
});
