/**
 * The built server on a remote KV, through Deno's real KV Connect client (INVITO_DB_PATH =
 * http://…, DENO_KV_ACCESS_TOKEN), against tests/support/kv-connect-server.ts with its faults.
 *
 * Deno's remote client resends an atomic write whose connection broke. When the first one had
 * landed, the resend's checks fail against it and `commit()` answers `{ ok: false }` for a write
 * that happened — the "unknown outcome" of a remote store never arrives as an exception. These
 * tests drive that through the doors users use: the booking form and the host's confirm link.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { startKvConnect } from "../support/kv-connect-server.ts";
import { waitFor } from "../support/wait.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";
import { createEventType, createHost, memoryApp, WORKDAYS } from "../support/memory-app.ts";
import { createPoll } from "../../src/lib/server/services/polls.ts";
import { listVotes } from "../../src/lib/server/store/polls.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function post(base: string, path: string, form: Record<string, string>) {
  const res = await fetch(base + path, {
    method: "POST",
    redirect: "manual",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
  });
  return { status: res.status, location: res.headers.get("location"), text: await res.text() };
}

Deno.test({
  ...opts,
  name:
    "remote KV: a booking and a confirm whose commit answers are lost are answered as done, stored once, and mailed once",
  async fn() {
    await using kvs = await startKvConnect({ faults: { latencyMs: [1, 5] } });
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: kvs.appEnv,
    });
    const slots = await slotsAhead(app.baseUrl, "demo", "intro-call", 7);
    assert.ok(slots.length > 0, "the demo host offers slots");

    kvs.faults.set({ loseAnswer: 1, matchKey: "booking" });
    const booked = await post(app.baseUrl, "/calendar/demo/intro-call?/book", {
      name: "Ann",
      email: "ann@example.test",
      note: "",
      start: slots[0],
      tz: "UTC",
    });
    assert.equal(kvs.stats().injected.loseAnswer, 1, "the booking's answer was lost");
    assert.equal(
      booked.status,
      303,
      `the guest sees the booking made (${booked.text.slice(0, 300)})`,
    );

    const request = await smtp.waitForMail((m) =>
      m.subject !== undefined && /confirm/.test(m.text)
    );
    const confirmPath = new URL(/https?:\/\/\S+\/confirm\b/.exec(request.text)![0]).pathname;

    kvs.faults.set({ loseAnswer: 1, matchKey: "booking" });
    const confirmed = await post(app.baseUrl, confirmPath, {});
    assert.equal(kvs.stats().injected.loseAnswer, 2, "the confirm's answer was lost");
    assert.equal(confirmed.status, 200, "the host sees the booking confirmed");
    assert.doesNotMatch(confirmed.text, /already confirmed/);

    // What the store holds, read through the same remote client.
    Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
    const kv = await Deno.openKv(kvs.url);
    try {
      const bookings: BookingRecord[] = [];
      for await (const e of kv.list<BookingRecord>({ prefix: [keys.booking("x")[0]] })) {
        bookings.push(e.value);
      }
      assert.equal(bookings.length, 1, "one booking");
      assert.equal(bookings[0].status, "CONFIRMED");
      assert.equal(bookings[0].history.length, 2, "created once, confirmed once");
    } finally {
      kv.close();
    }
    // Every mail of the booking arrives, each once (the outbox is drained by then).
    const id = (kind: string) => (m: { messageId: string }) => m.messageId.includes(`.${kind}@`);
    await waitFor(() => smtp.mails.some(id("guest_confirmed")), {
      message: "the confirmation mail",
    });
    await waitFor(async () => {
      const left = [];
      Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
      const kv = await Deno.openKv(kvs.url);
      try {
        for await (const e of kv.list({ prefix: [keys.outbox(0, "x")[0]] })) left.push(e.key);
      } finally {
        kv.close();
      }
      return left.length === 0;
    }, { message: "an empty outbox", timeoutMs: 20_000 });
    const counts = new Map<string, number>();
    for (const m of smtp.mails) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
    assert.deepEqual(
      [...counts].filter(([, n]) => n > 1),
      [],
      `no mail twice (${[...counts.keys()].join(", ")})`,
    );
    for (const kind of ["host_request", "guest_pending", "guest_confirmed"]) {
      assert.ok(smtp.mails.some(id(kind)), `${kind} arrived`);
    }
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: an outbox claim whose answer is lost still sends its mails at once, each once (not 2 minutes later)",
  async fn() {
    await using kvs = await startKvConnect({ faults: { latencyMs: [1, 5] } });
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: kvs.appEnv,
    });
    const slots = await slotsAhead(app.baseUrl, "demo", "quick-chat", 7);
    // The first write that only moves outbox jobs is the drain's claim of this booking's mails.
    kvs.faults.set({ loseAnswer: 1, matchOnly: ["outbox", "outbox_by_booking"] });
    const booked = await post(app.baseUrl, "/calendar/demo/quick-chat?/book", {
      name: "Bea",
      email: "bea@example.test",
      note: "",
      start: slots[0],
      tz: "UTC",
    });
    assert.equal(booked.status, 303);
    const id = (kind: string) => (m: { messageId: string }) => m.messageId.includes(`.${kind}@`);
    await smtp.waitForMail(id("guest_confirmed"), 15_000);
    await smtp.waitForMail(id("host_booked"), 15_000);
    assert.equal(kvs.stats().injected.loseAnswer, 1, "a claim's answer was lost");
    const ids = smtp.mails.map((m) => m.messageId);
    assert.equal(new Set(ids).size, ids.length, `each mail once: ${ids.join(", ")}`);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a job lease whose answer is lost is still taken: the outbox drain after a booking sends its mails at once",
  async fn() {
    await using kvs = await startKvConnect({ faults: { latencyMs: [1, 5] } });
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: kvs.appEnv,
    });
    const slots = await slotsAhead(app.baseUrl, "demo", "quick-chat", 7);
    // The next lease taken is the outbox drain's, right after the booking commits.
    kvs.faults.set({ loseAnswer: 1, matchOnly: ["lease"] });
    const booked = await post(app.baseUrl, "/calendar/demo/quick-chat?/book", {
      name: "Cai",
      email: "cai@example.test",
      note: "",
      start: slots[0],
      tz: "UTC",
    });
    assert.equal(booked.status, 303);
    const id = (kind: string) => (m: { messageId: string }) => m.messageId.includes(`.${kind}@`);
    // Well before the next minute's cron would drain the outbox instead.
    await smtp.waitForMail(id("guest_confirmed"), 5_000);
    await smtp.waitForMail(id("host_booked"), 5_000);
    assert.equal(kvs.stats().injected.loseAnswer, 1, "a lease's answer was lost");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: an invitee's answer on the poll page whose commit answer is lost is thanked, not told someone else answered with their address",
  async fn() {
    await using kvs = await startKvConnect({ faults: { latencyMs: [1, 5] } });
    Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
    // The host and their poll, made through the services on the same remote store.
    const kv = await Deno.openKv(kvs.url);
    const seed = await memoryApp({ kv, nowIso: new Date().toISOString() });
    const host = await createHost(seed, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(seed, host, { slug: "chat", requiresConfirmation: false });
    await using app = await startApp({
      env: {
        ...kvs.appEnv,
        INVITO_SESSION_SECRET: "test-secret-".padEnd(48, "x"),
      },
    });
    try {
      const starts = await slotsAhead(app.baseUrl, "ann", "chat", 14);
      const made = await createPoll(seed, host, {
        slug: "chat",
        title: "Sync",
        starts: starts.slice(0, 2),
      });
      assert.ok(made.ok, JSON.stringify(made));
      const path = new URL(made.url).pathname;

      kvs.faults.set({ loseAnswer: 1, matchKey: "poll_vote" });
      const voted = await post(app.baseUrl, `${path}?/vote`, {
        name: "Ida",
        email: "ida@example.test",
        t0: "yes",
        t1: "no",
      });
      assert.equal(kvs.stats().injected.loseAnswer, 1, "the answer's commit answer was lost");
      assert.equal(voted.status, 200, voted.text.slice(0, 300));
      assert.doesNotMatch(voted.text, /already answered with this address/);
      assert.match(voted.text, /Thank you/);
      assert.deepEqual((await listVotes(kv, made.poll.id)).map((v) => v.email), [
        "ida@example.test",
      ]);
    } finally {
      kv.close();
    }
  },
});
