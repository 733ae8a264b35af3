/**
 * Webhook retries on their documented schedule, against the built server and a local receiver
 * that times what arrives: after a 500 the first retry comes 5 s later (not at the next minute's
 * outbox run), and after a 503 with `Retry-After: 2` it comes 2 s later, never before.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInClient } from "../support/team-signin.ts";
import { formsOf, submitForm } from "../support/auth.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

/** Late by up to this much on a loaded machine (2 cores shared by many test runs). */
const TOLERANCE_MS = 3_000;

Deno.test({
  name:
    "webhook retries: 5 s after a 500 and at Retry-After (2 s) after a 503, measured at a local receiver",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hits: { atMs: number; id: string }[] = [];
    const answers: (() => Response)[] = [
      () => new Response("boom", { status: 500 }),
      () => new Response("ok"),
      () => new Response("busy", { status: 503, headers: { "retry-after": "2" } }),
      () => new Response("ok"),
    ];
    const port = freePort();
    const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      hits.push({ atMs: performance.now(), id: req.headers.get("webhook-id") ?? "" });
      await req.body?.cancel();
      return (answers[hits.length - 1] ?? (() => new Response("ok")))();
    });
    try {
      await using app = await startApp({ env: { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" } });
      const host = await signInClient(app, "dev@example.test");
      const created = await host.post("/dashboard/developers?/createWebhook", {
        url: `http://127.0.0.1:${port}/hooks`,
        events: ["booking.confirmed"],
        description: "timing",
      });
      assert.equal(created.status, 200, created.body.slice(0, 300));
      const page = await host.get("/dashboard/developers");
      const test = formsOf(page).find((f) => f.action.endsWith("?/testWebhook"))!;
      assert.ok(test, "a test button");

      const retried = async (first: number, label: string) => {
        assert.equal((await submitForm(host, test)).status, 200);
        await waitFor(() => hits.length >= first + 2, {
          timeoutMs: 30_000,
          message: `${label}: the retry`,
        });
        const [a, b] = [hits[first], hits[first + 1]];
        assert.equal(a.id, b.id, "the same message again");
        return b.atMs - a.atMs;
      };
      const after500 = await retried(0, "500");
      assert.ok(after500 >= 5_000, `not before 5 s: ${after500} ms`);
      assert.ok(after500 <= 5_000 + TOLERANCE_MS, `at 5 s, not at the next minute: ${after500} ms`);
      const after503 = await retried(2, "503");
      assert.ok(after503 >= 2_000, `not before Retry-After: ${after503} ms`);
      assert.ok(after503 <= 2_000 + TOLERANCE_MS, `at Retry-After: ${after503} ms`);
      console.log(
        `measured: retry after 500 in ${after500} ms, after 503 (Retry-After: 2) in ${after503} ms`,
      );
    } finally {
      await server.shutdown();
    }
  },
});
