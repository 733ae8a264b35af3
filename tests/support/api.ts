/**
 * The JSON API in-process: requests go through the same `handleApi` server.ts mounts, on a
 * memory app. Every answer is recorded (method, route template, status, body) so a test can
 * check each against the OpenAPI document.
 */
import { handleApi } from "../../src/lib/server/api/handler.ts";
import type { App } from "../../src/lib/server/app.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import { createEventType, createHost, memoryApp, WORKDAYS } from "./memory-app.ts";

export type ApiAnswer = {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
  text: string;
};

export type Recorded = {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
};

export function apiClient(app: App, opts: { ip?: string } = {}) {
  const recorded: Recorded[] = [];
  const call = async (
    method: string,
    path: string,
    o: {
      body?: unknown;
      rawBody?: BodyInit;
      key?: string;
      idem?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.body !== undefined) headers["content-type"] ??= "application/json";
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    if (o.idem) headers["idempotency-key"] = o.idem;
    const res = await handleApi(
      app,
      new Request(`http://invito.test/api/v1${path}`, {
        method,
        headers,
        body: o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
      }),
      opts.ip ?? "192.0.2.1",
    );
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    recorded.push({
      method,
      path: path.split("?")[0],
      status: res.status,
      contentType: res.headers.get("content-type") ?? "",
      body,
    });
    return { status: res.status, headers: res.headers, body, text };
  };
  return { call, recorded };
}

/**
 * The API tests' host: "ann" on a memory app at 2026-11-20 08:00 UTC (rate limits off), working
 * hours Monday to Friday, one event type "intro"; with `scopes`, an API key of those scopes.
 */
export async function apiHost(
  opts: {
    requiresConfirmation?: boolean;
    scopes?: ("read" | "write")[];
    env?: Record<string, string>;
  } = {},
) {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", ...opts.env },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "intro",
    requiresConfirmation: opts.requiresConfirmation ?? false,
  });
  let key: string | null = null;
  if (opts.scopes) {
    const made = await createApiKey(app, host, {
      name: "k",
      scopes: opts.scopes,
      expiresAtMs: null,
    });
    if (!made.ok) throw new Error(`apiHost: no key (${JSON.stringify(made)})`);
    key = made.secret;
  }
  return { app, host, key };
}
