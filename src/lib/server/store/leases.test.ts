import assert from "node:assert/strict";
import { acquireLease, claimTick, releaseLeasesOf } from "./leases.ts";

Deno.test("claimTick: of processes whose cron fires for one tick, exactly one runs it, even after the first has finished", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const t0 = 1_800_000_000_000; // a minute boundary
    const first = await Promise.all(
      ["a", "b", "c"].map((o) => claimTick(kv, "expire", o, 60_000, t0 + 5)),
    );
    assert.deepEqual(first.filter(Boolean).length, 1);
    // A process whose cron fired late in the same minute, after the job ended and its lease went.
    await releaseLeasesOf(kv, "a");
    await releaseLeasesOf(kv, "b");
    await releaseLeasesOf(kv, "c");
    assert.equal(await claimTick(kv, "expire", "d", 60_000, t0 + 59_000), false);
    // The next tick is free again; other jobs have their own ticks.
    assert.equal(await claimTick(kv, "expire", "b", 60_000, t0 + 60_000), true);
    assert.equal(await claimTick(kv, "outbox", "c", 60_000, t0 + 60_000), true);
    // Ticks do not get in the way of a job's lease.
    assert.equal(await acquireLease(kv, "expire", "a", 90_000, t0), true);
  } finally {
    kv.close();
  }
});
