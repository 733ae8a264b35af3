/**
 * `/mcp`: the Model Context Protocol's Streamable HTTP transport, from the official TypeScript
 * SDK (`@modelcontextprotocol/sdk`), stateless (ADR 036): every POST carries one JSON-RPC
 * message and gets its answer as JSON; no session, no server-sent events, so any process of a
 * cluster answers any request. server.ts answers it before SvelteKit, like /api/v1: the request
 * guard's body limit and the security headers apply there; here come the API key, the rate
 * limits (per key, or per address without one, the API's groups) and the JSON body rules.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  InitializeRequestSchema,
  isJSONRPCRequest,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  PingRequestSchema,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { App } from "../app.ts";
import { authenticate } from "../services/api-keys.ts";
import { checkRateLimit } from "../services/rate-limit.ts";
import { readJson } from "../api/http.ts";
import { type RefusalReason, REFUSALS } from "../../shared/refusals.ts";
import { negotiateLocale } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { EVENT_TYPE_TEMPLATE, readEventType, resourceList } from "./resources.ts";
import { type McpCaller } from "./tool-table.ts";
import { callTool, isTool, toolList } from "./tools.ts";

import { MCP_PATH } from "./path.ts";
const VERSION = "1.0.0";

const CORS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, content-type, accept, mcp-protocol-version, mcp-session-id, last-event-id",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-expose-headers": "mcp-session-id, retry-after",
  "access-control-max-age": "86400",
};

const INSTRUCTIONS =
  "Invito books meetings with people who publish their free times. Public tools need no key: " +
  "list_event_types(username) names the kinds of meeting a host offers (read an event type's " +
  "resource to learn the questions to ask the guest first), find_available_times gives free " +
  "start times, and book books one for a guest with an idempotency key; the guest gets the " +
  "links to manage the booking by mail. A host's own tools (list_bookings, confirm, reject, " +
  "cancel, reschedule, get_availability, set_date_override) need the host's API key as " +
  "`Authorization: Bearer inv_…`; changes need a key with the write scope.";

/** A JSON-RPC error answer at the HTTP level (the message never reached a tool). */
function rpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: string | number | null = null,
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id }), {
    status,
    headers: {
      ...CORS,
      "content-type": "application/json",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

function refused(req: Request, reason: RefusalReason, headers?: Record<string, string>) {
  const t = translator(negotiateLocale({ acceptLanguage: req.headers.get("accept-language") }));
  const r = REFUSALS[reason] as { status: number; detail: string; message?: string };
  const words = r.message ? t.t(r.message as Parameters<typeof t.t>[0]) : r.detail;
  const code = reason === "invalid_json" ? -32700 : -32600;
  return rpcError(r.status, code, words, headers);
}

type ParamsSchema = {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
};

/** What the SDK checks a request against before a handler of ours runs, by method. */
const REQUEST_SCHEMAS: Record<string, ParamsSchema> = {
  initialize: InitializeRequestSchema,
  ping: PingRequestSchema,
  "tools/list": ListToolsRequestSchema,
  "tools/call": CallToolRequestSchema,
  "resources/list": ListResourcesRequestSchema,
  "resources/templates/list": ListResourceTemplatesRequestSchema,
  "resources/read": ReadResourceRequestSchema,
};

/**
 * A request whose params have the wrong shape (`tools/call` with `arguments: false`, a number
 * for a resource's `uri`): the caller's mistake, answered -32602 "Invalid params" naming the
 * field. Left to the SDK, its validator threw inside the request handler and the answer was
 * -32603 "Internal error", JSON-RPC's 500, worded as the validator's raw issue list, or as
 * "TypeError: Cannot read properties of null" for `arguments: {"constructor": null}` (found by
 * tests/reliability/fuzz-round3.test.ts).
 */
function paramsRefusal(message: unknown): Response | null {
  if (!isJSONRPCRequest(message)) return null;
  const schema = Object.hasOwn(REQUEST_SCHEMAS, message.method)
    ? REQUEST_SCHEMAS[message.method]
    : undefined;
  if (!schema) return null;
  let checked: ReturnType<ParamsSchema["safeParse"]>;
  try {
    checked = schema.safeParse(message);
  } catch {
    // zod's plain-object test reads `constructor.prototype`: `{"constructor": null}` throws.
    checked = { success: false };
  }
  if (checked.success) return null;
  const issue = checked.error?.issues[0];
  const field = (issue?.path ?? []).filter((p) => p !== "params").map(String).join(".");
  const words = `Invalid params: ${field ? `${field.slice(0, 100)}: ` : ""}${
    issue?.message ?? "they do not have the shape this method takes."
  }`;
  return rpcError(200, ErrorCode.InvalidParams, words, {}, message.id);
}

/** `body`: the request body's bytes when server.ts read them already (then `req.body` is spent). */
export async function handleMcp(
  app: App,
  req: Request,
  ip: string,
  body?: Uint8Array | null,
): Promise<Response> {
  try {
    return await answer(app, req, ip, body);
  } catch (err) {
    const errorId = crypto.randomUUID();
    console.error(`[mcp error ${errorId}] ${req.method} ${MCP_PATH}`, err);
    return rpcError(
      500,
      ErrorCode.InternalError,
      `Something went wrong on our side (error id ${errorId}). Please try again.`,
    );
  }
}

async function answer(
  app: App,
  req: Request,
  ip: string,
  body: Uint8Array | null | undefined,
): Promise<Response> {
  if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });
  // Stateless: no stream to open with GET, no session to end with DELETE (the spec's 405).
  if (req.method !== "POST") {
    await req.body?.cancel().catch(() => {});
    return rpcError(405, -32000, "Method not allowed: send JSON-RPC messages with POST.", {
      allow: "POST, OPTIONS",
    });
  }
  const authorization = req.headers.get("authorization");
  const auth = authorization ? await authenticate(app, authorization) : null;
  const limit = auth
    ? await checkRateLimit(app, "api", `key:${auth.key.id}`)
    : await checkRateLimit(app, "api_public", ip);
  if (!limit.ok) {
    await req.body?.cancel().catch(() => {});
    return refused(req, "rate_limited", { "retry-after": String(limit.retryAfterS) });
  }
  const read = await readJson(req, undefined, body);
  if (!read.ok) return refused(req, read.reason);
  // One message per request (MCP 2025-06-18 dropped batches): each tool call is counted.
  if (Array.isArray(read.value)) {
    return rpcError(400, -32600, "Invalid Request: send one JSON-RPC message per request.");
  }
  const wrongParams = paramsRefusal(read.value);
  if (wrongParams) return wrongParams;

  const caller: McpCaller = { app, ip, auth, acceptLanguage: req.headers.get("accept-language") };
  const server = mcpServer(caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    const res = await transport.handleRequest(req, { parsedBody: read.value });
    const headers = new Headers(res.headers);
    for (const [k, val] of Object.entries(CORS)) headers.set(k, val);
    headers.set("cache-control", "no-store");
    return new Response(res.body, { status: res.status, headers });
  } finally {
    void server.close().catch(() => {});
  }
}

/** A server for one request, answering for `caller`. */
function mcpServer(caller: McpCaller): Server {
  const server = new Server(
    { name: "invito", title: "Invito scheduling", version: VERSION },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolList() }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args } = request.params;
    if (!isTool(name)) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name.slice(0, 100)}`);
    }
    return await callTool(caller, name, args);
  });
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: await resourceList(caller),
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [{
      uriTemplate: EVENT_TYPE_TEMPLATE,
      name: "event-type",
      title: "A host's event type",
      description:
        "Description, lengths, location and the questions to ask the guest before booking.",
      mimeType: "application/json",
    }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const found = await readEventType(caller, request.params.uri);
    if (!found) throw new McpError(-32002, "Resource not found", { uri: request.params.uri });
    return { contents: [found] };
  });
  return server;
}
