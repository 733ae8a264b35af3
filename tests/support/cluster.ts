/**
 * Several Invito processes on one remote KV: the KV Connect test server
 * (tests/support/kv-connect-server.ts), N built servers pointed at it through Deno's real remote
 * client, and a tiny round-robin HTTP proxy in front, so that consecutive requests of one client
 * land on different processes. Used by `npm run cluster` and the tests in tests/scale/.
 *
 * ```ts
 * await using c = await startCluster({ processes: 3, latencyMs: [5, 20], demo: true });
 * await fetch(`${c.baseUrl}/calendar/demo/intro-call`);   // through the proxy
 * await fetch(`${c.apps[1].baseUrl}/healthz`);             // one process directly
 * ```
 *
 * Every process gets the proxy's URL as INVITO_BASE_URL (links in mails and the origin check
 * name the proxy) and the same session secret (a session made by one process is read by all).
 */
import { type AppHandle, startApp, type StartAppOptions } from "./app.ts";
import { type Faults, type KvConnectServer, startKvConnect } from "./kv-connect-server.ts";
import { memoryApp, type TestApp } from "./memory-app.ts";

export interface ClusterOptions {
  /** default 3 */
  processes?: number;
  /** injected latency per KV request (ms, or [min, max]) */
  latencyMs?: Faults["latencyMs"];
  demo?: boolean;
  smtp?: StartAppOptions["smtp"];
  env?: Record<string, string>;
  /** the proxy's port (default: any free one) */
  port?: number;
  /** the KV server's port and data file (default: free port, temp file) */
  kvPort?: number;
  kvPath?: string;
  /** runs once the KV server is up, before any process starts (e.g. to seed an old store) */
  beforeStart?: (kv: KvConnectServer) => Promise<void>;
}

export interface Cluster {
  /** the proxy: http://127.0.0.1:PORT */
  baseUrl: string;
  kv: KvConnectServer;
  apps: AppHandle[];
  /** requests the proxy sent to each process */
  served: number[];
  /** opens Deno's remote client on the cluster's store (close it) */
  openKv(): Promise<Deno.Kv>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const randomHex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

/** A round-robin reverse proxy to `backends` (it skips a process that does not answer). */
export function roundRobinProxy(
  backends: () => string[],
  opts: { port?: number } = {},
): { baseUrl: string; served: number[]; close(): Promise<void> } {
  const served: number[] = [];
  let next = 0;
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: opts.port ?? 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      const list = backends();
      const body = req.body ? await req.arrayBuffer() : undefined;
      const headers = new Headers(req.headers);
      headers.delete("host");
      let last: unknown = null;
      for (let tries = 0; tries < list.length; tries++) {
        const i = next++ % list.length;
        try {
          const res = await fetch(list[i] + url.pathname + url.search, {
            method: req.method,
            headers,
            body,
            redirect: "manual",
          });
          served[i] = (served[i] ?? 0) + 1;
          // fetch has decoded a compressed answer: pass it on as the bytes it now is
          const out = new Headers(res.headers);
          out.delete("content-encoding");
          out.delete("content-length");
          return new Response(res.body, { status: res.status, headers: out });
        } catch (e) {
          last = e;
          // That process is down. A GET goes to the next one; a POST may have been received and
          // acted on, so it is not sent twice: the client sees 502, as behind a real balancer.
          if (req.method !== "GET" && req.method !== "HEAD") break;
        }
      }
      return new Response(`no process answered: ${last}`, { status: 502 });
    },
  );
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    served,
    close: async () => {
      ac.abort();
      await server.finished;
    },
  };
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const n = opts.processes ?? 3;
  const kv = await startKvConnect({
    port: opts.kvPort,
    path: opts.kvPath,
    faults: opts.latencyMs === undefined ? {} : { latencyMs: opts.latencyMs },
  });
  const apps: AppHandle[] = [];
  const proxy = roundRobinProxy(() => apps.map((a) => a.baseUrl), { port: opts.port });
  const env = {
    ...kv.appEnv,
    INVITO_BASE_URL: proxy.baseUrl,
    INVITO_SESSION_SECRET: randomHex(32),
    ...opts.env,
  };
  const stop = async () => {
    await Promise.all(apps.map((a) => a.stop().catch(() => {})));
    await proxy.close();
    await kv.close();
  };
  try {
    await opts.beforeStart?.(kv);
    // All at once: they race for the store migration and the demo seed, as a deployment would.
    const started = await Promise.allSettled(
      Array.from({ length: n }, () => startApp({ demo: opts.demo, smtp: opts.smtp, env })),
    );
    for (const s of started) if (s.status === "fulfilled") apps.push(s.value);
    const failed = started.find((s) => s.status === "rejected") as
      | PromiseRejectedResult
      | undefined;
    if (failed) throw failed.reason;
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    baseUrl: proxy.baseUrl,
    kv,
    apps,
    served: proxy.served,
    openKv: async () => {
      Deno.env.set("DENO_KV_ACCESS_TOKEN", kv.token);
      return await Deno.openKv(kv.url);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * The app's services on the cluster's store, for a test's `beforeStart` to seed what the
 * processes then serve: its clock is now, and it signs links with `secret`, the processes' own
 * INVITO_SESSION_SECRET (so the links it makes open on them). Close `kv` when the test ends.
 */
export async function servicesOn(
  kvs: KvConnectServer,
  secret: string,
): Promise<{ kv: Deno.Kv; app: TestApp }> {
  Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
  const kv = await Deno.openKv(kvs.url);
  const app = await memoryApp({
    kv,
    nowIso: new Date().toISOString(),
    env: { INVITO_SESSION_SECRET: secret },
  });
  return { kv, app };
}
