/**
 * The schema 1 → 2 migration, from a store written by the schema-1 booking code
 * (tests/fixtures/store-v1/store.jsonl, generated with that code at commit 590dca8).
 */
import assert from "node:assert/strict";
import { migrateStore } from "./migrate.ts";
import { keys } from "./keys.ts";
import { bookSlot } from "../services/book-slot.ts";
import { decideBooking } from "../services/decide-booking.ts";
import { expireHolds } from "../jobs/expire-holds.ts";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { readStore, storeProblems } from "../../../../tests/reliability/harness.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import { acquireLease, releaseLease } from "./leases.ts";

const FIXTURE = new URL("../../../../tests/fixtures/store-v1/store.jsonl", import.meta.url);
const LEGACY = ["host_day", "event_type_cap", "guest_holds"];
// Before the New York requests' holds run out (they last until 08:00Z).
const NOW = "2026-11-21T07:00:00Z";
const TTL_MS = 24 * 3_600_000;

async function fixtureKv(): Promise<Deno.Kv> {
  const kv = await Deno.openKv(":memory:");
  const lines = (await Deno.readTextFile(FIXTURE)).trim().split("\n");
  for (const line of lines) {
    const { key, value } = JSON.parse(line);
    await kv.set(key, value);
  }
  return kv;
}

async function dump(kv: Deno.Kv) {
  const out: { key: Deno.KvKey; value: unknown; versionstamp: string }[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    out.push({ key: e.key, value: e.value, versionstamp: e.versionstamp });
  }
  return out;
}

const guest = (n: number, start: string, over: Record<string, string> = {}) => ({
  username: "nyhost",
  slug: "call",
  start,
  name: `Guest ${n}`,
  email: `guest${n}@example.test`,
  note: "",
  timeZone: "UTC",
  ...over,
});

Deno.test("migration: a schema-1 store becomes per-entry guards that keep every live booking's time, caps and holds", async () => {
  const kv = await fixtureKv();
  const app = await memoryApp({ kv, nowIso: NOW });
  try {
    const before = await dump(kv);
    assert.ok(before.some((e) => LEGACY.includes(e.key[0] as string)), "the fixture is schema 1");
    const report = await migrateStore(app.kv, { owner: "a", now: app.now });
    assert.deepEqual(report, { from: 1, to: 2, bookings: 8, removed: 24 });

    const after = await dump(kv);
    assert.deepEqual(after.filter((e) => LEGACY.includes(e.key[0] as string)), []);
    assert.deepEqual(
      storeProblems(after, { nowMs: app.now(), ttlMs: TTL_MS }),
      [],
      "every live booking is whole in the new guards",
    );
    // Everything but the guards is untouched.
    const others = (s: typeof before) =>
      s.filter((e) =>
        !LEGACY.includes(e.key[0] as string) &&
        !["busy", "busy_fence", "cap_entry", "cap_fence", "guest_hold", "guest_hold_fence", "meta"]
          .includes(e.key[0] as string)
      ).map((e) => JSON.stringify([e.key, e.value]));
    assert.deepEqual(others(after), others(before));

    // The time of live bookings is taken, across UTC midnight and for a 20-hour block.
    assert.deepEqual(await bookSlot(app, guest(9, "2026-11-23T23:30:00Z")), {
      ok: false,
      reason: "slot_taken",
    });
    assert.deepEqual(
      await bookSlot(app, guest(9, "2026-11-23T06:15:00Z", { username: "ktmhost", slug: "long" })),
      { ok: false, reason: "slot_taken" },
    );
    // Guest 1 holds three live requests with the New York host: a fourth is refused.
    assert.deepEqual(
      await bookSlot(app, guest(1, "2026-12-03T15:00:00Z", { email: "GUEST1@example.test" })),
      { ok: false, reason: "too_many_pending" },
    );
    // A migrated request can be confirmed (its entries are whole), and its time stays taken.
    const a = after.find((e) =>
      e.key[0] === "booking" &&
      (e.value as BookingRecord).startMs === Date.parse("2026-11-23T23:30:00Z")
    )!.value as BookingRecord;
    const confirmed = await decideBooking(app, a.id, "confirm", "host");
    assert.ok(confirmed.ok, JSON.stringify(confirmed));
    // A hold that ran out before the migration blocks nothing and expires as usual.
    app.clock.ms = Date.parse("2026-11-21T09:30:00Z");
    assert.equal(
      (await expireHolds(app, app.now())).expired,
      3,
      "the three unconfirmed requests of 08:00Z",
    );
    const free = await bookSlot(
      app,
      guest(10, "2026-11-30T14:00:00Z", { email: "someone@example.test" }),
    );
    assert.ok(free.ok, JSON.stringify(free));

    // Running it again changes nothing.
    const settled = await dump(kv);
    assert.equal(await migrateStore(app.kv, { owner: "b", now: app.now }), null);
    assert.deepEqual(await dump(kv), settled);
  } finally {
    app.close();
  }
});

Deno.test("migration: two processes starting at once migrate once; a run cut off before the end converges when run again", async () => {
  const kv = await fixtureKv();
  const a = await memoryApp({ kv, nowIso: NOW });
  const b = await memoryApp({ kv, nowIso: NOW });
  try {
    const [ra, rb] = await Promise.all([
      migrateStore(a.kv, { owner: "a", now: a.now }),
      migrateStore(b.kv, { owner: "b", now: b.now }),
    ]);
    assert.equal([ra, rb].filter((r) => r !== null).length, 1, "one of them migrated");
    const once = (await dump(kv)).filter((e) => e.key[0] !== "meta" && e.key[0] !== "lease")
      .map((e) => JSON.stringify([e.key, e.value]));

    // A crash after the guards were written but before the version was: the next start redoes it.
    const fresh = await fixtureKv();
    const c = await memoryApp({ kv: fresh, nowIso: NOW });
    try {
      await migrateStore(c.kv, { owner: "c", now: c.now });
      await fresh.delete(keys.meta("schema"));
      for (const line of (await Deno.readTextFile(FIXTURE)).trim().split("\n")) {
        const { key, value } = JSON.parse(line);
        if (key[0] === "host_day") await fresh.set(key, value);
      }
      const again = await migrateStore(c.kv, { owner: "c2", now: c.now });
      assert.equal(again?.removed, 9);
      const twice = (await dump(fresh)).filter((e) => e.key[0] !== "meta" && e.key[0] !== "lease")
        .map((e) => JSON.stringify([e.key, e.value]));
      assert.deepEqual(twice, once);
    } finally {
      fresh.close();
    }
  } finally {
    kv.close();
  }
});

Deno.test("migration: a process starting while another migrates (lease held, schema-1 records already removed) waits for it and never marks the store itself", async () => {
  const kv = await fixtureKv();
  try {
    let ms = Date.parse(NOW);
    // Each look at the clock is 100 ms later, so the waiting process's deadline comes.
    const now = () => (ms += 100);
    assert.ok(await acquireLease(kv, "migrate", "a", 60_000, now()));
    // Process "a" is between its last two steps: the old records are gone, the mark is not set.
    for (const prefix of LEGACY) {
      for await (const e of kv.list({ prefix: [prefix] })) await kv.delete(e.key);
    }
    await assert.rejects(
      migrateStore(kv, { owner: "b", now, waitMs: 500 }),
      /being migrated by another process/,
    );
    assert.equal((await kv.get(keys.meta("schema"))).value, null, "only the lease holder marks it");
    await releaseLease(kv, "migrate", "a");
    // Once "a" is gone, the next start finishes the job: nothing left to move, only the mark.
    assert.equal(await migrateStore(kv, { owner: "b", now }), null);
    assert.ok((await kv.get(keys.meta("schema"))).value);
  } finally {
    kv.close();
  }
});

Deno.test("migration: the fixture is a store of the schema-1 code, as the harness reads a stopped server's file", async () => {
  // The same reader the reliability tests use on a KV file works on the migrated store.
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/invito.kv`;
    const kv = await Deno.openKv(path);
    for (const line of (await Deno.readTextFile(FIXTURE)).trim().split("\n")) {
      const { key, value } = JSON.parse(line);
      await kv.set(key, value);
    }
    await migrateStore(kv, { owner: "x", now: () => Date.parse(NOW) });
    kv.close();
    const store = await readStore(path);
    assert.deepEqual(storeProblems(store, { nowMs: Date.parse(NOW), ttlMs: TTL_MS }), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("migration: a store without a schema mark and without schema-1 records is only marked", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["busy", "p", "2026-11-23", 1, "b"], { v: 1 });
    assert.equal(await migrateStore(kv, { owner: "a", now: () => 1 }), null);
    assert.equal((await kv.get<{ version: number }>(keys.meta("schema"))).value?.version, 2);
    assert.deepEqual((await kv.get(["busy", "p", "2026-11-23", 1, "b"])).value, { v: 1 });
  } finally {
    kv.close();
  }
});
