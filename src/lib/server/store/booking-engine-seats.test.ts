/**
 * planChange for seats (domain/booking-engine/seat.ts): over random seat numbers up to 500 and
 * random sequences of seats taken, confirmed, rejected, cancelled and expired beside the host's
 * other bookings, every planned write fits remote KV and states exactly what its commit carries;
 * a time never has more live seats than it offers, the ledger lists exactly the live seats, the
 * host's busy entries of every meeting are exactly what its ledger says (one entry per seated
 * time, its hold the seats' — also after the host changed the length or buffers), and the host's
 * time holds one meeting or one booking at a time.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Change,
  type EngineRules,
  planChange,
  type PlanResult,
} from "../domain/booking-engine/index.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { overlaps } from "../domain/interval.ts";
import { REMOTE_KV_LIMITS } from "../domain/kv-budget.ts";
import { liveSeats, meetingHold, seatOf } from "../domain/seats.ts";
import { busyKeys } from "../domain/booking-engine/index.ts";
import { commitPlan } from "./booking-commit.ts";
import { type CalendarReader, readSnapshot } from "./booking-snapshot.ts";
import { keyOf, keys } from "./keys.ts";
import type {
  BookingRecord,
  BusyEntryRecord,
  EventTypeRecord,
  SeatLedgerRecord,
} from "../domain/model/records.ts";
import { guardKv } from "../../../../tests/support/kv-guard.ts";

const NO_CALENDARS: CalendarReader = () => Promise.resolve({ busy: [], unknown: [] });
const H = 3_600_000;

function eventType(o: Partial<EventTypeRecord> = {}): EventTypeRecord {
  return {
    v: 1,
    id: "et1",
    userId: "h",
    slug: "class",
    title: "Class",
    description: "",
    durationMin: 60,
    requiresConfirmation: false,
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

function rulesFor(et: EventTypeRecord, ttlMs = 24 * H): EngineRules {
  return {
    bookingTtlMs: ttlMs,
    maxPendingPerGuest: 3,
    eventType: {
      id: et.id,
      maxPerDay: et.maxPerDay ?? null,
      maxPerWeek: et.maxPerWeek ?? null,
      cancelCutoffHours: et.cancelCutoffHours ?? null,
    },
    calendarHost: "invito.test",
  };
}

let seq = 0;
const nextId = () => `01K${String(seq++).padStart(23, "0")}`;

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

/**
 * Seat: ledger 1 + host days ≤ 2 + capped periods ≤ 2 + guest fence 1; a seat's confirm 1 + 2 + 2
 * + booking 1; a move: booking 1 + two ledgers + 2 + 2 + 1; a pick after "request reschedule":
 * booking 1 + ledger 1 + 2 + 2 + 1 — all within remote KV's ten, whatever the number of seats.
 */
const BOUND: Record<string, number> = {
  seat: 6,
  transition: 6,
  create: 5,
  reschedule: 8,
  rebook: 7,
};

const arbConfig = fc.record({
  perTime: fc.integer({ min: 2, max: 500 }),
  zone: fc.constantFrom("UTC", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"),
  durationMin: fc.integer({ min: 1, max: 144 }).map((n) => n * 5),
  bufferMin: fc.integer({ min: 0, max: 240 }),
  maxPerDay: fc.option(fc.integer({ min: 2, max: 600 }), { nil: null }),
  requiresConfirmation: fc.boolean(),
  ttlHours: fc.integer({ min: 1, max: 72 }),
  baseDay: fc.integer({ min: 0, max: 3 * 365 }),
});

const arbOp = fc.record({
  kind: fc.constantFrom(
    "seat",
    "seat",
    "seat",
    "crowd",
    "confirm",
    "confirm",
    "reject",
    "cancel",
    "move",
    "move",
    "ask",
    "expire",
    "single",
    "advance",
    "reshape",
  ),
  /** One of three seated times (the first two overlap), or a single booking near them. */
  time: fc.integer({ min: 0, max: 2 }),
  slot: fc.integer({ min: -8, max: 8 }),
  target: fc.nat(),
  guest: fc.integer({ min: 0, max: 40 }),
  advanceMin: fc.integer({ min: 1, max: 3 * 1440 }),
  /** The host's new length and buffer before (a reshape). */
  shape: fc.record({
    durationMin: fc.integer({ min: 1, max: 144 }).map((n) => n * 5),
    bufferMin: fc.integer({ min: 0, max: 240 }),
  }),
});

type Config = typeof arbConfig extends fc.Arbitrary<infer T> ? T : never;
type Op = typeof arbOp extends fc.Arbitrary<infer T> ? T : never;

async function check(cfg: Config, ops: Op[]) {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const host = { id: "h", timeZone: cfg.zone };
    let et = eventType({
      durationMin: cfg.durationMin,
      bufferBeforeMin: cfg.bufferMin,
      maxPerDay: cfg.maxPerDay,
      requiresConfirmation: cfg.requiresConfirmation,
      seats: { perTime: cfg.perTime, showAttendees: false, hideCount: false },
    });
    const single = eventType({ id: "et2", slug: "call", durationMin: 30 });
    const rules = rulesFor(et, cfg.ttlHours * H);
    const singleRules = rulesFor(single, cfg.ttlHours * H);
    // Near UTC midnight so that meetings cross a UTC day.
    const base = Date.parse("2026-11-01T23:00:00Z") + cfg.baseDay * 24 * H;
    const times = [base, base + 30 * 60_000, base + 26 * H];
    let now = base - 48 * H;
    let guestNo = 0;
    const made: BookingRecord[] = [];
    const newBooking = (eType: EventTypeRecord, startMs: number, email: string, ttl: number) =>
      newBookingRecord(
        {
          id: nextId(),
          tokenSalt: "s",
          host,
          eventType: eType,
          startMs,
          durationMin: eType.durationMin,
          name: "G",
          email,
          note: "",
          guestTimeZone: "UTC",
          by: "guest",
        },
        now,
        ttl,
      );
    const apply = async (change: Change, r: EngineRules) => {
      const res = await run(kv, change, r, now);
      if (!res.ok) {
        assert.notEqual(res.reason, "too_large", `${change.kind} did not fit`);
        return;
      }
      const p = res.plan;
      assert.ok(p.budget.checks <= BOUND[p.kind], `${p.kind}: ${p.budget.checks} checks`);
      assert.ok(p.budget.checks <= REMOTE_KV_LIMITS.checks);
      assert.ok(p.budget.mutations <= REMOTE_KV_LIMITS.mutations);
      assert.ok(p.budget.bytes <= REMOTE_KV_LIMITS.bytes);
      assert.ok(p.budget.largestValueBytes <= REMOTE_KV_LIMITS.valueBytes);
      assert.deepEqual(res.carried, { checks: p.budget.checks, mutations: p.budget.mutations });
      assert.ok(res.committed, "nothing else writes: the commit lands");
      if (p.booking && !made.some((b) => b.id === p.booking!.id)) made.push(p.booking);
    };
    /** After every change: the host's meeting entries follow the ledgers. */
    const entriesFollowLedgers = async () => {
      // The host's meeting entries follow the ledgers: every seated entry is its ledger's, on the
      // keys the ledger derives, with the hold its seats give; a ledger whose seats still hold has
      // them all. (A ledger whose seats all lapsed may have lost them to a booking that took the
      // time over; the expiry of its last seat removes the ledger.)
      const ledgers = new Map<string, SeatLedgerRecord>();
      for await (const e of kv.list<SeatLedgerRecord>({ prefix: keys.seatLedgerPrefix(et.id) })) {
        ledgers.set(e.value.meetingId, e.value);
      }
      const seated = new Map<string, { key: Deno.KvKey; value: BusyEntryRecord }[]>();
      for await (const e of kv.list<BusyEntryRecord>({ prefix: keys.busyPrefix("h") })) {
        if (!e.value.seated) continue;
        const list = seated.get(e.value.bookingId) ?? [];
        list.push({ key: e.key, value: e.value });
        seated.set(e.value.bookingId, list);
      }
      for (const [meetingId, entries] of seated) {
        const ledger = ledgers.get(meetingId);
        assert.ok(ledger, `meeting ${meetingId}: busy entries without a ledger`);
        const want = busyKeys("h", {
          startMs: ledger.blockStartMs,
          endMs: ledger.blockEndMs,
          bookingId: meetingId,
        }).map((k) => JSON.stringify(keyOf(k)));
        for (const e of entries) {
          assert.ok(want.includes(JSON.stringify(e.key)), `meeting ${meetingId}: a stray entry`);
          assert.equal(e.value.startMs, ledger.blockStartMs);
          assert.equal(e.value.endMs, ledger.blockEndMs);
          assert.equal(
            e.value.holdUntilMs,
            meetingHold(ledger.seats.map(seatOf)),
            `meeting ${meetingId}: the entry's hold is its seats'`,
          );
        }
      }
      for (const [meetingId, ledger] of ledgers) {
        const hold = meetingHold(ledger.seats.map(seatOf));
        if (hold !== null && hold !== undefined && hold <= now) continue;
        assert.equal(
          seated.get(meetingId)?.length,
          busyKeys("h", { startMs: ledger.blockStartMs, endMs: ledger.blockEndMs, bookingId: "" })
            .length,
          `meeting ${meetingId}: a ledger with live seats has its entries`,
        );
      }
    };
    const step = async (op: Op) => {
      if (op.kind === "advance") {
        now += op.advanceMin * 60_000;
        return;
      }
      if (op.kind === "reshape") {
        // The host changes the length and buffers: later seats and moves take the new shape.
        et = { ...et, durationMin: op.shape.durationMin, bufferBeforeMin: op.shape.bufferMin };
        return;
      }
      if (op.kind === "seat" || op.kind === "crowd") {
        // A crowd: as many new guests as the time has seats, and a few more.
        const n = op.kind === "crowd" ? cfg.perTime + 3 : 1;
        for (let i = 0; i < n; i++) {
          const email = op.kind === "crowd" || op.guest > 30
            ? `${"m".repeat(200)}${guestNo++}@x.test`
            : `g${op.guest}@x.test`;
          const b = newBooking(et, times[op.time], email, rules.bookingTtlMs);
          await apply({
            kind: "seat",
            booking: b,
            perTime: cfg.perTime,
            meetingId: nextId(),
          }, rules);
        }
        return;
      }
      if (op.kind === "single") {
        const b = newBooking(
          single,
          times[op.time] + op.slot * 15 * 60_000,
          `s${op.guest}@x.test`,
          singleRules.bookingTtlMs,
        );
        await apply({ kind: "create", booking: b }, singleRules);
        return;
      }
      const seats = made.filter((b) => b.seat);
      if (!seats.length) return;
      const target = seats[seats.length - 1 - (op.target % Math.min(seats.length, 5))];
      if (op.kind === "ask") {
        // "Request reschedule": the host cancels the seat asking for a new time; the guest's
        // pick takes a seat of the time they choose (seat.ts planSeatRebook).
        await apply({
          kind: "transition",
          bookingId: target.id,
          action: "cancel",
          by: "host",
          requestNewTime: true,
        }, rules);
        await apply({
          kind: "rebook",
          bookingId: target.id,
          by: "guest",
          successor: {
            id: nextId(),
            tokenSalt: "s",
            host,
            eventType: et,
            startMs: times[op.time],
            durationMin: et.durationMin,
          },
        }, rules);
        return;
      }
      if (op.kind === "move") {
        await apply({
          kind: "reschedule",
          bookingId: target.id,
          by: "guest",
          successor: {
            id: nextId(),
            tokenSalt: "s",
            host,
            eventType: et,
            startMs: times[op.time],
            durationMin: et.durationMin,
          },
          enforceCutoff: false,
        }, rules);
        return;
      }
      const cur = (await kv.get<BookingRecord>(keys.booking(target.id))).value!;
      if (op.kind === "expire" && cur.reservedUntilMs) now = Math.max(now, cur.reservedUntilMs);
      await apply({
        kind: "transition",
        bookingId: target.id,
        action: op.kind as "confirm" | "reject" | "cancel" | "expire",
        by: op.kind === "expire" ? "system" : "host",
      }, rules);
    };
    for (const op of ops) {
      await step(op);
      await entriesFollowLedgers();
    }
    // The invariants, from the records.
    const all: BookingRecord[] = [];
    for await (const e of kv.list<BookingRecord>({ prefix: keys.bookingPrefix() })) {
      all.push(e.value);
    }
    const live = all.filter((b) =>
      b.status === "CONFIRMED" || (b.status === "PENDING" && b.reservedUntilMs! > now)
    );
    const meetings = new Map<string, BookingRecord[]>();
    for (const b of live.filter((x) => x.seat)) {
      const list = meetings.get(b.seat!.meetingId) ?? [];
      list.push(b);
      meetings.set(b.seat!.meetingId, list);
    }
    for (const [id, seated] of meetings) {
      assert.ok(seated.length <= cfg.perTime, `${seated.length} seats of ${cfg.perTime}`);
      assert.equal(new Set(seated.map((b) => b.startMs)).size, 1, `meeting ${id} has one time`);
      assert.equal(
        new Set(seated.map((b) => b.guestEmail.toLowerCase())).size,
        seated.length,
        "one seat per guest",
      );
      const ledger =
        (await kv.get<SeatLedgerRecord>(keys.seatLedger(et.id, seated[0].startMs))).value;
      assert.deepEqual(
        new Set(liveSeats(ledger, now).map((x) => x.id)),
        new Set(seated.map((b) => b.id)),
        "the ledger lists exactly the live seats",
      );
    }
    // One meeting or one booking at a time: a meeting counts once.
    const blocks = [
      ...[...meetings.values()].map((s) => ({
        id: s[0].seat!.meetingId,
        startMs: s[0].blockStartMs,
        endMs: s[0].blockEndMs,
      })),
      ...live.filter((b) => !b.seat).map((b) => ({
        id: b.id,
        startMs: b.blockStartMs,
        endMs: b.blockEndMs,
      })),
    ];
    for (let i = 0; i < blocks.length; i++) {
      for (let j = i + 1; j < blocks.length; j++) {
        assert.ok(!overlaps(blocks[i], blocks[j]), `${blocks[i].id} overlaps ${blocks[j].id}`);
      }
    }
  } finally {
    kv.close();
  }
}

Deno.test("planChange (property, seats): seats up to 500 per time, taken, decided, cancelled and expired beside single bookings — every write fits remote KV and carries what it states; a time never passes its seats; one meeting or booking at a time", async () => {
  await fc.assert(
    fc.asyncProperty(arbConfig, fc.array(arbOp, { minLength: 1, maxLength: 25 }), check),
    { numRuns: 60 },
  );
});

const op = (kind: Op["kind"], o: Partial<Op> = {}): Op => ({
  kind,
  time: 0,
  slot: 0,
  target: 0,
  guest: 0,
  advanceMin: 1,
  shape: { durationMin: 60, bufferMin: 0 },
  ...o,
});
const pendingConfig: Config = {
  perTime: 3,
  zone: "UTC",
  durationMin: 60,
  bufferMin: 0,
  maxPerDay: null,
  requiresConfirmation: true,
  ttlHours: 24,
  baseDay: 3,
};

Deno.test("planChange (seats): a firm seat's cancel leaves the meeting held only by the pending seat's hold; the entries follow the ledger at every step", async () => {
  await check(pendingConfig, [
    op("seat", { guest: 1 }),
    op("seat", { guest: 2 }),
    op("confirm", { target: 1 }),
    op("cancel", { target: 1 }),
    op("single", { slot: 1 }),
    op("advance", { advanceMin: 25 * 60 }),
    op("single", { slot: 1, guest: 3 }),
  ]);
});

Deno.test("planChange (seats): a firm seat moved away leaves its old meeting held only by the pending seat left there", async () => {
  await check(pendingConfig, [
    op("seat", { guest: 1 }),
    op("seat", { guest: 2 }),
    op("confirm", { target: 1 }),
    op("move", { target: 1, time: 2 }),
  ]);
});

Deno.test("planChange (seats): the host changes the buffers while the only seats left have lapsed; the new meeting replaces the old one's entries", async () => {
  await check(pendingConfig, [
    op("seat", { guest: 1 }),
    op("seat", { guest: 2 }),
    op("confirm", { target: 1 }),
    op("cancel", { target: 1 }),
    op("advance", { advanceMin: 25 * 60 }),
    op("reshape", { shape: { durationMin: 90, bufferMin: 30 } }),
    op("seat", { guest: 3 }),
    op("cancel", { target: 0 }),
  ]);
});

Deno.test("planChange (seats): 500 guests with the longest addresses fill a 500-seat time across UTC midnight with day caps; the 501st is refused; every write fits", async () => {
  await check(
    {
      perTime: 500,
      zone: "Pacific/Chatham",
      durationMin: 720,
      bufferMin: 240,
      maxPerDay: 600,
      requiresConfirmation: true,
      ttlHours: 72,
      baseDay: 30,
    },
    [{
      kind: "crowd",
      time: 0,
      slot: 0,
      target: 0,
      guest: 0,
      advanceMin: 1,
      shape: { durationMin: 720, bufferMin: 240 },
    }],
  );
});
