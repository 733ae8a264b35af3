/**
 * The built server as an integrator's program meets it over HTTP: a host `ann` with two event
 * types, a write key and a revoked one, and a fetch helper for /api/v1.
 */
import assert from "node:assert/strict";
import { type AppHandle, startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { createApiKey, revokeApiKey } from "../../src/lib/server/services/api-keys.ts";
import type { WeeklyRules } from "../../src/lib/server/domain/availability.ts";

const ALL_DAYS: WeeklyRules = Object.fromEntries(
  [1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: "08:00", end: "18:00" }]]),
) as unknown as WeeklyRules;

export type Seeded = { writeKey: string; revokedKey: string };

/**
 * Host `ann` (UTC, every day 08–18) with `chat` (questions `topic`, `size`) and `plain` (none), on
 * the built server (rate limits off, webhooks to 127.0.0.1 allowed).
 */
export async function withServer(fn: (app: AppHandle, keys: Seeded) => Promise<void>) {
  const { dataDir, kv, app: seeding } = await seedStore("invito-integrator-");
  try {
    const host = await createHost(seeding, { username: "ann", timeZone: "UTC", weekly: ALL_DAYS });
    await createEventType(seeding, host, {
      slug: "chat",
      title: "Chat",
      requiresConfirmation: false,
      minNoticeMin: 0,
      questions: [
        { id: "topic", label: "Topic", type: "short", required: false },
        { id: "size", label: "Team size", type: "short", required: false },
      ],
    });
    await createEventType(seeding, host, {
      slug: "plain",
      title: "Plain",
      requiresConfirmation: false,
      minNoticeMin: 0,
    });
    const w = await createApiKey(seeding, host, {
      name: "w",
      scopes: ["write"],
      expiresAtMs: null,
    });
    const gone = await createApiKey(seeding, host, {
      name: "gone",
      scopes: ["write"],
      expiresAtMs: null,
    });
    assert.ok(w.ok && gone.ok);
    assert.ok(await revokeApiKey(seeding, host, gone.key.id));
    kv.close();
    await using app = await startApp({
      dataDir,
      env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
    });
    await fn(app, { writeKey: w.secret, revokedKey: gone.secret });
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

export const opts = { sanitizeResources: false, sanitizeOps: false };

/** The slots of `slug` tomorrow and the day after (UTC): every hour is open. */
export function slotsPath(slug: string): string {
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  return `/users/ann/event-types/${slug}/slots?start=${day(1)}&end=${day(2)}&timeZone=UTC`;
}

// deno-lint-ignore no-explicit-any
export type Answer = { status: number; body: any; headers: Headers };

export async function api(
  app: AppHandle,
  method: string,
  path: string,
  o: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(app.url(`/api/v1${path}`), {
    method,
    headers: {
      ...(o.body === undefined ? {} : { "content-type": "application/json" }),
      ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
      ...o.headers,
    },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
