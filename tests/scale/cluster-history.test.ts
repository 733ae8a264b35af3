/**
 * The history check (tests/reliability/history-check.ts) on three Invito processes sharing one
 * remote KV through Deno's KV Connect client, with 5–20 ms injected per KV request and lost
 * commit answers and cut connections along the way. Requests go through a round-robin proxy, so
 * a guest's booking, the host's confirm link and the host's dashboard session are served by
 * different processes. Afterwards: each cron job ran each minute tick once across the three.
 */
import assert from "node:assert/strict";
import { startSmtp } from "../support/smtp.ts";
import { startCluster } from "../support/cluster.ts";
import type { AppHandle } from "../support/app.ts";
import { waitFor } from "../support/wait.ts";
import { historyCheck } from "../reliability/history-check.ts";

Deno.test({
  name:
    "three processes on remote KV: concurrent booking, confirming, rejecting, cancelling, rescheduling and expiring never overlap, lose or invent a booking, through lost commit answers; each cron tick runs once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using cluster = await startCluster({
      processes: 3,
      latencyMs: [5, 20],
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      // 4 s holds: on three processes over a 5-20 ms KV, a loaded box's host found every pending
      // request lapsed before its reject landed (a run with no rejection, 2 s holds).
      env: { INVITO_BOOKING_TTL: "4s" },
    });
    Deno.env.set("DENO_KV_ACCESS_TOKEN", cluster.kv.token);
    const ticks = (app: AppHandle) =>
      [...app.logs().matchAll(/cron job=(\S+) outcome=(\S+) ms=\d+ tick=(\d+)/g)].map((m) => ({
        job: m[1],
        outcome: m[2],
        tick: m[3],
      }));
    let tick = "";
    await historyCheck({
      base: cluster.baseUrl,
      signInVia: cluster.apps[0],
      smtp,
      dbPath: cluster.kv.url,
      ttlMs: 4_000,
      env: cluster.apps[0].env,
      stop: async () => {
        // Before stopping: a minute boundary that all three processes saw (the run is long
        // enough that this rarely waits), to check that each cron tick ran once.
        tick = await waitFor(() => {
          const seen = cluster.apps.map((app) =>
            new Set(ticks(app).filter((t) => t.job === "expire").map((t) => t.tick))
          );
          return [...seen[0]].find((t) => seen.every((s) => s.has(t)));
        }, { timeoutMs: 70_000, intervalMs: 250, message: "a cron tick seen by all three" });
        for (const a of cluster.apps) await a.stop({ keepData: true });
      },
      faults: () => {
        // Now and then the answer of a booking change is lost after it landed, or the
        // connection is cut before it lands (Deno's client resends; the app must read).
        const timer = setInterval(() => {
          cluster.kv.faults.set(
            Math.random() < 0.7
              ? { loseAnswer: 1, matchKey: "booking" }
              : { dropBeforeCommit: 1, matchKey: "booking" },
          );
        }, 400);
        return () => {
          clearInterval(timer);
          cluster.kv.faults.set({ loseAnswer: 0, dropBeforeCommit: 0 });
        };
      },
    });
    // Each cron job's tick was taken by one process; the others found it taken. (The one that
    // took it may still find the job's lease held — the outbox is drained after every booking
    // too —, and then leaves the drain to whoever is at it.)
    for (const job of ["expire", "outbox", "team-holds"]) {
      const lines = cluster.apps.flatMap((app) =>
        ticks(app).filter((t) => t.job === job && t.tick === tick)
      );
      assert.equal(lines.length, 3, `${job}: each process fired tick ${tick}`);
      const outcomes = lines.map((l) => l.outcome).sort();
      assert.deepEqual(
        outcomes.slice(1),
        ["ran_elsewhere", "ran_elsewhere"],
        `${job}: ${outcomes}`,
      );
      assert.ok(
        outcomes[0] === "done" || (job === "outbox" && outcomes[0] === "leased_elsewhere"),
        `${job}: tick ${tick} ran once (${outcomes})`,
      );
    }
    const { injected } = cluster.kv.stats();
    assert.ok(injected.loseAnswer >= 3, `lost answers were injected: ${JSON.stringify(injected)}`);
    assert.ok(cluster.served.every((n) => n > 20), `every process served: ${cluster.served}`);
  },
});
