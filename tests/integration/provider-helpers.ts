/**
 * Shared setup for the Google and Microsoft tests: a memory app (settable clock) configured for a
 * local provider, a host in Europe/Berlin with weekday hours and a 30-minute event type, the
 * OAuth connect done the way a browser would (authorize URL → "Allow" → callback), and slot
 * labels per day as a guest in Berlin sees them.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../support/memory-app.ts";
import type { UserRecord } from "../../src/lib/server/domain/model/records.ts";
import {
  finishOAuthConnect,
  startOAuthConnect,
} from "../../src/lib/server/services/calendar-oauth.ts";
import { getSlotPage } from "../../src/lib/server/services/slot-page.ts";
import type { FakeOAuth } from "../support/fake-oauth.ts";

export const NOW_ISO = "2026-11-20T08:00:00Z";
export const MIN = 60_000;

export async function providerApp(env: Record<string, string>, kv?: Deno.Kv) {
  const app = await memoryApp({ nowIso: NOW_ISO, env, kv });
  // The provider's clock and ours must agree on token lifetimes: run on real time offsets.
  return app;
}

export async function hostWithEventType(app: TestApp): Promise<UserRecord> {
  const host = await createHost(app, { weekly: WORKDAYS, timeZone: "Europe/Berlin" });
  await createEventType(app, host, {
    slug: "call",
    title: "Intro call",
    durationMin: 30,
    requiresConfirmation: false,
  });
  return host;
}

/** Connects through the provider's authorization as a person pressing "Allow" would. */
export async function connectVia(
  app: TestApp,
  host: UserRecord,
  provider: "google" | "microsoft",
  oauth: FakeOAuth,
  opts: { reconnect?: string; allow?: boolean } = {},
) {
  const started = await startOAuthConnect(app, host, provider, opts.reconnect ?? null);
  assert.ok(started.ok, JSON.stringify(started));
  const params = new URL(started.url).searchParams;
  const callback = new URL(oauth.callbackFor(params, opts.allow ?? true));
  return { callback, result: await finishOAuthConnect(app, host, provider, callback) };
}

/** The slot labels ("09:00", …) offered on one date to a guest in Berlin. */
export async function labels(app: TestApp, date: string): Promise<string[]> {
  const p = await getSlotPage(app, {
    username: "host",
    slug: "call",
    timeZone: "Europe/Berlin",
    date,
  });
  assert.ok(p.ok);
  if (p.unavailable) return ["unavailable"];
  return p.slots.map((s) => s.label);
}

/** 09:00 … 16:30 without the given labels. */
export function dayWithout(...taken: string[]): string[] {
  const all: string[] = [];
  for (let h = 9; h < 17; h++) {
    for (const m of ["00", "30"]) all.push(`${String(h).padStart(2, "0")}:${m}`);
  }
  return all.filter((l) => !taken.includes(l));
}
