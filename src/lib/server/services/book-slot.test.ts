import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { bookingForToken, decideBooking, decideByToken } from "./decide-booking.ts";
import { bookingToken } from "./booking-links.ts";
import { hmacToken, sha256Hex } from "../integrations/crypto.ts";
import { keys } from "../store/keys.ts";
import { expireHolds } from "../jobs/expire-holds.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { listBusy, listHostBookings } from "../store/bookings.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { slowCountingKv } from "../../../../tests/support/kv-probe.ts";
import { KeyedLock } from "./keyed-lock.ts";

// Monday 23 Nov 2026, 09:00 Berlin = 08:00Z.
const MON_0900 = "2026-11-23T08:00:00Z";
const MON_0915 = "2026-11-23T08:15:00Z";
const MON_0930 = "2026-11-23T08:30:00Z";

const guest = (n: number, start = MON_0900) => ({
  username: "host",
  slug: "call",
  start,
  name: `Guest ${n}`,
  email: `g${n}@example.test`,
  note: "",
  timeZone: "America/New_York",
});

async function setup(opts: { requiresConfirmation?: boolean } = {}) {
  const app = await memoryApp();
  const host = await createHost(app, { weekly: WORKDAYS });
  const et = await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: opts.requiresConfirmation ?? true,
  });
  return { app, host, et };
}

Deno.test("bookSlot: a request for a free slot is held as PENDING and mails host and guest", async () => {
  const { app, host } = await setup();
  const res = await bookSlot(app, guest(1));
  assert.ok(res.ok);
  assert.equal(res.status, "PENDING");
  const [b] = await listHostBookings(app.kv, host.id);
  assert.equal(b.startMs, Date.parse(MON_0900));
  assert.equal(b.reservedUntilMs, app.clock.ms + 24 * 3_600_000);
  await deliverOutbox(app, app.now());
  assert.deepEqual(app.mailer.sent.map((m) => m.to).sort(), [
    "g1@example.test",
    "host@example.test",
  ]);
  const hostMail = app.mailer.sent.find((m) => m.to === "host@example.test")!;
  assert.match(hostMail.text, /09:00–09:30 \(Europe\/Berlin, GMT\+1\)/);
  assert.match(hostMail.text, /\/booking\/[A-Za-z0-9_-]+\/confirm/);
  const guestMail = app.mailer.sent.find((m) => m.to === "g1@example.test")!;
  assert.match(guestMail.text, /03:00–03:30 \(America\/New York, GMT-5\)/);
  app.close();
});

Deno.test("bookSlot: exactly one of 50 concurrent requests for one slot wins", async () => {
  const { app, host } = await setup();
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => bookSlot(app, guest(i))));
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.equal(results.filter((r) => !r.ok && r.reason === "slot_taken").length, 49);
  assert.equal((await listHostBookings(app.kv, host.id)).length, 1);
  app.close();
});

Deno.test("bookSlot: the 49 losers of 50 concurrent requests for one slot are answered from one snapshot read each, side by side after the winner's commit", async () => {
  // Each snapshot reads the host's day fences in one getMany; commits take 20 ms, so the crowd
  // arrives before the winner's commit lands.
  const probe = await slowCountingKv({ space: keys.busyFencePrefix("")[0], commitDelayMs: 20 });
  const raw = probe.kv;
  const app = await memoryApp({ kv: raw });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", durationMin: 30, requiresConfirmation: true });
  probe.reset();
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => bookSlot(app, guest(i))));
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.equal(results.filter((r) => !r.ok && r.reason === "slot_taken").length, 49);
  // Each loser peeking before the commit and then reading again in its turn in the queue, one
  // after another, made about 100 reads (the last loser waited for 49 in a row).
  assert.ok(probe.reads() <= 55, `snapshot reads: ${probe.reads()}`);
  raw.close();
});

Deno.test("bookSlot: in a crowd on one host, requests for other free slots still get them; only the taken one is refused", async () => {
  const { app, host } = await setup();
  // 16 free 30-minute slots on Monday (09:00–17:00 Berlin); 3 guests ask for each at once.
  const starts = Array.from(
    { length: 16 },
    (_, k) => new Date(Date.parse(MON_0900) + k * 30 * 60_000).toISOString().replace(".000Z", "Z"),
  );
  const results = await Promise.all(
    Array.from({ length: 48 }, (_, i) => bookSlot(app, guest(i, starts[i % 16]))),
  );
  assert.equal(
    results.filter((r) => r.ok).length,
    16,
    JSON.stringify(results.filter((r) => !r.ok)),
  );
  assert.ok(results.every((r) => r.ok || r.reason === "slot_taken"));
  const booked = (await listHostBookings(app.kv, host.id)).map((b) => b.startMs).sort();
  assert.deepEqual(booked, starts.map((t) => Date.parse(t)));
  app.close();
});

Deno.test("bookSlot: two processes sharing one KV still let exactly one of 40 overlapping requests win", async () => {
  const kv = await Deno.openKv(":memory:");
  const a = await memoryApp({ kv });
  const b = await memoryApp({ kv });
  // Separate locks: only the KV versionstamp checks stand between the two "processes".
  b.hostLock = new KeyedLock();
  const host = await createHost(a, { weekly: WORKDAYS });
  await createEventType(a, host, { slug: "call", durationMin: 30 });
  await createEventType(a, host, { slug: "short", durationMin: 15 });
  const reqs = Array.from(
    { length: 40 },
    (_, i) =>
      i % 2 === 0
        ? bookSlot(a, guest(i, MON_0900))
        : bookSlot(b, { ...guest(i, MON_0915), slug: "short" }),
  );
  const results = await Promise.all(reqs);
  assert.equal(
    results.filter((r) => r.ok).length,
    1,
    JSON.stringify(results.map((r) => r.ok ? "ok" : r.reason)),
  );
  assert.ok(results.every((r) => r.ok || r.reason === "slot_taken"));
  kv.close();
});

Deno.test("bookSlot: with the engine's reads on second connections to the store file (as the server runs), two processes still let exactly one of 60 overlapping requests win", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-readkv-" });
  const path = `${dir}/invito.kv`;
  const kv = await Deno.openKv(path);
  const readA = await Deno.openKv(path);
  const readB = await Deno.openKv(path);
  try {
    const a = await memoryApp({ kv, readKv: readA });
    const b = await memoryApp({ kv, readKv: readB });
    b.hostLock = new KeyedLock();
    const host = await createHost(a, { weekly: WORKDAYS });
    await createEventType(a, host, { slug: "call", durationMin: 30 });
    await createEventType(a, host, { slug: "short", durationMin: 15 });
    // Two rounds on fresh times, so reads of the second run beside the first round's data.
    for (
      const [i, [long, short]] of [[MON_0900, MON_0915], [MON_0930, "2026-11-23T08:45:00Z"]]
        .entries()
    ) {
      const results = await Promise.all(
        Array.from(
          { length: 60 },
          (_, n) =>
            n % 2 === 0
              ? bookSlot(a, guest(1_000 * i + n, long))
              : bookSlot(b, { ...guest(1_000 * i + n, short), slug: "short" }),
        ),
      );
      assert.equal(
        results.filter((r) => r.ok).length,
        1,
        JSON.stringify(results.map((r) => r.ok ? "ok" : r.reason)),
      );
      assert.ok(results.every((r) => r.ok || r.reason === "slot_taken"));
    }
    const live = await listHostBookings(a.kv, host.id);
    assert.equal(live.length, 2);
  } finally {
    readA.close();
    readB.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bookSlot: overlapping slots of two event types of one host cannot both be booked", async () => {
  const { app, host } = await setup();
  await createEventType(app, host, { slug: "short", durationMin: 15 });
  const first = await bookSlot(app, { ...guest(1, MON_0915), slug: "short" });
  assert.ok(first.ok);
  const second = await bookSlot(app, guest(2, MON_0900));
  assert.deepEqual(second, { ok: false, reason: "slot_taken" });
  const adjacent = await bookSlot(app, guest(3, MON_0930));
  assert.ok(adjacent.ok, "touching intervals do not overlap");
  app.close();
});

Deno.test("bookSlot: a time the host does not offer is refused and nothing is stored", async () => {
  const { app, host } = await setup();
  for (
    const start of [
      "2026-11-23T08:10:00Z",
      "2026-11-22T08:00:00Z",
      "2026-11-23T16:30:00Z",
      "2026-11-19T08:00:00Z",
      "not a time",
    ]
  ) {
    assert.deepEqual(await bookSlot(app, guest(1, start)), {
      ok: false,
      reason: "slot_unavailable",
    }, start);
  }
  // Beyond the 60-day window.
  assert.deepEqual(await bookSlot(app, guest(1, "2027-02-01T08:00:00Z")), {
    ok: false,
    reason: "slot_unavailable",
  });
  assert.equal((await listHostBookings(app.kv, host.id)).length, 0);
  assert.deepEqual(await bookSlot(app, { ...guest(1), username: "nobody" }), {
    ok: false,
    reason: "not_found",
  });
  assert.deepEqual(await bookSlot(app, { ...guest(1), slug: "nope" }), {
    ok: false,
    reason: "not_found",
  });
  app.close();
});

Deno.test("bookSlot: event types without confirmation are CONFIRMED at once and mail the guest an invitation", async () => {
  const { app } = await setup({ requiresConfirmation: false });
  const res = await bookSlot(app, guest(1));
  assert.ok(res.ok && res.status === "CONFIRMED");
  await deliverOutbox(app, app.now());
  const mail = app.mailer.sent.find((m) => m.to === "g1@example.test")!;
  assert.equal(mail.icalEvent?.method, "REQUEST");
  assert.match(mail.icalEvent!.content, /DTSTART:20261123T080000Z/);
  app.close();
});

Deno.test("confirm: 20 concurrent confirms with one token make one transition and one guest email", async () => {
  const { app } = await setup();
  const res = await bookSlot(app, guest(1));
  assert.ok(res.ok);
  await deliverOutbox(app, app.now());
  app.mailer.sent.length = 0;
  const b = (await bookingForToken(app, res.guestToken, "guest"))!;
  const token = await bookingToken(app, b, "confirm");
  const results = await Promise.all(
    Array.from({ length: 20 }, () => decideByToken(app, token, "confirm")),
  );
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.ok(results.every((r) => r.ok || r.reason === "already_confirmed"));
  await deliverOutbox(app, app.now());
  assert.equal(app.mailer.sent.filter((m) => m.to === "g1@example.test").length, 1);
  assert.equal(app.mailer.sent.filter((m) => m.to === "host@example.test").length, 1);
  app.close();
});

Deno.test("confirm: a token opens only its own action; the reject token cannot confirm", async () => {
  const { app } = await setup();
  const res = await bookSlot(app, guest(1));
  assert.ok(res.ok);
  const b = (await bookingForToken(app, res.guestToken, "guest"))!;
  const reject = await bookingToken(app, b, "reject");
  assert.deepEqual(await decideByToken(app, reject, "confirm"), { ok: false, reason: "not_found" });
  assert.deepEqual(await decideByToken(app, res.guestToken, "confirm"), {
    ok: false,
    reason: "not_found",
  });
  const r = await decideByToken(app, reject, "reject");
  assert.ok(r.ok && r.booking.status === "REJECTED");
  // The slot is free again.
  assert.deepEqual(await listBusy(app.kv, b.hostId, 0, Date.parse("2027-01-01"), app.now()), []);
  app.close();
});

Deno.test("link tokens prove themselves against their booking: a changed token, another booking's id or another key opens nothing; a link mailed before ADR 054 still opens its booking", async () => {
  const { app } = await setup();
  const one = await bookSlot(app, guest(1));
  const two = await bookSlot(app, guest(2, "2026-11-23T09:00:00Z"));
  assert.ok(one.ok && two.ok);
  const a = (await bookingForToken(app, one.guestToken, "guest"))!;
  const b = (await bookingForToken(app, two.guestToken, "guest"))!;
  assert.notEqual(a.id, b.id);
  // A booking's write stores no token: a link is the booking's id and its proof.
  let stored = 0;
  for await (const _ of app.kv.list({ prefix: keys.bookingToken("").slice(0, 1) })) stored++;
  assert.equal(stored, 0);
  const confirm = await bookingToken(app, a, "confirm");
  assert.equal((await decideByToken(app, confirm, "confirm")).ok, true);
  const last = one.guestToken.at(-1) === "A" ? "B" : "A";
  const forged = [
    one.guestToken.slice(0, -1) + last, // one character of the proof changed
    b.id + one.guestToken.slice(a.id.length), // another booking's id with this proof
    a.id + two.guestToken.slice(b.id.length), // this id with another booking's proof
    one.guestToken.slice(a.id.length), // the proof alone
    `${one.guestToken}x`,
  ];
  for (const t of forged) assert.equal(await bookingForToken(app, t, "guest"), null, t);
  // The same booking and purpose under another secret (a rotated INVITO_SESSION_SECRET).
  const other = await memoryApp({
    env: { INVITO_SESSION_SECRET: "another-secret-".padEnd(48, "y") },
  });
  assert.equal(await bookingForToken(app, await bookingToken(other, a, "guest"), "guest"), null);
  other.close();
  // A link mailed before: the HMAC alone, found by the SHA-256 the store kept of it.
  const old = await hmacToken(app.linkKey, b.tokenSalt, b.id, "guest");
  await app.kv.set(keys.bookingToken(await sha256Hex(old)), {
    v: 1,
    bookingId: b.id,
    purpose: "guest",
  });
  assert.equal((await bookingForToken(app, old, "guest"))?.id, b.id);
  assert.equal(await bookingForToken(app, old, "confirm"), null);
  app.close();
});

Deno.test("expiry: confirm racing expiry ends in exactly one terminal state", async () => {
  for (let round = 0; round < 20; round++) {
    const { app } = await setup();
    const res = await bookSlot(app, guest(1));
    assert.ok(res.ok);
    const b = (await bookingForToken(app, res.guestToken, "guest"))!;
    const token = await bookingToken(app, b, "confirm");
    // Both run at the instant the hold ends: expiry may act, confirm must then refuse.
    app.clock.ms = b.reservedUntilMs! - (round % 2);
    const [c, e] = await Promise.all([
      decideByToken(app, token, "confirm"),
      expireHolds(app, b.reservedUntilMs!),
    ]);
    const final = (await bookingForToken(app, res.guestToken, "guest"))!;
    if (c.ok) {
      assert.equal(final.status, "CONFIRMED");
      assert.equal(e.expired, 0);
    } else {
      assert.equal(final.status, "CANCELLED");
      assert.equal(final.endReason, "expired");
      assert.equal(e.expired, 1);
    }
    app.close();
  }
});

Deno.test("expiry: a hold past its TTL frees the slot at once, and the old request can no longer be confirmed", async () => {
  const { app } = await setup();
  const first = await bookSlot(app, guest(1));
  assert.ok(first.ok);
  app.clock.ms += 24 * 3_600_000; // exactly at reservedUntil
  const second = await bookSlot(app, guest(2));
  assert.ok(second.ok, "the expired hold no longer blocks");
  const old = (await bookingForToken(app, first.guestToken, "guest"))!;
  const token = await bookingToken(app, old, "confirm");
  assert.deepEqual((await decideByToken(app, token, "confirm")).ok, false);
  const { expired } = await expireHolds(app, app.now());
  assert.equal(expired, 1);
  await deliverOutbox(app, app.now());
  const mails = app.mailer.sent.filter((m) => m.to === "g1@example.test").map((m) => m.subject);
  assert.ok(mails.some((s) => s.startsWith("Request expired")), mails.join(" | "));
  app.close();
});

Deno.test("cancel by host: a confirmed booking frees its slot and the guest gets a METHOD:CANCEL", async () => {
  const { app, host } = await setup({ requiresConfirmation: false });
  const res = await bookSlot(app, guest(1));
  assert.ok(res.ok);
  await deliverOutbox(app, app.now());
  app.mailer.sent.length = 0;
  const b = (await bookingForToken(app, res.guestToken, "guest"))!;
  const other = await createHost(app, { username: "other" });
  assert.deepEqual(await decideBooking(app, b.id, "cancel", "host", { hostId: other.id }), {
    ok: false,
    reason: "not_found",
  });
  const c = await decideBooking(app, b.id, "cancel", "host", { hostId: host.id, reason: "Ill" });
  assert.ok(c.ok);
  await deliverOutbox(app, app.now());
  const mail = app.mailer.sent.find((m) => m.to === "g1@example.test")!;
  assert.equal(mail.icalEvent?.method, "CANCEL");
  assert.match(mail.text, /Reason: Ill/);
  assert.ok((await bookSlot(app, guest(2))).ok);
  app.close();
});

Deno.test("outbox: a failing mail server gets retries with growing delays, then the job is parked as failed", async () => {
  const { app } = await setup({ requiresConfirmation: false });
  assert.ok((await bookSlot(app, guest(1))).ok);
  app.mailer.failWith = { ok: false, error: { kind: "network", detail: "connect ECONNREFUSED" } };
  const t0 = app.now();
  const delays = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000];
  let at = t0;
  const s0 = await deliverOutbox(app, at);
  assert.equal(s0.retried, 2); // guest and host mails (the writeback no-op succeeds)
  for (const d of delays.slice(0, 4)) {
    at += d - 1;
    assert.equal((await deliverOutbox(app, at)).retried, 0, "not due before its delay");
    at += 1;
    assert.equal((await deliverOutbox(app, at)).retried, 2);
  }
  at += delays[4];
  assert.equal((await deliverOutbox(app, at)).failed, 2);
  // Recovery after failure does not resend parked jobs by itself.
  app.mailer.failWith = null;
  assert.equal((await deliverOutbox(app, at + 86_400_000)).done, 0);
  assert.equal(app.mailer.sent.length, 0);
  app.close();
});

Deno.test("outbox: two workers draining at once send every mail exactly once", async () => {
  const kv = await Deno.openKv(":memory:");
  const a = await memoryApp({ kv });
  const b = await memoryApp({ kv });
  b.mailer.sent = a.mailer.sent;
  const host = await createHost(a, { weekly: WORKDAYS });
  await createEventType(a, host, { slug: "call", durationMin: 30, requiresConfirmation: false });
  const starts = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"].map((t) =>
    `2026-11-23T${t}:00Z`
  );
  for (const [i, s] of starts.entries()) assert.ok((await bookSlot(a, guest(i, s))).ok);
  await Promise.all([deliverOutbox(a, a.now()), deliverOutbox(b, b.now())]);
  const ids = a.mailer.sent.map((m) => m.messageId);
  assert.equal(ids.length, starts.length * 2);
  assert.equal(new Set(ids).size, ids.length);
  kv.close();
});
