/**
 * Bad input for every JSON API route, with fast-check: junk in path segments, query parameters,
 * JSON bodies (wrong types, huge and odd strings, deep nesting, extra keys), content types,
 * Authorization and Idempotency-Key headers. Every answer must be a 2xx/4xx with a JSON body —
 * a problem+json with a `type`, a `status` equal to the HTTP status and a field list on 400 —
 * never a 5xx. Runs in-process on the handler server.ts mounts (FUZZ_CASES per route, default
 * 120), then a short round over HTTP against the built server.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { createEventType, createHost, memoryApp, WORKDAYS } from "../support/memory-app.ts";
import { apiClient } from "../support/api.ts";
import { startApp } from "../support/app.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import { ROUTES } from "../../src/lib/server/api/routes/index.ts";

const CASES = Number(Deno.env.get("FUZZ_CASES") ?? 120);
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261122);

const ODD = [
  "",
  " ",
  "\u0000",
  "%00",
  "%ZZ",
  "..",
  "../../etc/passwd",
  "__proto__",
  "constructor",
  "null",
  "NaN",
  "-1",
  "1e309",
  "9007199254740993",
  "\ud800",
  "🙂".repeat(300),
  "2026-02-30",
  "2026-11-23T24:00:00Z",
  "+275760-09-13T00:00:00Z",
  "Mars/Olympus",
  "Europe/../../etc",
  "<script>alert(1)</script>",
  "x".repeat(5000),
  "01ARZ3NDEKTSV4RRFFQ69G5FAV",
  "msg_01ARZ3NDEKTSV4RRFFQ69G5FAV",
  "inv_" + "A".repeat(43),
];

const text = fc.oneof(
  fc.constantFrom(...ODD),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(text, fc.constantFrom("__proto__", "constructor")), tie("value"), {
      maxKeys: 4,
    }),
  ),
})).value;

/** A body that looks like the route's own (its keys, wrong values) or is junk outright. */
function bodyFor(keys: string[]) {
  return fc.oneof(
    json,
    fc.dictionary(fc.constantFrom(...(keys.length ? keys : ["x"])), json, {
      maxKeys: keys.length + 2,
    }),
    fc.record(Object.fromEntries(keys.map((k) => [k, json])), { requiredKeys: [] }),
  );
}

/** A path segment; a lone surrogate goes out as the invalid UTF-8 a client could send. */
function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return "%ED%A0%80";
  }
}

function keysOf(schema: unknown): string[] {
  const entries = (schema as { entries?: Record<string, unknown> })?.entries;
  if (entries) return Object.keys(entries);
  const pipe = (schema as { pipe?: unknown[] })?.pipe;
  return pipe ? keysOf(pipe[0]) : [];
}

async function setup() {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "false" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "intro",
    questions: [{ id: "q1", label: "Q", type: "choice", required: true, options: ["a", "b"] }],
  });
  const key = await createApiKey(app, host, {
    name: "k",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  const readKey = await createApiKey(app, host, { name: "r", scopes: ["read"], expiresAtMs: null });
  assert.ok(key.ok && readKey.ok);
  return { app, key: key.secret, readKey: readKey.secret };
}

function checkAnswer(label: string, status: number, contentType: string, body: unknown) {
  assert.ok(status < 500, `${label} → ${status} ${JSON.stringify(body).slice(0, 300)}`);
  if (status === 204 || status === 304) return;
  if (status >= 400) {
    assert.equal(contentType, "application/problem+json", label);
    const p = body as { type?: string; status?: number; errors?: unknown[] };
    assert.equal(typeof p.type, "string", label);
    assert.equal(p.status, status, label);
    if (status === 400 && (p as { reason?: string }).reason === "validation") {
      assert.ok(Array.isArray(p.errors) && p.errors.length > 0, label);
    }
  } else {
    assert.match(contentType, /^application\/json/, label);
  }
}

Deno.test("fuzz API: junk in every route's path, query, body and headers never gets a 5xx", async () => {
  const { app, key, readKey } = await setup();
  const { call } = apiClient(app);
  try {
    for (const [i, route] of ROUTES.entries()) {
      const bodyKeys = keysOf(route.body);
      const queryKeys = keysOf(route.query);
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            params: fc.array(fc.oneof(text, fc.constantFrom("ann", "intro")), {
              minLength: 4,
              maxLength: 4,
            }),
            query: fc.dictionary(
              fc.oneof(fc.constantFrom(...(queryKeys.length ? queryKeys : ["q"])), text),
              text,
              {
                maxKeys: 5,
              },
            ),
            body: bodyFor(bodyKeys),
            rawBody: fc.option(
              fc.oneof(
                text,
                fc.uint8Array({ maxLength: 64 }).map((b) => new TextDecoder().decode(b)),
              ),
              {
                nil: undefined,
              },
            ),
            contentType: fc.constantFrom(
              "application/json",
              "application/json; charset=utf-8",
              "application/problem+json",
              "text/plain",
              "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=x",
              "",
            ),
            auth: fc.constantFrom("good", "read", "none", "junk"),
            idem: fc.option(text, { nil: undefined }),
          }),
          async (c) => {
            let n = 0;
            const path = route.path.replace(
              /\{\w+\}/g,
              () => encodeSegment(c.params[n++] ?? "x"),
            );
            const qs = new URLSearchParams(c.query as Record<string, string>).toString();
            const headers: Record<string, string> = {};
            if (c.contentType) headers["content-type"] = c.contentType;
            // Only what can be sent on the wire (fetch refuses other header values).
            const junk = ("Bearer " + c.params[0]).trim();
            if (c.auth === "junk" && /^[\x21-\x7e][\x20-\x7e]*$/.test(junk)) {
              headers.authorization = junk;
            }
            const idem =
              c.idem !== undefined && /^([\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?)?$/.test(c.idem)
                ? c.idem
                : undefined;
            const res = await call(route.method, path + (qs ? `?${qs}` : ""), {
              key: c.auth === "good" ? key : c.auth === "read" ? readKey : undefined,
              idem,
              headers,
              rawBody: route.method === "GET"
                ? undefined
                : c.rawBody !== undefined
                ? c.rawBody
                : JSON.stringify(c.body ?? null),
            });
            checkAnswer(
              `${route.method} ${path}?${qs}`,
              res.status,
              res.headers.get("content-type") ?? "",
              res.body,
            );
          },
        ),
        { numRuns: CASES, seed: SEED + i },
      );
    }
  } finally {
    app.close();
  }
});

Deno.test(
  "fuzz API over HTTP: the built server's fast path answers junk with problems, never a 5xx",
  {
    sanitizeResources: false,
    sanitizeOps: false,
  },
  async () => {
    const server = await startApp({ demo: true });
    try {
      const paths = [
        "/api/v1/users/demo/event-types/intro-call/slots",
        "/api/v1/bookings",
        "/api/v1/bookings/01ARZ3NDEKTSV4RRFFQ69G5FAV/confirm",
        "/api/v1/me",
        "/api/v1/event-types",
        "/api/v1/availability",
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...paths),
          fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
          fc.dictionary(fc.constantFrom("start", "end", "timeZone", "duration", "x"), text, {
            maxKeys: 4,
          }),
          fc.oneof(json.map((j) => JSON.stringify(j)), text),
          fc.constantFrom(
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "",
          ),
          async (path, method, query, body, type) => {
            const qs = new URLSearchParams(query as Record<string, string>).toString();
            const res = await fetch(server.url(path + (qs ? `?${qs}` : "")), {
              method,
              headers: {
                ...(type ? { "content-type": type } : {}),
                "idempotency-key": "fuzz",
                origin: "https://evil.example",
              },
              body: method === "GET" ? undefined : body,
            });
            const t = await res.text();
            checkAnswer(
              `${method} ${path}`,
              res.status,
              res.headers.get("content-type") ?? "",
              t ? JSON.parse(t) : null,
            );
          },
        ),
        { numRuns: Math.max(20, Math.floor(CASES / 2)), seed: SEED },
      );
    } finally {
      await server.stop();
    }
  },
);
