/**
 * A renamed host under their old name (ADR 011), through the JSON API and MCP in-process (the
 * handlers server.ts mounts): the doors that take the name in a body or a resource URI answer
 * as the current name does, like the `/users/{old}/…` GETs and the MCP tools.
 */
import assert from "node:assert/strict";
import { apiClient, apiHost } from "../../../../tests/support/api.ts";
import { mcpPost } from "../../../../tests/support/mcp.ts";
import { updateProfile } from "../services/profile.ts";
import { settleCounts } from "../services/insights-count.ts";
import type { App } from "../app.ts";

/** "ann" (event type "intro") renamed to "anna"; nobody has "ann" now. */
async function renamed() {
  const { app, host } = await apiHost();
  const moved = await updateProfile(app, host, {
    name: host.name,
    username: "anna",
    timeZone: host.timeZone,
  });
  assert.ok(moved.ok, JSON.stringify(moved));
  const api = apiClient(app);
  const slots = await api.call(
    "GET",
    "/users/anna/event-types/intro/slots?start=2026-11-23&end=2026-11-27&timeZone=UTC",
  );
  assert.equal(slots.status, 200);
  const starts = (slots.body.slots as { start: string }[]).map((s) => s.start);
  const done = async () => {
    await settleCounts();
    app.close();
  };
  return { app, api, starts, done };
}

const guest = (username: string, start: string) => ({
  username,
  eventType: "intro",
  start,
  timeZone: "Europe/Berlin",
  name: "Guest One",
  email: "guest@example.com",
});

async function rpc(app: App, method: string, params: Record<string, unknown>) {
  const res = await mcpPost(app, method, params, { headers: { "accept-language": "de" } });
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test("API POST /bookings with a renamed host's old username books the host under their current name; a retry under the same Idempotency-Key answers the same booking; a name nobody held is 404", async () => {
  const { api, starts, done } = await renamed();
  const made = await api.call("POST", "/bookings", { body: guest("ann", starts[0]), idem: "k-1" });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.state, "confirmed");
  assert.equal(made.body.start, starts[0]);
  // The booking is the host's: the slot is gone under the current name.
  const after = await api.call(
    "GET",
    "/users/anna/event-types/intro/slots?start=2026-11-23&end=2026-11-27&timeZone=UTC",
  );
  assert.ok(!(after.body.slots as { start: string }[]).some((s) => s.start === starts[0]));

  const again = await api.call("POST", "/bookings", { body: guest("ann", starts[0]), idem: "k-1" });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.headers.get("idempotent-replayed"), "true");
  assert.equal(again.body.id, made.body.id);
  // The request is the current name's: a client that learned the new name replays it too.
  const renamedRetry = await api.call("POST", "/bookings", {
    body: guest("anna", starts[0]),
    idem: "k-1",
  });
  assert.equal(renamedRetry.headers.get("idempotent-replayed"), "true", renamedRetry.text);
  assert.equal(renamedRetry.body.id, made.body.id);

  // A refusal under the old name is the current name's (the slot is taken now), not a 404.
  const taken = await api.call("POST", "/bookings", { body: guest("ann", starts[0]), idem: "k-2" });
  assert.equal(taken.status, 409, taken.text);
  const nobody = await api.call("POST", "/bookings", {
    body: guest("nobody", starts[1]),
    idem: "k-3",
  });
  assert.equal(nobody.status, 404, nobody.text);
  await done();
});

Deno.test("MCP resources/read of an event type under a renamed host's old name answers the current name's resource, under its current URI, and says the new name in the caller's language", async () => {
  const { app, done } = await renamed();
  const current = await rpc(app, "resources/read", {
    uri: "invito://users/anna/event-types/intro",
  });
  const old = await rpc(app, "resources/read", { uri: "invito://users/ann/event-types/intro" });
  assert.equal(old.error, undefined, JSON.stringify(old));
  const contents = old.result.contents as { uri: string; mimeType: string; text: string }[];
  assert.deepEqual(contents[0], current.result.contents[0], "the current name's resource");
  assert.equal(contents[0].uri, "invito://users/anna/event-types/intro");
  assert.equal(JSON.parse(contents[0].text).host.username, "anna");
  assert.equal(contents[1].mimeType, "text/plain");
  assert.equal(contents[1].uri, "invito://users/ann/event-types/intro");
  assert.match(contents[1].text, /„ann“ heißt jetzt „anna“/);

  // A name nobody held, and an event type the host does not have, are still not found.
  for (
    const uri of ["invito://users/nobody/event-types/intro", "invito://users/ann/event-types/x"]
  ) {
    const none = await rpc(app, "resources/read", { uri });
    assert.equal(none.error?.code, -32002, uri);
  }
  await done();
});

Deno.test("MCP book under a renamed host's old username books the host and its first line says the new name", async () => {
  const { app, starts, done } = await renamed();
  const out = await rpc(app, "tools/call", {
    name: "book",
    arguments: {
      username: "ann",
      event_type: "intro",
      start: starts[0],
      time_zone: "UTC",
      guest: { name: "Guest One", email: "guest@example.com" },
      idempotency_key: "mcp-1",
    },
  });
  assert.notEqual(out.result.isError, true, JSON.stringify(out));
  assert.equal(out.result.structuredContent.status, "confirmed");
  assert.match(out.result.content[0].text, /„ann“ heißt jetzt „anna“/);
  await done();
});
