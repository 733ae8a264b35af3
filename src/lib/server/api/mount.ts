/**
 * The API is answered by server.ts before SvelteKit (no page machinery on the hot path: the slots
 * endpoint must serve thousands of requests a second). The handler is handed over through a
 * global so that server.ts uses this bundle's modules — one settings cache, one month cache —
 * instead of importing a second copy of the server code.
 */
import type { App } from "../app.ts";
import { handleApi } from "./handler.ts";
import { MCP_PATH } from "../mcp/path.ts";

/**
 * The MCP SDK and the zod it brings are loaded by the first MCP request, not at start: a server
 * that never sees one keeps 8.6 MB less live heap (issue 26: memory of a server with many bookings).
 */
let mcp: Promise<typeof import("../mcp/handler.ts")> | undefined;

export const API_HANDLER = Symbol.for("invito.api");
/**
 * `body`: the bytes server.ts read (bounded); `req`'s own body is then spent. For /mcp it may be
 * the body policy's refusal instead (413, 408), which the MCP endpoint words as JSON-RPC.
 */
export type MountedApi = (
  req: Request,
  clientIp: string,
  url: URL,
  body: Uint8Array | null | Response,
) => Promise<Response>;

/** Answers /api/v1 and, beside it, the MCP endpoint (/mcp, `mcp/handler.ts`). */
export function mountApi(app: App): void {
  (globalThis as { [API_HANDLER]?: MountedApi })[API_HANDLER] = (req, ip, url, body) =>
    url.pathname === MCP_PATH
      ? (mcp ??= import("../mcp/handler.ts")).then((m) => m.handleMcp(app, req, ip, body))
      : body instanceof Response
      ? Promise.resolve(body)
      : handleApi(app, req, ip, url, body);
}
