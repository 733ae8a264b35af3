/**
 * The MCP endpoint in-process, as server.ts mounts it at /mcp. Apart from tests/support/api.ts:
 * a file that imports this reaches the MCP SDK, which `deno check` skips (scripts/deno-check.ts).
 */
import { handleMcp } from "../../src/lib/server/mcp/handler.ts";
import type { App } from "../../src/lib/server/app.ts";

/**
 * A JSON-RPC request to the MCP endpoint as an MCP client posts it (Streamable HTTP), through
 * the same `handleMcp` server.ts mounts: `key` as its bearer when given, `headers` added (e.g.
 * the client's language).
 */
export function mcpPost(
  app: App,
  method: string,
  params: unknown,
  opts: { key?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return handleMcp(
    app,
    new Request("http://invito.test/mcp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(opts.key === undefined ? {} : { authorization: `Bearer ${opts.key}` }),
        ...opts.headers,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    }),
    "192.0.2.1",
  );
}
