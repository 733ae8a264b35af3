/**
 * Suspension holds a host's webhook deliveries (ADR 043: silent while suspended) and their
 * reactivation sends them, in order — against the built server, a local receiver and the admin
 * area as an admin uses it. The tester's repro: the receiver answers 500, a booking is made (the
 * first attempt fails, a retry is due 5 s later), the admin suspends the host, the retry comes
 * due while suspended, and the guest cancels meanwhile. Before, the retry was marked done unsent
 * and the cancellation made no message at all: after reactivation the integration never learnt
 * of either.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { bearerApi, type Client, createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { serveLocal } from "../support/local-server.ts";
import { waitFor } from "../support/wait.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { METRICS_ENV, outboxJobs } from "../support/metrics.ts";

const ADMIN = "ops@example.test";

async function userIdOf(admin: Client, username: string): Promise<string> {
  const page = await admin.get(`/admin?q=${encodeURIComponent(username)}`);
  const m = new RegExp(`data-user="${username}"[\\s\\S]*?name="userId" value="([0-9A-Z]{26})"`)
    .exec(page.body);
  assert.ok(m, `no ${username} on the admin's list`);
  return m[1];
}

type Delivery = {
  messageId: string;
  event: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  held: boolean;
  nextRetryAt: string | null;
  at: string;
};

Deno.test({
  name:
    "webhooks of a suspended host: a retry that comes due and a guest's cancellation are held, nothing is sent while suspended, and after reactivation both go out in order; the log says held, not a past retry time, and a held delivery is no attempt",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hits: { atMs: number; id: string; type: string }[] = [];
    await using rx = serveLocal(async (req) => {
      const body = JSON.parse(await req.text());
      hits.push({ atMs: Date.now(), id: req.headers.get("webhook-id") ?? "", type: body.type });
      return hits.length === 1 ? new Response("down", { status: 500 }) : new Response("ok");
    });
    await using app = await startApp({
      demo: true,
      env: {
        INVITO_ADMINS: ADMIN,
        INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
        ...METRICS_ENV,
      },
    });
    const admin = await signInByLink(app, ADMIN);
    let host = await signInByLink(app, DEMO_EMAIL);
    const hook = await host.post("/dashboard/developers?/createWebhook", {
      url: `${rx.base}/hooks`,
      events: ["booking.confirmed", "booking.cancelled"],
      description: "crm",
    });
    assert.equal(hook.status, 200, hook.body.slice(0, 300));
    const subId = /\/dashboard\/developers\/webhooks\/([0-9A-Z]{26})/.exec(
      (await host.get("/dashboard/developers")).body,
    )![1];

    // A booking: its first delivery meets a 500, its retry is due 5 s later.
    const [start] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    const guest = createClient(app.baseUrl);
    const booked = await guest.post("/calendar/demo/quick-chat?/book", {
      name: "Gil",
      email: "gil@example.test",
      note: "",
      start,
      tz: "UTC",
    });
    assert.equal(booked.status, 303, booked.body.slice(0, 300));
    const token = /\/booking\/([^/?]+)/.exec(booked.location!)![1];
    await waitFor(() => hits.length >= 1, { message: "the first attempt" });

    // The admin suspends the host before the retry; the guest cancels while suspended.
    const demoId = await userIdOf(admin, "demo");
    const suspended = await admin.post("/admin?/suspend", { userId: demoId, confirm: "yes" });
    assert.match(suspended.body, /is suspended/);
    assert.equal((await guest.post(`/booking/${token}/cancel`, { reason: "" })).status, 200);
    // The retry came due (5 s after the first attempt) and everything queued has run.
    await waitFor(
      async () => Date.now() - hits[0].atMs > 7_000 && (await outboxJobs(app.baseUrl)) === 0,
      { timeoutMs: 30_000, message: "the retry's time passed and the outbox ran" },
    );
    assert.deepEqual(hits.map((h) => h.type), ["booking.confirmed"], "silent while suspended");

    // Reactivated: the held retry, then the cancellation, each once.
    assert.equal((await admin.post("/admin?/reactivate", { userId: demoId })).status, 200);
    await waitFor(() => hits.length >= 3, { timeoutMs: 20_000, message: "the held deliveries" });
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(hits.map((h) => h.type), [
      "booking.confirmed",
      "booking.confirmed",
      "booking.cancelled",
    ]);
    assert.equal(hits[1].id, hits[0].id, "the retry of the same message");
    assert.notEqual(hits[2].id, hits[0].id);

    // The log, through the API: held, never a retry time in the past; a held delivery is not an
    // attempt (the retry after it is attempt 2).
    host = await signInByLink(app, DEMO_EMAIL);
    const made = await host.post("/dashboard/developers?/createKey", {
      name: "log",
      write: "",
      expires: "never",
    });
    const key = /inv_[A-Za-z0-9_-]{43}/.exec(made.body)![0];
    const res = await bearerApi(app.baseUrl, key)("GET", `/webhooks/${subId}/deliveries`);
    assert.equal(res.status, 200, res.body);
    const log = (JSON.parse(res.body) as { data: Delivery[] }).data.slice().reverse();
    const of = (event: string) =>
      log.filter((d) => d.event === event).map((d) => ({
        attempt: d.attempt,
        status: d.status,
        ok: d.ok,
        held: d.held,
        retry: d.nextRetryAt,
      }));
    const [first] = of("booking.confirmed");
    assert.ok(first.retry, "the failed attempt said when it would try again");
    assert.deepEqual(of("booking.confirmed"), [
      { attempt: 1, status: 500, ok: false, held: false, retry: first.retry },
      { attempt: 1, status: null, ok: false, held: true, retry: null },
      { attempt: 2, status: 200, ok: true, held: false, retry: null },
    ]);
    assert.deepEqual(of("booking.cancelled"), [
      { attempt: 0, status: null, ok: false, held: true, retry: null },
      { attempt: 1, status: 200, ok: true, held: false, retry: null },
    ]);
    // The dashboard's log says held, in words.
    const page = await host.get(`/dashboard/developers/webhooks/${subId}`);
    assert.match(page.body, /Held while the account was suspended/);
  },
});
