/**
 * planChange: what each kind of change checks and writes, its refusals, and — over random
 * configurations the editors allow and random sequences of changes — that every planned write
 * fits remote KV's limits and states exactly what its commit carries. Snapshots are read from an
 * in-memory KV by the store's own reader, so the plans are decided on what a real read returns.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Change,
  type EngineRules,
  jobMutations,
  type Plan,
  planChange,
  type PlanResult,
  SERIES_HOLD_MS,
  TEAM_HOLD_MS,
} from "../domain/booking-engine/index.ts";
import { seriesStarts } from "../domain/series.ts";
import { newBookingRecord, utcDaysTouched } from "../domain/booking.ts";
import { capPeriods, checkAnswers } from "../domain/event-rules.ts";
import { overlaps } from "../domain/interval.ts";
import { REMOTE_KV_LIMITS } from "../domain/kv-budget.ts";
import { commitPlan } from "./booking-commit.ts";
import { type CalendarReader, readSnapshot } from "./booking-snapshot.ts";
import { keys } from "./keys.ts";
import { revisionsOwed } from "./revisions.ts";
import type {
  BookingRecord,
  CoordinatorRecord,
  EventTypeRecord,
  SeatLedgerRecord,
  SingleUseLinkRecord,
  SingleUseLinkUseRecord,
} from "../domain/model/records.ts";
import { liveSeats } from "../domain/seats.ts";
import { guardKv } from "../../../../tests/support/kv-guard.ts";
import { startKvConnect } from "../../../../tests/support/kv-connect-server.ts";

const NO_CALENDARS: CalendarReader = () => Promise.resolve({ busy: [], unknown: [] });
const H = 3_600_000;
const HOST = { id: "host1", timeZone: "America/New_York" };

function eventType(o: Partial<EventTypeRecord> = {}): EventTypeRecord {
  return {
    v: 1,
    id: "et1",
    userId: HOST.id,
    slug: "call",
    title: "Call",
    description: "",
    durationMin: 60,
    requiresConfirmation: true,
    bookingWindowDays: 60,
    color: "#000",
    active: true,
    confirmedMessage: "",
    rejectedMessage: "",
    createdAtMs: 0,
    updatedAtMs: 0,
    ...o,
  };
}

function rulesFor(et: EventTypeRecord, o: Partial<EngineRules> = {}): EngineRules {
  return {
    bookingTtlMs: 24 * H,
    maxPendingPerGuest: 3,
    eventType: {
      id: et.id,
      maxPerDay: et.maxPerDay ?? null,
      maxPerWeek: et.maxPerWeek ?? null,
      cancelCutoffHours: et.cancelCutoffHours ?? null,
    },
    calendarHost: "invito.test",
    ...o,
  };
}

let seq = 0;
const nextId = () => `01K${String(seq++).padStart(23, "0")}`;

function booking(
  et: EventTypeRecord,
  start: string | number,
  nowMs: number,
  o: { email?: string; host?: { id: string; timeZone: string } } = {},
): BookingRecord {
  return newBookingRecord(
    {
      id: nextId(),
      tokenSalt: "salt",
      host: o.host ?? HOST,
      eventType: et,
      startMs: typeof start === "number" ? start : Date.parse(start),
      durationMin: et.durationMin,
      name: "Guest",
      email: o.email ?? "guest@example.test",
      note: "",
      guestTimeZone: "UTC",
      by: "guest",
    },
    nowMs,
    24 * H,
  );
}

/** Reads, plans, and (when planned) commits, counting what the commit really carried. */
async function run(
  kv: Deno.Kv,
  change: Change,
  rules: EngineRules,
  nowMs: number,
  calendar: CalendarReader = NO_CALENDARS,
): Promise<PlanResult & { carried?: { checks: number; mutations: number }; committed?: boolean }> {
  const snapshot = await readSnapshot(kv, change, rules, calendar);
  const res = planChange(snapshot, change, rules, nowMs);
  if (!res.ok) return res;
  const carried = { checks: 0, mutations: 0 };
  // Every engine write sets the revision of each person whose busy time it changes
  // (store/revisions.ts): a cached page of theirs is computed again.
  const setKeys = new Set(
    res.plan.writes.filter((w) => w.op === "set").map((w) => JSON.stringify(w.key)),
  );
  for (const owed of revisionsOwed(res.plan.writes.map((w) => w.key as Deno.KvKey))) {
    assert.ok(setKeys.has(JSON.stringify(owed)), `${res.plan.kind} sets ${JSON.stringify(owed)}`);
  }
  const counting = new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const wrapped: Deno.AtomicOperation = new Proxy(op, {
            get(o, p) {
              const v = Reflect.get(o, p, o);
              if (typeof v !== "function") return v;
              return (...args: unknown[]) => {
                if (p === "check") carried.checks += args.length;
                if (p === "set" || p === "delete") carried.mutations++;
                const out = v.apply(o, args);
                return out === o ? wrapped : out;
              };
            },
          });
          return wrapped;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as Deno.Kv;
  const committed = (await commitPlan(counting, res.plan, nowMs)).ok;
  return { ...res, carried, committed };
}

const checkedPrefixes = (p: Plan) => p.checks.map((c) => String(c.key[0])).sort();

// ── table tests ─────────────────────────────────────────────────────────────────────────────

Deno.test("planChange: the New York reschedule of issue 11 (hold across UTC midnight, caps per day and week, one week later) checks 6 keys, not 11", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const et = eventType({ maxPerDay: 3, maxPerWeek: 5, bufferBeforeMin: 15, bufferAfterMin: 30 });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  // 18:30 New York = 23:30Z: the block 23:15Z–00:30Z touches two UTC days.
  const b = booking(et, "2026-11-23T23:30:00Z", now);
  const created = await run(kv, { kind: "create", booking: b }, rules, now);
  assert.ok(created.ok && created.committed);
  assert.deepEqual(checkedPrefixes(created.plan), [
    "busy_fence",
    "busy_fence",
    "cap_fence",
    "cap_fence",
    "guest_hold_fence",
  ]);
  const moved = await run(
    kv,
    {
      kind: "reschedule",
      bookingId: b.id,
      by: "guest",
      successor: {
        id: nextId(),
        tokenSalt: "s",
        host: HOST,
        eventType: et,
        startMs: Date.parse("2026-11-30T23:30:00Z"),
        durationMin: 60,
      },
      enforceCutoff: true,
    },
    rules,
    now + H,
  );
  assert.ok(moved.ok && moved.committed, JSON.stringify(moved.ok || moved.reason));
  assert.deepEqual(checkedPrefixes(moved.plan), [
    "booking",
    "busy_fence",
    "busy_fence",
    "cap_fence",
    "cap_fence",
    "guest_hold_fence",
  ]);
  assert.deepEqual(moved.carried, {
    checks: moved.plan.budget.checks,
    mutations: moved.plan.budget.mutations,
  });
  kv.close();
});

Deno.test("planChange: cancel, reject and expire check only the booking; confirm checks the booking, its days and its capped periods", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ maxPerDay: 2, durationMin: 30 });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const made: BookingRecord[] = [];
  for (const start of ["2026-11-23T14:00:00Z", "2026-11-23T15:00:00Z", "2026-11-24T14:00:00Z"]) {
    const b = booking(et, start, now, { email: `${start}@x.test` });
    assert.ok((await run(kv, { kind: "create", booking: b }, rules, now)).ok);
    made.push(b);
  }
  const t = (bookingId: string, action: "confirm" | "reject" | "cancel" | "expire") =>
    ({ kind: "transition", bookingId, action, by: "host" }) as const;
  const confirmed = await run(kv, t(made[0].id, "confirm"), rules, now);
  assert.ok(confirmed.ok);
  assert.deepEqual(checkedPrefixes(confirmed.plan), ["booking", "busy_fence", "cap_fence"]);
  const rejected = await run(kv, t(made[1].id, "reject"), rules, now);
  assert.ok(rejected.ok);
  assert.deepEqual(checkedPrefixes(rejected.plan), ["booking"]);
  const cancelled = await run(kv, t(made[0].id, "cancel"), rules, now);
  assert.ok(cancelled.ok);
  assert.deepEqual(checkedPrefixes(cancelled.plan), ["booking"]);
  const expired = await run(kv, t(made[2].id, "expire"), rules, now + 24 * H);
  assert.ok(expired.ok);
  assert.deepEqual(checkedPrefixes(expired.plan), ["booking"]);
  // Everything the bookings held is gone with them.
  const left: string[] = [];
  for await (const e of kv.list({ prefix: ["busy"] })) left.push(String(e.key[4]));
  for await (const e of kv.list({ prefix: ["cap_entry"] })) left.push(String(e.key[4]));
  for await (const e of kv.list({ prefix: ["guest_hold"] })) left.push(String(e.key[3]));
  assert.deepEqual(left, []);
  kv.close();
});

Deno.test("planChange: a one-off link's request rejected or expired gives the link back in the same write (its record and marker checked as read); cancelled, or spent by another booking, it does not", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ durationMin: 30 });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const offered = ["2026-11-23T14:00:00Z", "2026-11-23T15:00:00Z", "2026-11-24T14:00:00Z"]
    .map(Date.parse);
  const viaLink = async (linkId: string, start: number, spentBy?: string) => {
    const b = { ...booking(et, start, now), singleUseLinkId: linkId, offeredStarts: offered };
    await kv.set(
      keys.singleUseLink(HOST.id, linkId),
      {
        v: 1,
        id: linkId,
        hostId: HOST.id,
        eventTypeId: et.id,
        salt: "s",
        createdAtMs: now,
        expiresAtMs: offered.at(-1)!,
        guestEmail: null,
        label: "",
        offeredStarts: offered,
        note: "",
      } satisfies SingleUseLinkRecord,
    );
    await kv.set(
      keys.singleUseLinkUsed(linkId),
      {
        v: 1,
        kind: "used",
        bookingId: spentBy ?? b.id,
        guestName: "Guest",
        guestEmail: "guest@example.test",
        atMs: now,
      } satisfies SingleUseLinkUseRecord,
    );
    assert.ok((await run(kv, { kind: "create", booking: b }, rules, now)).ok);
    return b;
  };
  const t = (bookingId: string, action: "reject" | "cancel" | "expire") =>
    ({ kind: "transition", bookingId, action, by: "host" }) as const;
  const linkOf = async (id: string) =>
    (await kv.get<SingleUseLinkRecord>(keys.singleUseLink(HOST.id, id))).value!;
  const markerOf = async (id: string) => (await kv.get(keys.singleUseLinkUsed(id))).value;

  const rejected = await viaLink("L1", offered[0]);
  const r = await run(kv, t(rejected.id, "reject"), rules, now);
  assert.ok(r.ok);
  assert.deepEqual(checkedPrefixes(r.plan), ["booking", "single_use_link", "single_use_link_used"]);
  assert.deepEqual(r.carried, { checks: 3, mutations: r.plan.budget.mutations });
  assert.equal(await markerOf("L1"), null);
  assert.deepEqual((await linkOf("L1")).offeredStarts, offered.slice(1));
  assert.equal((await linkOf("L1")).expiresAtMs, offered[2]);

  const lapsed = await viaLink("L2", offered[2]);
  const e = await run(kv, t(lapsed.id, "expire"), rules, now + 24 * H);
  assert.ok(e.ok);
  assert.deepEqual(checkedPrefixes(e.plan), ["booking", "single_use_link", "single_use_link_used"]);
  assert.equal(await markerOf("L2"), null);
  assert.deepEqual((await linkOf("L2")).offeredStarts, offered.slice(0, 2));
  assert.equal((await linkOf("L2")).expiresAtMs, offered[1]);

  const cancelled = await viaLink("L3", offered[1]);
  const c = await run(kv, t(cancelled.id, "cancel"), rules, now);
  assert.ok(c.ok);
  assert.deepEqual(checkedPrefixes(c.plan), ["booking"]);
  assert.notEqual(await markerOf("L3"), null);

  const other = await viaLink("L4", offered[1] + 3_600_000, "01KOTHERBOOKING00000000000");
  const o = await run(kv, t(other.id, "reject"), rules, now);
  assert.ok(o.ok);
  assert.deepEqual(checkedPrefixes(o.plan), ["booking"]);
  assert.notEqual(await markerOf("L4"), null);
  assert.deepEqual((await linkOf("L4")).offeredStarts, offered);

  // The marker changed between the snapshot and the commit (the link revoked meanwhile): the
  // commit fails its check and gives nothing back.
  const raced = await viaLink("L5", offered[0] + 3 * 3_600_000);
  const snap = await readSnapshot(kv, t(raced.id, "reject"), rules, NO_CALENDARS);
  const plan = planChange(snap, t(raced.id, "reject"), rules, now);
  assert.ok(plan.ok);
  await kv.set(keys.singleUseLinkUsed("L5"), { v: 1, kind: "revoked", atMs: now });
  assert.equal((await commitPlan(kv, plan.plan, now)).ok, false);
  assert.deepEqual(await markerOf("L5"), { v: 1, kind: "revoked", atMs: now });
  kv.close();
});

Deno.test("planChange: a booking's history never goes back in time, also when a change planned with an older clock reading finds a later step already there", async () => {
  // Three processes: the host's confirm lands at now+35 ms while the guest's cancel, whose
  // clock was read before its snapshot (a slow read of remote KV), plans at now (the store
  // kept CONFIRMED@+35 then CANCELLED@+0 in a three-process history test).
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ durationMin: 30 });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const b = booking(et, "2026-11-23T14:00:00Z", now);
  assert.ok((await run(kv, { kind: "create", booking: b }, rules, now)).ok);
  const t = (action: "confirm" | "cancel", by: "host" | "guest") =>
    ({ kind: "transition", bookingId: b.id, action, by }) as const;
  assert.ok((await run(kv, t("confirm", "host"), rules, now + 35)).ok);
  const cancelled = await run(kv, t("cancel", "guest"), rules, now);
  assert.ok(cancelled.ok);
  const history = cancelled.plan.booking!.history;
  assert.deepEqual(history.map((h) => h.status), ["PENDING", "CONFIRMED", "CANCELLED"]);
  assert.deepEqual(history.map((h) => h.atMs - now), [0, 35, 35]);
  assert.equal(cancelled.plan.booking!.decidedAtMs, now + 35);
  kv.close();
});

Deno.test("planChange: overlapping live time, a full cap, too many pending requests and an unreadable calendar are typed refusals", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ durationMin: 30, maxPerDay: 2 });
  const rules = rulesFor(et, { maxPendingPerGuest: 2 });
  const now = Date.parse("2026-11-20T08:00:00Z");
  const create = (start: string, email = "a@x.test") =>
    run(
      kv,
      { kind: "create", booking: booking(et, start, now, { email }) },
      rules,
      now,
    );
  assert.ok((await create("2026-11-23T14:00:00Z")).ok);
  assert.deepEqual(await create("2026-11-23T14:15:00Z", "b@x.test"), {
    ok: false,
    reason: "slot_taken",
  });
  // Touching intervals do not overlap.
  assert.ok((await create("2026-11-23T14:30:00Z")).ok);
  assert.deepEqual(await create("2026-11-23T16:00:00Z", "c@x.test"), {
    ok: false,
    reason: "cap_reached",
  });
  assert.deepEqual(await create("2026-11-24T16:00:00Z"), { ok: false, reason: "too_many_pending" });
  const unknown: CalendarReader = (_p, iv) => Promise.resolve({ busy: [], unknown: [iv] });
  const b = booking(et, "2026-11-25T10:00:00Z", now, { email: "d@x.test" });
  assert.deepEqual(await run(kv, { kind: "create", booking: b }, rules, now, unknown), {
    ok: false,
    reason: "calendar_unavailable",
  });
  // A zero-length calendar window inside the block blocks nothing (one overlap rule everywhere).
  const empty: CalendarReader = (_p, iv) =>
    Promise.resolve({ busy: [{ startMs: iv.startMs + 1, endMs: iv.startMs + 1 }], unknown: [] });
  assert.ok((await run(kv, { kind: "create", booking: b }, rules, now, empty)).ok);
  kv.close();
});

Deno.test("planChange: a hold past its time is free for a new booking, which removes it; confirming that hold afterwards refuses as expired", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ durationMin: 30, maxPerDay: 1 });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const held = booking(et, "2026-11-23T14:00:00Z", now);
  assert.ok((await run(kv, { kind: "create", booking: held }, rules, now)).ok);
  // Another process whose clock is past the hold books the same time…
  const later = now + 24 * H;
  const taker = booking(et, "2026-11-23T14:00:00Z", later, { email: "b@x.test" });
  const took = await run(kv, { kind: "create", booking: taker }, rules, later);
  assert.ok(took.ok && took.committed);
  const deleted = took.plan.writes.filter((w) => w.op === "delete").map((w) => String(w.key[0]));
  assert.deepEqual(deleted.sort(), ["busy", "cap_entry"], "the old hold's time and count go");
  // …and a process whose clock is behind cannot confirm the old hold any more.
  const late = await run(
    kv,
    { kind: "transition", bookingId: held.id, action: "confirm", by: "host" },
    rules,
    now + 23 * H,
  );
  assert.deepEqual(late, { ok: false, reason: "expired" });
  kv.close();
});

Deno.test("planChange: a new booking's record is its own commit receipt (its probe is exact, no receipt key is written); a confirm and an import still write one", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const et = eventType({ requiresConfirmation: true });
    const rules = rulesFor(et);
    const now = Date.parse("2026-11-20T08:00:00Z");
    const plan = async (change: Change, nowMs = now) => {
      const res = planChange(
        await readSnapshot(kv, change, rules, NO_CALENDARS),
        change,
        rules,
        nowMs,
        nextId(),
      );
      assert.ok(res.ok, JSON.stringify(res));
      return res.plan;
    };
    const receipts = (p: Plan) => p.writes.filter((w) => w.key[0] === "commit_receipt").length;
    const b = booking(et, "2026-11-23T14:00:00Z", now);
    const created = await plan({ kind: "create", booking: b });
    assert.equal(created.receipt, undefined);
    assert.equal(receipts(created), 0);
    assert.equal(created.probe.exact, true);
    assert.deepEqual(created.probe.key, ["booking", b.id]);
    assert.equal(
      created.budget.mutations,
      created.writes.length + created.jobs.reduce((n, j) => n + jobMutations(j.payload), 0),
    );
    // Its record tells a lost answer: absent before the write, this booking's once it landed.
    assert.equal(created.probe.landed((await kv.get(["booking", b.id])).value), false);
    assert.ok((await commitPlan(kv, created, now)).ok);
    assert.equal(created.probe.landed((await kv.get(["booking", b.id])).value), true);
    // A confirm changes a record that exists either way: only a receipt tells.
    const confirm = await plan({
      kind: "transition",
      bookingId: b.id,
      action: "confirm",
      by: "host",
    });
    assert.ok(confirm.receipt && confirm.probe.exact === undefined);
    assert.equal(receipts(confirm), 1);
    // An import's id comes from a file: it may be in the store already, so it keeps its receipt.
    const imported = await plan({
      kind: "import",
      booking: booking(et, "2026-11-24T14:00:00Z", now, { email: "i@example.test" }),
    });
    assert.ok(imported.receipt && imported.probe.exact === undefined);
  } finally {
    kv.close();
  }
});

Deno.test("planChange: an extra write rides in the commit, checked absent when asked; present, it is a conflict", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ requiresConfirmation: false });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const extra = [{ key: ["idempotency", "k1"], value: { bookingId: "x" }, expectAbsent: true }];
  const b = booking(et, "2026-11-23T14:00:00Z", now);
  const first = await run(kv, { kind: "create", booking: b, extra }, rules, now);
  assert.ok(first.ok && first.committed);
  assert.equal(first.plan.budget.checks, 2, "the day's fence and the absent key");
  assert.deepEqual((await kv.get(["idempotency", "k1"])).value, { bookingId: "x" });
  const again = booking(et, "2026-11-24T14:00:00Z", now);
  assert.deepEqual(
    await run(kv, { kind: "create", booking: again, extra }, rules, now),
    {
      ok: false,
      reason: "conflict",
    },
  );
  kv.close();
});

Deno.test("planChange: an extra expected at a versionstamp is checked unchanged, not written; changed before the snapshot or before the commit, the change does not land", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ requiresConfirmation: false });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  // A poll's votes revision, read by the pick before the votes it books (services/polls.ts).
  const rev = ["poll_votes_rev", "p1"];
  await kv.set(rev, { v: 1 });
  const read = (await kv.get(rev)).versionstamp;
  const change = (start: string, versionstamp: string | null): Change => ({
    kind: "create",
    booking: booking(et, start, now),
    extra: [{ key: rev, value: null, expectVersionstamp: versionstamp }],
  });
  const first = await run(kv, change("2026-11-23T14:00:00Z", read), rules, now);
  assert.ok(first.ok && first.committed);
  assert.equal(first.plan.budget.checks, 2, "the day's fence and the revision");
  assert.equal((await kv.get(rev)).versionstamp, read, "not written");
  // Changed after the caller read it: refused before it is planned.
  await kv.set(rev, { v: 1, n: 2 });
  assert.deepEqual(await run(kv, change("2026-11-24T14:00:00Z", read), rules, now), {
    ok: false,
    reason: "conflict",
  });
  // Changed between the snapshot and the commit: the commit's check refuses it.
  const now2 = (await kv.get(rev)).versionstamp;
  const late = change("2026-11-24T14:00:00Z", now2);
  const snapshot = await readSnapshot(kv, late, rules, NO_CALENDARS);
  const plan = planChange(snapshot, late, rules, now);
  assert.ok(plan.ok);
  await kv.set(rev, { v: 1, n: 3 });
  assert.equal((await commitPlan(kv, plan.plan, now)).ok, false);
  kv.close();
});

Deno.test("planChange: a read-only extra is read with the snapshot (present: a conflict) but neither checked nor written", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ requiresConfirmation: false });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  // An Idempotency-Key's stored answer beside its commit record (services/idempotency.ts).
  const extra = (id: string) => [
    { key: ["idempotency", id], value: null, expectAbsent: true, readOnly: true },
    { key: ["idempotency_commit", id], value: { id }, expectAbsent: true },
  ];
  const first = await run(
    kv,
    { kind: "create", booking: booking(et, "2026-11-23T14:00:00Z", now), extra: extra("k1") },
    rules,
    now,
  );
  assert.ok(first.ok && first.committed);
  assert.equal(
    first.plan.budget.checks,
    2,
    "the day's fence and the commit record, not the answer",
  );
  assert.ok(!first.plan.checks.some((c) => c.key[0] === "idempotency"));
  assert.equal((await kv.get(["idempotency", "k1"])).versionstamp, null, "nothing written there");
  assert.deepEqual((await kv.get(["idempotency_commit", "k1"])).value, { id: "k1" });
  // An answer stored under a key makes a change under it a conflict before it is planned.
  await kv.set(["idempotency", "k2"], { done: true });
  assert.deepEqual(
    await run(
      kv,
      { kind: "create", booking: booking(et, "2026-11-24T14:00:00Z", now), extra: extra("k2") },
      rules,
      now,
    ),
    { ok: false, reason: "conflict" },
  );
  assert.equal((await kv.get(["idempotency_commit", "k2"])).versionstamp, null);
  kv.close();
});

Deno.test("planChange: an imported pending request across UTC midnight with day and week caps checks 6 keys and queues nothing; history takes no time; the past is not capped; a second import is a conflict", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const et = eventType({ maxPerDay: 1, maxPerWeek: 1 });
    const rules = rulesFor(et);
    const now = Date.parse("2026-11-20T12:00:00Z");
    // 19:30 in New York on Sunday 22 Nov = 00:30Z on Monday: two UTC days, the ISO week's end.
    const pending = booking(et, "2026-11-23T00:30:00Z", now - H, { email: "p@example.test" });
    pending.blockStartMs -= 60 * 60_000;
    const imp = (b: BookingRecord): Change => ({
      kind: "import",
      booking: b,
    });
    const r = await run(kv, imp(pending), rules, now);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(checkedPrefixes(r.plan), [
      "booking",
      "busy_fence",
      "busy_fence",
      "cap_fence",
      "cap_fence",
      "guest_hold_fence",
    ]);
    assert.equal(r.plan.jobs.length, 0, "no mails, calendar writes or webhooks");
    assert.deepEqual(r.carried, { checks: 6, mutations: r.plan.budget.mutations });
    assert.equal(
      (await run(kv, imp(pending), rules, now) as { reason: string }).reason,
      "conflict",
    );

    // The same time again under another id: taken (the cap would refuse too; the time decides).
    const twin = { ...pending, id: nextId() };
    assert.equal((await run(kv, imp(twin), rules, now) as { reason: string }).reason, "slot_taken");

    // Cancelled history checks only its own id and holds no time.
    const cancelled = {
      ...booking(et, "2026-11-23T00:30:00Z", now - H),
      status: "CANCELLED" as const,
    };
    const h = await run(kv, imp(cancelled), rules, now);
    assert.ok(h.ok);
    assert.deepEqual(checkedPrefixes(h.plan), ["booking"]);
    assert.ok(!h.plan.writes.some((w) => w.key[0] === "busy"));

    // Two confirmed meetings in the past on one day of a type capped at one a day: both import.
    const past = (start: string) => ({
      ...booking(eventType({ requiresConfirmation: false }), start, now - 30 * 24 * H),
    });
    for (const start of ["2026-10-01T14:00:00Z", "2026-10-01T16:00:00Z"]) {
      const p = await run(kv, imp(past(start)), rules, now);
      assert.ok(p.ok, JSON.stringify(p));
    }
  } finally {
    kv.close();
  }
});

Deno.test("planChange: a write that would not fit remote KV is refused as too_large, never thrown", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType();
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const b = booking(et, "2026-11-23T14:00:00Z", now);
  const big = [{ key: ["x"], value: "x".repeat(70_000) }];
  assert.deepEqual(
    await run(kv, { kind: "create", booking: b, extra: big }, rules, now),
    { ok: false, reason: "too_large" },
  );
  const many = Array.from(
    { length: 10 },
    (_, i) => ({ key: ["k", i], value: 1, expectAbsent: true }),
  );
  assert.deepEqual(
    await run(kv, { kind: "create", booking: b, extra: many }, rules, now),
    { ok: false, reason: "too_large" },
  );
  kv.close();
});

Deno.test("planChange: a 100-person hold commits checking only its coordinator; its members' time is busy for everyone", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  const et = eventType({ requiresConfirmation: false, maxPerDay: 5, maxPerWeek: 10 });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const persons = Array.from({ length: 100 }, (_, i) => `p${String(i).padStart(3, "0")}`);
  const b: BookingRecord = {
    ...booking(et, "2026-11-23T23:30:00Z", now),
    personIds: persons,
    coordinatorId: "c1",
  };
  const c: CoordinatorRecord = {
    v: 1,
    id: "c1",
    bookingId: b.id,
    state: "holding",
    untilMs: now + TEAM_HOLD_MS,
    personIds: persons,
    eventTypeId: et.id,
    startMs: b.blockStartMs,
    endMs: b.blockEndMs,
    holdUntilMs: null,
  };
  assert.ok((await run(kv, { kind: "open", coordinator: c }, rules, now)).ok);
  for (const personId of persons) {
    const held = await run(kv, { kind: "hold", coordinatorId: "c1", personId }, rules, now);
    assert.ok(held.ok && held.committed);
    assert.deepEqual(checkedPrefixes(held.plan), ["busy_fence", "busy_fence", "coordinator"]);
  }
  const done = await run(
    kv,
    { kind: "commit", coordinatorId: "c1", booking: b },
    rules,
    now,
  );
  assert.ok(done.ok && done.committed, JSON.stringify(done.ok || done.reason));
  assert.deepEqual(checkedPrefixes(done.plan), ["cap_fence", "cap_fence", "coordinator"]);
  assert.ok(done.plan.budget.mutations <= REMOTE_KV_LIMITS.mutations);
  // A member's time is taken for a single booking of theirs.
  const single = booking(et, "2026-11-24T00:00:00Z", now, {
    host: { id: "p042", timeZone: "UTC" },
  });
  assert.deepEqual(await run(kv, { kind: "create", booking: single }, rules, now), {
    ok: false,
    reason: "slot_taken",
  });
  kv.close();
});

Deno.test("planChange: a multi-person hold past its deadline is free only for a write that abandons its coordinator, so the late commit fails", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ requiresConfirmation: false });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const persons = ["pa", "pb"];
  const b: BookingRecord = {
    ...booking(et, "2026-11-23T14:00:00Z", now),
    personIds: persons,
    coordinatorId: "c2",
  };
  const c: CoordinatorRecord = {
    v: 1,
    id: "c2",
    bookingId: b.id,
    state: "holding",
    untilMs: now + TEAM_HOLD_MS,
    personIds: persons,
    eventTypeId: et.id,
    startMs: b.blockStartMs,
    endMs: b.blockEndMs,
    holdUntilMs: null,
  };
  await run(kv, { kind: "open", coordinator: c }, rules, now);
  for (const personId of persons) {
    assert.ok((await run(kv, { kind: "hold", coordinatorId: "c2", personId }, rules, now)).ok);
  }
  const single = booking(et, "2026-11-23T14:00:00Z", now, { host: { id: "pb", timeZone: "UTC" } });
  // Before the deadline the hold blocks, as one still being taken (the runner waits for it).
  assert.deepEqual(await run(kv, { kind: "create", booking: single }, rules, now), {
    ok: false,
    reason: "held",
  });
  // After it, a booking takes the time over: it checks the coordinator and abandons it.
  const after = now + TEAM_HOLD_MS;
  const took = await run(kv, { kind: "create", booking: single }, rules, after);
  assert.ok(took.ok && took.committed);
  assert.deepEqual(checkedPrefixes(took.plan), ["busy_fence", "coordinator"]);
  assert.equal(
    ((await kv.get<CoordinatorRecord>(keys.coordinator("c2"))).value)!.state,
    "abandoned",
  );
  // A commit with a clock that is behind still fails: the coordinator is no longer holding.
  const late = await run(
    kv,
    { kind: "commit", coordinatorId: "c2", booking: b },
    rules,
    now + 1_000,
  );
  assert.deepEqual(late, { ok: false, reason: "expired" });
  kv.close();
});

Deno.test("planChange: a multi-person hold released between the snapshot's reads is free, not a refusal (its coordinator is abandoned for good)", async () => {
  const kv = await Deno.openKv(":memory:");
  const et = eventType({ requiresConfirmation: false });
  const rules = rulesFor(et);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const persons = ["pa", "pb"];
  const b: BookingRecord = {
    ...booking(et, "2026-11-23T14:00:00Z", now),
    personIds: persons,
    coordinatorId: "c3",
  };
  const c: CoordinatorRecord = {
    v: 1,
    id: "c3",
    bookingId: b.id,
    state: "holding",
    untilMs: now + TEAM_HOLD_MS,
    personIds: persons,
    eventTypeId: et.id,
    startMs: b.blockStartMs,
    endMs: b.blockEndMs,
    holdUntilMs: null,
  };
  await run(kv, { kind: "open", coordinator: c }, rules, now);
  assert.ok((await run(kv, { kind: "hold", coordinatorId: "c3", personId: "pa" }, rules, now)).ok);
  // The team booking gives up (another member was taken) while a single booking of pa reads:
  // its busy entries still hold the team's, but by the time it reads the coordinator, the
  // release has landed (entries gone, coordinator abandoned).
  let released = false;
  const racing = new Proxy(kv, {
    get(target, prop) {
      if (prop === "getMany") {
        return async (ks: Deno.KvKey[]) => {
          if (!released && ks.some((k) => k[0] === "coordinator" && k[1] === "c3")) {
            released = true;
            assert.ok((await run(target, { kind: "release", coordinatorId: "c3" }, rules, now)).ok);
          }
          return await target.getMany(ks);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as Deno.Kv;
  const single = booking(et, "2026-11-23T14:00:00Z", now, { host: { id: "pa", timeZone: "UTC" } });
  const res = await run(racing, { kind: "create", booking: single }, rules, now + 1);
  assert.ok(released, "the release landed between the reads");
  assert.ok(res.ok && res.committed, JSON.stringify(res));
  // The team's commit cannot land any more: its coordinator is abandoned.
  const late = await run(
    kv,
    { kind: "commit", coordinatorId: "c3", booking: b },
    rules,
    now + 2,
  );
  assert.deepEqual(late, { ok: false, reason: "expired" });
  kv.close();
});

Deno.test("planChange: a booking with the longest note, answers and labels the forms accept fits one KV value", async () => {
  const kv = await Deno.openKv(":memory:");
  const questions = Array.from({ length: 20 }, (_, i) => ({
    id: `q${String(i).padStart(31, "0")}`,
    label: "問".repeat(200),
    type: "long" as const,
    required: true,
  }));
  const et = eventType({
    title: "題".repeat(100),
    questions,
    location: { kind: "custom", value: "場".repeat(500) },
  });
  const raw = Object.fromEntries(questions.map((q) => [`q_${q.id}`, "答".repeat(2000)]));
  assert.ok(!checkAnswers(questions, raw).ok, "40,000 characters of answers are too many");
  const fits = Object.fromEntries(questions.map((q) => [`q_${q.id}`, "答".repeat(600)]));
  const checked = checkAnswers(questions, fits);
  assert.ok(checked.ok);
  const now = Date.parse("2026-11-20T08:00:00Z");
  const b = {
    ...booking(et, "2026-11-23T14:00:00Z", now),
    guestName: "名".repeat(100),
    guestEmail: `${"m".repeat(240)}@x.test`,
    guestNote: "註".repeat(2000),
    answers: checked.answers,
  };
  const res = await run(kv, { kind: "create", booking: b }, rulesFor(et), now);
  assert.ok(res.ok && res.committed, JSON.stringify(res.ok || res.reason));
  assert.ok(res.plan.budget.largestValueBytes <= REMOTE_KV_LIMITS.valueBytes);
  kv.close();
});

// ── properties ──────────────────────────────────────────────────────────────────────────────

/** Zones from UTC−12 to UTC+14, with half- and quarter-hour offsets and DST. */
const ZONES = [
  "Etc/GMT+12",
  "Pacific/Pago_Pago",
  "Pacific/Marquesas",
  "America/St_Johns",
  "America/New_York",
  "UTC",
  "Europe/Berlin",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Eucla",
  "Australia/Lord_Howe",
  "Australia/Sydney",
  "Pacific/Chatham",
  "Pacific/Kiritimati",
];

const arbConfig = fc.record({
  zone: fc.constantFrom(...ZONES),
  durationMin: fc.integer({ min: 1, max: 144 }).map((n) => n * 5),
  bufferBeforeMin: fc.integer({ min: 0, max: 240 }),
  bufferAfterMin: fc.integer({ min: 0, max: 240 }),
  maxPerDay: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
  maxPerWeek: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
  requiresConfirmation: fc.boolean(),
  /** A second event type of the same host, so blocks of different lengths share days. */
  otherDurationMin: fc.integer({ min: 1, max: 144 }).map((n) => n * 5),
  otherBufferMin: fc.integer({ min: 0, max: 240 }),
  ttlHours: fc.integer({ min: 1, max: 72 }),
  /** Days after 2026-11-01 (years of bookings), and an hour near a UTC day or week boundary. */
  baseDay: fc.integer({ min: 0, max: 5 * 365 }),
  /** Seats per time of the host's seated event type and of the collective seated one (ADR 040). */
  perTime: fc.integer({ min: 2, max: 500 }),
});

const arbOp = fc.record({
  kind: fc.constantFrom(
    "create",
    "create",
    "create",
    "confirm",
    "confirm",
    "reject",
    "cancel",
    "expire",
    "expire",
    "reschedule",
    "host_reschedule",
    "advance",
    "series",
    // Seats (ADR 040): one guest, a crowd filling the time, a seat of a collective time.
    "seat",
    "seat",
    "crowd",
    "team_seat",
    "team_seat",
  ),
  /** A recurring series (issue 25): every 1–4 weeks, 2–52 occurrences. */
  everyWeeks: fc.integer({ min: 1, max: 4 }),
  count: fc.integer({ min: 2, max: 52 }),
  /** A start in quarter hours from the base (up to three weeks later). */
  slot: fc.integer({ min: 0, max: 4 * 24 * 21 }),
  target: fc.nat(),
  guest: fc.integer({ min: 0, max: 4 }),
  advanceMin: fc.integer({ min: 1, max: 4 * 1440 }),
  idempotent: fc.boolean(),
});

const BOUND: Record<string, number> = {
  create: 5,
  transition: 5,
  reschedule: 6,
  hold: 3,
  commit: 4,
  release: 1,
  open: 0,
  series_hold: REMOTE_KV_LIMITS.checks,
  series_commit: 2,
  series_finish: 1,
};

/**
 * A seat's changes (ADR 040): a seat 6 (ledger, days ≤ 2, caps ≤ 2, guest fence), a later seat
 * of a collective time 5, a seat's confirm 6, its move 8, a collective time's first seat (the
 * team commit) 5 — whatever the number of seats.
 */
const SEAT_BOUND: Record<string, number> = {
  seat: 6,
  transition: 6,
  reschedule: 8,
  rebook: 7,
  commit: 5,
};

type PropertyStore = { kv: Deno.Kv; close(): Promise<void> | void };

/** The property of ADR 002, on a store `open` gives each run (local and guarded, or remote). */
function engineProperty(open: () => Promise<PropertyStore>, numRuns: number) {
  return fc.assert(
    fc.asyncProperty(
      arbConfig,
      fc.array(arbOp, { minLength: 1, maxLength: 30 }),
      async (cfg, ops) => {
        const store = await open();
        const kv = store.kv;
        try {
          const host = { id: "h", timeZone: cfg.zone };
          const et = eventType({
            durationMin: cfg.durationMin,
            bufferBeforeMin: cfg.bufferBeforeMin,
            bufferAfterMin: cfg.bufferAfterMin,
            maxPerDay: cfg.maxPerDay,
            maxPerWeek: cfg.maxPerWeek,
            requiresConfirmation: cfg.requiresConfirmation,
          });
          const rules = rulesFor(et, { bookingTtlMs: cfg.ttlHours * H });
          const other = eventType({
            id: "et2",
            durationMin: cfg.otherDurationMin,
            bufferBeforeMin: cfg.otherBufferMin,
            requiresConfirmation: !cfg.requiresConfirmation,
          });
          const otherRules = rulesFor(other, { bookingTtlMs: cfg.ttlHours * H });
          // The host's seated event type, and a collective seated one of the host and "m2".
          const seats = { perTime: cfg.perTime, showAttendees: false, hideCount: false };
          const seated = eventType({
            id: "et3",
            durationMin: cfg.durationMin,
            bufferBeforeMin: cfg.otherBufferMin,
            requiresConfirmation: cfg.requiresConfirmation,
            seats,
          });
          const team = eventType({
            id: "et4",
            teamId: "t1",
            teamMode: "collective",
            durationMin: cfg.otherDurationMin,
            requiresConfirmation: !cfg.requiresConfirmation,
            seats,
          });
          const typeOf: Record<string, EventTypeRecord> = {
            et1: et,
            et2: other,
            et3: seated,
            et4: team,
          };
          const rulesOf: Record<string, EngineRules> = {
            et1: rules,
            et2: otherRules,
            et3: rulesFor(seated, { bookingTtlMs: cfg.ttlHours * H }),
            et4: rulesFor(team, { bookingTtlMs: cfg.ttlHours * H }),
          };
          const members = ["h", "m2"];
          let crowdNo = 0;
          // Sunday 2026-11-01 22:00Z: the first slots cross UTC midnight and the ISO week boundary.
          const base = Date.parse("2026-11-01T22:00:00Z") + cfg.baseDay * 24 * H;
          let now = base - 48 * H;
          const made: BookingRecord[] = [];
          /** Every planned write fits remote KV and carries exactly what it states. */
          const checkPlan = (
            res: Awaited<ReturnType<typeof run>> & { ok: true },
            change: Change,
            idempotent: boolean,
          ) => {
            const p = res.plan;
            // Holds of a multi-person booking that lapsed are taken over in the write that meets
            // them (one check of each such coordinator, ADR 016), up to the remote limit; past it
            // the engine clears the way first (busy.ts orClear). They are outside the per-kind
            // bound, which describes the change's own keys.
            const takeovers = p.checks.filter((c) =>
              c.key[0] === "coordinator" && c.key[1] !== p.coordinator?.id
            ).length;
            const extraChecks = (change.kind === "create" && idempotent ? 1 : 0) + takeovers;
            const bound = p.booking?.seat || p.retired?.seat ? SEAT_BOUND[p.kind] : BOUND[p.kind];
            assert.ok(
              p.budget.checks <= bound + extraChecks,
              `${p.kind}: ${p.budget.checks} checks`,
            );
            assert.ok(p.budget.checks <= REMOTE_KV_LIMITS.checks);
            assert.ok(p.budget.mutations <= REMOTE_KV_LIMITS.mutations);
            assert.ok(p.budget.bytes <= REMOTE_KV_LIMITS.bytes);
            assert.ok(p.budget.largestValueBytes <= REMOTE_KV_LIMITS.valueBytes);
            assert.deepEqual(res.carried, {
              checks: p.budget.checks,
              mutations: p.budget.mutations,
            });
            assert.ok(res.committed, "nothing else writes: the commit lands");
          };
          for (const op of ops) {
            const startMs = base + op.slot * 15 * 60_000;
            // Mostly one of the latest bookings (older ones are often over already).
            const target = made.length
              ? made[made.length - 1 - (op.target % Math.min(made.length, 3))]
              : null;
            let change: Change | null = null;
            if (op.kind === "advance") {
              now += op.advanceMin * 60_000;
              continue;
            }
            const useOther = op.guest % 2 === 1;
            if (op.kind === "series") {
              const WORST_SKIPPED = Array.from(
                { length: 51 },
                (_, i) => startMs + (i + 53) * 7 * 86_400_000,
              );
              // The service's protocol (services/book-series.ts): every write checked below.
              const seriesId = nextId();
              const occ = seriesStarts(startMs, cfg.zone, op).map((ms, index) => ({
                ...newBookingRecord(
                  {
                    id: nextId(),
                    tokenSalt: "s",
                    host,
                    eventType: et,
                    startMs: ms,
                    durationMin: et.durationMin,
                    name: "G",
                    email: `g${op.guest}@x.test`,
                    note: "",
                    guestTimeZone: "UTC",
                    by: "guest",
                  },
                  now,
                  rules.bookingTtlMs,
                ),
                // Every date carries the most skipped starts a series can have (51 of 52, ADR
                // 048): the largest records a finish write can hold.
                series: { id: seriesId, index, count: op.count, skipped: WORST_SKIPPED },
              }));
              const coordinator: CoordinatorRecord = {
                v: 1,
                id: nextId(),
                bookingId: occ[0].id,
                state: "holding",
                untilMs: now + SERIES_HOLD_MS,
                personIds: [host.id],
                eventTypeId: et.id,
                startMs: occ[0].blockStartMs,
                endMs: occ[0].blockEndMs,
                holdUntilMs: null,
                series: {
                  bookingIds: occ.map((b) => b.id),
                  starts: occ.map((b) => b.startMs),
                  blocks: occ.map((b) => ({ startMs: b.blockStartMs, endMs: b.blockEndMs })),
                  timeZone: cfg.zone,
                  held: 0,
                  done: 0,
                },
              };
              const id = coordinator.id;
              const step = async (c: Change) => {
                const res = await run(kv, c, rules, now);
                if (res.ok) checkPlan(res, c, false);
                else assert.notEqual(res.reason, "too_large", `${c.kind} did not fit`);
                return res;
              };
              await step({ kind: "open", coordinator });
              let held = 0;
              let failed = false;
              while (held < occ.length && !failed) {
                const r = await step({
                  kind: "series_hold",
                  coordinatorId: id,
                  bookings: occ.slice(held),
                });
                if (r.ok) held = r.plan.coordinator!.series!.held;
                else failed = true;
              }
              if (!failed) {
                failed = !(await step({ kind: "series_commit", coordinatorId: id, first: occ[0] }))
                  .ok;
              }
              if (failed) {
                await step({ kind: "release", coordinatorId: id });
                continue;
              }
              for (let done = 0; done < occ.length;) {
                const r = await step({
                  kind: "series_finish",
                  coordinatorId: id,
                  bookings: occ.slice(done),
                  first: occ[0],
                });
                assert.ok(r.ok);
                done = r.plan.coordinator!.series!.done;
              }
              made.push(...occ);
              continue;
            }
            if (op.kind === "seat" || op.kind === "crowd") {
              // A crowd: as many new guests as the time has seats, and two more.
              const n = op.kind === "crowd" ? cfg.perTime + 2 : 1;
              const seatStart = base + (op.slot % 8) * 30 * 60_000;
              for (let i = 0; i < n; i++) {
                const email = op.kind === "crowd"
                  ? `${"m".repeat(200)}${crowdNo++}@x.test`
                  : `g${op.guest}@x.test`;
                const b = newBookingRecord(
                  {
                    id: nextId(),
                    tokenSalt: "s",
                    host,
                    eventType: seated,
                    startMs: seatStart,
                    durationMin: seated.durationMin,
                    name: "G",
                    email,
                    note: "",
                    guestTimeZone: "UTC",
                    by: "guest",
                  },
                  now,
                  rules.bookingTtlMs,
                );
                const c: Change = {
                  kind: "seat",
                  booking: b,
                  perTime: cfg.perTime,
                  meetingId: nextId(),
                };
                const res = await run(kv, c, rulesOf.et3, now);
                if (!res.ok) {
                  assert.notEqual(res.reason, "too_large", `seat did not fit`);
                  continue;
                }
                checkPlan(res, c, false);
                made.push(res.plan.booking!);
              }
              continue;
            }
            if (op.kind === "team_seat") {
              // A seat of a collective seated time (services/team-seats.ts): the first takes
              // every member's time by the team protocol, later ones join by the ledger.
              const seatStart = base + (op.slot % 8) * 30 * 60_000;
              const r = rulesOf.et4;
              const b: BookingRecord = {
                ...newBookingRecord(
                  {
                    id: nextId(),
                    tokenSalt: "s",
                    host,
                    eventType: team,
                    startMs: seatStart,
                    durationMin: team.durationMin,
                    name: "G",
                    email: `t${op.guest}@x.test`,
                    note: "",
                    guestTimeZone: "UTC",
                    by: "guest",
                    teamId: "t1",
                  },
                  now,
                  rules.bookingTtlMs,
                ),
                personIds: members,
              };
              const step = async (c: Change) => {
                const res = await run(kv, c, r, now);
                if (res.ok) checkPlan(res, c, false);
                else assert.notEqual(res.reason, "too_large", `${c.kind} did not fit`);
                return res;
              };
              const ledger = (await kv.get<SeatLedgerRecord>(keys.seatLedger(team.id, seatStart)))
                .value;
              if (ledger?.coordinatorId && liveSeats(ledger, now).length > 0) {
                const res = await step({
                  kind: "seat",
                  booking: b,
                  perTime: cfg.perTime,
                  meetingId: ledger.meetingId,
                  coordinatorId: ledger.coordinatorId,
                });
                if (res.ok) made.push(res.plan.booking!);
                continue;
              }
              const coordinatorId = nextId();
              const coordinator: CoordinatorRecord = {
                v: 1,
                id: coordinatorId,
                bookingId: b.id,
                state: "holding",
                untilMs: now + TEAM_HOLD_MS,
                personIds: members,
                eventTypeId: team.id,
                startMs: b.blockStartMs,
                endMs: b.blockEndMs,
                holdUntilMs: null,
              };
              await step({ kind: "open", coordinator });
              let held = true;
              for (const personId of members) {
                if (held) held = (await step({ kind: "hold", coordinatorId, personId })).ok;
              }
              const res = held
                ? await step({
                  kind: "commit",
                  coordinatorId,
                  booking: { ...b, coordinatorId },
                  seat: { perTime: cfg.perTime },
                })
                : null;
              if (res?.ok) made.push(res.plan.booking!);
              else await step({ kind: "release", coordinatorId });
              continue;
            }
            if (op.kind === "create") {
              const b = {
                ...newBookingRecord(
                  {
                    id: nextId(),
                    tokenSalt: "s",
                    host,
                    eventType: useOther ? other : et,
                    startMs,
                    durationMin: useOther ? other.durationMin : et.durationMin,
                    name: "G",
                    email: `g${op.guest}@x.test`,
                    note: "",
                    guestTimeZone: "UTC",
                    by: "guest",
                  },
                  now,
                  rules.bookingTtlMs,
                ),
              };
              change = {
                kind: "create",
                booking: b,
                // As an API booking carries them: its key's stored answer read only, its commit
                // record checked absent and written (services/idempotency.ts).
                extra: op.idempotent
                  ? [
                    { key: ["idem_kept", b.id], value: null, expectAbsent: true, readOnly: true },
                    { key: ["idem", b.id], value: b.id, expectAbsent: true, expireInMs: H },
                  ]
                  : undefined,
              };
            } else if (!target) continue;
            else if (op.kind === "reschedule" || op.kind === "host_reschedule") {
              const byHost = op.kind === "host_reschedule";
              const ofTarget = typeOf[target.eventTypeId];
              change = {
                kind: "reschedule",
                bookingId: target.id,
                by: byHost ? "host" : "guest",
                successor: {
                  id: nextId(),
                  tokenSalt: "s",
                  host,
                  eventType: byHost ? { ...ofTarget, requiresConfirmation: false } : ofTarget,
                  startMs,
                  durationMin: ofTarget.durationMin,
                },
                enforceCutoff: !byHost,
              };
            } else {
              // The expiry job runs once the hold is over.
              const cur = (await kv.get<BookingRecord>(keys.booking(target.id))).value!;
              if (op.kind === "expire" && cur.reservedUntilMs) {
                now = Math.max(
                  now,
                  cur.reservedUntilMs,
                );
              }
              change = {
                kind: "transition",
                bookingId: target.id,
                action: op.kind as "confirm" | "reject" | "cancel" | "expire",
                by: op.kind === "expire" ? "system" : "host",
              };
            }
            // The rules of the booking's own event type (caps, cutoff).
            const ofChange = change.kind === "create"
              ? change.booking.eventTypeId
              : made.find((b) => "bookingId" in change! && b.id === change.bookingId)
                ?.eventTypeId;
            const res = await run(kv, change, rulesOf[ofChange ?? "et1"], now);
            if (!res.ok) {
              assert.notEqual(res.reason, "too_large", `${op.kind} did not fit`);
              continue;
            }
            checkPlan(res, change, op.idempotent);
            const p = res.plan;
            if (p.booking && !made.some((b) => b.id === p.booking!.id)) made.push(p.booking);
          }
          // The invariant, from the booking records: live bookings never overlap; caps hold.
          const all: BookingRecord[] = [];
          for await (const e of kv.list<BookingRecord>({ prefix: keys.bookingPrefix() })) {
            all.push(e.value);
          }
          const live = all.filter((b) =>
            b.status === "CONFIRMED" || (b.status === "PENDING" && b.reservedUntilMs! > now)
          );
          // The seats of one time are one meeting (ADR 040): one block, never more seats than
          // offered, one seat per guest, and its ledger lists exactly them.
          const meetings = new Map<string, BookingRecord[]>();
          for (const b of live.filter((x) => x.seat)) {
            meetings.set(b.seat!.meetingId, [...(meetings.get(b.seat!.meetingId) ?? []), b]);
          }
          for (const [id, seatsOf] of meetings) {
            assert.ok(seatsOf.length <= cfg.perTime, `${seatsOf.length} seats of ${cfg.perTime}`);
            const one = seatsOf[0];
            assert.ok(
              seatsOf.every((x) =>
                x.startMs === one.startMs && x.blockStartMs === one.blockStartMs &&
                x.blockEndMs === one.blockEndMs
              ),
              `meeting ${id} has one time`,
            );
            assert.equal(new Set(seatsOf.map((x) => x.guestEmail)).size, seatsOf.length);
            const ledger =
              (await kv.get<SeatLedgerRecord>(keys.seatLedger(one.eventTypeId, one.startMs)))
                .value;
            assert.deepEqual(
              new Set(liveSeats(ledger, now).map((x) => x.id)),
              new Set(seatsOf.map((x) => x.id)),
              `meeting ${id}: the ledger lists exactly the live seats`,
            );
          }
          // One meeting or one booking at a time (a meeting counts once); the host's is everyone's
          // (the collective's other member has only collective meetings).
          const blocks = [
            ...[...meetings.values()].map((m) => m[0]),
            ...live.filter((b) => !b.seat),
          ];
          for (let i = 0; i < blocks.length; i++) {
            for (let j = i + 1; j < blocks.length; j++) {
              const a = { startMs: blocks[i].blockStartMs, endMs: blocks[i].blockEndMs };
              const b = { startMs: blocks[j].blockStartMs, endMs: blocks[j].blockEndMs };
              assert.ok(!overlaps(a, b), `${blocks[i].id} overlaps ${blocks[j].id}`);
            }
          }
          for (
            const [period, limit] of [["day", cfg.maxPerDay], ["week", cfg.maxPerWeek]] as const
          ) {
            if (limit === null) continue;
            const counts = new Map<string, number>();
            for (const b of live.filter((x) => x.eventTypeId === et.id)) {
              const k = capPeriods(b.startMs, cfg.zone)[period];
              counts.set(k, (counts.get(k) ?? 0) + 1);
            }
            for (const [k, n] of counts) {
              assert.ok(
                n <= limit,
                `${n} live bookings in ${period} ${k}`,
              );
            }
          }
          // Every live booking's time is on each UTC day it touches, for everyone it concerns (a
          // seat's as its meeting's).
          for (const b of live) {
            for (const personId of b.personIds ?? ["h"]) {
              for (const d of utcDaysTouched(b.blockStartMs, b.blockEndMs)) {
                const id = b.seat?.meetingId ?? b.id;
                const e = await kv.get(keys.busy(personId, d, b.blockStartMs, id));
                assert.ok(e.value, `${b.id} missing on ${d} for ${personId}`);
              }
            }
          }
        } finally {
          await store.close();
        }
      },
    ),
    { numRuns },
  );
}

Deno.test("planChange (property): over random configurations and change sequences, every planned write fits remote KV, states exactly what its commit carries, and no two live bookings overlap", async () => {
  await engineProperty(async () => {
    const kv = guardKv(await Deno.openKv(":memory:"));
    return { kv, close: () => kv.close() };
  }, 120);
});

Deno.test({
  name:
    "planChange (property), committed through Deno's remote client to the KV Connect test server: the server, with denokv's limits, accepts every planned write",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await engineProperty(async () => {
      const server = await startKvConnect();
      Deno.env.set("DENO_KV_ACCESS_TOKEN", server.token);
      const kv = await Deno.openKv(server.url);
      return {
        kv,
        close: async () => {
          kv.close();
          const refused = server.stats().refused;
          await server.close();
          assert.deepEqual(refused, [], "the server refused nothing");
        },
      };
    }, 12);
  },
});
