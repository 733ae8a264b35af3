/**
 * The MCP endpoint answers a generic HTTP client: `Accept: *\/*` (curl's, fetch's and most
 * libraries' default), `application/*` or no Accept header at all are served JSON, as every
 * answer here is; only a client that takes no JSON is refused (406), told what to send.
 */
import assert from "node:assert/strict";
import { opts, withServer } from "../support/integrator.ts";

Deno.test(
  "mcp: a generic client's Accept: */* (or none) is answered as JSON; one that takes no JSON gets 406 naming what to send",
  opts,
  async () => {
    await withServer(async (app) => {
      const initialize = JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "curl", version: "8" },
        },
      });
      const post = (accept: string | null) => {
        const headers = new Headers({ "content-type": "application/json" });
        if (accept !== null) headers.set("accept", accept);
        return fetch(app.url("/mcp"), { method: "POST", headers, body: initialize });
      };
      for (const accept of ["*/*", "application/json", "application/*", "application/json;q=0.5"]) {
        const res = await post(accept);
        assert.equal(res.status, 200, `Accept: ${accept}`);
        assert.match(res.headers.get("content-type") ?? "", /^application\/json/, accept);
        const msg = await res.json();
        assert.equal(msg.result.serverInfo.name, "invito", accept);
      }
      // No Accept at all (fetch would send */*; a raw request does not).
      const raw = await Deno.connect({
        hostname: "127.0.0.1",
        port: Number(new URL(app.baseUrl).port),
      });
      try {
        const bytes = new TextEncoder().encode(initialize);
        await raw.write(new TextEncoder().encode(
          `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
            `content-length: ${bytes.length}\r\nconnection: close\r\n\r\n`,
        ));
        await raw.write(bytes);
        const chunks: Uint8Array[] = [];
        const buf = new Uint8Array(16 * 1024);
        for (;;) {
          const n = await raw.read(buf);
          if (n === null) break;
          chunks.push(buf.slice(0, n));
        }
        const text = new TextDecoder().decode(
          chunks.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()),
        );
        assert.match(text, /^HTTP\/1\.1 200/, text.slice(0, 300));
        assert.match(text, /"serverInfo"/);
      } finally {
        try {
          raw.close();
        } catch { /* closed by the server */ }
      }
      // Neither JSON nor an event stream: 406 with words a person acts on.
      for (const accept of ["text/html", "application/json;q=0, text/html"]) {
        const res = await post(accept);
        assert.equal(res.status, 406, accept);
        const msg = await res.json();
        assert.match(msg.error.message, /Accept/, accept);
        assert.match(msg.error.message, /application\/json/, accept);
      }
    });
  },
);
