/**
 * The team history check (./team-history-check.ts) on one process with a local KV file.
 */
import { join } from "node:path";
import { startApp } from "../support/app.ts";
import { seedTeamHistory, teamHistoryCheck } from "./team-history-check.ts";

Deno.test({
  name:
    "team history: personal + round-robin + collective bookings, cancels and reschedules of overlapping members never overlap anybody; one winner per contested slot",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "invito-team-history-" });
    const dbPath = join(dataDir, "invito.kv");
    const kv = await Deno.openKv(dbPath);
    await seedTeamHistory(kv);
    kv.close();
    await using a = await startApp({ dataDir, env: { INVITO_BOOKING_TTL: "1h" } });
    await teamHistoryCheck({
      base: a.baseUrl,
      dbPath,
      logs: () => a.logs(),
      stop: () => a.stop({ keepData: true }),
    });
    await Deno.remove(dataDir, { recursive: true });
  },
});
