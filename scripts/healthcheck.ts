/**
 * The container's HEALTHCHECK: GET /healthz on the address the server listens on; exit 0 when it
 * answers 200 within 4 s. A server bound to all interfaces is asked on the loopback address.
 */
const addr = Deno.env.get("INVITO_LISTEN_ADDR") || ":8080";
const i = addr.lastIndexOf(":");
let host = addr.slice(0, i).replace(/^\[|\]$/g, "");
if (host === "" || host === "0.0.0.0") host = "127.0.0.1";
if (host === "::") host = "::1";
const url = `http://${host.includes(":") ? `[${host}]` : host}:${addr.slice(i + 1)}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  await res.body?.cancel();
  Deno.exit(res.status === 200 ? 0 : 1);
} catch (err) {
  console.error(`healthcheck: ${url}: ${err instanceof Error ? err.message : err}`);
  Deno.exit(1);
}
