/**
 * Writes whose answer breaks off over remote KV: the write is applied (or refused by a check),
 * then the connection is cut after the answer's status and headers, inside its body (the test
 * server's `cutWriteBody`). The outcome is decided, but it is in the body: Deno's KV Connect
 * client throws "KV Connect failed to read response body" instead of resending, as it does for
 * an answer that never came. A plain commit then reached the person as a 500 (a sign-in link
 * asked for on a network blip).
 *
 * The store sends such a write again when that is safe by construction, as Deno's client does
 * for a lost answer: a write with checks (if the first landed, the second fails its checks) or
 * one of sets and deletes only (the same state twice). A write that adds without checks (`sum`)
 * is not sent twice: its outcome stays unknown and the caller hears so (counters commit through
 * `commitOnce`, whose receipt settles it by reading).
 */
import assert from "node:assert/strict";
import { startKvConnect } from "../support/kv-connect-server.ts";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { finishMagicLink } from "../support/auth.ts";
import { openRemoteKv } from "../../src/lib/server/store/kv.ts";
import { instrumentKv } from "../../src/lib/server/ops/kv-metrics.ts";
import { METRICS_ENV, metricsText, metricValue } from "../support/metrics.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "remote KV: writes whose answers break off inside the body — a set lands once and says so, a refused check says so, an unchecked sum is not sent twice",
  async fn() {
    await using kvs = await startKvConnect({ faults: { latencyMs: [1, 3] } });
    Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
    const raw = await Deno.openKv(kvs.url);
    const kv = instrumentKv(await openRemoteKv(kvs.url));
    try {
      kvs.faults.set({ cutWriteBody: 1 });
      await assert.rejects(
        raw.atomic().set(["probe"], 1).commit(),
        /failed to read response body/,
        "the fault is real",
      );

      kvs.faults.set({ cutWriteBody: 1 });
      const set = await kv.atomic().set(["a"], "first").delete(["probe"]).commit();
      assert.equal(set.ok, true, "a set and a delete: sent again, and the answer says it landed");
      assert.equal((await kv.get(["a"])).value, "first");
      assert.equal((await kv.get(["probe"])).versionstamp, null);

      const a = await kv.get(["a"]);
      assert.ok((await kv.atomic().check(a).set(["a"], "moved on").commit()).ok);
      kvs.faults.set({ cutWriteBody: 1 });
      const stale = await kv.atomic().check(a).set(["a"], "stale").commit();
      assert.equal(stale.ok, false, "a check that failed is told as failed");
      assert.equal((await kv.get(["a"])).value, "moved on", "and nothing was written");

      kvs.faults.set({ cutWriteBody: 1 });
      await assert.rejects(
        kv.atomic().sum(["n"], 1n).commit(),
        /failed to read response body/,
        "an unchecked sum's outcome stays unknown to the caller",
      );
      assert.equal((await kv.get<Deno.KvU64>(["n"])).value?.value, 1n, "and it was added once");
      assert.equal(kvs.stats().injected.cutWriteBody, 4);
    } finally {
      raw.close();
      kv.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a sign-in link asked for while the write's answer breaks off: the person is told to check their email (not a 500) and gets one link",
  async fn() {
    await using kvs = await startKvConnect({ faults: { latencyMs: [1, 3] } });
    await using app = await startApp({
      demo: true,
      env: {
        ...kvs.appEnv,
        ...METRICS_ENV,
      },
    });
    const c = createClient(app.baseUrl);
    const since = app.logs().length;
    // The mail's job in the outbox: the write the sign-in request makes.
    kvs.faults.set({ cutWriteBody: 1, matchKey: "outbox" });
    const res = await c.post("/signin?/email", {
      providerId: "email",
      email: "demo@invito.example",
      next: "/dashboard",
    });
    assert.equal(
      res.status,
      303,
      `the person is told to check their email (${res.body.slice(0, 300)})`,
    );
    assert.equal(kvs.stats().injected.cutWriteBody, 1, "the job's write lost its answer");
    const verify = /https?:\/\/\S+\/signin\/verify\?\S+/;
    assert.equal(
      metricValue(await metricsText(app.baseUrl), "invito_kv_writes_resent_total"),
      1,
      "an operator sees the blip",
    );
    const [link] = await app.waitForLog(verify, { since });
    await finishMagicLink(c, link);
    assert.equal((await c.get("/dashboard")).status, 200, "the link signs the person in");
    assert.equal(
      app.logs().slice(since).match(/\/signin\/verify\?/g)?.length,
      1,
      "one link was sent",
    );
  },
});
