/**
 * Every guarded write of the booking engine under many conflicting attempts at once: exactly
 * one wins, the rest are refused (never a double booking, never an exception), within one
 * process and across two sharing a KV.
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import {
  bookingForToken,
  cancelByGuest,
  decideBooking,
  decideByToken,
  rescheduleByGuest,
} from "./decide-booking.ts";
import { bookingToken } from "./booking-links.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { listHostBookings } from "../store/bookings.ts";
import { MAX_ATTEMPTS, queueKeyOf } from "./transaction.ts";
import { renderMetrics } from "../ops/metrics.ts";
import {
  createEventType,
  createHost,
  guestInput,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import type { BookingRecord } from "../domain/model/records.ts";

const MON = (hhmm: string) => `2026-11-23T${hhmm}:00Z`;

const guest = (i: number, start: string, email = `g${i}@example.test`) => ({
  ...guestInput(i, start, "call", "host"),
  email,
});

async function twoProcesses(nowIso = "2026-11-20T08:00:00Z") {
  const kv = await Deno.openKv(":memory:");
  const a = await memoryApp({ kv, nowIso });
  const b = await memoryApp({ kv, nowIso });
  b.hostLock = new KeyedLock(); // only the KV checks stand between them
  const host = await createHost(a, { weekly: WORKDAYS });
  return { kv, a, b, host };
}

const live = (bs: BookingRecord[], nowMs: number) =>
  bs.filter((b) =>
    b.status === "CONFIRMED" || (b.status === "PENDING" && (b.reservedUntilMs ?? 0) > nowMs)
  );

Deno.test("guest holds: 30 requests of one guest at 30 free times at once, across two processes, leave exactly the limit of 3 pending", async () => {
  const { kv, a, b, host } = await twoProcesses();
  await createEventType(a, host, { slug: "call", durationMin: 15, intervalMin: 15 });
  const starts = Array.from(
    { length: 30 },
    (_, i) =>
      new Date(Date.parse(MON("08:00")) + i * 15 * 60_000).toISOString().replace(".000Z", "Z"),
  );
  const results = await Promise.all(
    starts.map((s, i) => bookSlot(i % 2 ? a : b, guest(i, s, "same@example.test"))),
  );
  assert.equal(results.filter((r) => r.ok).length, 3, JSON.stringify(results));
  assert.ok(results.every((r) => r.ok || r.reason === "too_many_pending"));
  assert.equal(live(await listHostBookings(kv, host.id), a.now()).length, 3);
  kv.close();
});

Deno.test("reject and cancel: 20 concurrent attempts each, by host and guest, make one transition", async () => {
  const { kv, a, b, host } = await twoProcesses();
  await createEventType(a, host, { slug: "call", durationMin: 30 });
  const one = await bookSlot(a, guest(1, MON("08:00")));
  const two = await bookSlot(a, guest(2, MON("09:00")));
  assert.ok(one.ok && two.ok);
  const rec = (await bookingForToken(a, one.guestToken, "guest"))!;
  const reject = await bookingToken(a, rec, "reject");
  const rejected = await Promise.all(
    Array.from({ length: 20 }, (_, i) => decideByToken(i % 2 ? a : b, reject, "reject")),
  );
  assert.equal(rejected.filter((r) => r.ok).length, 1);
  assert.ok(rejected.every((r) => r.ok || r.reason === "already_rejected"));
  const two2 = (await bookingForToken(a, two.guestToken, "guest"))!;
  const cancelled = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) =>
        i % 2
          ? cancelByGuest(a, two.guestToken, "guest")
          : decideBooking(b, two2.id, "cancel", "host", { hostId: host.id }),
    ),
  );
  assert.equal(cancelled.filter((r) => r.ok).length, 1);
  assert.ok(cancelled.every((r) => r.ok || r.reason === "cancelled"));
  const after = (await bookingForToken(a, two.guestToken, "guest"))!;
  assert.equal(after.history.length, 2, "one cancellation in the history");
  kv.close();
});

Deno.test("reschedule against bookings: 40 guests booking the new time while its holder moves there — exactly one holds it", async () => {
  const { kv, a, b, host } = await twoProcesses();
  await createEventType(a, host, { slug: "call", durationMin: 30, requiresConfirmation: false });
  const mover = await bookSlot(a, guest(0, MON("08:00")));
  assert.ok(mover.ok);
  const results = await Promise.all([
    ...Array.from({ length: 40 }, (_, i) => bookSlot(i % 2 ? a : b, guest(i + 1, MON("10:00")))),
    rescheduleByGuest(b, mover.guestToken, MON("10:00")),
    rescheduleByGuest(a, mover.guestToken, MON("10:00")),
  ]);
  assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results.map((r) => r.ok)));
  const atTen = live(await listHostBookings(kv, host.id), a.now()).filter((x) =>
    x.startMs === Date.parse(MON("10:00"))
  );
  assert.equal(atTen.length, 1);
  kv.close();
});

Deno.test("clock skew: a confirm by a process whose clock is behind never lands beside a booking by one whose clock says the hold is over", async () => {
  for (let round = 0; round < 15; round++) {
    const { kv, a, b, host } = await twoProcesses();
    await createEventType(a, host, { slug: "call", durationMin: 30 });
    const held = await bookSlot(a, guest(1, MON("08:00")));
    assert.ok(held.ok);
    const rec = (await bookingForToken(a, held.guestToken, "guest"))!;
    // a: one second before the hold ends; b: one second after.
    a.clock.ms = rec.reservedUntilMs! - 1_000;
    b.clock.ms = rec.reservedUntilMs! + 1_000;
    const confirm = await bookingToken(a, rec, "confirm");
    // Which one starts first alternates between rounds.
    const first = round % 2 ? "confirm" : "book";
    const pc = first === "confirm" ? decideByToken(a, confirm, "confirm") : null;
    const pb = bookSlot(b, guest(2, MON("08:00")));
    const [c, bk] = await Promise.all([pc ?? decideByToken(a, confirm, "confirm"), pb]);
    assert.equal(
      [c.ok, bk.ok].filter(Boolean).length,
      1,
      `round ${round}: ${JSON.stringify([c, bk])}`,
    );
    if (!c.ok) assert.equal(c.reason, "expired");
    kv.close();
  }
});

Deno.test("busy: when conflicts never stop, the runner gives up with 'busy' instead of looping or throwing", async () => {
  const app: TestApp = await memoryApp();
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", durationMin: 30 });
  // Every commit fails its checks, as if another writer always won.
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
  const retries = async () => {
    const m = /^invito_kv_commit_retries_total\{op="book"\} (\d+)$/m.exec(
      (await renderMetrics()).body,
    );
    return Number(m?.[1] ?? 0);
  };
  const before = await retries();
  assert.deepEqual(await bookSlot(app, guest(1, MON("08:00"))), { ok: false, reason: "busy" });
  // Every re-plan after a lost race is counted under its operation.
  assert.equal(await retries() - before, MAX_ATTEMPTS - 1);
  app.kv = real;
  assert.deepEqual(await listHostBookings(real, host.id), []);
  app.close();
});

Deno.test("a crowd waiting on one person: woken together, its 50 changes read that person's day once between them, and each is refused as it was", async () => {
  const raw = await Deno.openKv(":memory:");
  // Lists of a person's busy entries, the engine's read of a day.
  let dayLists = 0;
  const list = raw.list.bind(raw);
  raw.list = ((selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
    const first = "prefix" in selector ? selector.prefix?.[0] : selector.start?.[0];
    if (first === "busy") dayLists++;
    return list(selector, options);
  }) as typeof raw.list;
  const app = await memoryApp({ kv: raw });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", durationMin: 30 });
  assert.ok((await bookSlot(app, guest(0, MON("10:00")))).ok);
  // The person's queue held by a change under way (a host's booking takes the host's lane):
  // every post below finds it busy and waits for its signal, as a crowd behind a winner does.
  const lane = queueKeyOf(host.id)!;
  let waiting = 0;
  const nextSignal = app.hostLock.nextSignal.bind(app.hostLock);
  app.hostLock.nextSignal = (key: string) => (key === lane && waiting++, nextSignal(key));
  let done!: () => void;
  const holder = app.hostLock.run(lane, () => new Promise<void>((r) => (done = r)));
  const crowd = Array.from({ length: 50 }, (_, i) => bookSlot(app, guest(i + 1, MON("10:00"))));
  const end = Date.now() + 10_000;
  while (waiting < 50) {
    assert.ok(Date.now() < end, `${waiting} of 50 posts waiting`);
    await new Promise((r) => setTimeout(r, 1));
  }
  const before = dayLists;
  // The change ahead is done: the runner signals before it gives up its turn (loopAndSignal),
  // so no post's own turn has begun when the crowd looks. (Signalled after the turn was given
  // up, the posts whose turns came meanwhile read on their own besides: 2-13 reads under load.)
  app.hostLock.signal(lane);
  const answers = await Promise.all(crowd);
  assert.ok(
    answers.every((a) => !a.ok && a.reason === "slot_taken"),
    JSON.stringify(answers.find((a) => a.ok || a.reason !== "slot_taken")),
  );
  // One look for the crowd (each change read the day on its own before: 50).
  assert.equal(dayLists - before, 1, "reads of the day for 50 waiting posts");
  done();
  await holder;
  assert.equal((await listHostBookings(app.kv, host.id)).length, 1);
  raw.close();
});
