import assert from "node:assert/strict";
import { apiClient, apiHost } from "../../../../tests/support/api.ts";
import { bookSlot } from "./book-slot.ts";
import { decideBooking } from "./decide-booking.ts";
import { listHostBookings } from "../store/bookings.ts";
import { keys } from "../store/keys.ts";
import { canonicalJson, isPlaceholderKey } from "./idempotency.ts";

async function setup() {
  const { app, host } = await apiHost({ requiresConfirmation: true });
  return { app, host };
}

const extra = (id: string) => [{
  key: keys.idempotencyCommit("test", id),
  value: { v: 1, mark: id },
  expectAbsent: true,
}];

Deno.test("bookSlot extra write: of 40 concurrent bookings under one key (different slots) exactly one commits", async () => {
  const { app, host } = await setup();
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    bookSlot(app, {
      username: "ann",
      slug: "intro",
      start: new Date(Date.UTC(2026, 10, 23 + Math.floor(i / 16), 8) + (i % 16) * 1_800_000)
        .toISOString(),
      name: "G",
      email: `g${i}@example.com`,
      note: "",
      timeZone: "UTC",
      extra: extra("one-key"),
    })));
  const made = results.filter((r) => r.ok);
  assert.equal(made.length, 1, JSON.stringify(results.filter((r) => !r.ok).slice(0, 3)));
  for (const r of results) if (!r.ok) assert.equal(r.reason, "conflict");
  assert.equal((await listHostBookings(app.kv, host.id)).length, 1);
  assert.ok((await app.kv.get(keys.idempotencyCommit("test", "one-key"))).value);
  app.close();
});

Deno.test("decideBooking extra write: a second change under the same key is refused, not applied", async () => {
  const { app } = await setup();
  const booked = await bookSlot(app, {
    username: "ann",
    slug: "intro",
    start: "2026-11-23T08:00:00Z",
    name: "G",
    email: "g@example.com",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(booked.ok);
  const first = await decideBooking(app, booked.bookingId, "confirm", "host", {
    extra: extra("k"),
  });
  assert.ok(first.ok);
  const second = await decideBooking(app, booked.bookingId, "cancel", "host", {
    extra: extra("k"),
  });
  assert.ok(!second.ok && second.reason === "conflict");
  assert.equal(second.booking?.status, "CONFIRMED");
  app.close();
});

Deno.test("Idempotency-Key: a change committed by a request that died before answering is answered on retry", async () => {
  const { app } = await setup();
  const { call } = apiClient(app);
  const body = {
    username: "ann",
    eventType: "intro",
    start: "2026-11-23T08:00:00Z",
    timeZone: "UTC",
    name: "G",
    email: "g@example.com",
  };
  const first = await call("POST", "/bookings", { body, idem: "crash" });
  assert.equal(first.status, 201);
  // The stored answer is lost (the process died between commit and answer): the commit record
  // written in the booking's own atomic write remains.
  await app.kv.delete(keys.idempotency("anon", "crash"));
  const retry = await call("POST", "/bookings", { body, idem: "crash" });
  assert.equal(retry.status, 201);
  assert.equal(retry.body.id, first.body.id);
  assert.equal(retry.headers.get("idempotent-replayed"), "true");
  assert.deepEqual(retry.body.links, first.body.links);
  // Rebuilt from the store, the answer is the one first sent (made from the committed record).
  assert.deepEqual(retry.body, first.body);
  assert.equal(
    (await listHostBookings(app.kv, (await app.kv.get<string>(keys.userByUsername("ann"))).value!))
      .length,
    1,
  );
  // A request still "running" (its claim not expired) makes a retry wait (409), not book twice.
  await app.kv.set(keys.idempotency("anon", "busy"), {
    v: 1,
    fingerprint: "x",
    state: "running",
    untilMs: app.now() + 60_000,
    createdAtMs: app.now(),
  });
  const busy = await call("POST", "/bookings", { body, idem: "busy" });
  assert.equal(busy.status, 409);
  app.close();
});

Deno.test("Idempotency-Key: 40 concurrent API bookings keep their answers in their own commits (no write after), and each retry replays its own", async () => {
  const { app } = await setup();
  const { call } = apiClient(app);
  const real = app.kv;
  // Answers stored by writes of answers alone (finished runs, store/idempotency.ts): none, each
  // answer is in its booking's commit record.
  let answersStored = 0;
  app.kv = new Proxy(real, {
    get(target, prop) {
      if (prop !== "atomic") {
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      }
      return () => {
        const op = target.atomic();
        const sets: Deno.KvKey[] = [];
        const set = op.set.bind(op);
        op.set = (key, value, options) => (sets.push(key), set(key, value, options));
        const commit = op.commit.bind(op);
        op.commit = () => {
          if (sets.length && sets.every((k) => k[0] === keys.idempotency("s", "k")[0])) {
            answersStored += sets.length;
          }
          return commit();
        };
        return op;
      };
    },
  });
  const body = (i: number) => ({
    username: "ann",
    eventType: "intro",
    start: new Date(Date.UTC(2026, 10, 23 + Math.floor(i / 16), 8) + (i % 16) * 1_800_000)
      .toISOString(),
    timeZone: "UTC",
    name: `G ${i}`,
    email: `g${i}@example.com`,
  });
  const first = await Promise.all(
    Array.from(
      { length: 40 },
      (_, i) => call("POST", "/bookings", { body: body(i), idem: `k${i}` }),
    ),
  );
  assert.deepEqual(first.map((r) => r.status), first.map(() => 201));
  assert.equal(answersStored, 0);
  let carried = 0;
  for await (const e of real.list<{ answer?: unknown }>({ prefix: ["idempotency_commit"] })) {
    if (e.value.answer) carried++;
  }
  assert.equal(carried, 40, "every booking's commit record carries its answer");
  app.kv = real;
  const again = await Promise.all(
    Array.from(
      { length: 40 },
      (_, i) => call("POST", "/bookings", { body: body(i), idem: `k${i}` }),
    ),
  );
  for (let i = 0; i < 40; i++) {
    assert.equal(again[i].headers.get("idempotent-replayed"), "true");
    assert.equal(again[i].text, first[i].text);
  }
  app.close();
});

Deno.test("canonicalJson: key order and spacing do not change the fingerprint; values do", () => {
  assert.equal(
    canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }),
    canonicalJson({ a: [1, { c: 3, d: 2 }], b: 1 }),
  );
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: "1" }));
});

Deno.test("isPlaceholderKey: documentation placeholders and the once-published example are refused; real keys pass", () => {
  for (
    const k of [
      "<unique-key>",
      "{{idempotency_key}}",
      "${KEY}",
      "[key]",
      "your-unique-key",
      "YOUR_KEY",
      "00000000-0000-0000-0000-000000000000",
      "xxxxxxxx",
      "5f1c2b9e-0d3a-4c7e-9b1a-2f6e8d4c3a10",
    ]
  ) assert.equal(isPlaceholderKey(k), true, k);
  for (const k of [crypto.randomUUID(), "book-2026-11-23T09:00", "1", "key-1", "a"]) {
    assert.equal(isPlaceholderKey(k), false, k);
  }
});
