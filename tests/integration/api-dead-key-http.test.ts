/**
 * A key sent to a public route (event types, slots, booking as a guest) is checked as it is on
 * the private ones: a revoked or unknown key is 401 in the same words, so a program learns its
 * key is dead at its first request, not at its first private one.
 */
import assert from "node:assert/strict";
import { api, opts, slotsPath, withServer } from "../support/integrator.ts";

Deno.test(
  "api: a revoked or unknown key sent to a public route is refused with 401 in the private routes' words, not ignored",
  opts,
  async (t) => {
    await withServer(async (app, keys) => {
      const privateAnswer = await api(app, "GET", "/me", { key: keys.revokedKey });
      assert.equal(privateAnswer.status, 401);
      const publicPaths = [
        "/users/ann/event-types",
        "/users/ann/event-types/chat",
        slotsPath("chat"),
      ];
      for (const path of publicPaths) {
        await t.step(path, async () => {
          for (const key of [keys.revokedKey, "inv_" + "x".repeat(40)]) {
            const res = await api(app, "GET", path, { key });
            assert.equal(res.status, 401, `${path} with a dead key`);
            assert.equal(res.body.detail, privateAnswer.body.detail);
            assert.equal(res.body.reason, "unauthorized");
            assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="invito"');
          }
          assert.equal((await api(app, "GET", path)).status, 200, `${path} without a key`);
          assert.equal((await api(app, "GET", path, { key: keys.writeKey })).status, 200);
        });
      }
      // A booking made with a dead key is refused too, before anything is booked.
      const slots = (await api(app, "GET", slotsPath("chat"))).body.slots;
      const book = await api(app, "POST", "/bookings", {
        key: keys.revokedKey,
        headers: { "idempotency-key": crypto.randomUUID() },
        body: {
          username: "ann",
          eventType: "chat",
          start: slots[0].start,
          timeZone: "UTC",
          name: "Guest",
          email: "guest@example.test",
        },
      });
      assert.equal(book.status, 401);
      assert.equal(book.body.detail, privateAnswer.body.detail);
    });
  },
);

Deno.test(
  "mcp: a public tool called with a revoked or unknown key is refused as unauthorized, as the API's public routes are",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const call = async (authorization: string | null) => {
        const headers: Record<string, string> = {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        };
        if (authorization) headers.authorization = authorization;
        const res = await fetch(app.url("/mcp"), {
          method: "POST",
          headers,
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "tools/call",
            params: { name: "list_event_types", arguments: { username: "ann" } },
          }),
        });
        assert.equal(res.status, 200);
        return (await res.json()).result;
      };
      for (const key of [keys.revokedKey, "inv_" + "x".repeat(40)]) {
        const dead = await call(`Bearer ${key}`);
        assert.equal(dead.isError, true, JSON.stringify(dead));
        assert.equal(dead.structuredContent.reason, "unauthorized");
        assert.match(dead.content[0].text, /unknown, revoked or expired/);
      }
      for (const authorization of [null, `Bearer ${keys.writeKey}`, "Basic YTpi"]) {
        const fine = await call(authorization);
        assert.notEqual(fine.isError, true, `${authorization}: ${JSON.stringify(fine)}`);
        assert.equal(fine.structuredContent.eventTypes.length, 2);
      }
    });
  },
);

Deno.test(
  "mcp: resources listed or read with a revoked or unknown key are refused in the same words; the list was empty and the read answered, as if no key was sent",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const rpc = async (authorization: string, method: string, params: unknown) => {
        const res = await fetch(app.url("/mcp"), {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            authorization,
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        });
        assert.equal(res.status, 200);
        return await res.json();
      };
      const live = await rpc(`Bearer ${keys.writeKey}`, "resources/list", {});
      assert.ok(live.result.resources.length >= 1, JSON.stringify(live));
      const uri = live.result.resources[0].uri;
      for (const key of [keys.revokedKey, "inv_" + "x".repeat(40)]) {
        for (const [method, params] of [["resources/list", {}], ["resources/read", { uri }]]) {
          const dead = await rpc(`Bearer ${key}`, method as string, params);
          assert.equal(dead.result, undefined, `${method}: ${JSON.stringify(dead)}`);
          assert.match(dead.error.message, /unknown, revoked or expired/, method as string);
        }
      }
    });
  },
);
