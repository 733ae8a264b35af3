/**
 * Two service instances on one remote KV (or `processes` of them): the KV Connect test server
 * (tests/support/kv-connect-server.ts) and an App per process, each with its own Deno remote
 * client (`Deno.openKv(url)`), its own host lanes and its own clock, as processes have. Every
 * read and commit of each goes over HTTP through Deno's real KV Connect client, with the
 * server's latency and faults, so the races the in-memory tests stage happen as on a deployment.
 *
 * ```ts
 * await using r = await remoteApps({ latencyMs: [1, 8] });
 * await Promise.all([votePoll(r.a, ...), pickPollTime(r.b, ...)]);
 * r.server.faults.set({ loseAnswer: 1, matchKey: "poll_vote" });
 * ```
 */
import { memoryApp, type TestApp } from "./memory-app.ts";
import { type Faults, type KvConnectServer, startKvConnect } from "./kv-connect-server.ts";
import { openRemoteKv } from "../../src/lib/server/store/kv.ts";
import { settleCounts } from "../../src/lib/server/ops/counts-in-flight.ts";

export interface RemoteApps {
  server: KvConnectServer;
  a: TestApp;
  b: TestApp;
  /** the app of index `i`: a, b, a, b, … (a, b, c, a, … with three processes) */
  app(i: number): TestApp;
  /** a third client of the store, for reading what it holds */
  kv: Deno.Kv;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function remoteApps(
  opts: {
    latencyMs?: Faults["latencyMs"];
    nowIso?: string;
    env?: Record<string, string>;
    /** how many service instances share the store (2 unless told) */
    processes?: number;
  } = {},
): Promise<RemoteApps> {
  const n = Math.max(2, opts.processes ?? 2);
  const server = await startKvConnect({ faults: { latencyMs: opts.latencyMs ?? [1, 8] } });
  Deno.env.set("DENO_KV_ACCESS_TOKEN", server.token);
  // One client per process, and the reader's (the last).
  const handles: Deno.Kv[] = [];
  for (let i = 0; i <= n; i++) handles.push(await openRemoteKv(server.url));
  const nowIso = opts.nowIso ?? "2026-11-20T08:00:00Z";
  const apps: TestApp[] = [];
  for (let i = 0; i < n; i++) apps.push(await memoryApp({ kv: handles[i], nowIso, env: opts.env }));
  return {
    server,
    a: apps[0],
    b: apps[1],
    app: (i) => apps[i % n],
    kv: handles[n],
    async [Symbol.asyncDispose]() {
      // The insights counts queued by the last commits land before the clients close.
      await settleCounts();
      for (const h of handles) h.close();
      await server.close();
    },
  };
}
