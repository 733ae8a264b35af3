/**
 * Counters over remote KV, exactly. A count is a sum without checks, and Deno's KV Connect
 * client resends a write whose connection broke before its answer (denokv remote/lib.rs,
 * `call_raw`): the resent sum landed a second time, so a host's insights and a routing form's
 * funnel counted a lost answer's bookings and views twice. Each count now carries a receipt
 * checked absent (store/kv.ts `commitOnce`): the resend fails against the first and is read as
 * landed.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { remoteApps } from "../support/remote-apps.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { settleCounts } from "../../src/lib/server/ops/counts-in-flight.ts";
import {
  addCounts,
  BACKFILL_SUMS,
  commitBackfillStep,
  getBackfill,
  type OwnedDelta,
  readCounts,
  SUMS_PER_WRITE,
} from "../../src/lib/server/store/insights.ts";
import { startKvConnect } from "../support/kv-connect-server.ts";
import { openRemoteKv } from "../../src/lib/server/store/kv.ts";
import {
  countRoutingStage,
  readRoutingCounts,
  routingResponsePages,
} from "../../src/lib/server/store/routing-forms.ts";
import { submitForm } from "../../src/lib/server/services/routing-visits.ts";
import { publishedForm } from "../support/routing.ts";

const at = (hm: string) => `2026-11-23T${hm}:00Z`;

Deno.test({
  name:
    "remote KV: insights and routing counts whose commit answers were lost (and the writes resent by Deno's client) count each booking and view once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(r.a, host, { slug: "chat", requiresConfirmation: false } as never);

    r.server.faults.set({ loseAnswer: 2, matchKey: "insights" });
    for (const [i, hm] of ["09:00", "10:00", "11:00", "12:00"].entries()) {
      const made = await bookSlot(r.app(i), {
        username: "ann",
        slug: "chat",
        start: at(hm),
        name: `Guest ${i}`,
        email: `g${i}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(made.ok, JSON.stringify(made));
      // Each booking's counts in a write of their own, so each lost answer is one booking's.
      await settleCounts();
    }
    assert.equal(r.server.stats().injected.loseAnswer, 2, "two count writes' answers were lost");
    const ev = await readCounts(r.kv, host.id, "ev", "2026-01-01", "2027-12-31");
    const sum = (metric: string) =>
      ev.filter((x) => x.metric === metric).reduce((s, x) => s + x.n, 0);
    assert.equal(sum("submitted"), 4, JSON.stringify(ev));
    assert.equal(sum("confirmed"), 4);

    r.server.faults.set({ loseAnswer: 1, matchKey: "routing_count" });
    for (let i = 0; i < 3; i++) await countRoutingStage(r.app(i).kv, "form1", "*", "view");
    assert.equal(r.server.stats().injected.loseAnswer, 3);
    assert.deepEqual(await readRoutingCounts(r.kv, "form1"), { "*": { view: 3 } });
  },
});

Deno.test({
  name:
    "remote KV: a routing form's answers whose commit answer was lost are taken (not a 500 for 'collided'), stored and counted as routed once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using r = await remoteApps({ env: { INVITO_MIN_FILL_TIME: "0s" } });
    const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    const formId = await publishedForm(r.a, host.id, "contact", {
      questions: [{ key: "topic", type: "short", label: "Topic", required: true }],
      routes: [],
      fallback: { kind: "message", text: "Thanks" },
    });
    r.server.faults.set({ loseAnswer: 1, matchKey: "routing_response" });
    const sent = await submitForm(r.b, {
      owner: "ann",
      slug: "contact",
      posted: (k) => (k === "topic" ? ["pricing"] : []),
      fillToken: "",
      honeypot: "",
    });
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the answer's commit answer was lost");
    assert.ok(sent.ok && sent.kind === "message", JSON.stringify(sent));
    const stored = [];
    for await (const page of routingResponsePages(r.kv, formId)) stored.push(...page);
    assert.deepEqual(stored.map((x) => x.answers), [{ topic: "pricing" }]);
    assert.equal((await readRoutingCounts(r.kv, formId))["fallback"]?.routed, 1);
  },
});

Deno.test({
  name:
    "remote KV: the largest count writes fit its 1,000 mutations — a netted burst and a backfill step whose every sum is another host's, on a day old enough to bump each host's epoch",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kvs = await startKvConnect();
    Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
    const kv = await openRemoteKv(kvs.url);
    try {
      const nowMs = Date.parse("2026-11-20T08:00:00Z");
      // Each sum another host's, a week back: each host's epoch is bumped too.
      const deltas = (n: number, from: number): OwnedDelta[] =>
        Array.from({ length: n }, (_, i) => ({
          ownerId: `host${from + i}`,
          family: "ev",
          day: "2026-11-13",
          eventTypeId: "et1",
          metric: "submitted",
          n: 1,
        }));
      await addCounts(kv, deltas(3 * SUMS_PER_WRITE, 0), nowMs);
      const from = await getBackfill(kv);
      const step = await commitBackfillStep(kv, from, deltas(BACKFILL_SUMS, 10_000), {
        v: 1,
        after: null,
        done: true,
        counted: BACKFILL_SUMS,
      }, nowMs);
      assert.deepEqual(kvs.stats().refused, [], "the server refused nothing");
      assert.ok(step, "the backfill step landed");
      assert.ok(kvs.stats().largest.mutations <= 1_000, JSON.stringify(kvs.stats().largest));
      for (const owner of ["host0", `host${3 * SUMS_PER_WRITE - 1}`, "host10000"]) {
        const rows = await readCounts(kv, owner, "ev", "2026-11-01", "2026-11-30");
        assert.deepEqual(rows.map((r) => [r.metric, r.n]), [["submitted", 1]], owner);
      }
    } finally {
      kv.close();
    }
  },
});
