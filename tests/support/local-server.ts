/**
 * An HTTP server on a free loopback port for one test (a scripted CalDAV server, a website, a
 * slow or redirecting peer). `await using` stops it and waits until it has.
 */
export function serveLocal(handler: Deno.ServeHandler): {
  /** http://127.0.0.1:PORT (no trailing slash) */
  base: string;
  [Symbol.asyncDispose](): Promise<void>;
} {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    handler,
  );
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      ac.abort();
      await server.finished;
    },
  };
}
