/**
 * Reads whose answer breaks off over remote KV: the connection is cut after the status and
 * headers of a snapshot read, inside its body (the test server's `cutReadBody`). Deno's KV
 * Connect client resends a request that got no answer, but not one whose body broke: it throws
 * "KV Connect failed to read response body", and one HTTP/2 connection carries every request of
 * a process, so one cut breaks whatever reads were in flight on it. CI met it once, in a poll
 * vote's read on three processes while a write's answer was lost. A read changes nothing, so
 * the store reads again (`openRemoteKv`); a person never sees the cut.
 */
import assert from "node:assert/strict";
import { startKvConnect } from "../support/kv-connect-server.ts";
import { startApp } from "../support/app.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { postPlainRead } from "../support/http.ts";
import { openRemoteKv } from "../../src/lib/server/store/kv.ts";
import { allBookings } from "../support/overlaps.ts";
import { METRICS_ENV, metricsText, metricValue } from "../support/metrics.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "remote KV: a get, a getMany and a list whose answers break off inside the body are read again — each entry once, in order, a list's limit kept — where Deno's client alone throws",
  async fn() {
    await using kvs = await startKvConnect({ faults: { latencyMs: [1, 3] } });
    Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
    const raw = await Deno.openKv(kvs.url);
    const kv = await openRemoteKv(kvs.url);
    try {
      // 1,200 entries: Deno's client lists them 500 a read, so the cut below hits a later batch.
      for (let i = 0; i < 1_200; i += 200) {
        const op = raw.atomic();
        for (let j = i; j < i + 200; j++) op.set(["n", j], j);
        assert.ok((await op.commit()).ok);
      }

      kvs.faults.set({ cutReadBody: 1 });
      await assert.rejects(raw.get(["n", 1]), /failed to read response body/, "the fault is real");

      kvs.faults.set({ cutReadBody: 2 });
      assert.equal((await kv.get(["n", 7])).value, 7);
      assert.equal(kvs.stats().injected.cutReadBody, 3);

      kvs.faults.set({ cutReadBody: 1 });
      const many = await kv.getMany<number[]>([["n", 3], ["n", 4], ["missing"]]);
      assert.deepEqual(many.map((e) => e.value), [3, 4, null]);

      const listed = async (options: Deno.KvListOptions) => {
        const seen: number[] = [];
        for await (const e of kv.list<number>({ prefix: ["n"] }, options)) {
          seen.push(e.value);
          // The second batch's read (and the first of a reversed list) is the one cut.
          if (seen.length === 3) kvs.faults.set({ cutReadBody: 1 });
        }
        return seen;
      };
      const before = kvs.stats().injected.cutReadBody;
      const all = await listed({ batchSize: 3 });
      assert.deepEqual(all, Array.from({ length: 1_200 }, (_, i) => i), "every entry once");
      const limited = await listed({ limit: 700 });
      assert.deepEqual(limited, Array.from({ length: 700 }, (_, i) => i), "the limit kept");
      const reversed = await listed({ reverse: true, limit: 10, batchSize: 3 });
      assert.deepEqual(reversed, Array.from({ length: 10 }, (_, i) => 1_199 - i));
      assert.equal(kvs.stats().injected.cutReadBody - before, 3, "each list met its cut");
    } finally {
      raw.close();
      kv.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: the booking page and the booking form work while reads' answers break off inside the body: the page shows its times, the guest is booked once",
  async fn() {
    await using kvs = await startKvConnect({ faults: { latencyMs: [1, 3] } });
    await using app = await startApp({
      demo: true,
      env: {
        ...kvs.appEnv,
        ...METRICS_ENV,
      },
    });
    const slots = await slotsAhead(app.baseUrl, "demo", "intro-call", 7);
    assert.ok(slots.length > 0, "the demo host offers slots");

    kvs.faults.set({ cutReadBody: 3 });
    const page = await fetch(`${app.baseUrl}/calendar/demo/intro-call`);
    const html = await page.text();
    assert.equal(page.status, 200, html.slice(0, 300));
    assert.equal(kvs.stats().injected.cutReadBody, 3, "three of the page's reads were cut");
    assert.match(html, /Intro call/i);

    kvs.faults.set({ cutReadBody: 3 });
    const booked = await postPlainRead(app.baseUrl, "/calendar/demo/intro-call?/book", {
      name: "Ann",
      email: "ann@example.test",
      note: "",
      start: slots[0],
      tz: "UTC",
    });
    assert.equal(
      booked.status,
      303,
      `the guest sees the booking made (${booked.body.slice(0, 300)})`,
    );
    assert.equal(kvs.stats().injected.cutReadBody, 6, "three of the booking's reads were cut");

    // An operator sees the blips: each broken answer is counted on /metrics.
    assert.equal(metricValue(await metricsText(app.baseUrl), "invito_kv_reads_resent_total"), 6);

    Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
    const kv = await Deno.openKv(kvs.url);
    try {
      assert.deepEqual((await allBookings(kv)).map((b) => b.guestEmail), ["ann@example.test"]);
    } finally {
      kv.close();
    }
  },
});
