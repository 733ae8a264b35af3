/**
 * Webhook deliveries held while their host is suspended (ADR 043), against a real receiver on
 * 127.0.0.1 and a memory store that refuses what remote KV refuses (tests/support/kv-guard.ts):
 * a backlog goes out in order in writes remote KV takes, the three-day rule does not count the
 * time held, what is held goes with a deleted host or an expired message, and a hold never
 * lands after a reactivation. The HTTP walk-through is webhook-suspension.test.ts.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../support/memory-app.ts";
import { serveLocal } from "../support/local-server.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { getSlotRange } from "../../src/lib/server/services/slot-range.ts";
import {
  deleteUserAsAdmin,
  reactivateUser,
  suspendUser,
} from "../../src/lib/server/services/admin-users.ts";
import {
  createSubscription,
  deliveryLog,
  getSubscription,
  sendTestEvent,
} from "../../src/lib/server/services/webhooks.ts";
import { claim, listDue } from "../../src/lib/server/store/outbox.ts";
import { getSubscriptionEntry, holdDelivery } from "../../src/lib/server/store/webhooks.ts";
import { getUserEntry } from "../../src/lib/server/store/users.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { collectStoreMetrics } from "../../src/lib/server/services/ops-status.ts";
import { renderMetrics } from "../../src/lib/server/ops/metrics.ts";
import type { UserRecord, WebhookEvent } from "../../src/lib/server/domain/model/records.ts";

const CLI = { id: null, label: "cli" };
const DAY = 86_400_000;

/** A receiver that answers `status` and records each body's type and booking. */
function receiver(status: () => number = () => 200) {
  const hits: { id: string; type: string; bookingId: string | null }[] = [];
  const own = `/${crypto.randomUUID()}`;
  const server = serveLocal(async (req) => {
    if (!new URL(req.url).pathname.startsWith(own)) {
      await req.body?.cancel();
      return new Response("not this test's receiver", { status: 404 });
    }
    const body = JSON.parse(await req.text());
    hits.push({
      id: req.headers.get("webhook-id") ?? "",
      type: body.type,
      bookingId: body.data?.booking?.id ?? null,
    });
    return new Response("", { status: status() });
  });
  return {
    url: `${server.base}${own}/hooks`,
    hits,
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  };
}

async function setup() {
  const app = await memoryApp({
    nowIso: "2026-11-23T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  const host = await createHost(app, {
    username: "ann",
    timeZone: "UTC",
    weekly: { ...WORKDAYS, 6: WORKDAYS[1], 7: WORKDAYS[1] },
  });
  await createEventType(app, host, { slug: "chat", requiresConfirmation: false, minNoticeMin: 0 });
  return { app, host };
}

async function bookMany(app: TestApp, n: number): Promise<string[]> {
  const today = new Date(app.now()).toISOString().slice(0, 10);
  const end = new Date(app.now() + 20 * DAY).toISOString().slice(0, 10);
  const r = await getSlotRange(app, {
    username: "ann",
    slug: "chat",
    start: today,
    end,
    timeZone: "UTC",
  });
  assert.ok(r.ok);
  const starts = r.days.flatMap((d) => Array.from(d.starts)).slice(0, n);
  assert.equal(starts.length, n);
  const ids: string[] = [];
  for (const [i, ms] of starts.entries()) {
    const res = await bookSlot(app, {
      username: "ann",
      slug: "chat",
      start: new Date(ms).toISOString().replace(".000Z", "Z"),
      name: "Guest",
      email: `guest${i}@example.com`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(res.ok, JSON.stringify(res));
    ids.push(res.bookingId);
  }
  return ids;
}

async function subscribe(app: TestApp, host: UserRecord, url: string, events: WebhookEvent[]) {
  const res = await createSubscription(app, host, { url, events, description: "" });
  assert.ok(res.ok, JSON.stringify(res));
  return res.subscription.id;
}

const drain = (app: TestApp) => deliverOutbox(app, app.now(), 10_000);

/** invito_webhook_held_deliveries as a scrape of /metrics reads it. */
async function heldGauge(app: TestApp): Promise<number | null> {
  await collectStoreMetrics(app, app.now());
  const text = (await renderMetrics()).body;
  const line = /^invito_webhook_held_deliveries (\d+)$/m.exec(text);
  return line ? Number(line[1]) : null;
}

async function heldKeys(app: TestApp): Promise<Deno.KvKey[]> {
  const out: Deno.KvKey[] = [];
  for await (const e of app.kv.list({ prefix: ["webhook_held"] })) out.push(e.key);
  return out;
}

Deno.test("held webhooks: 25 cancellations made while the host is suspended are not sent, then go out after reactivation in the order they happened, in writes remote KV takes", async () => {
  const { app, host } = await setup();
  await using rx = receiver();
  try {
    const subId = await subscribe(app, host, rx.url, ["booking.confirmed", "booking.cancelled"]);
    const ids = await bookMany(app, 25);
    await drain(app);
    assert.equal(rx.hits.length, 25);
    assert.ok((await suspendUser(app, CLI, host.id)).ok);
    // The guests cancel in an order of their own.
    const order = [...ids].reverse();
    for (const id of order) {
      app.clock.ms += 1_000;
      assert.ok((await decideBooking(app, id, "cancel", "guest")).ok);
      await drain(app);
    }
    assert.equal(rx.hits.length, 25, "nothing sent while suspended");
    assert.equal((await heldKeys(app)).length, 25);
    // An operator's /metrics says so (it said nothing: the outbox gauges count queued jobs).
    assert.equal(await heldGauge(app), 25);
    const log = (await deliveryLog(app, host, subId, 100))!;
    const held = log.filter((a) => a.held);
    assert.equal(held.length, 25);
    assert.ok(held.every((a) => a.attempt === 0 && a.nextRetryAtMs === null && a.status === null));

    app.clock.ms += DAY;
    assert.ok((await reactivateUser(app, CLI, host.id)).ok);
    await drain(app);
    const after = rx.hits.slice(25);
    assert.deepEqual(after.map((h) => h.type), order.map(() => "booking.cancelled"));
    assert.deepEqual(after.map((h) => h.bookingId), order, "in the order they happened");
    assert.deepEqual(await heldKeys(app), []);
    assert.equal(await heldGauge(app), 0);
    const attempts = (await deliveryLog(app, host, subId, 100))!.filter((a) =>
      !a.held && a.event === "booking.cancelled"
    );
    assert.ok(attempts.every((a) => a.ok && a.attempt === 1), "a hold is no attempt");
  } finally {
    app.close();
  }
});

Deno.test("held webhooks: time held is not time failing — a receiver failing since before a five-day suspension is retried after it, not switched off at its first failure", async () => {
  const { app, host } = await setup();
  await using rx = receiver(() => 500);
  try {
    const subId = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    await bookMany(app, 1);
    await drain(app);
    assert.equal(rx.hits.length, 1);
    app.clock.ms += 1_000;
    assert.ok((await suspendUser(app, CLI, host.id)).ok);
    app.clock.ms += 5 * DAY;
    await drain(app); // the retry, due long ago: held
    assert.equal(rx.hits.length, 1);
    assert.ok((await reactivateUser(app, CLI, host.id)).ok);
    await drain(app);
    assert.equal(rx.hits.length, 2, "sent once reactivated");
    const sub = (await getSubscription(app, host, subId))!;
    assert.equal(sub.enabled, true, "not switched off");
    assert.equal(app.mailer.sent.filter((m) => /webhook/i.test(m.subject)).length, 0);
    const [last] = (await deliveryLog(app, host, subId))!;
    assert.equal(last.attempt, 2);
    assert.equal(last.nextRetryAtMs! - last.atMs, 5 * 60_000, "the schedule goes on: 5 min");
  } finally {
    app.close();
  }
});

Deno.test("held webhooks: deleting a suspended host drops what was held, and a held delivery whose message is gone is not sent", async () => {
  const { app, host } = await setup();
  await using rx = receiver();
  try {
    const subId = await subscribe(app, host, rx.url, ["booking.confirmed", "booking.cancelled"]);
    const [a, b] = await bookMany(app, 2);
    await drain(app);
    assert.ok((await suspendUser(app, CLI, host.id)).ok);
    assert.ok((await decideBooking(app, a, "cancel", "guest")).ok);
    await drain(app);
    // Its message's 30 days passed (KV expired it with its held delivery; here it is deleted).
    const [heldKey] = await heldKeys(app);
    const heldJob = (await app.kv.get<{ payload: { messageId: string } }>(heldKey)).value!;
    await app.kv.delete(keys.webhookMessage(heldJob.payload.messageId));
    assert.ok((await reactivateUser(app, CLI, host.id)).ok);
    await drain(app);
    assert.equal(rx.hits.length, 2, "nothing sent for a message that is gone");
    assert.deepEqual(await heldKeys(app), []);

    assert.ok((await suspendUser(app, CLI, host.id)).ok);
    assert.ok((await decideBooking(app, b, "cancel", "guest")).ok);
    await drain(app);
    assert.equal((await heldKeys(app)).length, 1);
    const deleted = await deleteUserAsAdmin(app, CLI, host.id, "ann");
    assert.ok(deleted.ok, JSON.stringify(deleted));
    await drain(app);
    assert.deepEqual(await heldKeys(app), [], "held deliveries went with the host");
    assert.equal(rx.hits.length, 2);
    assert.equal((await getSubscriptionEntry(app.kv, host.id, subId)).value, null);
  } finally {
    app.close();
  }
});

Deno.test("held webhooks: a hold read before a reactivation does not land after it; the delivery goes out", async () => {
  const { app, host } = await setup();
  await using rx = receiver();
  try {
    const subId = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    assert.ok((await suspendUser(app, CLI, host.id)).ok);
    assert.ok((await sendTestEvent(app, host, subId)).ok);
    const [due] = await listDue(app.kv, app.now(), 10);
    const job = (await claim(app.kv, due, "test", 120_000, app.now()))!;
    const read = {
      host: await getUserEntry(app.kv, host.id),
      subscription: (await getSubscriptionEntry(app.kv, host.id, subId)) as Deno.KvEntry<never>,
    };
    assert.ok((await reactivateUser(app, CLI, host.id)).ok);
    const attempt = {
      v: 1 as const,
      id: "01KA0000000000000000000000",
      messageId: job.payload.kind === "webhook_delivery" ? job.payload.messageId : "",
      event: "webhook.test",
      attempt: 0,
      atMs: app.now(),
      durationMs: 0,
      status: null,
      ok: false,
      error: "held",
      responseExcerpt: "",
      nextRetryAtMs: null,
      held: true as const,
    };
    const put = await holdDelivery(app.kv, job, read, attempt, app.now() + DAY, app.now());
    assert.equal(put, "changed");
    assert.deepEqual(await heldKeys(app), []);
    assert.deepEqual(await deliveryLog(app, host, subId), [], "no line says it is held");
    // The claim runs out; the delivery goes out to the host, active again.
    app.clock.ms += 121_000;
    await drain(app);
    assert.deepEqual(rx.hits.map((h) => h.type), ["webhook.test"]);
  } finally {
    app.close();
  }
});
