/**
 * The request a piece of work belongs to. server.ts runs each request inside `requestContext`, so
 * anything it leads to (an outbox job queued by a booking, an error page) can name the request
 * without every service passing an id along. Kept on globalThis: server.ts and the SvelteKit build
 * each have their own copy of this module, and both must see one store.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type RequestContext = { requestId: string };

const KEY = Symbol.for("invito.request-context");
const g = globalThis as { [KEY]?: AsyncLocalStorage<RequestContext> };
export const requestContext: AsyncLocalStorage<RequestContext> = g[KEY] ??= new AsyncLocalStorage<
  RequestContext
>();

export function currentRequestId(): string | null {
  return requestContext.getStore()?.requestId ?? null;
}

const INCOMING = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * The id of a new request: the proxy's `X-Request-Id` when it looks like one (so logs of both
 * can be joined), else 16 random hex digits.
 */
export function newRequestId(incoming: string | null): string {
  if (incoming && INCOMING.test(incoming)) return incoming;
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
