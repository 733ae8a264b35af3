/** The MCP endpoint's path: api/mount.ts routes it to mcp/handler.ts, loaded on first use. */
export const MCP_PATH = "/mcp";
