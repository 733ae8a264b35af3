/**
 * Rendered booking pages, reused while nothing they show has changed.
 *
 * A guest's booking page is the hot path (links in signatures, embeds on busy sites), and most of
 * its cost is rendering, not reading. The key is the URL plus the page's own data, read fresh
 * from KV on every request: a booking, a settings change or the clock moving past a slot changes
 * the data and so the key, so a reused page is never stale, in this process or behind another.
 * Only what differs per response is renewed on the way out: the CSP nonce and the fill-time token.
 *
 * Only anonymous full-page GETs are reused: a session cookie can change the layout, and data
 * requests (client-side navigation) are not rendered at all.
 */
import type { Handle, RequestEvent } from "@sveltejs/kit";
import { slotPageFor } from "./booking-page.ts";
import { fillToken } from "../services/anti-spam.ts";

const ROUTES = new Set(["/calendar/[username]/[slug]", "/widget/[username]/[slug]"]);
const SESSION_COOKIE = /(^|;\s*)(__Secure-)?authjs\.session-token=/;
const MAX_ENTRIES = 200;
const MAX_BYTES = 16 * 1024 * 1024;

type Entry = {
  status: number;
  headers: [string, string][];
  body: string;
  nonce: string | null;
  fillToken: string | null;
};

/** Insertion order is recency: a hit moves its entry to the end, the oldest goes first. */
const entries = new Map<string, Entry>();
let bytes = 0;

function remember(key: string, e: Entry) {
  forget(key);
  while (entries.size >= MAX_ENTRIES || (entries.size && bytes + e.body.length > MAX_BYTES)) {
    forget(entries.keys().next().value!);
  }
  entries.set(key, e);
  bytes += e.body.length;
}

function forget(key: string) {
  const old = entries.get(key);
  if (!old) return;
  entries.delete(key);
  bytes -= old.body.length;
}

function cacheable(event: RequestEvent): boolean {
  return event.request.method === "GET" && !event.isDataRequest &&
    ROUTES.has(event.route.id ?? "") &&
    !SESSION_COOKIE.test(event.request.headers.get("cookie") ?? "");
}

const NONCE = /'nonce-([^']+)'/;

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export const pageCache: Handle = async ({ event, resolve }) => {
  if (!cacheable(event)) return resolve(event);
  const app = event.locals.app;
  const page = await slotPageFor(
    app,
    event.params as { username: string; slug: string },
    event.url,
    event.request.headers.get("accept-language"),
    event.locals.locale,
  );
  // Not found and bad dates are answered by the load as usual, and not kept.
  if (!page.ok) return resolve(event);
  const key = `${event.url.pathname}${event.url.search}\n${JSON.stringify(page)}`;
  event.locals.slotPage = page;
  const hit = entries.get(key);
  if (hit) {
    entries.delete(key);
    entries.set(key, hit);
    return await replay(hit, await fillToken(app));
  }

  const res = await resolve(event);
  if (res.status !== 200 || res.headers.has("set-cookie")) return res;
  const body = await res.text();
  const nonce = NONCE.exec(res.headers.get("content-security-policy") ?? "")?.[1] ?? null;
  const token = event.locals.fillToken ?? null;
  remember(key, {
    status: res.status,
    headers: [...res.headers].filter(([k]) => k !== "etag" && k !== "content-length"),
    body,
    nonce,
    fillToken: token,
  });
  return new Response(body, { status: res.status, headers: res.headers });
};

function replay(e: Entry, freshFillToken: string): Response {
  let body = e.body;
  const headers = new Headers(e.headers);
  if (e.nonce) {
    const nonce = newNonce();
    body = body.replaceAll(e.nonce, nonce);
    const csp = headers.get("content-security-policy");
    if (csp) headers.set("content-security-policy", csp.replaceAll(e.nonce, nonce));
  }
  if (e.fillToken) body = body.replaceAll(e.fillToken, freshFillToken);
  return new Response(body, { status: e.status, headers });
}

/** For tests: how many pages are kept. */
export function pageCacheSize(): number {
  return entries.size;
}
