/**
 * Read, change one field, write back: the body a resource's GET answers is taken by its PATCH
 * (PUT for availability) with the read-only fields as they are; changing one is refused, naming
 * it. The same rule for every resource a client writes back.
 */
import assert from "node:assert/strict";
import { api, opts, withServer } from "../support/integrator.ts";

Deno.test(
  "api: what GET answers can be sent back as the PATCH (read-only fields unchanged); a changed read-only field is refused naming it",
  opts,
  async (t) => {
    await withServer(async (app, keys) => {
      const key = keys.writeKey;
      await t.step("event types", async () => {
        const list = (await api(app, "GET", "/event-types", { key })).body.data;
        const id = list.find((e: { slug: string }) => e.slug === "chat").id;
        const got = (await api(app, "GET", `/event-types/${id}`, { key })).body;
        const patched = await api(app, "PATCH", `/event-types/${id}`, {
          key,
          body: { ...got, title: "Chat, renamed" },
        });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        assert.equal(patched.body.title, "Chat, renamed");
        assert.equal(patched.body.id, id);
        assert.deepEqual(patched.body.questions, got.questions);
        // The answer of one PATCH sent back with another change (its updatedAt is newer).
        const again = await api(app, "PATCH", `/event-types/${id}`, {
          key,
          body: { ...patched.body, description: "Talk" },
        });
        assert.equal(again.status, 200, JSON.stringify(again.body));
        assert.equal(again.body.description, "Talk");
        // A stale copy (an earlier updatedAt) is no change of a read-only field either.
        const stale = await api(app, "PATCH", `/event-types/${id}`, {
          key,
          body: { ...got, title: "Chat" },
        });
        assert.equal(stale.status, 200, JSON.stringify(stale.body));
        // The same instant written another way (a client's own date type) is no change.
        const offset = await api(app, "PATCH", `/event-types/${id}`, {
          key,
          body: { ...got, createdAt: got.createdAt.replace("Z", "+00:00") },
        });
        assert.equal(offset.status, 200, JSON.stringify(offset.body));

        for (
          const [field, value] of [["id", "01ARZ3NDEKTSV4RRFFQ69G5FAV"], [
            "createdAt",
            "2020-01-01T00:00:00.000Z",
          ]]
        ) {
          const res = await api(app, "PATCH", `/event-types/${id}`, {
            key,
            body: { ...got, [field]: value },
          });
          assert.equal(res.status, 400, field);
          assert.equal(res.body.errors.length, 1, JSON.stringify(res.body));
          assert.equal(res.body.errors[0].field, field);
          assert.match(res.body.errors[0].message, /^Read-only: it cannot be changed/, field);
        }
        const after = (await api(app, "GET", `/event-types/${id}`, { key })).body;
        assert.equal(after.title, "Chat");
      });
      await t.step("webhooks", async () => {
        const made = await api(app, "POST", "/webhooks", {
          key,
          body: { url: "http://127.0.0.1:9/hook", events: ["booking.confirmed"] },
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        const id = made.body.subscription.id;
        const got = (await api(app, "GET", `/webhooks/${id}`, { key })).body;
        const patched = await api(app, "PATCH", `/webhooks/${id}`, {
          key,
          body: { ...got, description: "CRM" },
        });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        assert.equal(patched.body.description, "CRM");
        const moved = await api(app, "PATCH", `/webhooks/${id}`, {
          key,
          body: { ...got, id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" },
        });
        assert.equal(moved.status, 400);
        assert.equal(moved.body.errors[0].field, "id");
        assert.match(moved.body.errors[0].message, /^Read-only: it cannot be changed/);
      });
      await t.step("availability (PUT, the rule it shares)", async () => {
        const got = (await api(app, "GET", "/availability", { key })).body;
        const put = await api(app, "PUT", "/availability", { key, body: got });
        assert.equal(put.status, 200, JSON.stringify(put.body));
        const zone = await api(app, "PUT", "/availability", {
          key,
          body: { ...got, timeZone: "Europe/Berlin" },
        });
        assert.equal(zone.status, 400);
        assert.equal(zone.body.errors[0].field, "timeZone");
        assert.match(zone.body.errors[0].message, /^Read-only: it cannot be changed/);
        assert.match(zone.body.errors[0].message, /Profile page/);
      });
    });
  },
);
