/**
 * The app's hooks in order, as SvelteKit's `sequence` runs them — the same order of work before
 * and after `resolve`, the same merge of resolve options — without what `sequence` adds per hook
 * and per request: a tracing span (a promise even when tracing is off), a copy of the event and a
 * re-entry of the request's async context. With sixteen hooks that was the largest allocation of
 * a booking post (issue 26's profile: 45 KB of a post's 280 KB) and ran on every request.
 * Tracing is not enabled here; no hook reads `getRequestEvent()` (SvelteKit has set it for the
 * request before the first hook runs).
 */
import type { Handle, RequestEvent, ResolveOptions } from "@sveltejs/kit";

/** The options a hook passes to `resolve`, merged with those of the hooks around it. */
function merged(outer: ResolveOptions | undefined, inner: ResolveOptions | undefined) {
  if (!outer) return inner;
  if (!inner) return outer;
  const a = inner.transformPageChunk;
  const b = outer.transformPageChunk;
  return {
    // The inner hook's transform first, then the outer one's (as `sequence` documents).
    transformPageChunk: a && b
      ? async (input: { html: string; done: boolean }) =>
        (await b({ html: (await a(input)) ?? "", done: input.done })) ?? ""
      : a ?? b,
    // For these two the outer hook decides.
    filterSerializedResponseHeaders: outer.filterSerializedResponseHeaders ??
      inner.filterSerializedResponseHeaders,
    preload: outer.preload ?? inner.preload,
  };
}

export function chain(...handlers: Handle[]): Handle {
  if (handlers.length === 0) return ({ event, resolve }) => resolve(event);
  return ({ event, resolve }) => {
    const apply = (
      i: number,
      event: RequestEvent,
      outer?: ResolveOptions,
    ): ReturnType<Handle> =>
      handlers[i]({
        event,
        resolve: (event, options) => {
          const opts = merged(outer, options);
          return i < handlers.length - 1 ? apply(i + 1, event, opts) : resolve(event, opts);
        },
      });
    return apply(0, event);
  };
}
