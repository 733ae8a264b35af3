/**
 * Webhooks on a cluster: three processes share one remote KV (KV Connect, 5–20 ms per request),
 * guests book through a round-robin proxy, and every process's outbox delivers. Each event
 * reaches the subscriber exactly once — one webhook-id per booking, none repeated — though
 * any process may claim any job, and some commits lose their answers on the way back.
 */
import assert from "node:assert/strict";
import { startCluster } from "../support/cluster.ts";
import { appOnStore } from "../support/memory-app.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import { fullDay } from "../support/slots.ts";
import { getUserByUsername } from "../../src/lib/server/store/users.ts";
import { createSubscription } from "../../src/lib/server/services/webhooks.ts";
import { entriesOf, PREFIX, readStore } from "../reliability/harness.ts";

const BOOKINGS = 12;

Deno.test({
  sanitizeResources: false,
  sanitizeOps: false,
  name:
    "three processes on remote KV: every booking's webhook arrives exactly once, whichever process delivers it, through lost commit answers",
  async fn() {
    const hits: { id: string; type: string; bookingId: string }[] = [];
    const port = freePort();
    const rx = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      const body = JSON.parse(await req.text());
      hits.push({
        id: req.headers.get("webhook-id") ?? "",
        type: body.type,
        bookingId: body.data?.booking?.id,
      });
      return new Response("ok");
    });
    try {
      await using c = await startCluster({
        processes: 3,
        latencyMs: [5, 20],
        demo: true,
        env: { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true", INVITO_RATE_LIMIT: "off" },
      });
      // The demo host subscribes (through the store every process shares).
      Deno.env.set("DENO_KV_ACCESS_TOKEN", c.kv.token);
      const kv = await Deno.openKv(c.kv.url);
      try {
        const app = await appOnStore(kv, { ...c.apps[0].env, INVITO_DISABLE_CRON: "true" });
        const host = await getUserByUsername(kv, "demo");
        assert.ok(host);
        const sub = await createSubscription(app, host, {
          url: `http://127.0.0.1:${port}/hooks`,
          events: ["booking.confirmed"],
          description: "",
        });
        assert.ok(sub.ok, JSON.stringify(sub));
      } finally {
        kv.close();
      }

      // Quick chats (confirmed at once), spread over the processes; now and then a booking's
      // commit answer is lost (the process settles it by its receipt, ADR 038).
      const day = await fullDay(c.baseUrl, "/calendar/demo/quick-chat", { min: BOOKINGS });
      const faults = setInterval(
        () => c.kv.faults.set({ loseAnswer: 1, matchKey: "booking" }),
        300,
      );
      const made: string[] = [];
      try {
        await Promise.all(
          day.slots.slice(0, BOOKINGS).map(async (start, i) => {
            const res = await fetch(`${c.baseUrl}/calendar/demo/quick-chat?/book`, {
              method: "POST",
              redirect: "manual",
              headers: {
                origin: c.baseUrl,
                accept: "text/html",
                "content-type": "application/x-www-form-urlencoded",
              },
              body: new URLSearchParams({
                name: `Guest ${i}`,
                email: `g${i}@example.test`,
                note: "",
                start,
                tz: "UTC",
              }),
            });
            await res.body?.cancel();
            assert.equal(res.status, 303, `booking ${i}`);
            made.push(res.headers.get("location")!);
          }),
        );
      } finally {
        clearInterval(faults);
        c.kv.faults.set({ loseAnswer: 0 });
      }
      assert.equal(made.length, BOOKINGS);
      await waitFor(() => hits.length >= BOOKINGS, {
        timeoutMs: 60_000,
        message: `${BOOKINGS} webhooks (got ${hits.length})`,
      });
      // Nothing left to deliver: the outbox is empty (a job leaves it once done), so no
      // duplicate can still be on its way when the deliveries are counted.
      await waitFor(async () => entriesOf(await readStore(c.kv.url), PREFIX.outbox).length === 0, {
        timeoutMs: 60_000,
        message: "every outbox job done",
      });
      assert.ok(hits.every((h) => h.type === "booking.confirmed"));
      assert.equal(new Set(hits.map((h) => h.id)).size, hits.length, "no webhook-id twice");
      assert.equal(new Set(hits.map((h) => h.bookingId)).size, BOOKINGS, "one per booking");
      assert.ok(c.served.every((n) => n > 0), `every process took bookings: ${c.served}`);
    } finally {
      await rx.shutdown();
    }
  },
});
