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
  isInitializeRequest,
  isJSONRPCRequest,
  JSONRPCMessageSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { App } from "../app.ts";
import { authenticate, sendsApiKey } from "../services/api-keys.ts";
import { checkRateLimit } from "../services/rate-limit.ts";
import { bodyRefusalHeaders, readJson } from "../api/http.ts";
import { acceptQuality } from "../http/accept.ts";
import { type RefusalReason, REFUSALS } from "../../shared/refusals.ts";
import { negotiateLocale } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { EVENT_TYPE_TEMPLATE, readEventType, resourceList } from "./resources.ts";
import { type McpCaller } from "./tool-kit.ts";
import { callerTranslator, callTool, isTool, toolList } from "./tools.ts";

import { MCP_PATH } from "./path.ts";
const VERSION = "1.0.0";

/**
 * The protocol versions whose rules our answers follow, latest first (ADR 036): tool results
 * carry `resource_link` content and `structuredContent` (2025-06-18) and batches are refused (as
 * 2025-06-18 dropped them). A client asking for another version is answered with the latest of
 * these and decides whether it speaks it (the lifecycle's version negotiation); the SDK alone
 * agreed to 2025-03-26 and 2024-11-05, whose clients then met answers they do not know.
 */
const PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18"] as const;

/** The version an `initialize` asking for `asked` is answered with. */
function negotiatedVersion(asked: string): string {
  return (PROTOCOL_VERSIONS as readonly string[]).includes(asked) ? asked : PROTOCOL_VERSIONS[0];
}

/**
 * JSON-RPC's range for errors of the server itself (-32000…-32099): a request refused before it
 * was read for what it asks (rate limited, too large, too slow, a version we do not speak). It
 * was valid as far as anyone looked, so it is no "Invalid Request"; `data.reason` names why.
 */
const SERVER_REFUSED = -32000;

/**
 * An error answered as it is (code, message, data). The SDK's McpError words its message as
 * "MCP error <code>: …", and the SDK's client prefixes that once more on its side.
 */
class RpcError extends Error {
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }
}

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
  "links to manage the booking by mail. A host's own tools need the host's API key as " +
  "`Authorization: Bearer inv_…`; changes need a key with the write scope: bookings " +
  "(list_bookings, confirm, reject, cancel, reschedule, request_reschedule to ask the guest " +
  "for a new time, book_for_guest, cancel_meeting for a whole seated meeting), hours " +
  "(get_availability, set_date_override), one-off links (create_one_off_link, " +
  "list_one_off_links, revoke_one_off_link), meeting polls (create_poll, " +
  "list_polls, get_poll, pick_poll_time, close_poll) and teams (list_teams, list_team_bookings).";

/**
 * A JSON-RPC error answer at the HTTP level (the message never reached a tool); `data`: what a
 * program may read besides the words (a refusal's reason).
 */
function rpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: string | number | null = null,
  data?: unknown,
): Response {
  const error = data === undefined ? { code, message } : { code, message, data };
  return new Response(JSON.stringify({ jsonrpc: "2.0", error, id }), {
    status,
    headers: {
      ...CORS,
      "content-type": "application/json",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

/**
 * A refusal from the shared table before any message was read, in the reader's language: a body
 * that does not parse as JSON is JSON-RPC's Parse error; every other refusal here (rate limited,
 * too large, too slow, not sent as JSON) is the server's, -32000 with `data.reason`.
 */
function refused(req: Request, reason: RefusalReason, headers?: Record<string, string>) {
  const t = translator(negotiateLocale({ acceptLanguage: req.headers.get("accept-language") }));
  const r = REFUSALS[reason] as { status: number; detail: string; message?: string };
  const words = r.message ? t.t(r.message as Parameters<typeof t.t>[0]) : r.detail;
  if (reason === "invalid_json") return rpcError(r.status, ErrorCode.ParseError, words, headers);
  return rpcError(r.status, SERVER_REFUSED, words, headers, null, { reason });
}

/**
 * The body policy's refusal (server.ts refuses a body over the limit, 413, or too slow, 408,
 * before anything reads it) as the JSON-RPC error an MCP client reads; its headers (the
 * connection closes) are kept.
 */
function refusedBody(req: Request, early: Response): Response {
  const headers: Record<string, string> = {};
  const connection = early.headers.get("connection");
  if (connection) headers.connection = connection;
  void early.body?.cancel().catch(() => {});
  return refused(req, early.status === 413 ? "payload_too_large" : "request_timeout", headers);
}

/** The id of a message that is no JSON-RPC message, when it has a usable one (else null). */
function idOf(message: unknown): string | number | null {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === "string" || (typeof id === "number" && Number.isSafeInteger(id)) ? id : null;
}

/**
 * A body that parsed as JSON but is no JSON-RPC message (no `jsonrpc: "2.0"`, a null or object
 * id, a number for the method, a bare number): JSON-RPC 2.0 §5.1's -32600 Invalid Request.
 * -32700 Parse error is for text that is no JSON at all; the SDK answered both with -32700.
 */
function messageRefusal(message: unknown): Response | null {
  let valid: boolean;
  try {
    valid = JSONRPCMessageSchema.safeParse(message).success;
  } catch {
    // zod's plain-object test reads `constructor.prototype`: `{"constructor": null}` throws.
    valid = false;
  }
  if (valid) return null;
  return rpcError(
    400,
    ErrorCode.InvalidRequest,
    'Invalid Request: send one JSON-RPC 2.0 message: an object with "jsonrpc": "2.0", a ' +
      '"method" string and a string or integer "id" (none for a notification).',
    {},
    idOf(message),
  );
}

/**
 * A request naming, in its MCP-Protocol-Version header, a version we do not speak: 400, as the
 * transport spec asks (the SDK also accepted the versions it knows but we do not follow). A
 * request without the header is taken as ours: a stateless server has no session to read the
 * version from.
 */
function versionRefusal(req: Request, message: unknown): Response | null {
  const version = req.headers.get("mcp-protocol-version");
  if (version === null || isInitializeRequest(message)) return null;
  if ((PROTOCOL_VERSIONS as readonly string[]).includes(version)) return null;
  return rpcError(
    400,
    SERVER_REFUSED,
    `Bad Request: unsupported protocol version ${version.slice(0, 40)} (supported: ${
      PROTOCOL_VERSIONS.join(", ")
    })`,
    {},
    idOf(message),
    { supported: PROTOCOL_VERSIONS },
  );
}

/**
 * A client that takes no JSON (`Accept: text/html` only): 406 saying what to send. The transport
 * spec asks clients for `Accept: application/json, text/event-stream`, but every answer here is
 * JSON (stateless, no stream), so any header that accepts JSON is served: `*\/*`, the default
 * of curl, fetch and most HTTP libraries, `application/*`, or none at all (RFC 9110: anything).
 * The SDK's transport refused all of these with 406.
 */
function acceptRefusal(req: Request, message: unknown): Response | null {
  if (acceptQuality(req.headers.get("accept"), "application/json") > 0) return null;
  return rpcError(
    406,
    SERVER_REFUSED,
    "Not Acceptable: this endpoint answers with application/json; send " +
      "`Accept: application/json, text/event-stream` (or */*).",
    {},
    idOf(message),
  );
}

/**
 * The request as the SDK's transport checks it: it insists on both types being named in
 * `Accept` (a substring test), and `acceptRefusal` has already decided that JSON is accepted.
 * The body was read already (`parsedBody`), so the copy carries none.
 */
function asTransportExpects(req: Request): Request {
  const headers = new Headers(req.headers);
  headers.set("accept", "application/json, text/event-stream");
  headers.delete("content-length");
  return new Request(req.url, { method: req.method, headers });
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

/**
 * `body`: the request body's bytes when server.ts read them already (then `req.body` is spent),
 * or its body policy's refusal (413, 408), answered here in JSON-RPC's words.
 */
export async function handleMcp(
  app: App,
  req: Request,
  ip: string,
  body?: Uint8Array | null | Response,
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
  body: Uint8Array | null | Response | undefined,
): Promise<Response> {
  if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });
  if (body instanceof Response) return refusedBody(req, body);
  // Stateless: no stream to open with GET, no session to end with DELETE (the spec's 405).
  if (req.method !== "POST") {
    await req.body?.cancel().catch(() => {});
    return rpcError(405, SERVER_REFUSED, "Method not allowed: send JSON-RPC messages with POST.", {
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
  if (!read.ok) return refused(req, read.reason, bodyRefusalHeaders(read.reason));
  // An empty body is no JSON text (the API reads it as `{}`; JSON-RPC has nothing to parse).
  if (read.empty) {
    return rpcError(
      400,
      ErrorCode.ParseError,
      "Parse error: the body is empty; send a JSON-RPC message.",
    );
  }
  // One message per request (MCP 2025-06-18 dropped batches): each tool call is counted.
  if (Array.isArray(read.value)) {
    return rpcError(
      400,
      ErrorCode.InvalidRequest,
      "Invalid Request: send one JSON-RPC message per request.",
    );
  }
  const refusal = messageRefusal(read.value) ?? versionRefusal(req, read.value) ??
    paramsRefusal(read.value);
  if (refusal) return refusal;
  const notAcceptable = acceptRefusal(req, read.value);
  if (notAcceptable) return notAcceptable;

  const caller: McpCaller = {
    app,
    ip,
    auth,
    keySent: sendsApiKey(authorization),
    acceptLanguage: req.headers.get("accept-language"),
  };
  const server = mcpServer(caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    const res = await transport.handleRequest(asTransportExpects(req), { parsedBody: read.value });
    const headers = new Headers(res.headers);
    for (const [k, val] of Object.entries(CORS)) headers.set(k, val);
    headers.set("cache-control", "no-store");
    return new Response(res.body, { status: res.status, headers });
  } finally {
    void server.close().catch(() => {});
  }
}

/**
 * A handler's failure that is no answer of ours (a bug, a store that broke) is answered like the
 * API's 500: -32603 with an error id and no inner words, the error itself logged under that id.
 * (Left to the SDK, its message went to the client and nothing to the log.)
 */
async function orOurFault<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof RpcError) throw err;
    const errorId = crypto.randomUUID();
    console.error(`[mcp error ${errorId}] ${what}`, err);
    throw new RpcError(
      ErrorCode.InternalError,
      `Something went wrong on our side (error id ${errorId}). Please try again.`,
    );
  }
}

const SERVER_INFO = { name: "invito", title: "Invito scheduling", version: VERSION };
const CAPABILITIES = { tools: {}, resources: {} };

/** A server for one request, answering for `caller`. */
function mcpServer(caller: McpCaller): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: CAPABILITIES,
    instructions: INSTRUCTIONS,
  });
  // Stateless: nothing of the client's is kept; the version is ours to choose (PROTOCOL_VERSIONS).
  server.setRequestHandler(InitializeRequestSchema, (request) => ({
    protocolVersion: negotiatedVersion(request.params.protocolVersion),
    capabilities: CAPABILITIES,
    serverInfo: SERVER_INFO,
    instructions: INSTRUCTIONS,
  }));
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolList() }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args } = request.params;
    if (!isTool(name)) {
      throw new RpcError(ErrorCode.InvalidParams, `Unknown tool: ${name.slice(0, 100)}`);
    }
    return await orOurFault(`tools/call ${name}`, () => callTool(caller, name, args));
  });
  // A dead key is refused here as by every tool (tools.ts): an empty list, or a read answered as
  // if no key was sent, never told the client its key was no good.
  const deadKey = () => {
    if (caller.keySent && !caller.auth) {
      throw new RpcError(
        ErrorCode.InvalidRequest,
        callerTranslator(caller, undefined).t("mcp.key_unknown"),
      );
    }
  };
  server.setRequestHandler(ListResourcesRequestSchema, () => {
    deadKey();
    return orOurFault("resources/list", async () => ({ resources: await resourceList(caller) }));
  });
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
    deadKey();
    const found = await orOurFault(
      "resources/read",
      () => readEventType(caller, request.params.uri),
    );
    if (!found) throw new RpcError(-32002, "Resource not found", { uri: request.params.uri });
    return { contents: found };
  });
  return server;
}
