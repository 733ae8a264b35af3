import type { RequestHandler } from "./$types";
import { handleMcp } from "$lib/server/mcp/handler.ts";

/**
 * Reached only when server.ts has not taken the request itself (`vite dev`, or the first
 * requests while the server starts): the same handler either way.
 */
export const fallback: RequestHandler = ({ request, locals }) =>
  handleMcp(locals.app, request, locals.clientIp);
