/**
 * The team history check (tests/reliability/team-history-check.ts: personal, round-robin and
 * collective bookings of overlapping members, bursts on one slot, cancels and reschedules) on
 * three processes sharing one remote KV through Deno's KV Connect client, 5–20 ms per KV
 * request, with booking writes now and then losing their answers. Requests go through a
 * round-robin proxy, so the members of one burst are decided by different processes.
 */
import assert from "node:assert/strict";
import { startCluster } from "../support/cluster.ts";
import { seedTeamHistory, teamHistoryCheck } from "../reliability/team-history-check.ts";

Deno.test({
  name:
    "three processes on remote KV: personal, round-robin and collective bookings never overlap a member; one winner per contested slot, through lost commit answers",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using c = await startCluster({
      processes: 3,
      env: { INVITO_BOOKING_TTL: "1h" },
      beforeStart: async (kvs) => {
        Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
        const kv = await Deno.openKv(kvs.url);
        try {
          await seedTeamHistory(kv);
        } finally {
          kv.close();
        }
        kvs.faults.set({ latencyMs: [5, 20] });
      },
    });
    const faults = setInterval(() => c.kv.faults.set({ loseAnswer: 1, matchKey: "booking" }), 400);
    try {
      await teamHistoryCheck({
        base: c.baseUrl,
        dbPath: c.kv.url,
        logs: () => c.apps.map((a) => a.logs()).join("\n"),
        stop: async () => {
          clearInterval(faults);
          for (const a of c.apps) await a.stop({ keepData: true });
        },
      });
    } finally {
      clearInterval(faults);
    }
    assert.ok(c.kv.stats().injected.loseAnswer >= 2, "answers were lost");
    assert.ok(c.served.every((n) => n > 10), `every process served: ${c.served}`);
  },
});
