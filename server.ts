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

import {
  type BodyPolicy,
  bodyPolicyFor,
  headersFor,
  readBody,
  takeUploadTurn,
  uploadBusy,
  withBody,
} from "./src/lib/server/http/body-limit.ts";
import {
  crossSiteRefusal,
  internalError,
  unknownMethod,
} from "./src/lib/server/http/early-answers.ts";
import { mountExportReader, workerExportReader } from "./src/lib/server/services/import-reader.ts";
import { serveWithTimeouts } from "./src/lib/server/http/serve.ts";
// --- operations (issue 15) ---
import { join } from "node:path";
import { loadStaticFiles, serveStatic } from "./src/lib/server/http/static-files.ts";
import { compressResponse, stripEncodingSuffixes } from "./src/lib/server/http/compress.ts";
import { newRequestId, requestContext } from "./src/lib/server/ops/context.ts";
import { configureLog, logLine, redactPath } from "./src/lib/server/ops/log.ts";
import { recordRequest } from "./src/lib/server/ops/metrics.ts";
import { routeClass } from "./src/lib/server/ops/route-class.ts";
import { beginShutdown, finishShutdown } from "./src/lib/server/ops/lifecycle.ts";
import { startupLine } from "./src/lib/server/ops/startup-line.ts";
import { heldApp } from "./src/lib/server/app-holder.ts";
import type { App } from "./src/lib/server/app.ts";
import type { MountedApi } from "./src/lib/server/api/mount.ts";
import type { PageEarly } from "./src/lib/server/http/page-cache.ts";
import type { BookEarly } from "./src/lib/server/http/book-early.ts";
import { settleCounts } from "./src/lib/server/ops/counts-in-flight.ts";

// The handlers below are this bundle's modules, handed over through globals by the app's init.
// Their types are imported `import type` only: erased at run time, so server.ts loads no second
// copy of the server code, and a copy written out here cannot drift from them again (the early
// booking type had).
/** The JSON API handler, mounted by the app's init (src/lib/server/api/mount.ts). */
const API_HANDLER = Symbol.for("invito.api");
/** Kept booking pages answered before SvelteKit (src/lib/server/http/page-cache.ts, ADR 049). */
const PAGE_EARLY = Symbol.for("invito.pageEarly");
const pageEarly = () => (globalThis as { [PAGE_EARLY]?: PageEarly })[PAGE_EARLY];
/** Booking form posts answered before SvelteKit (src/lib/server/http/book-early.ts, ADR 055). */
const BOOK_EARLY = Symbol.for("invito.bookEarly");
const bookEarly = () => (globalThis as { [BOOK_EARLY]?: BookEarly })[BOOK_EARLY];

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
// A host's import file is read in a Worker, off the thread that answers requests (issue 22).
mountExportReader(
  workerExportReader(new URL("./src/lib/server/services/import-worker.ts", import.meta.url)),
);
// Static files are answered from memory before the handler (serveWithOps), so the adapter's own
// file routes only ever saw what is not there — and opened it anyway: a 500 for an old build's
// chunk, and a static file as the answer to a POST. Without them the handler goes straight to
// SvelteKit, which also saves every request the adapter's URLPattern match (~3 % of a booking
// post's JavaScript time, issue 26).
const handler = prepareServer(
  rawSvelteData,
  { ...rawDeployConfig, staticFiles: [], headers: [] },
  root,
);
/**
 * The App the SvelteKit build's init built before the first request (hooks.server.ts); built
 * from here only if asked for before that. server.ts loads app.ts's module graph only then: the
 * build has its own copy, and a second one cost memory and start time (issue 26).
 */
const getApp = () => heldApp<App>() ?? import("./src/lib/server/app.ts").then((m) => m.getApp());
const origin = config.baseUrl.origin;
const https = config.baseUrl.protocol === "https:";

/** `url` is the request's, parsed once by serveWithOps (a parse per request showed in profiles). */
const handleRequest = async (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  url: URL,
) => {
  // Bodies are bounded (413) and timed (408) before anything reads them, by the body policy of
  // the route's kind (http/body-limit.ts); the upload's limit only for a session found live.
  // A request without a body needs no limit: its session is not looked up for one.
  const policy = await bodyPolicyFor(
    url.pathname,
    url.search,
    () => req.body === null ? Promise.resolve(false) : sessionIsLive(req),
  );
  if (policy.kind !== "upload") return await handleBounded(req, info, url, policy);
  // Uploads one at a time, read and handled (http/body-limit.ts takeUploadTurn).
  const release = await takeUploadTurn();
  if (!release) {
    await req.body?.cancel().catch(() => {});
    return await uploadBusy(req);
  }
  try {
    return await handleBounded(req, info, url, policy);
  } finally {
    release();
  }
};

const handleBounded = async (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  url: URL,
  policy: BodyPolicy,
) => {
  // Behind a TLS-terminating proxy the request arrives as http://; SvelteKit's origin check
  // and Auth.js callbacks must see the public origin (STACK-NOTES pitfall 9).
  // The JSON API (and the MCP endpoint beside it) takes bearer keys, not cookies: no origin
  // rewriting or cross-site guard applies (open CORS), but its bodies are bounded like every
  // other (http/body-limit.ts).
  const api = (globalThis as { [API_HANDLER]?: MountedApi })[API_HANDLER];
  if (
    api && (url.pathname === "/api" || url.pathname.startsWith("/api/") || url.pathname === "/mcp")
  ) {
    const body = await readBody(req, policy.limit, 3 * config.clientTimeoutMs, policy.kind);
    // The MCP endpoint words a refused body (413, 408) as JSON-RPC, which its clients read.
    if (body instanceof Response && url.pathname !== "/mcp") return body;
    const ip = requestIp(req, info);
    // The audit log hashes the caller's address from the request context (services/audit.ts);
    // SvelteKit's hook fills it for pages, and the API never reaches that hook.
    const ctx = requestContext.getStore();
    if (ctx) ctx.clientIp = ip;
    // The bytes as read: the API parses them once, without a request rebuilt to carry them.
    return await api(req, ip, url, body instanceof Response ? body : body?.bytes ?? null);
  }
  // Host and scheme come from INVITO_BASE_URL only: forwarded host headers would let a client
  // steer Auth.js redirects (host poisoning).
  const guard = guardRequest(req.method, req.headers, url.pathname, origin);
  if (guard.action === "forbid") {
    return await crossSiteRefusal(req, origin, guard.reason);
  }
  const body = await readBody(req, policy.limit, 3 * config.clientTimeoutMs, policy.kind);
  if (body instanceof Response) return body;
  const forwarded = req.headers.has("x-forwarded-host") || req.headers.has("x-forwarded-proto");
  const fix = url.origin !== origin || forwarded || guard.action === "fix-origin";
  /**
   * The request as SvelteKit is to see it, carrying the body read above: built only when it goes
   * there (a booking post answered before SvelteKit never needs one; http/body-limit.ts withBody).
   */
  const forSvelteKit = (): Request => {
    if (!fix) return withBody(req, body);
    const headers = headersFor(req.headers, body);
    headers.delete("x-forwarded-host");
    headers.delete("x-forwarded-proto");
    if (guard.action === "fix-origin") headers.set("origin", origin);
    return withBody(req, body, { url: origin + url.pathname + url.search, headers });
  };
  let request: Request | null = null;
  const posts = bookEarly();
  if (posts && req.method === "POST") {
    const ip = requestIp(req, info);
    // Answered here, or handed to SvelteKit with its decision attached (then built by
    // `forSvelteKit`, whose request it is).
    const answered = await posts.answer(req, url, ip, body, forSvelteKit);
    if (answered instanceof Response) return answered;
    request = answered;
  }
  request ??= forSvelteKit();
  let res: Response | undefined;
  try {
    res = await handler(request, info);
  } finally {
    // Also when SvelteKit threw: a refusal's crowd may wait for this answer (book-early.ts).
    posts?.learn(request, url, res);
  }
  const early = req.method === "GET" ? pageEarly() : undefined;
  if (!early) return res;
  // A kept booking page SvelteKit answered: the next request for it is answered before SvelteKit,
  // and this one is gzipped from the page's parts deflated once (compressResponse passes it on).
  early.learn(request, url, res);
  // A booking page's view gives the browser its booker cookie (ADR 060): last, so that neither
  // the kept page nor the learned headers ever hold one browser's cookie.
  return early.withBookerCookie(request, early.gzipped(request, res) ?? res);
};

/**
 * A kept booking page answered before SvelteKit (http/page-cache.ts): only a GET without a body;
 * null for everything else. The origin it arrived under (behind a proxy, not the public one)
 * does not matter: a kept page depends on the path, query and languages only.
 */
function answerEarly(req: Request, url: URL, info: Deno.ServeHandlerInfo<Deno.NetAddr>) {
  const early = pageEarly();
  if (!early || req.method !== "GET" || req.body || url.pathname.startsWith("/api/")) return null;
  const ip = requestIp(req, info);
  return early.answer(req, url, ip);
}

/** The client's address: the peer's, or the forwarded one from a trusted proxy. */
function requestIp(req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): string {
  return clientIp(
    (info.remoteAddr as Deno.NetAddr).hostname,
    req.headers.get("x-forwarded-for"),
    config.trustedProxies,
  );
}

const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token$/;

/**
 * Whether the request carries a session that is in the store and not expired: a cookie with the
 * session's name proves nothing (issue 22). Asked for the dashboard's routes only.
 */
async function sessionIsLive(req: Request): Promise<boolean> {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at < 0 || !SESSION_COOKIE.test(part.slice(0, at).trim())) continue;
    let token = part.slice(at + 1).trim();
    try {
      token = decodeURIComponent(token);
    } catch {
      continue;
    }
    if (!token || token.length > 512) continue;
    const app = await getApp();
    const { getSessionUserId } = await import("./src/lib/server/store/auth-adapter.ts");
    if (await getSessionUserId(app.kv, token, app.now())) return true;
  }
  return false;
}

// --- operations (issue 15): static files, compression, request ids, logs, metrics, shutdown ---
configureLog(config.logFormat);
const staticFiles = await loadStaticFiles(join(root, ".deno-deploy", "static"));

/**
 * Every request: an id (in the `x-request-id` answer header, error pages and the outbox jobs it
 * queues), static files from memory, compression, one log line and the request metrics.
 */
async function serveWithOps(req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) {
  const started = performance.now();
  const url = new URL(req.url);
  const requestId = newRequestId(req.headers.get("x-request-id"));
  const route = routeClass(req.method, url.pathname);
  return await requestContext.run({ requestId }, async () => {
    let res: Response;
    try {
      let file = serveStatic(staticFiles, req, url.pathname);
      if (file instanceof Promise) file = await file;
      const refused = file ? null : unknownMethod(req, url.pathname);
      if (file) res = file;
      else if (refused) res = refused;
      else {
        const inm = req.headers.get("if-none-match");
        let inner = req;
        if (inm && /-(br|gz)"/.test(inm)) {
          const headers = new Headers(req.headers);
          headers.set("if-none-match", stripEncodingSuffixes(inm));
          inner = new Request(req, { headers });
        }
        const early = await answerEarly(req, url, info);
        res = await compressResponse(req, early ?? await handleRequest(inner, info, url));
      }
    } catch (err) {
      logLine("error", "request failed", {
        requestId,
        error: err instanceof Error ? err.message : String(err),
      });
      res = internalError(req, url.pathname);
    }
    // Every answer carries the security headers — errors, 405s, 413s and static files included
    // (SvelteKit's pages already have the full set from hooks.server.ts; this fills in the rest).
    res = staticHeaders(url.pathname, res, { https });
    try {
      res.headers.set("x-request-id", requestId);
    } catch {
      res = new Response(res.body, res);
      res.headers.set("x-request-id", requestId);
    }
    const seconds = (performance.now() - started) / 1000;
    recordRequest(route, req.method, res.status, seconds);
    logLine("info", "request", {
      method: req.method,
      path: redactPath(url.pathname),
      route,
      status: res.status,
      ms: Math.round(seconds * 10_000) / 10,
      requestId,
    });
    return res;
  });
}

// Deno.serve, with header, keep-alive and body deadlines for slow clients (http/serve.ts).
const server = serveWithTimeouts({
  hostname: config.listen.hostname,
  port: config.listen.port,
  clientTimeoutMs: config.clientTimeoutMs,
  onListen: ({ hostname, port }) => {
    console.log(
      startupLine({ hostname, port }, Deno.env.get("INVITO_BASE_URL") ? config.baseUrl : null),
    );
  },
}, serveWithOps);

/**
 * SIGTERM (docker stop, systemd) or SIGINT: stop accepting, let requests in flight finish, stop
 * the crons and let running jobs finish, all within INVITO_SHUTDOWN_TIMEOUT; then release this
 * process's leases, close KV and exit 0. A second signal exits at once.
 */
let stopping = false;
const onSignal = async (signal: Deno.Signal) => {
  if (stopping) {
    logLine("warn", "second signal: exiting now", { signal });
    Deno.exit(1);
  }
  stopping = true;
  const startedAt = Date.now();
  const deadline = startedAt + config.shutdownGraceMs;
  logLine("info", "shutdown: stopping", { signal, graceMs: config.shutdownGraceMs });
  beginShutdown(deadline);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([
    server.shutdown().then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), deadline - Date.now()))),
  ]);
  clearTimeout(timer);
  const abandoned = await finishShutdown(deadline, (m) => logLine("warn", m));
  // Insights counts still on their way (each a fire-and-forget `sum`) are written before KV closes.
  await Promise.race([
    settleCounts(),
    new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
  ]);
  try {
    const app = await getApp();
    if (app.readKv !== app.kv) app.readKv.close();
    app.kv.close();
  } catch {
    // KV never opened or already closed: nothing to release
  }
  logLine("info", "shutdown: done", {
    ms: Date.now() - startedAt,
    requestsFinished: closed,
    jobsAbandoned: abandoned,
  });
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", () => void onSignal("SIGTERM"));
Deno.addSignalListener("SIGINT", () => void onSignal("SIGINT"));
