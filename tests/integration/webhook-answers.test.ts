/**
 * Webhooks as a receiver and its host meet them, against real local receivers (serveLocal):
 * what each kind of answer comes to (a large 2xx is delivered, a 3xx is refused and shown with
 * where it pointed), how the three-day rule measures a run of failed retries, what Insights
 * counts, sends a host asks for on a switched-off endpoint, team members' own messages, secrets
 * kept by an Idempotency-Key, a team booking handed to another member, and a host's request for
 * a new time.
 */
import assert from "node:assert/strict";
import { inflateRawSync } from "node:zlib";
import { Webhook } from "standardwebhooks";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../support/memory-app.ts";
import { serveLocal } from "../support/local-server.ts";
import { apiClient } from "../support/api.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { requestNewTime, rescheduleByGuest } from "../../src/lib/server/services/decide-booking.ts";
import { handOverBookings } from "../../src/lib/server/services/hand-over.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import { getInsights } from "../../src/lib/server/services/insights.ts";
import { settleCounts } from "../../src/lib/server/services/insights-count.ts";
import { messageRef } from "../../src/lib/shared/i18n.ts";
import { attemptErrorRef } from "../../src/lib/server/services/webhook-errors.ts";
import {
  createSubscription,
  deliveryLog,
  getSubscription,
  redeliver,
  updateSubscription,
} from "../../src/lib/server/services/webhooks.ts";
import type { UserRecord, WebhookEvent } from "../../src/lib/server/domain/model/records.ts";

type Hit = { method: string; path: string; headers: Record<string, string>; body: string };

/**
 * A local receiver whose answers the test scripts (n: 1-based request number); it records every
 * request to its own address. Its address starts with a part of its own: a server of another
 * test process retrying its own delivery to a port since closed, and now this receiver's, is
 * answered 404 and not counted (in one run a third hit arrived where two were sent).
 */
function receiver(answer: (n: number, hit: Hit) => Response = () => new Response("ok")) {
  const hits: Hit[] = [];
  const own = `/${crypto.randomUUID()}`;
  const server = serveLocal(async (req) => {
    const path = new URL(req.url).pathname;
    if (!path.startsWith(own + "/")) {
      await req.body?.cancel();
      return new Response("not this test's receiver", { status: 404 });
    }
    const hit = {
      method: req.method,
      path: path.slice(own.length),
      headers: Object.fromEntries(req.headers),
      body: await req.text(),
    };
    hits.push(hit);
    return answer(hits.length, hit);
  });
  return {
    url: `${server.base}${own}/hooks`,
    hits,
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  };
}

async function setup(nowIso = "2026-11-23T08:00:00Z") {
  const app = await memoryApp({
    nowIso,
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

let slot = 0;
/** A free start a few days ahead (each call the next hour). */
function nextStart(app: TestApp): string {
  const day = Math.floor(app.now() / 86_400_000) * 86_400_000 + 2 * 86_400_000;
  return new Date(day + (9 + (slot++ % 8)) * 3_600_000).toISOString().replace(".000Z", "Z");
}

async function book(app: TestApp, email = "guest@example.com") {
  const res = await bookSlot(app, {
    username: "ann",
    slug: "chat",
    start: nextStart(app),
    name: "Guest",
    email,
    note: "",
    timeZone: "UTC",
  });
  assert.ok(res.ok, JSON.stringify(res));
  return res;
}

async function subscribe(app: TestApp, host: UserRecord, url: string, events: WebhookEvent[]) {
  const res = await createSubscription(app, host, { url, events, description: "" });
  assert.ok(res.ok, JSON.stringify(res));
  return res;
}

const drain = (app: TestApp) => deliverOutbox(app, app.now(), 10_000);

/**
 * The body of a delivery whose signature `secret` made (Standard Webhooks: one `v1,…` of the
 * header is ours). The tests' clock is not the wall clock, so the library's timestamp window is
 * left out; everything else is checked as a receiver would.
 */
function verified<T>(secret: string, hit: Hit): T {
  const id = hit.headers["webhook-id"];
  const at = new Date(Number(hit.headers["webhook-timestamp"]) * 1000);
  const mine = new Webhook(secret).sign(id, at, hit.body);
  assert.ok(hit.headers["webhook-signature"].split(" ").includes(mine), "signed with the secret");
  return JSON.parse(hit.body) as T;
}

Deno.test("webhook answers: a 2xx with a body over 256 KB is delivered once; a large 5xx is still retried with its status", async () => {
  const big = "x".repeat(300 * 1024);
  await using rx = receiver(() => new Response(big, { status: 200 }));
  const { app, host } = await setup();
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    await book(app);
    await drain(app);
    for (let day = 0; day < 4; day++) {
      app.clock.ms += 86_400_000;
      await drain(app);
    }
    assert.equal(rx.hits.length, 1, "sent once: a 2xx is delivered");
    const [attempt] = (await deliveryLog(app, host, sub.subscription.id))!;
    assert.deepEqual([attempt.ok, attempt.status, attempt.nextRetryAtMs], [true, 200, null]);
    const after = (await getSubscription(app, host, sub.subscription.id))!;
    assert.equal(after.enabled, true);
    assert.equal(after.failingSinceMs, null);
    assert.equal(after.lastSuccessMs, attempt.atMs);
  } finally {
    app.close();
  }

  await using down = receiver((n) =>
    n === 1 ? new Response(big, { status: 503 }) : new Response("ok")
  );
  const second = await setup();
  try {
    const sub = await subscribe(second.app, second.host, down.url, ["booking.confirmed"]);
    await book(second.app);
    await drain(second.app);
    let log = (await deliveryLog(second.app, second.host, sub.subscription.id))!;
    assert.deepEqual([log[0].ok, log[0].status, log[0].error], [false, 503, "HTTP 503"]);
    assert.equal(log[0].nextRetryAtMs! - log[0].atMs, 5_000);
    second.app.clock.ms += 5_000;
    await drain(second.app);
    log = (await deliveryLog(second.app, second.host, sub.subscription.id))!;
    assert.deepEqual(log.map((a) => [a.attempt, a.status, a.ok]), [[2, 200, true], [
      1,
      503,
      false,
    ]]);
  } finally {
    second.app.close();
  }
});

Deno.test("webhook answers: a 3xx is not followed nor retried; the log shows its status and where it pointed", async () => {
  await using rx = receiver(() =>
    new Response("moved", { status: 301, headers: { location: "/new-hooks" } })
  );
  const { app, host } = await setup();
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    await book(app);
    await drain(app);
    for (let day = 0; day < 4; day++) {
      app.clock.ms += 86_400_000;
      await drain(app);
    }
    assert.deepEqual(rx.hits.map((h) => `${h.method} ${h.path}`), ["POST /hooks"]);
    const log = (await deliveryLog(app, host, sub.subscription.id))!;
    assert.equal(log.length, 1);
    assert.equal(log[0].status, 301);
    assert.equal(log[0].ok, false);
    assert.equal(log[0].nextRetryAtMs, null);
    assert.equal(log[0].responseExcerpt, "moved");
    assert.equal(
      log[0].error,
      `the receiver redirected to ${
        new URL("/new-hooks", rx.url).href
      }; Invito does not follow redirects`,
    );
    assert.equal(
      attemptErrorRef(log[0].error),
      messageRef("dev.log_redirected", { location: new URL("/new-hooks", rx.url).href }),
    );
    assert.equal((await getSubscription(app, host, sub.subscription.id))!.enabled, true);
  } finally {
    app.close();
  }

  // A redirect naming no address says so.
  await using bare = receiver(() => new Response(null, { status: 302 }));
  const second = await setup();
  try {
    const sub = await subscribe(second.app, second.host, bare.url, ["booking.confirmed"]);
    await book(second.app);
    await drain(second.app);
    const [attempt] = (await deliveryLog(second.app, second.host, sub.subscription.id))!;
    assert.deepEqual([attempt.status, attempt.nextRetryAtMs], [302, null]);
    assert.equal(attemptErrorRef(attempt.error), messageRef("dev.log_redirected_nowhere"));
  } finally {
    second.app.close();
  }
});

Deno.test("webhook answers: Monday's refused message then Friday's one 502 — the 502 is retried and the endpoint stays on", async () => {
  // Monday 08:00: the receiver refuses a message (422); Friday: one 502, then it is back.
  const script = [422, 502, 200];
  await using rx = receiver((n) => new Response(`answer ${n}`, { status: script[n - 1] ?? 200 }));
  const { app, host } = await setup("2026-11-23T08:00:00Z");
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    await book(app, "monday@example.com");
    await drain(app);
    assert.equal(rx.hits.length, 1);
    app.clock.ms = Date.parse("2026-11-27T08:00:00Z");
    await book(app, "friday@example.com");
    await drain(app);
    assert.equal(rx.hits.length, 2);
    let now = (await getSubscription(app, host, sub.subscription.id))!;
    assert.equal(now.enabled, true, "one short outage does not switch it off");
    app.clock.ms += 5_000;
    await drain(app);
    assert.equal(rx.hits.length, 3, "the 502 was retried");
    assert.equal(rx.hits[1].headers["webhook-id"], rx.hits[2].headers["webhook-id"]);
    now = (await getSubscription(app, host, sub.subscription.id))!;
    assert.deepEqual([now.enabled, now.failingSinceMs], [true, null]);
    await drain(app);
    assert.ok(
      !app.mailer.sent.some((m) => m.subject.includes("switched off")),
      "no switched-off mail",
    );
  } finally {
    app.close();
  }
});

Deno.test("webhook answers: Insights → Health counts deliveries a receiver refused as failed, not sent", async () => {
  await using rx = receiver(() => new Response("gone", { status: 410 }));
  const { app, host } = await setup();
  try {
    await subscribe(app, host, rx.url, ["booking.confirmed"]);
    for (const i of [1, 2, 3]) await book(app, `g${i}@example.com`);
    await drain(app);
    assert.equal(rx.hits.length, 3);
    await settleCounts();
    const page = await getInsights(app, host, {
      range: null,
      from: null,
      to: null,
      eventType: null,
    });
    assert.ok(page.ok, JSON.stringify(page));
    const hooks = page.data.health.other.find((c) => c.key === "webhook");
    assert.ok(hooks, "a webhooks line");
    assert.deepEqual([hooks.sent, hooks.retrying, hooks.failed], [0, 0, 3]);
    assert.ok(hooks.problem, "a problem is shown");
    assert.equal(hooks.problem.outcome, "failed");
    assert.match(hooks.problem.detail, /410/);
  } finally {
    app.close();
  }
});

Deno.test("webhook answers: a switched-off endpoint still gets the test event and Send again its host asks for, once each, and nothing else", async () => {
  await using rx = receiver((n) =>
    n === 3 ? new Response("down", { status: 503 }) : new Response("ok")
  );
  const { app, host } = await setup();
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.confirmed"]);
    await book(app);
    await drain(app);
    assert.equal(rx.hits.length, 1);
    const first = rx.hits[0].headers["webhook-id"];
    assert.ok((await updateSubscription(app, host, sub.subscription.id, { enabled: false })).ok);
    app.clock.ms += 60_000;
    await book(app, "off@example.com");
    await drain(app);
    assert.equal(rx.hits.length, 1, "events are not sent while it is off");

    assert.ok(await redeliver(app, host, sub.subscription.id, first));
    await drain(app);
    assert.equal(rx.hits.length, 2, "Send again reaches it");
    assert.equal(rx.hits[1].headers["webhook-id"], first);

    const { call } = apiClient(app);
    const key = await createApiKey(app, host, {
      name: "k",
      scopes: ["read", "write"],
      expiresAtMs: null,
    });
    assert.ok(key.ok);
    const test = await call("POST", `/webhooks/${sub.subscription.id}/test`, {
      key: key.secret,
      body: {},
    });
    assert.equal(test.status, 202);
    await drain(app);
    assert.equal(rx.hits.length, 3, "the test event reaches it");
    assert.equal(JSON.parse(rx.hits[2].body).type, "webhook.test");
    verified(sub.secret, rx.hits[2]);
    // It answered 503: shown in the log, not retried while the endpoint is off.
    const [last] = (await deliveryLog(app, host, sub.subscription.id))!;
    assert.deepEqual([last.messageId, last.status, last.nextRetryAtMs], [
      test.body.messageId,
      503,
      null,
    ]);
    app.clock.ms += 86_400_000;
    await drain(app);
    assert.equal(rx.hits.length, 3);
    assert.equal((await getSubscription(app, host, sub.subscription.id))!.enabled, false);
  } finally {
    app.close();
  }
});

Deno.test("webhook answers: a team member sends their own message of a collective booking again, through the API", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  await using rx = receiver();
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(app, team, { slug: "pair", teamMode: "collective" });
    const subs = [];
    for (const u of users) {
      subs.push(await subscribe(app, u, `${rx.url}/${u.username}`, ["booking.confirmed"]));
    }
    const booked = await bookTeamSlot(app, {
      team: "crew",
      slug: "pair",
      start: "2026-11-23T12:00:00Z",
      name: "Guest",
      email: "guest@example.com",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(booked.ok, JSON.stringify(booked));
    await drain(app);
    assert.equal(rx.hits.length, 2);
    const { call } = apiClient(app);
    for (const [i, u] of users.entries()) {
      const key = await createApiKey(app, u, {
        name: "k",
        scopes: ["read", "write"],
        expiresAtMs: null,
      });
      assert.ok(key.ok);
      const log = await call("GET", `/webhooks/${subs[i].subscription.id}/deliveries`, {
        key: key.secret,
      });
      assert.equal(log.status, 200);
      const messageId = log.body.data[0].messageId as string;
      app.clock.ms += 1_000;
      const again = await call(
        "POST",
        `/webhooks/${subs[i].subscription.id}/deliveries/${messageId}/redeliver`,
        { key: key.secret, body: {} },
      );
      assert.equal(again.status, 202, `${u.username}: ${again.text}`);
      await drain(app);
      const last = rx.hits.at(-1)!;
      assert.equal(last.path, `/hooks/${u.username}`);
      assert.equal(last.headers["webhook-id"], messageId);
      verified(subs[i].secret, last);
    }
    assert.equal(rx.hits.length, 4);
  } finally {
    app.close();
  }
});

/** Every stored value as text (deflated answers inflated), to look for a secret in it. */
async function storedText(kv: Deno.Kv): Promise<string> {
  const parts: string[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    parts.push(JSON.stringify(e.value, (_k, v) => {
      if (v instanceof Uint8Array) {
        try {
          return new TextDecoder().decode(inflateRawSync(v));
        } catch {
          return new TextDecoder().decode(v);
        }
      }
      return v;
    }));
  }
  return parts.join("\n");
}

Deno.test("webhook secrets: created or rotated with an Idempotency-Key, no secret is stored in the clear; a retried request gets the same secret", async () => {
  await using rx = receiver();
  const { app, host } = await setup();
  try {
    const key = await createApiKey(app, host, {
      name: "k",
      scopes: ["read", "write"],
      expiresAtMs: null,
    });
    assert.ok(key.ok);
    const { call } = apiClient(app);
    const body = { url: rx.url, events: ["booking.confirmed"] };
    const made = await call("POST", "/webhooks", { key: key.secret, idem: "make-1", body });
    assert.equal(made.status, 201, made.text);
    const secret = made.body.secret as string;
    assert.match(secret, /^whsec_/);
    assert.ok(!(await storedText(app.kv)).includes(secret.slice(6)), "created: not in the clear");
    // The client lost the answer and sends the same request again: the same subscription, the
    // same secret (one made once), which verifies what is delivered.
    const again = await call("POST", "/webhooks", { key: key.secret, idem: "make-1", body });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.equal(again.body.secret, secret);
    assert.equal(again.body.subscription.id, made.body.subscription.id);

    const id = made.body.subscription.id;
    const rotated = await call("POST", `/webhooks/${id}/rotate-secret`, {
      key: key.secret,
      idem: "rotate-1",
      body: {},
    });
    assert.equal(rotated.status, 200, rotated.text);
    const newSecret = rotated.body.secret as string;
    assert.ok(
      !(await storedText(app.kv)).includes(newSecret.slice(6)),
      "rotated: not in the clear",
    );
    const replay = await call("POST", `/webhooks/${id}/rotate-secret`, {
      key: key.secret,
      idem: "rotate-1",
      body: {},
    });
    assert.equal(replay.body.secret, newSecret);
    assert.equal(replay.body.subscription.activeSecrets, 2, "rotated once");

    await book(app);
    await drain(app);
    assert.equal(rx.hits.length, 1);
    verified(secret, rx.hits[0]);
    verified(newSecret, rx.hits[0]);
  } finally {
    app.close();
  }
});

type Payload = {
  type: string;
  data: {
    by: string;
    reason?: string | null;
    booking: { id: string; state: string; rescheduledToId: string | null };
  };
};

Deno.test("webhook events: a round-robin booking moved to another member tells the first member's webhooks it left them (booking.cancelled, handed_over)", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  await using rx = receiver();
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin", durationMin: 30 });
    const events: WebhookEvent[] = [
      "booking.confirmed",
      "booking.cancelled",
      "booking.rescheduled",
    ];
    const secrets = new Map<string, string>();
    for (const u of users) {
      secrets.set(u.username, (await subscribe(app, u, `${rx.url}/${u.username}`, events)).secret);
    }
    const booked = await bookTeamSlot(app, {
      team: "crew",
      slug: "call",
      start: "2026-11-23T09:00:00Z",
      name: "Guest",
      email: "guest@example.com",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(booked.ok, JSON.stringify(booked));
    await drain(app);
    const first = users.find((u) => rx.hits.some((h) => h.path === `/hooks/${u.username}`))!;
    const other = users.find((u) => u.id !== first.id)!;
    // The first member is busy at the new time: the guest's move gives it to the other member
    // (a member's own move keeps it theirs: ADR 016, amended).
    await createEventType(app, first, { slug: "own", requiresConfirmation: false });
    assert.ok(
      (await bookSlot(app, {
        username: first.username,
        slug: "own",
        start: "2026-11-23T14:00:00Z",
        name: "Other",
        email: "other@example.com",
        note: "",
        timeZone: "UTC",
      })).ok,
    );
    const moved = await rescheduleByGuest(app, booked.guestToken, "2026-11-23T14:00:00Z");
    assert.ok(moved.ok, JSON.stringify(moved));
    assert.equal(moved.booking.hostId, other.id);
    await drain(app);
    const heard = (u: UserRecord) =>
      rx.hits.filter((h) => h.path === `/hooks/${u.username}`).map((h) =>
        verified<Payload>(secrets.get(u.username)!, h)
      );
    // (The first member's own booking that made them busy is theirs to hear of, apart.)
    const firstHeard = heard(first).filter((p) => p.data.booking.id === booked.bookingId);
    assert.deepEqual(firstHeard.map((p) => p.type), ["booking.confirmed", "booking.cancelled"]);
    const left = firstHeard[1].data;
    assert.equal(left.reason, "handed_over");
    assert.equal(left.by, "guest");
    assert.equal(left.booking.state, "cancelled");
    assert.equal(left.booking.rescheduledToId, moved.booking.id);
    assert.deepEqual(heard(other).map((p) => [p.type, p.data.booking.id, p.data.by]), [
      ["booking.rescheduled", moved.booking.id, "guest"],
    ]);
  } finally {
    app.close();
  }
});

Deno.test("webhook events: an admin's hand-over tells the departing host's webhooks each meeting left them, and the new host's that it came", async () => {
  await using rx = receiver();
  const { app, host } = await setup("2026-11-20T08:00:00Z");
  try {
    const ben = await createHost(app, { username: "ben", timeZone: "UTC", weekly: WORKDAYS });
    const events: WebhookEvent[] = ["booking.cancelled", "booking.rescheduled"];
    const annSub = await subscribe(app, host, `${rx.url}/ann`, events);
    const benSub = await subscribe(app, ben, `${rx.url}/ben`, events);
    const booked = await book(app);
    await drain(app);
    const res = await handOverBookings(app, { id: null, label: "admin" }, host.id, ben.id);
    assert.ok(res.ok && res.moved.length === 1, JSON.stringify(res));
    await drain(app);
    const ann = rx.hits.filter((h) => h.path === "/hooks/ann").map((h) =>
      verified<Payload>(annSub.secret, h)
    );
    assert.deepEqual(ann.map((p) => [p.type, p.data.booking.id, p.data.reason]), [
      ["booking.cancelled", booked.bookingId, "handed_over"],
    ]);
    const benHeard = rx.hits.filter((h) => h.path === "/hooks/ben").map((h) =>
      verified<Payload>(benSub.secret, h)
    );
    assert.deepEqual(benHeard.map((p) => p.type), ["booking.rescheduled"]);
    assert.equal(
      ann[0].data.booking.rescheduledToId,
      (benHeard[0].data.booking as { id: string }).id,
    );
  } finally {
    app.close();
  }
});

Deno.test("webhook events: a guest's pick after the host asked for a new time is by guest, with the host's request as its reason; a guest's own move has none", async () => {
  await using rx = receiver();
  const { app, host } = await setup();
  try {
    const sub = await subscribe(app, host, rx.url, ["booking.rescheduled"]);
    const booked = await book(app);
    assert.ok((await requestNewTime(app, host.id, booked.bookingId, "I am ill that day")).ok);
    const picked = await rescheduleByGuest(app, booked.guestToken, nextStart(app));
    assert.ok(picked.ok, JSON.stringify(picked));
    await drain(app);
    const own = await rescheduleByGuest(app, picked.guestToken, nextStart(app));
    assert.ok(own.ok, JSON.stringify(own));
    await drain(app);
    const got = rx.hits.map((h) => verified<Payload>(sub.secret, h));
    assert.deepEqual(got.map((p) => [p.type, p.data.by, p.data.reason]), [
      ["booking.rescheduled", "guest", "I am ill that day"],
      ["booking.rescheduled", "guest", null],
    ]);
  } finally {
    app.close();
  }
});
