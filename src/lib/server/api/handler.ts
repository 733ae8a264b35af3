/**
 * Answers every request under /api/v1: routing, CORS, API keys and scopes, rate limits, body
 * limits and content types, validation, Idempotency-Key presence, then the route's handler.
 * Bad input of any kind is a 4xx problem; a bug is logged with an id and answered 500.
 */
import * as v from "valibot";
import type { App } from "../app.ts";
import {
  authenticate,
  type Authenticated,
  scopeRefusal,
  sendsApiKey,
} from "../services/api-keys.ts";
import { checkRateLimit } from "../services/rate-limit.ts";
import {
  type ApiResponse,
  bodyRefusalHeaders,
  CORS_PREFLIGHT_HEADERS,
  problem,
  readJson,
  toResponse,
} from "./http.ts";
import { type Ctx, issuesToFields, type Route, ROUTES } from "./routes/index.ts";
import { NOT_AN_OBJECT } from "./routes/context.ts";
import { openApiDocument } from "./openapi.ts";
import { IDEMPOTENCY_KEY_RE, isPlaceholderKey } from "../services/idempotency.ts";
import { renamedHost } from "../services/username-history.ts";

export const API_PREFIX = "/api/v1";

/** `prefix`: the path's text before its first parameter; a path without it cannot match. */
type Compiled = { route: Route; re: RegExp; names: string[]; prefix: string };

/** "/users/{username}/…" → "users": the first segment, or "" when it is a parameter. */
function firstSegment(path: string): string {
  const end = path.indexOf("/", 1);
  const seg = path.slice(1, end < 0 ? path.length : end);
  return seg.includes("{") ? "" : seg;
}

const COMPILED: Compiled[] = ROUTES.map((route) => {
  const names: string[] = [];
  const re = new RegExp(
    "^" + route.path.replace(/\{(\w+)\}/g, (_, n) => {
      names.push(n);
      return "([^/]+)";
    }) + "$",
  );
  const brace = route.path.indexOf("{");
  return { route, re, names, prefix: brace < 0 ? route.path : route.path.slice(0, brace) };
});

/**
 * The routes a path may match, by its first segment (routes whose first segment is a parameter
 * join every list), in table order: a request tries the few under its own segment, not all.
 */
const BY_SEGMENT = new Map<string, Compiled[]>();
for (const c of COMPILED) {
  const seg = firstSegment(c.route.path);
  if (seg && !BY_SEGMENT.has(seg)) BY_SEGMENT.set(seg, []);
}
const ANY_SEGMENT = COMPILED.filter((c) => firstSegment(c.route.path) === "");
for (const [seg, list] of BY_SEGMENT) {
  list.push(...COMPILED.filter((c) => {
    const own = firstSegment(c.route.path);
    return own === seg || own === "";
  }));
}

function match(path: string) {
  const found: { c: Compiled; params: Record<string, string> }[] = [];
  for (const c of BY_SEGMENT.get(firstSegment(path)) ?? ANY_SEGMENT) {
    if (!path.startsWith(c.prefix)) continue;
    const m = c.re.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    let bad = false;
    for (let i = 0; i < c.names.length; i++) {
      try {
        params[c.names[i]] = decodeURIComponent(m[i + 1]);
      } catch {
        bad = true;
      }
    }
    if (!bad) found.push({ c, params });
  }
  return found;
}

let documentText: string | null = null;

/** The public base URL without its trailing slash, per configured URL (not per request). */
const bases = new WeakMap<URL, string>();
function baseOf(app: App): string {
  let base = bases.get(app.config.baseUrl);
  if (base === undefined) {
    bases.set(app.config.baseUrl, base = app.config.baseUrl.href.replace(/\/$/, ""));
  }
  return base;
}

/**
 * `url`: the request's URL when the caller parsed it already; `body`: its body's bytes when the
 * caller read them already (server.ts, within the body policy's limit), so `req.body` is not read.
 */
export async function handleApi(
  app: App,
  req: Request,
  ip: string,
  url: URL = new URL(req.url),
  body?: Uint8Array | null,
): Promise<Response> {
  const method = req.method === "HEAD" ? "GET" : req.method;
  try {
    return toResponse(await dispatch(app, req, url, method, ip, body), req.method);
  } catch (err) {
    const errorId = crypto.randomUUID();
    console.error(`[api error ${errorId}] ${req.method} ${url.pathname}`, err);
    const res = problem(app.config.baseUrl.href, "internal", {
      detail: `Something went wrong on our side (error id ${errorId}). Please try again.`,
    });
    return toResponse(res, req.method);
  }
}

async function dispatch(
  app: App,
  req: Request,
  url: URL,
  method: string,
  ip: string,
  readBody: Uint8Array | null | undefined,
): Promise<ApiResponse> {
  const base = baseOf(app);
  if (method === "OPTIONS") return { status: 204, headers: CORS_PREFLIGHT_HEADERS };
  // server.ts hands over all of /api/…: another version (/api/v2/me) is no alias of this one.
  if (!url.pathname.startsWith(API_PREFIX + "/")) return problem(base, "not_found");
  const path = url.pathname.slice(API_PREFIX.length);
  if (path === "/openapi.json" && method === "GET") {
    documentText ??= JSON.stringify(openApiDocument(base));
    return { status: 200, body: documentText, headers: { "content-type": "application/json" } };
  }
  const found = match(path);
  if (found.length === 0) return problem(base, "not_found");
  const hit = found.find((f) => f.c.route.method === method);
  const paramsOf = (f: (typeof found)[number]) =>
    f.c.route.params ? v.safeParse(f.c.route.params, f.params) : null;
  const params = hit ? paramsOf(hit) : null;
  // A route whose params the path fails does not answer it (`/bookings/for-guest` is no
  // booking's id): when another method's route does, the method is what is wrong (405).
  if (!hit || (params && !params.success)) {
    const answering = found.filter((f) => f !== hit && paramsOf(f)?.success !== false);
    if (answering.length || !hit) {
      const allow = new Set((answering.length ? answering : found).map((f) => f.c.route.method));
      return problem(base, "method_not_allowed", { headers: { allow: [...allow].join(", ") } });
    }
  }
  const route = hit.c.route;

  // Who is asking, and may they? A public route needs no key, but a key sent to one is read
  // like anywhere else (`sendsApiKey`): a revoked or mistyped key answered as if absent left its
  // program working until it called a private route, never told its key was dead.
  let auth = null;
  const authorization = req.headers.get("authorization");
  if (route.auth !== "none" || sendsApiKey(authorization)) {
    auth = await authenticate(app, authorization);
    if (!auth) {
      return problem(base, "unauthorized", {
        headers: { "www-authenticate": 'Bearer realm="invito"' },
      });
    }
    if (scopeRefusal(auth, route.auth)) {
      // Which scope, and what the key has: a program's author then knows which key to make.
      const has = auth.key.scopes.join(", ") || "none";
      return problem(base, "forbidden_scope", {
        detail:
          `This request needs an API key with the \`${route.auth}\` scope; this key has: ${has}.`,
      });
    }
  }
  const limited = await rateLimited(app, route, auth ? `key:${auth.key.id}` : null, ip);
  if (limited) return problem(base, "rate_limited", { headers: { "retry-after": limited } });

  // A malformed id in the path names nothing: 404, like an id that is not there.
  if (params && !params.success) return problem(base, "not_found");

  let query: Record<string, string | undefined> = {};
  if (route.query) {
    const raw: Record<string, string> = {};
    for (const [k, val] of url.searchParams) if (!(k in raw)) raw[k] = val;
    const parsed = v.safeParse(route.query, raw);
    if (!parsed.success) {
      return problem(base, "validation", {
        errors: issuesToFields(parsed.issues, {}, route.query, "query"),
      });
    }
    query = parsed.output as Record<string, string | undefined>;
  }

  let body: unknown = undefined;
  if (route.body) {
    const read = await readJson(req, undefined, readBody);
    if (!read.ok) return problem(base, read.reason, { headers: bodyRefusalHeaders(read.reason) });
    // valibot's objects take an array (as an object without the fields): words for neither.
    if (Array.isArray(read.value)) {
      return problem(base, "validation", { errors: [{ field: "", message: NOT_AN_OBJECT }] });
    }
    const parsed = v.safeParse(route.body, read.value);
    if (!parsed.success) {
      return problem(base, "validation", {
        errors: issuesToFields(parsed.issues, {}, route.body),
      });
    }
    body = parsed.output;
  }

  const idempotencyKey = req.headers.get("idempotency-key");
  if (route.idempotency === "required" && idempotencyKey === null) {
    return problem(base, "idempotency_key_missing");
  }
  const badKey = idempotencyKey !== null && route.idempotency !== undefined
    ? idempotencyKeyProblem(idempotencyKey)
    : null;
  if (badKey) {
    return problem(base, "validation", {
      errors: [{ field: "Idempotency-Key", message: badKey }],
    });
  }

  const ctx: Ctx = {
    app,
    req,
    ip,
    path: url.pathname,
    base,
    params: (params?.output ?? {}) as Record<string, string>,
    query,
    body,
    auth,
    idempotencyKey: route.idempotency ? idempotencyKey : null,
  };
  const answer = await route.run(ctx);
  return answer.status === 404 ? await underCurrentName(route, ctx, answer) : answer;
}

/**
 * A host's name its host gave up and still holds (ADR 011), in the path (`/users/{username}/…`)
 * or in the body (`POST /bookings`' `username`): answered as the current name is. A path's
 * answer carries `Content-Location` naming the address under the new name, so that a client
 * keeps working without following a redirect (many do not by default) and can learn the new
 * name; a body's name is not part of the address, so its answer is the current name's as is.
 * Asked only after a 404, so a live host's requests cost nothing extra; the route runs again
 * whole, so a name in a body reaches every rule (and the Idempotency-Key's fingerprint) as the
 * current name — nothing the first run refused was written or kept.
 */
async function underCurrentName(route: Route, ctx: Ctx, answer: ApiResponse) {
  const inPath = route.path.startsWith(`${USER_PATH}{username}/`);
  const body = ctx.body as { username?: unknown } | undefined;
  const name = inPath ? ctx.params.username : body?.username;
  if (typeof name !== "string") return answer;
  const current = await renamedHost(ctx.app, name);
  if (!current) return answer;
  if (!inPath) {
    const again = await route.run({ ...ctx, body: { ...body, username: current } });
    return again.status === 404 ? answer : again;
  }
  // "/api/v1/users/ann/event-types/intro/slots" → "/api/v1/users/anna/event-types/intro/slots"
  const rest = ctx.path.slice(API_PREFIX.length + USER_PATH.length);
  const path = `${API_PREFIX}${USER_PATH}${encodeURIComponent(current)}${
    rest.slice(rest.indexOf("/"))
  }`;
  const again = await route.run({ ...ctx, path, params: { ...ctx.params, username: current } });
  if (again.status === 404) return answer;
  const location = path + new URL(ctx.req.url).search;
  return {
    status: again.status,
    body: again.body,
    headers: { ...again.headers, "content-location": location },
  };
}

/** The first part of every route of a host's public pages; `{username}` is a name, not an id. */
const USER_PATH = "/users/";

/**
 * What is wrong with an Idempotency-Key, or null: one rule for every door (the API's header, an
 * MCP tool's `idempotency_key`). A key copied from an example would be held by its first caller
 * for every later one (25 h), so it is refused like a malformed one.
 */
function idempotencyKeyProblem(key: string): string | null {
  if (!IDEMPOTENCY_KEY_RE.test(key)) return "1 to 255 printable ASCII characters";
  if (isPlaceholderKey(key)) {
    return "This is a placeholder from an example: send a new unique key (a random UUID) with each request";
  }
  return null;
}

/**
 * One route of the table called by another door (the MCP endpoint, `mcp/tools.ts`): the same
 * scope check, the same schemas for params, query and body, the same Idempotency-Key rules and
 * the same handler, so everything the API refuses is refused there too, in the same words. The
 * caller has already counted the request against its rate limits.
 */
export async function callRoute(
  app: App,
  operationId: string,
  input: {
    ip: string;
    auth: Authenticated | null;
    params?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    idempotencyKey?: string | null;
  },
): Promise<ApiResponse> {
  const base = baseOf(app);
  const route = ROUTES.find((r) => r.operationId === operationId);
  if (!route) throw new Error(`callRoute: no route ${operationId}`);
  const scope = scopeRefusal(input.auth, route.auth);
  if (scope) return problem(base, scope);
  const rawParams = input.params ?? {};
  const params = route.params ? v.safeParse(route.params, rawParams) : null;
  if (params && !params.success) return problem(base, "not_found");
  let query: Record<string, string | undefined> = {};
  if (route.query) {
    const parsed = v.safeParse(route.query, input.query ?? {});
    if (!parsed.success) {
      return problem(base, "validation", { errors: issuesToFields(parsed.issues) });
    }
    query = parsed.output as Record<string, string | undefined>;
  }
  let body: unknown = undefined;
  if (route.body) {
    const parsed = v.safeParse(route.body, input.body ?? {});
    if (!parsed.success) {
      return problem(base, "validation", {
        errors: issuesToFields(parsed.issues, {}, route.body),
      });
    }
    body = parsed.output;
  }
  const idempotencyKey = input.idempotencyKey ?? null;
  if (route.idempotency === "required" && idempotencyKey === null) {
    return problem(base, "idempotency_key_missing");
  }
  const badKey = idempotencyKey !== null ? idempotencyKeyProblem(idempotencyKey) : null;
  if (badKey) {
    return problem(base, "validation", { errors: [{ field: "idempotency_key", message: badKey }] });
  }
  // The path the API itself would see: an Idempotency-Key's request fingerprint is the same
  // whether the request came through the API or MCP.
  const path = API_PREFIX +
    route.path.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(rawParams[n] ?? ""));
  const ctx: Ctx = {
    app,
    req: new Request(new URL(path, base + "/"), { method: route.method }),
    ip: input.ip,
    path,
    base,
    params: (params?.output ?? {}) as Record<string, string>,
    query,
    body,
    auth: input.auth,
    idempotencyKey: route.idempotency ? idempotencyKey : null,
  };
  return await route.run(ctx);
}

/** Retry-After seconds when over a limit, else null. Keys count per key, the rest per address. */
async function rateLimited(
  app: App,
  route: Route,
  keySubject: string | null,
  ip: string,
): Promise<string | null> {
  const checks: Promise<{ ok: boolean; retryAfterS?: number }>[] = [];
  checks.push(
    keySubject ? checkRateLimit(app, "api", keySubject) : checkRateLimit(app, "api_public", ip),
  );
  // Booking as a guest counts against the same per-address limit as the booking form.
  if (route.operationId === "createBooking") checks.push(checkRateLimit(app, "booking", ip));
  const results = await Promise.all(checks);
  const worst = results.filter((r) => !r.ok).map((r) => r.retryAfterS ?? 1);
  return worst.length ? String(Math.max(...worst)) : null;
}
