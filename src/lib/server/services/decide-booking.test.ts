import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import {
  bookingForToken,
  cancelByGuest,
  decideBooking,
  rescheduleByGuest,
  rescheduleByHost,
} from "./decide-booking.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";

/** A host and Ann's request (on `app`, or a new one at Monday 08:00 Berlin). */
async function setup(app?: TestApp) {
  app ??= await memoryApp({ nowIso: "2026-11-23T07:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: true,
    minNoticeMin: 24 * 60,
    cancelCutoffHours: 24,
  });
  const booked = await bookSlot(app, {
    username: "host",
    slug: "call",
    start: "2026-11-25T09:00:00Z",
    name: "Ann",
    email: "ann@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(booked.ok);
  const b = (await bookingForToken(app, booked.guestToken, "guest"))!;
  return { app, host, b, guestToken: booked.guestToken };
}

Deno.test("rescheduleByHost: a host moves a request inside the guests' notice; the new time is confirmed; another host cannot", async () => {
  const { app, host, b, guestToken } = await setup();
  // Inside the 24-hour notice: a guest may not pick this time, the host may.
  assert.deepEqual((await rescheduleByGuest(app, guestToken, "2026-11-23T13:00:00Z")).ok, false);
  const other = await createHost(app, { username: "other", weekly: WORKDAYS });
  assert.deepEqual(await rescheduleByHost(app, other.id, b.id, "2026-11-23T13:00:00Z"), {
    ok: false,
    reason: "not_found",
  });
  const moved = await rescheduleByHost(app, host.id, b.id, "2026-11-23T13:00:00Z");
  assert.ok(moved.ok, JSON.stringify(moved));
  assert.equal(moved.booking.status, "CONFIRMED");
  assert.equal(moved.booking.rescheduledFromId, b.id);
  assert.equal(moved.booking.history.at(-1)!.by, "host");
  // Outside working hours only when the host says so ("outside my hours").
  const outside = await rescheduleByHost(app, host.id, moved.booking.id, "2026-11-23T20:00:00Z");
  assert.equal(outside.ok ? "moved" : outside.reason, "outside_hours");
  const meant = await rescheduleByHost(app, host.id, moved.booking.id, "2026-11-23T20:00:00Z", {
    outsideHours: true,
    reason: "Only this evening works",
  });
  assert.ok(meant.ok, JSON.stringify(meant));
  assert.equal(meant.booking.startMs, Date.parse("2026-11-23T20:00:00Z"));
  app.close();
});

Deno.test("decideBooking: an extra write rides in the change and is refused as a conflict when it is already there", async () => {
  const { app, host, b } = await setup();
  const extra = [{ key: ["idempotency", "k"], value: { done: true }, expectAbsent: true }];
  const first = await decideBooking(app, b.id, "confirm", "host", { hostId: host.id, extra });
  assert.ok(first.ok);
  assert.deepEqual((await app.kv.get(["idempotency", "k"])).value, { done: true });
  const second = await decideBooking(app, b.id, "cancel", "host", { hostId: host.id, extra });
  assert.equal(second.ok ? "ok" : second.reason, "conflict");
  const again = await bookSlot(app, {
    username: "host",
    slug: "call",
    start: "2026-11-26T09:00:00Z",
    name: "Bo",
    email: "bo@example.test",
    note: "",
    timeZone: "UTC",
    extra,
  });
  assert.deepEqual(again, { ok: false, reason: "conflict" }, "a booking with a used key too");
  app.close();
});

Deno.test("cancelByGuest: refused within the cutoff with the booking unchanged; never a thrown error", async () => {
  const { app, host, b, guestToken } = await setup();
  assert.ok((await decideBooking(app, b.id, "confirm", "host", { hostId: host.id })).ok);
  app.clock.ms = b.startMs - 23 * 3_600_000;
  const res = await cancelByGuest(app, guestToken, "");
  assert.equal(res.ok ? "ok" : res.reason, "too_late");
  assert.equal((await bookingForToken(app, guestToken, "guest"))!.status, "CONFIRMED");
  assert.deepEqual(await decideBooking(app, "01KNOTABOOKING0000000000000", "cancel", "host"), {
    ok: false,
    reason: "not_found",
  });
  app.close();
});

Deno.test("confirm racing a reject: a confirm whose snapshot was read across the reject's commit answers 'already rejected', not 'expired'", async () => {
  // The snapshot's parts are separate reads: the booking first, its busy entries after. Here the
  // reject (another request, or another process) commits between the two, so the confirm reads
  // the request still pending but its time already released. That pair never existed; the
  // answer is the decision that was made ("already rejected"; a page said "link gone" instead).
  const kv = await Deno.openKv(":memory:");
  const other = await memoryApp({ kv, nowIso: "2026-11-23T07:00:00Z" });
  let rejectBetween: (() => Promise<void>) | null = null;
  const torn = new Proxy(kv, {
    get(t, p) {
      if (p === "list") {
        return async function* (...args: Parameters<Deno.Kv["list"]>) {
          const go = rejectBetween;
          rejectBetween = null;
          if (go) await go();
          yield* t.list(...args);
        };
      }
      const v = Reflect.get(t, p, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  const app = await memoryApp({ kv: torn, nowIso: "2026-11-23T07:00:00Z" });
  try {
    const { b, guestToken } = await setup(app);
    let rejected: Awaited<ReturnType<typeof decideBooking>> | null = null;
    rejectBetween = async () => {
      rejected = await decideBooking(other, b.id, "reject", "host");
    };
    const confirmed = await decideBooking(app, b.id, "confirm", "host");
    assert.equal(rejected!.ok, true, "the reject landed in the middle of the confirm's read");
    assert.equal(confirmed.ok, false);
    assert.equal(!confirmed.ok && confirmed.reason, "already_rejected");
    assert.equal((await bookingForToken(app, guestToken, "guest"))!.status, "REJECTED");
  } finally {
    kv.close();
  }
});
