import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import {
  claim,
  dropHostEventsNaming,
  enqueue,
  giveUp,
  newOutboxRecord,
  requeueFailed,
  retryLater,
} from "./outbox.ts";
import { keys } from "./keys.ts";
import type { OutboxRecord } from "../domain/model/records.ts";
import { startKvConnect } from "../../../../tests/support/kv-connect-server.ts";

const GUEST = "bo@example.test";

/**
 * Erasures racing outbox runs: `runKv` is the outbox's process, `eraseKv` the erasing one (the
 * same handle in memory; two remote clients of one KV Connect server).
 */
async function dropsRacingRuns(runKv: Deno.Kv, eraseKv: Deno.Kv) {
  const app = { kv: runKv, now: () => Date.parse("2026-11-20T08:00:00Z") };
  {
    const ann = "01ANN000000000000000000000";
    const ben = "01BEN000000000000000000000";
    const jobs: OutboxRecord[] = [];
    for (let i = 0; i < 60; i++) {
      const who = i % 3 ? GUEST : "cy@example.test";
      const job = newOutboxRecord({
        kind: "host_event",
        personIds: i % 2 ? [ann] : [ann, ben],
        event: "poll.voted",
        ref: `ref-${i}`,
        body: JSON.stringify({ type: "poll.voted", data: { answer: { email: who } } }),
      }, app.now() + i);
      jobs.push(job);
      assert.ok((await enqueue(app.kv.atomic(), job).commit()).ok);
    }
    const where = async (id: string) => {
      for (const p of [ann, ben]) {
        const at = (await app.kv.get<number>(keys.outboxByPerson(p, id))).value;
        if (at !== null) return at;
      }
      return null;
    };
    // One run of the outbox on a job: claim it where the index says it is, then fail it (put
    // back for later), park it, or park it and have the host press Retry.
    const run = async (job: OutboxRecord, round: number) => {
      const at = await where(job.id);
      if (at === null) return;
      if (at === -1) return void await requeueFailed(app.kv, job.id, app.now());
      const entry = await app.kv.get<OutboxRecord>(keys.outbox(at, job.id));
      if (!entry.value) return;
      const claimed = await claim(
        app.kv,
        entry as Deno.KvEntry<OutboxRecord>,
        `w${round}`,
        60_000,
        app.now(),
      );
      if (!claimed) return;
      // The job's work, in which an erasure may drop it (a few reads, longer for some).
      for (let k = 0; k < (round + jobs.indexOf(job)) % 6; k++) await app.kv.get(["nothing"]);
      if ((round + jobs.indexOf(job)) % 4 === 0) await giveUp(app.kv, claimed, "refused");
      else await retryLater(app.kv, claimed, app.now() + 1_000 * round, "timed out");
    };
    const erase = () => dropHostEventsNaming(eraseKv, ann, (t) => t.includes(GUEST));
    // Two runs of the outbox take each job six times over, while three erasures go.
    const runs = jobs.flatMap((job) =>
      [0, 1].map(async (w) => {
        for (let round = w; round < 12; round += 2) await run(job, round);
      })
    );
    await Promise.all([erase(), erase(), erase(), ...runs]);
    // Runs that held a job when it was dropped put nothing back: a last erasure finds nothing.
    assert.equal(await erase(), 0);
    const left = new Map<string, number>();
    for await (const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() })) {
      left.set(e.value.id, (left.get(e.value.id) ?? 0) + 1);
      assert.equal(await where(e.value.id), e.value.dueMs, "its index says where it is");
    }
    for await (const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxFailedPrefix() })) {
      left.set(e.value.id, (left.get(e.value.id) ?? 0) + 1);
      assert.equal(await where(e.value.id), -1, "its index says it is parked");
    }
    for (const job of jobs) {
      const names = JSON.stringify(job).includes(GUEST);
      assert.equal(left.get(job.id), names ? undefined : 1, `${job.id} names the guest: ${names}`);
      if (names) assert.equal(await where(job.id), null, "no index entry is left behind");
    }
  }
}

Deno.test("dropHostEventsNaming fired at once with outbox runs that claim the same jobs and put them back (a retry, a parked job, a host's Retry): every body naming the guest is gone for good, every other job stays, once", async () => {
  const app = await memoryApp();
  try {
    await dropsRacingRuns(app.kv, app.kv);
  } finally {
    app.close();
  }
});

Deno.test({
  name:
    "dropHostEventsNaming on one process racing another's outbox runs over remote KV (the KV Connect test server, lost commit answers of claims, moves and drops): every body naming the guest is gone for good, every other job stays, once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using server = await startKvConnect({ faults: { latencyMs: [0, 3] } });
    Deno.env.set("DENO_KV_ACCESS_TOKEN", server.token);
    const runKv = await Deno.openKv(server.url);
    const eraseKv = await Deno.openKv(server.url);
    try {
      // Writes that only move outbox jobs: claims, retries, parking, requeues and drops.
      server.faults.set({
        loseAnswer: 12,
        matchOnly: ["outbox", "outbox_by_person", "outbox_by_booking", "outbox_failed"],
      });
      await dropsRacingRuns(runKv, eraseKv);
      assert.ok(server.stats().injected.loseAnswer > 0, "answers were lost");
      assert.deepEqual(server.stats().refused, []);
    } finally {
      runKv.close();
      eraseKv.close();
    }
  },
});

Deno.test("dropHostEventsNaming outlasts a job that an outbox run takes and puts back twenty times while it is being dropped (between each of its reads and its write): the job naming the guest is dropped, not left to be sent", async () => {
  const app = await memoryApp();
  const nowMs = Date.parse("2026-11-20T08:00:00Z");
  try {
    const ann = "01ANN000000000000000000000";
    const job = newOutboxRecord({
      kind: "host_event",
      personIds: [ann],
      event: "poll.voted",
      ref: "ref-0",
      body: JSON.stringify({ type: "poll.voted", data: { answer: { email: GUEST } } }),
    }, nowMs);
    assert.ok((await enqueue(app.kv.atomic(), job).commit()).ok);
    // One outbox run on the job: claim it where its index says, and put it back for later.
    let moves = 0;
    const moveOnce = async () => {
      const at = (await app.kv.get<number>(keys.outboxByPerson(ann, job.id))).value!;
      const entry = await app.kv.get<OutboxRecord>(keys.outbox(at, job.id));
      const claimed = await claim(app.kv, entry as Deno.KvEntry<OutboxRecord>, "w", 60_000, nowMs);
      assert.ok(claimed);
      await retryLater(app.kv, claimed, nowMs + 1_000 * ++moves, "timed out");
    };
    // The erasing process's store: before each of its writes, the run moves the job on.
    const racing = new Proxy(app.kv, {
      get(target, prop) {
        if (prop === "atomic") {
          return () => {
            const op = target.atomic();
            const commit = op.commit.bind(op);
            op.commit = async () => {
              if (moves < 20) await moveOnce();
              return await commit();
            };
            return op;
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    assert.equal(await dropHostEventsNaming(racing, ann, (t) => t.includes(GUEST)), 1);
    assert.equal(moves, 20);
    const left = [];
    for await (const e of app.kv.list({ prefix: keys.outboxPrefix() })) left.push(e.key);
    assert.deepEqual(left, []);
    assert.equal((await app.kv.get(keys.outboxByPerson(ann, job.id))).value, null);
  } finally {
    app.close();
  }
});
