/**
 * The limit beside the booking page: Deno.serve answering with the very bytes the app rendered,
 * from memory (no routing, no SvelteKit, no KV). Same runtime, same machine, same load generator.
 *
 *   deno run -A bench/static-server.ts PORT BODY_FILE CONTENT_TYPE [CONTENT_ENCODING]
 */
const [port, bodyFile, contentType, contentEncoding] = Deno.args;
const headers: Record<string, string> = { "content-type": contentType };
if (contentEncoding) headers["content-encoding"] = contentEncoding;
const body = await Deno.readFile(bodyFile);
Deno.serve({ hostname: "127.0.0.1", port: Number(port), onListen() {} }, (req) => {
  if (new URL(req.url).pathname === "/healthz") return new Response("ok");
  return new Response(body, { headers });
});
