/**
 * `Deno.serve` with a deadline for slow clients (issue 10, #13; docs/decisions/009-slow-clients.md).
 *
 * Deno.serve has no header-read or keep-alive timeout: a connection that sends half of its
 * request headers stays open for ever (measured: still open after 70 s), so a few thousand such
 * connections exhaust the process's file descriptors. Deno's public API has no option for it,
 * so connections are accepted here and each is served by Deno's own HTTP server
 * (`serveHttpOnConnection`, the per-connection form of Deno.serve) while a timer watches it:
 * a connection must deliver complete request headers within `clientTimeoutMs` of opening, and
 * again of its previous answer (keep-alive). Otherwise it is shut down (gracefully: an answer
 * being written is finished first). Request bodies get their own deadline in body-limit.ts.
 *
 * `serveHttpOnConnection` is internal to Deno. If a Deno version lacks it, this falls back to
 * plain Deno.serve and logs that slow clients are not timed out; tests/integration/audit-http
 * fails loudly in that case, so an upgrade cannot drop the protection unnoticed.
 */

export type GuardedServeOptions = {
  hostname: string;
  port: number;
  clientTimeoutMs: number;
  onListen?: (addr: Deno.NetAddr) => void;
  signal?: AbortSignal;
};

export type GuardedServer = {
  addr: Deno.NetAddr;
  finished: Promise<void>;
  /** Stops accepting, lets answers in progress finish, then resolves. */
  shutdown(): Promise<void>;
};

type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: Deno.ServeHandler<Deno.NetAddr>,
  onError: (err: unknown) => Response | Promise<Response>,
  onListen: (scheme: string) => void,
) => { finished: Promise<void>; shutdown?: () => Promise<void> };

function internalServeOnConnection(): ServeOnConnection | null {
  // deno-lint-ignore no-explicit-any
  const internal = (Deno as any)[(Deno as any).internal];
  const fn = internal?.serveHttpOnConnection;
  return typeof fn === "function" ? fn : null;
}

function onError(err: unknown): Response {
  console.error("[http] unhandled error", err);
  return new Response("Internal Server Error", { status: 500 });
}

/**
 * Aborting a connection's signal makes Deno close its resource; when the peer closed it in the
 * same instant, Deno's abort listener throws BadResource from inside the event dispatch, which
 * would end the process. Only that error, only during this call, is swallowed.
 */
function abortQuietly(ac: AbortController) {
  const swallow = (e: ErrorEvent) => {
    if (e.error instanceof Deno.errors.BadResource) e.preventDefault();
  };
  globalThis.addEventListener("error", swallow);
  try {
    ac.abort();
  } finally {
    globalThis.removeEventListener("error", swallow);
  }
}

/** How long a connection whose answer closes it may still deliver what its client sends. */
const LINGER_MS = 500;

export function serveWithTimeouts(
  opts: GuardedServeOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): GuardedServer {
  const serveOn = internalServeOnConnection();
  if (!serveOn) {
    console.warn(
      "[http] this Deno has no per-connection serving; slow clients are not timed out",
    );
    const server = Deno.serve({
      hostname: opts.hostname,
      port: opts.port,
      signal: opts.signal,
      onListen: opts.onListen,
    }, handler);
    return { addr: server.addr, finished: server.finished, shutdown: () => server.shutdown() };
  }

  const listener = Deno.listen({ hostname: opts.hostname, port: opts.port });
  const addr = listener.addr as Deno.NetAddr;
  const open = new Map<AbortController, Promise<void>>();
  /** Per connection: close it now if idle, else as soon as its requests in progress are answered. */
  const closeWhenIdle = new Map<AbortController, () => void>();
  let closing = false;

  const watch = (conn: Deno.Conn) => {
    const ac = new AbortController();
    let inFlight = 0;
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** When the connection, idle since its last answer, may be closed. */
    let idleUntil = 0;
    let draining = false;
    let lingering: ReturnType<typeof setTimeout> | undefined;
    // One timer per connection that moves on to the deadline when it fires early, instead of a
    // clearTimeout and setTimeout per request (a keep-alive client sends thousands; issue 26).
    const check = () => {
      timer = undefined;
      // A request in progress re-arms when it is answered.
      if (done || inFlight > 0) return;
      const left = idleUntil - Date.now();
      if (left <= 0) abortQuietly(ac);
      else timer = setTimeout(check, left);
    };
    const arm = () => {
      if (done || inFlight > 0) return;
      // Shutting down: a request in progress was answered, so the connection may go now (aborting
      // finishes an answer being written, but would cut off a handler still running).
      if (draining) {
        clearTimeout(timer);
        abortQuietly(ac);
        return;
      }
      idleUntil = Date.now() + opts.clientTimeoutMs;
      timer ??= setTimeout(check, opts.clientTimeoutMs);
    };

    const guarded: Deno.ServeHandler<Deno.NetAddr> = async (req, info) => {
      inFlight++;
      try {
        const res = await handler(req, info);
        // An answer that closes its connection (a refused body, 413/408/503) ends it within
        // LINGER_MS. Deno goes on reading and dropping a cancelled body for as long as the
        // client sends, so a client streaming a refused upload was read in full, at 4 GB/s on
        // loopback (200 MB in 49 ms, issue 26's fresh clone). The linger lets the client see the
        // answer before the close: a reset while it still sends would make it drop the answer.
        if (res.headers.get("connection") === "close") {
          lingering ??= setTimeout(() => abortQuietly(ac), LINGER_MS);
        }
        return res;
      } finally {
        inFlight--;
        arm();
      }
    };
    let served: ReturnType<ServeOnConnection>;
    try {
      served = serveOn(conn, ac.signal, guarded, onError, () => {});
    } catch (err) {
      console.error("[http] could not serve a connection", err);
      try {
        conn.close();
      } catch {
        // already closed
      }
      return;
    }
    closeWhenIdle.set(ac, () => {
      draining = true;
      // The connection's own graceful shutdown (as Deno.serve's): requests already read are
      // handled and answered, an idle keep-alive connection closes. Without it, close once idle.
      if (served.shutdown) served.shutdown().catch(() => {});
      else arm();
    });
    arm();
    const finished = served.finished.catch(() => {
      // A peer that resets its connection ends it; nothing to report.
    }).finally(() => {
      done = true;
      clearTimeout(timer);
      clearTimeout(lingering);
      open.delete(ac);
      closeWhenIdle.delete(ac);
    });
    open.set(ac, finished);
    if (closing) closeWhenIdle.get(ac)?.();
  };

  const accepting = (async () => {
    opts.onListen?.(addr);
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (closing || err instanceof Deno.errors.BadResource) break;
        // Out of file descriptors (or a transient accept error): keep serving the open
        // connections and try again shortly, as Deno.serve does.
        console.error("[http] accept failed", err);
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      watch(conn);
    }
  })();

  const shutdown = async () => {
    if (!closing) {
      closing = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
      for (const close of closeWhenIdle.values()) close();
    }
    await accepting;
    await Promise.all(open.values());
  };
  opts.signal?.addEventListener("abort", () => void shutdown(), { once: true });
  const finished = accepting.then(() => Promise.all(open.values())).then(() => {});
  return { addr, finished, shutdown };
}
