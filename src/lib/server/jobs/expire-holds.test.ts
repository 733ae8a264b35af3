import assert from "node:assert/strict";
import { expireHolds } from "./expire-holds.ts";
import { bookSlot } from "../services/book-slot.ts";
import { listBusy, listHostBookings } from "../store/bookings.ts";
import { keys } from "../store/keys.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";

const allDay = () => [{ start: "00:00", end: "24:00" }];
const EVERY_DAY = {
  1: allDay(),
  2: allDay(),
  3: allDay(),
  4: allDay(),
  5: allDay(),
  6: allDay(),
  7: allDay(),
};

Deno.test("expireHolds: 250 requests past their hold end in rounds of 100, each freeing its time, caps and guest hold; nothing else changes", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 15,
    intervalMin: 15,
    maxPerDay: 1000,
  });
  await createEventType(app, host, { slug: "firm", durationMin: 15, requiresConfirmation: false });
  const base = Date.parse("2026-11-23T00:00:00Z");
  for (let i = 0; i < 250; i++) {
    const r = await bookSlot(app, {
      username: "host",
      slug: "call",
      start: new Date(base + i * 15 * 60_000).toISOString().replace(".000Z", "Z"),
      name: `G${i}`,
      email: `g${i}@example.test`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
  }
  const firm = await bookSlot(app, {
    username: "host",
    slug: "firm",
    start: "2026-11-26T10:00:00Z",
    name: "F",
    email: "f@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(firm.ok);
  // Not a moment early.
  const endsAt = app.now() + 24 * 3_600_000;
  assert.deepEqual(await expireHolds(app, endsAt - 1), { expired: 0 });
  app.clock.ms = endsAt;
  assert.deepEqual(await expireHolds(app, endsAt), { expired: 250 });
  const all = await listHostBookings(app.kv, host.id);
  assert.equal(all.filter((b) => b.endReason === "expired").length, 250);
  assert.deepEqual(
    (await listBusy(app.kv, host.id, base, base + 7 * 86_400_000, app.now())).length,
    1,
    "only the firm booking's time is left",
  );
  for (const prefix of [["cap_entry"], ["guest_hold"], keys.bookingPendingByExpiryPrefix()]) {
    const left = [];
    for await (const e of app.kv.list({ prefix: prefix as Deno.KvKey })) left.push(e.key);
    assert.ok(left.every((k) => !k.includes("call")), JSON.stringify(left.slice(0, 3)));
    if (prefix[0] !== "cap_entry") assert.deepEqual(left, []);
  }
  assert.deepEqual(await expireHolds(app, endsAt), { expired: 0 }, "a second run finds nothing");
  app.close();
});

Deno.test("expireHolds: a request the engine could not expire under contention ('busy') stays in the expiry index and expires on the next run", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
  await createEventType(app, host, { slug: "call", durationMin: 15 });
  const r = await bookSlot(app, {
    username: "host",
    slug: "call",
    start: "2026-11-23T09:00:00Z",
    name: "G",
    email: "g@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(r.ok);
  app.clock.ms += 24 * 3_600_000;
  // Every commit that touches the booking loses its race, as if another writer always won.
  const real = app.kv;
  app.kv = new Proxy(real, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          op.check({ key: ["never"], versionstamp: "00000000000000000000" });
          return op;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  assert.deepEqual(await expireHolds(app, app.now()), { expired: 0 });
  app.kv = real;
  assert.deepEqual(await expireHolds(app, app.now()), { expired: 1 }, "not lost from the index");
  const [b] = await listHostBookings(app.kv, host.id);
  assert.equal(b.endReason, "expired");
  app.close();
});
