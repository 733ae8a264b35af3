import assert from "node:assert/strict";
import { CONCURRENCY, deliverOutbox, type Performer, performers } from "./deliver-outbox.ts";
import { enqueue, listBookingJobs, listDue, newOutboxRecord } from "../store/outbox.ts";
import type { OutboxPayload, OutboxRecord } from "../domain/model/records.ts";
import { memoryApp, type TestApp } from "../../../../tests/support/memory-app.ts";

const FAR_FUTURE = Date.parse("2100-01-01T00:00:00Z");

/** Queues the jobs due one ms apart, oldest first, so due order is the order given. */
async function queue(app: TestApp, payloads: OutboxPayload[]): Promise<OutboxRecord[]> {
  const t0 = app.now() - payloads.length;
  const jobs = payloads.map((p, i) => newOutboxRecord(p, t0 + i));
  for (const job of jobs) assert.ok((await enqueue(app.kv.atomic(), job).commit()).ok);
  return jobs;
}

const writeback = (bookingId: string, op: "put" | "delete"): OutboxPayload => ({
  kind: "writeback",
  op,
  bookingId,
});

/** Writeback is the kind whose performer is pluggable, so a fake one can watch the drain. */
function stubWriteback(fake: Performer): Disposable {
  const before = performers.writeback;
  performers.writeback = fake;
  return { [Symbol.dispose]: () => void (performers.writeback = before) };
}

function deferred() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

Deno.test("deliverOutbox: jobs of different bookings run up to 4 at once, one booking's jobs one after another in due order, each exactly once", async () => {
  const app = await memoryApp();
  try {
    // Each booking's jobs are adjacent in due order, so a pool that ignored bookings would start
    // one booking's put and delete together in its first wave.
    const bookings = ["b1", "b2", "b3", "b4", "b5", "b6"];
    const jobs = await queue(
      app,
      bookings.flatMap((b) => [writeback(b, "put"), writeback(b, "delete"), writeback(b, "put")]),
    );
    const started: OutboxRecord[] = [];
    const busy = new Set<string>();
    const overlaps: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    // Every perform waits here until CONCURRENCY of them are in flight at once.
    const gate = deferred();
    // Only a drain that never gets there waits for this; it then finishes, and the assertions
    // below say what went wrong instead of the test hanging.
    const watchdog = setTimeout(gate.open, 2_000);
    using _ = stubWriteback(async (_app, job) => {
      const { bookingId } = job.payload as { bookingId: string };
      if (busy.has(bookingId)) overlaps.push(bookingId);
      busy.add(bookingId);
      started.push(job);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      if (inFlight === CONCURRENCY) gate.open();
      await gate.promise;
      inFlight--;
      busy.delete(bookingId);
      return { ok: true };
    });
    const stats = await deliverOutbox(app, app.now());
    clearTimeout(watchdog);

    assert.equal(CONCURRENCY, 4);
    assert.equal(maxInFlight, CONCURRENCY, "several bookings' jobs in flight at once, no more");
    assert.deepEqual(overlaps, [], "no booking had two jobs in flight at once");
    for (const b of bookings) {
      const ran = started.filter((j) => (j.payload as { bookingId: string }).bookingId === b);
      const queued = jobs.filter((j) => (j.payload as { bookingId: string }).bookingId === b);
      assert.deepEqual(ran.map((j) => j.id), queued.map((j) => j.id), `${b} in due order`);
    }
    assert.deepEqual(started.map((j) => j.id).sort(), jobs.map((j) => j.id).sort());
    assert.deepEqual(stats, { done: jobs.length, retried: 0, failed: 0 });
    assert.deepEqual(await listDue(app.kv, FAR_FUTURE, 100), [], "the queue is empty");
  } finally {
    app.close();
  }
});

Deno.test("deliverOutbox: a job that throws is retried and a refused one parked, while every other job still completes", async () => {
  const app = await memoryApp();
  try {
    const [throws, refused] = await queue(app, [
      writeback("b1", "put"),
      writeback("b2", "put"),
      writeback("b3", "put"),
      { kind: "raw_mail", to: "a@example.test", subject: "A", text: "a" },
      writeback("b3", "delete"),
      { kind: "raw_mail", to: "b@example.test", subject: "B", text: "b" },
    ]);
    using _ = stubWriteback((_app, job) => {
      if (job.id === throws.id) return Promise.reject(new Error("connection reset"));
      if (job.id === refused.id) {
        return Promise.resolve({ ok: false, error: "403", permanent: true });
      }
      return Promise.resolve({ ok: true });
    });
    const stats = await deliverOutbox(app, app.now());

    assert.deepEqual(stats, { done: 4, retried: 1, failed: 1 });
    assert.deepEqual(app.mailer.sent.map((m) => m.to).sort(), ["a@example.test", "b@example.test"]);
    const left = await listDue(app.kv, FAR_FUTURE, 100);
    assert.deepEqual(left.map((e) => [e.value.id, e.value.lastError]), [
      [throws.id, "connection reset"],
    ]);
    assert.deepEqual(
      (await listBookingJobs(app.kv, "b2")).map((j) => [j.job.id, j.failed]),
      [[refused.id, true]],
    );
  } finally {
    app.close();
  }
});

Deno.test("deliverOutbox: a store failure ends the drain with that error once the jobs in flight finish, and starts no further job", async () => {
  const app = await memoryApp();
  const realKv = app.kv;
  try {
    await queue(
      app,
      ["b1", "b2", "b3", "b4", "b5", "b6"].flatMap((b) => [
        writeback(b, "put"),
        writeback(b, "delete"),
      ]),
    );
    // The next atomic write after arming fails: one job's completion is lost.
    let armed = false;
    app.kv = new Proxy(realKv, {
      get(target, prop) {
        if (prop === "atomic" && armed) {
          armed = false;
          throw new Error("simulated crash");
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    let started = 0;
    let finished = 0;
    const gate = deferred();
    const watchdog = setTimeout(gate.open, 2_000); // see the first test
    using _ = stubWriteback(async () => {
      if (++started === CONCURRENCY) {
        armed = true;
        gate.open();
      }
      await gate.promise;
      finished++;
      return { ok: true };
    });
    await assert.rejects(deliverOutbox(app, app.now()), /simulated crash/);
    clearTimeout(watchdog);

    assert.equal(started, CONCURRENCY, "no job started after the failure");
    assert.equal(finished, started, "the drain waited for the jobs in flight");
  } finally {
    app.kv = realKv;
    app.close();
  }
});

Deno.test("deliverOutbox: once the time budget is spent no further job starts, not even within the round", async () => {
  const app = await memoryApp();
  const realNow = Date.now;
  try {
    await queue(app, [writeback("b1", "put"), writeback("b1", "delete"), writeback("b1", "put")]);
    let elapsedMs = 0;
    Date.now = () => realNow() + elapsedMs;
    using _ = stubWriteback(() => {
      elapsedMs += 60_000; // longer than the default budget of 50 s
      return Promise.resolve({ ok: true });
    });
    const stats = await deliverOutbox(app, app.now());

    assert.deepEqual(stats, { done: 1, retried: 0, failed: 0 });
    assert.equal((await listDue(app.kv, app.now(), 100)).length, 2, "the rest wait, still due");
  } finally {
    Date.now = realNow;
    app.close();
  }
});

Deno.test("deliverOutbox: a series' calendar writes run up to 4 of its dates at once, each date's jobs still one after another in due order, and a mail after every earlier job of the series", async () => {
  const app = await memoryApp();
  try {
    // Dates d1..d8 confirmed (a put each), d2 cancelled (its delete), then a mail: all one lane.
    const t0 = app.now() - 20;
    const lane = "series:s1";
    const payloads: OutboxPayload[] = [
      ...["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"].map((d) => writeback(d, "put")),
      writeback("d2", "delete"),
      { kind: "raw_mail", to: "guest@example.test", subject: "Series", text: "dates" },
    ];
    const jobs = payloads.map((p, i) => newOutboxRecord(p, t0 + i, t0 + i, lane));
    for (const job of jobs) assert.ok((await enqueue(app.kv.atomic(), job).commit()).ok);
    const started: string[] = [];
    const busy = new Set<string>();
    const overlaps: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let mailedEarly = false;
    const gate = deferred();
    const watchdog = setTimeout(gate.open, 2_000); // see the first test
    using _ = stubWriteback(async (_app, job) => {
      const { bookingId, op } = job.payload as { bookingId: string; op: string };
      if (busy.has(bookingId)) overlaps.push(bookingId);
      busy.add(bookingId);
      started.push(`${bookingId} ${op}`);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      if (inFlight === 4) gate.open();
      await gate.promise;
      // The mail waits for every write before it.
      if (app.mailer.sent.length) mailedEarly = true;
      inFlight--;
      busy.delete(bookingId);
      return { ok: true };
    });
    const stats = await deliverOutbox(app, app.now());
    clearTimeout(watchdog);

    assert.equal(maxInFlight, 4, "four dates' writes in flight at once (they ran one by one)");
    assert.deepEqual(overlaps, [], "no date had two jobs in flight at once");
    assert.ok(started.indexOf("d2 put") < started.indexOf("d2 delete"), started.join(", "));
    assert.equal(started.length, 9);
    assert.equal(mailedEarly, false, "no mail while a write before it ran");
    assert.deepEqual(app.mailer.sent.map((m) => m.subject), ["Series"]);
    assert.deepEqual(stats, { done: jobs.length, retried: 0, failed: 0 });
  } finally {
    app.close();
  }
});
