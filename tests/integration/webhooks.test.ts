/**
 * Webhooks against a real HTTP receiver on 127.0.0.1: signed deliveries verified with the
 * Standard Webhooks reference library, retries and their schedule, the delivery log, rotation
 * with overlap, the three-day disable rule with the host's mail, and fan-out exactly once.
 */
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../support/memory-app.ts";
import { freePort } from "../support/ports.ts";
import { undocumentedWebhook } from "../support/webhook-bodies.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import {
  decideBooking,
  rescheduleByGuest,
  rescheduleByHost,
} from "../../src/lib/server/services/decide-booking.ts";
import { getSlotRange } from "../../src/lib/server/services/slot-range.ts";
import { closePoll, createPoll } from "../../src/lib/server/services/polls.ts";
import { pickPollTime } from "../../src/lib/server/services/poll-pick.ts";
import { votePoll } from "../../src/lib/server/services/poll-votes.ts";
import { fanOutEvent } from "../../src/lib/server/services/webhook-delivery.ts";
import {
  createSubscription,
  deliveryLog,
  getSubscription,
  redeliver,
  rotateSecret,
  sendTestEvent,
} from "../../src/lib/server/services/webhooks.ts";
import { newOutboxRecord } from "../../src/lib/server/store/outbox.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import type { UserRecord, WebhookEvent } from "../../src/lib/server/domain/model/records.ts";

type Hit = { headers: Record<string, string>; body: string };

/**
 * A receiver whose answers a test scripts; it records every request, and on closing asserts
 * that each body was as the OpenAPI document's `webhooks` describe it.
 */
function receiver(answer: (hit: Hit, n: number) => Response = () => new Response("ok")) {
  const hits: Hit[] = [];
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    const hit = { headers: Object.fromEntries(req.headers), body: await req.text() };
    hits.push(hit);
    return answer(hit, hits.length);
  });
  const close = async () => {
    await server.shutdown();
    const drifted = hits.map((h) => undocumentedWebhook(h.body)).filter((x) => x !== null);
    assert.deepEqual(drifted, [], "bodies the OpenAPI document describes otherwise");
  };
  return { url: `http://127.0.0.1:${port}/hooks`, hits, close };
}

async function setup(opts: { nowMs?: number; allowPrivate?: boolean } = {}) {
  const app = await memoryApp({
    nowIso: new Date(opts.nowMs ?? Date.now()).toISOString(),
    env: {
      INVITO_RATE_LIMIT: "off",
      INVITO_ALLOW_PRIVATE_WEBHOOKS: String(opts.allowPrivate ?? true),
    },
  });
  const host = await createHost(app, {
    username: "ann",
    timeZone: "UTC",
    weekly: { ...WORKDAYS, 6: WORKDAYS[1], 7: WORKDAYS[1] },
  });
  await createEventType(app, host, { slug: "chat", requiresConfirmation: false, minNoticeMin: 0 });
  await createEventType(app, host, { slug: "intro", requiresConfirmation: true });
  return { app, host };
}

async function firstSlots(app: TestApp, slug: string, n: number): Promise<string[]> {
  const today = new Date(app.now()).toISOString().slice(0, 10);
  const end = new Date(app.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  const r = await getSlotRange(app, { username: "ann", slug, start: today, end, timeZone: "UTC" });
  assert.ok(r.ok);
  const starts = r.days.flatMap((d) => Array.from(d.starts)).slice(0, n);
  return starts.map((ms) => new Date(ms).toISOString().replace(".000Z", "Z"));
}

async function book(app: TestApp, slug: string, start: string, email = "guest@example.com") {
  const res = await bookSlot(app, {
    username: "ann",
    slug,
    start,
    name: "Guest",
    email,
    note: "",
    timeZone: "Europe/Paris",
  });
  assert.ok(res.ok, JSON.stringify(res));
  return res.bookingId;
}

async function subscribe(app: TestApp, host: UserRecord, url: string, events: WebhookEvent[]) {
  const res = await createSubscription(app, host, { url, events, description: "" });
  assert.ok(res.ok, JSON.stringify(res));
  return res;
}

const drain = (app: TestApp) => deliverOutbox(app, app.now(), 10_000);

Deno.test("webhooks: each change reaches the URLs subscribed to it, verified by a Standard Webhooks library", async () => {
  const { app, host } = await setup();
  const rx = receiver();
  try {
    const all = await subscribe(app, host, rx.url, [
      "booking.requested",
      "booking.confirmed",
      "booking.cancelled",
    ]);
    const onlyRejected = await subscribe(app, host, rx.url + "?r", ["booking.rejected"]);
    const [start] = await firstSlots(app, "intro", 1);
    const id = await book(app, "intro", start);
    await drain(app);
    assert.ok((await decideBooking(app, id, "confirm", "host")).ok);
    await drain(app);
    assert.ok((await decideBooking(app, id, "cancel", "host", { reason: "Ill" })).ok);
    await drain(app);
    const verified = rx.hits.map((h) => {
      return new Webhook(all.secret).verify(h.body, h.headers) as {
        type: string;
        timestamp: string;
        data: { sequence: number; booking: { id: string; status: string } };
      };
    });
    assert.deepEqual(verified.map((p) => p.type), [
      "booking.requested",
      "booking.confirmed",
      "booking.cancelled",
    ]);
    assert.deepEqual(verified.map((p) => p.data.sequence), [1, 2, 3]);
    assert.ok(verified.every((p) => p.data.booking.id === id));
    assert.equal(new Set(rx.hits.map((h) => h.headers["webhook-id"])).size, 3);
    // A receiver with another secret cannot be fooled.
    assert.throws(() =>
      new Webhook(onlyRejected.secret).verify(rx.hits[0].body, rx.hits[0].headers)
    );
    const log = await deliveryLog(app, host, all.subscription.id);
    assert.equal(log!.length, 3);
    assert.ok(log!.every((a) => a.ok && a.status === 200 && a.attempt === 1));
    assert.deepEqual(await deliveryLog(app, host, onlyRejected.subscription.id), []);
  } finally {
    await rx.close();
    app.close();
  }
});

Deno.test("webhooks: booking.rescheduled names who moved it (by: host or guest); a cancel names its actor too", async () => {
  const { app, host } = await setup();
  const rx = receiver();
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.rescheduled", "booking.cancelled"]);
    const [a, b, c] = await firstSlots(app, "chat", 3);
    const booked = await bookSlot(app, {
      username: "ann",
      slug: "chat",
      start: a,
      name: "Guest",
      email: "guest@example.com",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(booked.ok);
    const byHost = await rescheduleByHost(app, host.id, booked.bookingId, b, { reason: "Clash" });
    assert.ok(byHost.ok, JSON.stringify(byHost));
    await drain(app);
    const byGuest = await rescheduleByGuest(app, byHost.guestToken, c);
    assert.ok(byGuest.ok, JSON.stringify(byGuest));
    await drain(app);
    assert.ok((await decideBooking(app, byGuest.booking.id, "cancel", "guest")).ok);
    await drain(app);
    const got = rx.hits.map((h) =>
      new Webhook(sub.secret).verify(h.body, h.headers) as {
        type: string;
        data: {
          by: string;
          reason?: string | null;
          booking: { start: string; rescheduledFromId: string | null };
        };
      }
    );
    assert.deepEqual(got.map((p) => [p.type, p.data.by, p.data.booking.start]), [
      ["booking.rescheduled", "host", b],
      ["booking.rescheduled", "guest", c],
      ["booking.cancelled", "guest", c],
    ]);
    // What the host wrote with the move (the guest's mail shows it) reaches the subscriber too;
    // a guest's own move carries none.
    assert.deepEqual(got.slice(0, 2).map((p) => p.data.reason), ["Clash", null]);
  } finally {
    await rx.close();
    app.close();
  }
});

Deno.test("webhooks: a meeting poll's life reaches poll.* subscribers (created, voted, booked; closed), signed", async () => {
  const { app, host } = await setup();
  const rx = receiver();
  try {
    const sub = await subscribe(app, host, rx.url, [
      "poll.created",
      "poll.voted",
      "poll.booked",
      "poll.closed",
    ]);
    const [t0, t1, t2] = await firstSlots(app, "chat", 3);
    const times = [t0, t1];
    const made = await createPoll(app, host, { slug: "chat", title: "Sync", starts: times });
    assert.ok(made.ok, JSON.stringify(made));
    const token = new URL(made.url).pathname.split("/").pop()!;
    assert.equal(
      (await votePoll(app, token, {
        name: "Bo",
        email: "bo@example.test",
        answers: { t0: "yes", t1: "no" },
      })).ok,
      true,
    );
    const picked = await pickPollTime(app, host, made.poll.id, times[0]);
    assert.ok(picked.ok, JSON.stringify(picked));
    await drain(app);
    const got = rx.hits.map((h) =>
      new Webhook(sub.secret).verify(h.body, h.headers) as {
        type: string;
        data: { poll: { id: string; times: string[] }; answer?: unknown; bookingId?: string };
      }
    );
    // Delivery order is not promised: each event is found by its type.
    const order = ["poll.created", "poll.voted", "poll.booked"];
    got.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
    assert.deepEqual(got.map((p) => p.type), order);
    assert.ok(got.every((p) => p.data.poll.id === made.poll.id));
    assert.deepEqual(got[0].data.poll.times, times);
    assert.deepEqual(got[1].data.answer, {
      name: "Bo",
      email: "bo@example.test",
      answers: [{ start: times[0], answer: "yes" }, { start: times[1], answer: "no" }],
    });
    assert.equal(got[2].data.bookingId, picked.bookingId);

    // A poll closed without booking says so once; a second close is refused.
    // (The first time is booked now: a poll proposes free times only.)
    const other = await createPoll(app, host, { slug: "chat", title: "Later", starts: [t1, t2] });
    assert.ok(other.ok, JSON.stringify(other));
    assert.deepEqual(await closePoll(app, host, other.poll.id), { ok: true });
    assert.deepEqual(await closePoll(app, host, other.poll.id), { ok: false, reason: "closed" });
    await drain(app);
    const last = rx.hits.slice(-2).map((h) =>
      new Webhook(sub.secret).verify(h.body, h.headers) as {
        type: string;
        data: { poll: { id: string; closedAt: string | null } };
      }
    );
    last.sort((a, b) => a.type.localeCompare(b.type));
    assert.deepEqual(last.map((p) => p.type), ["poll.closed", "poll.created"]);
    assert.equal(last[0].data.poll.id, other.poll.id);
    assert.ok(last[0].data.poll.closedAt);
  } finally {
    await rx.close();
    app.close();
  }
});

Deno.test("webhooks: 5xx and 429 are retried with the same webhook-id (Retry-After honoured); 4xx is not", async () => {
  const { app, host } = await setup();
  const script = [
    () => new Response("down", { status: 503 }),
    () => new Response("slow down", { status: 429, headers: { "retry-after": "120" } }),
    () => new Response("ok", { status: 200 }),
  ];
  const rx = receiver((_, n) => script[Math.min(n, script.length) - 1]());
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    const [start] = await firstSlots(app, "chat", 1);
    await book(app, "chat", start);
    await drain(app);
    assert.equal(rx.hits.length, 1);
    let log = (await deliveryLog(app, host, sub.subscription.id))!;
    assert.equal(log[0].status, 503);
    assert.equal(log[0].nextRetryAtMs! - log[0].atMs, 5_000, "first retry after 5 s");
    app.clock.ms += 5_000;
    await drain(app);
    log = (await deliveryLog(app, host, sub.subscription.id))!;
    assert.equal(log[0].status, 429);
    assert.equal(log[0].nextRetryAtMs, app.now() + 120_000, "Retry-After: 120");
    app.clock.ms += 60_000;
    await drain(app);
    assert.equal(rx.hits.length, 2, "not before Retry-After");
    app.clock.ms += 60_000;
    await drain(app);
    assert.equal(rx.hits.length, 3);
    assert.equal(new Set(rx.hits.map((h) => h.headers["webhook-id"])).size, 1);
    log = (await deliveryLog(app, host, sub.subscription.id))!;
    assert.deepEqual(log.map((a) => [a.attempt, a.status, a.ok]), [
      [3, 200, true],
      [2, 429, false],
      [
        1,
        503,
        false,
      ],
    ]);
    assert.equal((await getSubscription(app, host, sub.subscription.id))!.failingSinceMs, null);
  } finally {
    await rx.close();
    app.close();
  }

  const second = await setup();
  const gone = receiver(() => new Response("no such hook", { status: 404 }));
  try {
    const sub = await subscribe(second.app, second.host, gone.url, ["booking.confirmed"]);
    const [start] = await firstSlots(second.app, "chat", 1);
    await book(second.app, "chat", start);
    await drain(second.app);
    second.app.clock.ms += 86_400_000;
    await drain(second.app);
    assert.equal(gone.hits.length, 1, "a 404 is not retried");
    const [attempt] = (await deliveryLog(second.app, second.host, sub.subscription.id))!;
    assert.equal(attempt.responseExcerpt, "no such hook");
    assert.equal(attempt.nextRetryAtMs, null);
  } finally {
    await gone.close();
    second.app.close();
  }
});

Deno.test("webhooks: a subscription failing for 3 days is switched off and its host mailed", async () => {
  const { app, host } = await setup();
  const rx = receiver(() => new Response("broken", { status: 500 }));
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    const [start] = await firstSlots(app, "chat", 1);
    await book(app, "chat", start);
    const began = app.now();
    for (let i = 0; i < 20; i++) {
      await drain(app);
      const log = (await deliveryLog(app, host, sub.subscription.id))!;
      if (!log[0]?.nextRetryAtMs) break;
      app.clock.ms = log[0].nextRetryAtMs;
    }
    const after = (await getSubscription(app, host, sub.subscription.id))!;
    assert.equal(after.enabled, false);
    assert.equal(after.disabledReason, "Every delivery failed for 3 days.");
    assert.ok(app.now() - began >= 3 * 86_400_000);
    await drain(app);
    const mail = app.mailer.sent.find((m) => m.subject.includes("webhook was switched off"));
    assert.ok(mail, "the host is told");
    assert.equal(mail.to, host.email);
    assert.match(mail.text ?? "", new RegExp(rx.url.replaceAll(".", "\\.")));
    // Switched off: nothing more is sent.
    const hits = rx.hits.length;
    const [next] = await firstSlots(app, "chat", 1);
    await book(app, "chat", next, "later@example.com");
    await drain(app);
    assert.equal(rx.hits.length, hits);
  } finally {
    await rx.close();
    app.close();
  }
});

Deno.test("webhooks: after a rotation both secrets verify during the overlap, then only the new one", async () => {
  const { app, host } = await setup();
  const rx = receiver();
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    const rotated = await rotateSecret(app, host, sub.subscription.id);
    assert.ok(rotated.ok);
    assert.notEqual(rotated.secret, sub.secret);
    await sendTestEvent(app, host, sub.subscription.id);
    await drain(app);
    const [during] = rx.hits;
    assert.equal(during.headers["webhook-signature"].split(" ").length, 2);
    new Webhook(sub.secret).verify(during.body, during.headers);
    new Webhook(rotated.secret).verify(during.body, during.headers);
    // A day later the old secret no longer signs (the receiver's clock moves with ours here).
    app.clock.ms += 25 * 3_600_000;
    await sendTestEvent(app, host, sub.subscription.id);
    await drain(app);
    const after = rx.hits[1];
    assert.equal(after.headers["webhook-signature"].split(" ").length, 1);
    const t = Number(after.headers["webhook-timestamp"]) * 1000;
    assert.equal(t, Math.floor(app.now() / 1000) * 1000);
    const wh = new Webhook(rotated.secret);
    const sig = wh.sign(after.headers["webhook-id"], new Date(t), after.body);
    assert.equal(after.headers["webhook-signature"], sig);
  } finally {
    await rx.close();
    app.close();
  }
});

Deno.test("webhooks: an event fans out once however often its job runs; redeliver keeps the webhook-id", async () => {
  const { app, host } = await setup();
  const rx = receiver();
  try {
    const a = await subscribe(app, host, rx.url + "?a", ["booking.confirmed"]);
    await subscribe(app, host, rx.url + "?b", ["booking.confirmed"]);
    const [start] = await firstSlots(app, "chat", 1);
    const id = await book(app, "chat", start);
    // Drop the queued event job, then run one by hand, three times, as crashed workers would.
    for await (const e of app.kv.list({ prefix: keys.outboxPrefix() })) await app.kv.delete(e.key);
    const job = newOutboxRecord(
      { kind: "webhook_event", bookingId: id, event: "booking.confirmed", seq: 1 },
      app.now(),
    );
    await Promise.all([fanOutEvent(app, job), fanOutEvent(app, job), fanOutEvent(app, job)]);
    await drain(app);
    assert.equal(rx.hits.length, 2);
    assert.equal(rx.hits[0].headers["webhook-id"], `msg_${job.id}`);
    assert.ok(await redeliver(app, host, a.subscription.id, `msg_${job.id}`));
    await drain(app);
    assert.equal(rx.hits.length, 3);
    assert.equal(rx.hits[2].headers["webhook-id"], `msg_${job.id}`);
    new Webhook(a.secret).verify(rx.hits[2].body, rx.hits[2].headers);
  } finally {
    await rx.close();
    app.close();
  }
});

Deno.test("webhooks: private and loopback addresses are refused unless the instance allows them", async () => {
  const { app, host } = await setup({ allowPrivate: false });
  for (
    const url of [
      "http://127.0.0.1:8080/x",
      "http://10.0.0.5/x",
      "http://localhost/x",
      "http://[::1]/",
    ]
  ) {
    const res = await createSubscription(app, host, {
      url,
      events: ["booking.confirmed"],
      description: "",
    });
    assert.ok(!res.ok && res.reason === "invalid" && res.field === "url", url);
  }
  const bad = await createSubscription(app, host, {
    url: "ftp://example.com/x",
    events: ["booking.confirmed"],
    description: "",
  });
  assert.ok(!bad.ok);
  app.close();
});
