/**
 * Entry point: serves the SvelteKit build from .deno-deploy with Deno.serve.
 * The stock .deno-deploy/server.ts resolves static files against Deno.cwd(); we pass the
 * build's own folder so the server can be started from anywhere (STACK-NOTES pitfall 8).
 */
import { prepareServer } from "./.deno-deploy/handler.ts";
import rawDeployConfig from "./.deno-deploy/deploy.json" with { type: "json" };
import rawSvelteData from "./.deno-deploy/svelte.json" with { type: "json" };
import { parseConfig } from "./src/lib/server/config.ts";
import { staticHeaders } from "./src/lib/server/http/static-headers.ts";
import { guardRequest } from "./src/lib/server/http/request-guard.ts";
import { clientIp } from "./src/lib/server/http/client-ip.ts";

/** The JSON API handler, mounted by the app's init (src/lib/server/api/mount.ts). */
const API_HANDLER = Symbol.for("invito.api");
type MountedApi = (req: Request, clientIp: string) => Promise<Response>;
import { bodyLimitFor, boundBody } from "./src/lib/server/http/body-limit.ts";
import { serveWithTimeouts } from "./src/lib/server/http/serve.ts";

const parsed = parseConfig(Deno.env.toObject());
if (!parsed.ok) {
  console.error(
    "Invito cannot start; fix these settings:\n" + parsed.errors.map((e) => `  - ${e}`).join("\n"),
  );
  Deno.exit(1);
}
const { config } = parsed;
if (Deno.args.includes("--demo")) Deno.env.set("INVITO_DEMO", "true");

const root = import.meta.dirname!;
const handler = prepareServer(rawSvelteData, rawDeployConfig, root);
const origin = config.baseUrl.origin;
const https = config.baseUrl.protocol === "https:";

// Deno.serve, with header, keep-alive and body deadlines for slow clients (http/serve.ts).
serveWithTimeouts({
  hostname: config.listen.hostname,
  port: config.listen.port,
  clientTimeoutMs: config.clientTimeoutMs,
  onListen: ({ hostname, port }) => {
    console.log(`Invito listening on http://${hostname}:${port} — open ${config.baseUrl.href}`);
  },
}, async (req, info) => {
  // Behind a TLS-terminating proxy the request arrives as http://; SvelteKit's origin check
  // and Auth.js callbacks must see the public origin (STACK-NOTES pitfall 9).
  const url = new URL(req.url);
  // The JSON API takes bearer keys, not cookies: no origin rewriting or cross-site guard applies
  // (open CORS), but its bodies are bounded like every other (http/body-limit.ts).
  const api = (globalThis as { [API_HANDLER]?: MountedApi })[API_HANDLER];
  if (api && (url.pathname === "/api" || url.pathname.startsWith("/api/"))) {
    const bounded = await boundBody(req, bodyLimitFor(url.pathname), 3 * config.clientTimeoutMs);
    if (bounded instanceof Response) return staticHeaders(url.pathname, bounded, { https });
    const ip = clientIp(
      (info.remoteAddr as Deno.NetAddr).hostname,
      req.headers.get("x-forwarded-for"),
      config.trustedProxies,
    );
    return staticHeaders(url.pathname, await api(bounded, ip), { https });
  }
  // Host and scheme come from INVITO_BASE_URL only: forwarded host headers would let a client
  // steer Auth.js redirects (host poisoning).
  const guard = guardRequest(req.method, req.headers, url.pathname, origin);
  if (guard.action === "forbid") {
    return staticHeaders(
      url.pathname,
      new Response(guard.reason, {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8" },
      }),
      { https },
    );
  }
  // Bodies are bounded (413) and timed (408) before anything reads them (http/body-limit.ts).
  const bounded = await boundBody(req, bodyLimitFor(url.pathname), 3 * config.clientTimeoutMs);
  if (bounded instanceof Response) return staticHeaders(url.pathname, bounded, { https });
  req = bounded;
  let request = req;
  const forwarded = req.headers.has("x-forwarded-host") || req.headers.has("x-forwarded-proto");
  if (url.origin !== origin || forwarded || guard.action === "fix-origin") {
    const headers = new Headers(req.headers);
    headers.delete("x-forwarded-host");
    headers.delete("x-forwarded-proto");
    if (guard.action === "fix-origin") headers.set("origin", origin);
    request = new Request(origin + url.pathname + url.search, {
      method: req.method,
      headers,
      body: req.body,
      signal: req.signal,
      // @ts-ignore: Deno needs duplex for streaming request bodies
      duplex: "half",
    });
  }
  const res = await handler(request, info);
  return staticHeaders(url.pathname, res, { https });
});
