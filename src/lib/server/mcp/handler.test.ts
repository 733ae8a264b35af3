/**
 * The MCP endpoint in-process (`handleMcp`, what server.ts mounts at /mcp) on a memory app: a
 * tool's refusal of bad input, and a tool that fails on our side answered like the API's 500 —
 * a generic message with an error id, the error itself in the log under that id. And a host's
 * change through its API route: asking a guest for a new time (`request_reschedule`).
 */
import assert from "node:assert/strict";
import { apiHost } from "../../../../tests/support/api.ts";
import { mcpPost } from "../../../../tests/support/mcp.ts";
import type { App } from "../app.ts";
import { createApiKey } from "../services/api-keys.ts";
import { bookingById } from "../services/booking-reads.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// deno-lint-ignore no-explicit-any
const addFormats = addFormatsModule as unknown as (ajv: any) => void;

/** A `tools/call` as an MCP client posts it, with `key` as its bearer. */
const toolCall = (app: App, key: string | null, name: string, args: Record<string, unknown>) =>
  mcpPost(app, "tools/call", { name, arguments: args }, { key: key ?? undefined });

async function setup() {
  const { app, key } = await apiHost({ scopes: ["read"] });
  const callTool = async (name: string, args: Record<string, unknown>) => {
    const res = await toolCall(app, key, name, args);
    return { status: res.status, body: await res.json() };
  };
  return { app, callTool };
}

Deno.test("mcp list_bookings: `from` after `to` is a tool error naming `to`, like the API's 400", async () => {
  const { app, callTool } = await setup();
  const r = await callTool("list_bookings", {
    from: "2026-12-03T00:00:00Z",
    to: "2026-12-01T00:00:00Z",
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.result?.isError, true, JSON.stringify(r.body));
  assert.equal(r.body.result.structuredContent.reason, "validation");
  assert.deepEqual(r.body.result.structuredContent.errors.map((e: { field: string }) => e.field), [
    "to",
  ]);
  app.close();
});

Deno.test("mcp: a tool that fails on our side answers -32603 with an error id and no inner words; the log has the error under that id", async () => {
  const { app, callTool } = await setup();
  // The store fails under the tool (a bug or a broken disk): the route's read throws.
  const kv = app.kv as unknown as { list: unknown };
  kv.list = () => {
    throw new TypeError("Start key is greater than end key");
  };
  const logged: unknown[][] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  let r;
  try {
    r = await callTool("list_bookings", {});
  } finally {
    console.error = error;
  }
  assert.equal(r.status, 200);
  assert.equal(r.body.error?.code, -32603, JSON.stringify(r.body));
  const id = /error id ([0-9a-f-]{36})/.exec(r.body.error.message)?.[1];
  assert.ok(id, r.body.error.message);
  assert.doesNotMatch(r.body.error.message, /Start key|TypeError/);
  assert.equal(logged.length, 1);
  assert.match(String(logged[0][0]), new RegExp(`^\\[mcp error ${id}\\] tools/call list_bookings`));
  assert.match(String(logged[0][1]), /Start key is greater than end key/);
  app.close();
});

Deno.test("mcp book: a guest's name with a lone UTF-16 surrogate is refused, naming guest.name; nothing is booked", async () => {
  const { app, callTool } = await setup();
  const book = (name: string, key: string) =>
    callTool("book", {
      username: "ann",
      event_type: "intro",
      start: "2026-11-23T08:00:00Z",
      time_zone: "UTC",
      guest: { name, email: "gus@example.com" },
      idempotency_key: key,
    });
  const r = await book("Gus\ud800", "surrogate-1");
  assert.equal(r.body.result?.isError, true, JSON.stringify(r.body));
  assert.equal(r.body.result.structuredContent.reason, "validation");
  assert.deepEqual(r.body.result.structuredContent.errors.map((e: { field: string }) => e.field), [
    "guest.name",
  ]);
  const listed = await callTool("list_bookings", {});
  assert.deepEqual(listed.body.result.structuredContent.data, []);
  const ok = await book("Gus 🙂", "surrogate-2");
  assert.equal(ok.body.result.structuredContent.status, "confirmed", JSON.stringify(ok.body));
  app.close();
});

Deno.test("mcp find_available_times: 30 February is blamed on the argument that holds it", async () => {
  const { app, callTool } = await setup();
  const find = (start: string, end: string) =>
    callTool("find_available_times", {
      username: "ann",
      event_type: "intro",
      start,
      end,
      time_zone: "UTC",
    });
  for (
    const [start, end, field] of [["2027-02-30", "2027-03-01", "start"], [
      "2027-02-01",
      "2027-02-30",
      "end",
    ]]
  ) {
    const r = await find(start, end);
    assert.equal(r.body.result?.isError, true, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.result.structuredContent.errors.map((e: { field: string }) => e.field),
      [field],
    );
  }
  app.close();
});

Deno.test("mcp book: a missing argument is called missing, an unknown one unknown (the API's `eventType` sent to `book`)", async () => {
  const { app, callTool } = await setup();
  const r = await callTool("book", {
    username: "ann",
    eventType: "intro",
    start: "2026-11-23T08:00:00Z",
    time_zone: "UTC",
    guest: { name: "Gus", email: "gus@example.com" },
    idempotency_key: "missing-1",
  });
  assert.equal(r.body.result?.isError, true, JSON.stringify(r.body));
  const errors = r.body.result.structuredContent.errors as { field: string; message: string }[];
  const by = Object.fromEntries(errors.map((e) => [e.field, e.message]));
  assert.deepEqual(Object.keys(by).sort(), ["eventType", "event_type"]);
  assert.equal(by.eventType, "This tool takes no such argument (see its input schema)");
  assert.equal(by.event_type, "This tool needs this argument (see its input schema)");
  assert.match(r.body.result.content[0].text, /event_type: This tool needs this argument/);
  app.close();
});

Deno.test("mcp set_date_override: its hints say what it does — the same call twice changes nothing more (idempotent), and it replaces a date's hours already set (destructive)", async () => {
  const { app, key } = await apiHost({ scopes: ["read", "write"] });
  const rpc = async (method: string, params: unknown) =>
    await (await mcpPost(app, method, params, { key: key ?? undefined })).json();
  const set = async (ranges: { start: string; end: string }[] | null) =>
    (await rpc("tools/call", {
      name: "set_date_override",
      arguments: { date: "2026-12-01", ranges },
    })).result.structuredContent.overrides;
  const morning = [{ start: "09:00", end: "12:00" }];
  const first = await set(morning);
  assert.deepEqual(await set(morning), first, "the same call again changes nothing");
  const afternoon = await set([{ start: "14:00", end: "17:00" }]);
  assert.doesNotMatch(JSON.stringify(afternoon), /09:00/, "the morning's hours are gone");

  const tools = (await rpc("tools/list", {})).result.tools as {
    name: string;
    annotations: Record<string, boolean>;
  }[];
  const hints = tools.find((t) => t.name === "set_date_override")!.annotations;
  assert.equal(hints.idempotentHint, true);
  assert.equal(hints.destructiveHint, true);
  app.close();
});

Deno.test("mcp tools/list: every input schema compiles as strict JSON Schema 2020-12, and an argument the schema refuses the tool refuses too", async () => {
  const { app, key } = await apiHost({ scopes: ["read", "write"] });
  const rpc = async (method: string, params: unknown) =>
    await (await mcpPost(app, method, params, { key: key ?? undefined })).json();
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const tools = (await rpc("tools/list", {})).result.tools as {
    name: string;
    inputSchema: Record<string, unknown>;
  }[];
  assert.ok(tools.length >= 10);
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, "object", tool.name);
    const valid = ajv.compile(tool.inputSchema);
    const args = { not_an_argument: 1 };
    assert.equal(valid(args), false, `${tool.name}: the schema takes an unknown argument`);
    const r = await rpc("tools/call", { name: tool.name, arguments: args });
    assert.equal(r.result?.isError, true, `${tool.name}: ${JSON.stringify(r)}`);
    const fields = r.result.structuredContent.errors.map((e: { field: string }) => e.field);
    assert.ok(fields.includes("not_an_argument"), `${tool.name}: ${fields}`);
  }
  app.close();
});

Deno.test("mcp request_reschedule: a host's assistant asks a confirmed booking's guest for a new time — the booking ends reschedule_requested with the reason, the guest is mailed their pick link once (a repeat under the same key replays); a read-only key, an unknown id and a too-long reason are refused in the API's words", async () => {
  const { app, host, key } = await apiHost({ scopes: ["read", "write"] });
  const reader = await createApiKey(app, host, {
    name: "r",
    scopes: ["read"],
    expiresAtMs: null,
  });
  assert.ok(reader.ok);
  const call = async (name: string, args: Record<string, unknown>, bearer = key) => {
    const res = await toolCall(app, bearer, name, args);
    const body = await res.json();
    assert.ok(body.result, `${name}: ${JSON.stringify(body)}`);
    return body.result;
  };
  const booked = await call("book", {
    username: "ann",
    event_type: "intro",
    start: "2026-11-23T08:00:00Z",
    time_zone: "UTC",
    guest: { name: "Gus", email: "gus@example.com" },
    idempotency_key: "book-1",
  });
  assert.equal(booked.structuredContent.status, "confirmed", JSON.stringify(booked));
  const id = booked.structuredContent.bookingId;
  await deliverOutbox(app, app.now());
  app.mailer.sent.length = 0;

  const ask = (args: Record<string, unknown>, bearer?: string) =>
    call("request_reschedule", { id, idempotency_key: "ask-1", ...args }, bearer);
  const readOnly = await ask({}, reader.secret);
  assert.equal(readOnly.isError, true, JSON.stringify(readOnly));
  assert.equal(readOnly.structuredContent.reason, "forbidden_scope");
  assert.match(readOnly.content[0].text, /may only read/);
  const long = await ask({ reason: "x".repeat(501), idempotency_key: "ask-long" });
  assert.equal(long.isError, true, JSON.stringify(long));
  assert.deepEqual(long.structuredContent.errors.map((e: { field: string }) => e.field), [
    "reason",
  ]);
  const unknown = await ask({ id: "01ARZ3NDEKTSV4RRFFQ69G5FAV", idempotency_key: "ask-none" });
  assert.equal(unknown.isError, true, JSON.stringify(unknown));
  assert.equal(unknown.structuredContent.reason, "not_found");
  assert.equal(unknown.content[0].text, "There is nothing at this address.");
  assert.equal((await bookingById(app, id))!.status, "CONFIRMED", "nothing changed yet");

  const asked = await ask({ reason: "Travel" });
  assert.ok(!asked.isError, JSON.stringify(asked));
  assert.equal(asked.structuredContent.id, id);
  assert.equal(asked.structuredContent.state, "cancelled");
  assert.equal(asked.structuredContent.endReason, "reschedule_requested");
  assert.equal(asked.structuredContent.cancelReason, "Travel");
  assert.equal(asked.structuredContent.links, undefined, "the guest's links go by mail only");
  const replay = await ask({ reason: "Travel" });
  assert.ok(!replay.isError, JSON.stringify(replay));
  assert.equal(replay.structuredContent.endReason, "reschedule_requested");
  await deliverOutbox(app, app.now());
  const toGuest = app.mailer.sent.filter((m) => m.to === "gus@example.com");
  assert.equal(toGuest.length, 1, "the guest is mailed once");
  assert.match(toGuest[0].text, /Travel/);
  assert.match(toGuest[0].text, /\/booking\/[^\s]+/);
  // Asked once: a second ask under a new key finds nothing left to ask, in the API's words.
  const again = await ask({ idempotency_key: "ask-2" });
  assert.equal(again.isError, true, JSON.stringify(again));
  assert.equal(again.structuredContent.status, 409);
  app.close();
});
