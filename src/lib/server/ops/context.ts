/**
 * The request a piece of work belongs to. server.ts runs each request inside `requestContext`, so
 * anything it leads to (an outbox job queued by a booking, an error page) can name the request
 * without every service passing an id along. Kept on globalThis: server.ts and the SvelteKit build
 * each have their own copy of this module, and both must see one store.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type RequestContext = {
  requestId: string;
  /** The client's address as the hooks resolved it (trusted proxies applied); for the audit log. */
  clientIp?: string;
};

const KEY = Symbol.for("invito.request-context");
const g = globalThis as { [KEY]?: AsyncLocalStorage<RequestContext> };
export const requestContext: AsyncLocalStorage<RequestContext> = g[KEY] ??= new AsyncLocalStorage<
  RequestContext
>();

export function currentRequestId(): string | null {
  return requestContext.getStore()?.requestId ?? null;
}

export function currentClientIp(): string | null {
  return requestContext.getStore()?.clientIp ?? null;
}

const INCOMING = /^[A-Za-z0-9._:-]{8,64}$/;

/** 8 random hex digits per process (a restart or a second process starts elsewhere). */
const PROCESS_PREFIX = Array.from(
  crypto.getRandomValues(new Uint8Array(4)),
  (b) => b.toString(16).padStart(2, "0"),
).join("");
let counter = Math.floor(Math.random() * 0x1000_0000);

/**
 * The id of a new request: the proxy's `X-Request-Id` when it looks like one (so logs of both
 * can be joined), else 16 hex digits — this process's random prefix and a counter. Ids join log
 * lines, they guard nothing: a random draw and its formatting per request were a visible item
 * of the hot paths' profiles (issue 26).
 */
export function newRequestId(incoming: string | null): string {
  if (incoming && INCOMING.test(incoming)) return incoming;
  counter = (counter + 1) % 0x1_0000_0000;
  return PROCESS_PREFIX + counter.toString(16).padStart(8, "0");
}
