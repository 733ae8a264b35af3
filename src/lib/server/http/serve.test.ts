import assert from "node:assert/strict";
import { serveWithTimeouts } from "./serve.ts";

async function readUntilClosed(
  conn: Deno.Conn,
  limitMs: number,
): Promise<{ text: string; closed: boolean }> {
  let text = "";
  const buf = new Uint8Array(4096);
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const n = await Promise.race([
      conn.read(buf).catch(() => null),
      new Promise<"wait">((r) => setTimeout(() => r("wait"), deadline - Date.now())),
    ]);
    if (n === "wait") break;
    if (n === null) return { text, closed: true };
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return { text, closed: false };
}

Deno.test("serveWithTimeouts: serves requests with the client's address; closes a connection that sends half its headers, or idles after an answer; shuts down", async () => {
  const server = serveWithTimeouts(
    { hostname: "127.0.0.1", port: 0, clientTimeoutMs: 300 },
    (_req, info) => new Response(`hello ${info.remoteAddr.hostname}`),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const res = await fetch(base);
    assert.equal(await res.text(), "hello 127.0.0.1");

    const half = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await half.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n"));
    const t0 = performance.now();
    const r1 = await readUntilClosed(half, 3_000);
    assert.ok(r1.closed, "half headers: closed");
    assert.ok(performance.now() - t0 < 2_000);
    half.close();

    const idle = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await idle.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const r2 = await readUntilClosed(idle, 3_000);
    assert.match(r2.text, /^HTTP\/1\.1 200/);
    assert.ok(r2.closed, "an idle keep-alive connection is closed after the timeout");
    idle.close();
  } finally {
    await server.shutdown();
  }
  await assert.rejects(fetch(base));
});
