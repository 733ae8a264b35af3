/**
 * Free TCP ports on 127.0.0.1 for the servers a test starts.
 *
 * The kernel picks an unused port for a listener on port 0; we read it and close the listener.
 * Another process could take the port before our server binds it, so `startApp` retries with a
 * new port when the server reports the address in use (unless the caller fixed the port).
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
