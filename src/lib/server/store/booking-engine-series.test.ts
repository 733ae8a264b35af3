/**
 * planChange for recurring series (domain/booking-engine/series.ts): the protocol's writes each
 * fit remote KV whatever the series' length, a conflict anywhere refuses the whole series and
 * its release leaves nothing, holds left by a crash stop blocking at their deadline, and a
 * committed series is finished exactly once.
 */
import assert from "node:assert/strict";
import { capPeriods } from "../domain/event-rules.ts";
import {
  type Change,
  type EngineRules,
  type Plan,
  planChange,
  type PlanResult,
  SERIES_COMMIT_MARGIN_MS,
  SERIES_HOLD_MS,
} from "../domain/booking-engine/index.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { REMOTE_KV_LIMITS } from "../domain/kv-budget.ts";
import { seriesStarts } from "../domain/series.ts";
import { Temporal } from "../domain/temporal.ts";
import { commitPlan } from "./booking-commit.ts";
import { type CalendarReader, readSnapshot } from "./booking-snapshot.ts";
import { keys } from "./keys.ts";
import type {
  BookingRecord,
  CoordinatorRecord,
  EventTypeRecord,
  OutboxRecord,
} from "../domain/model/records.ts";
import { guardKv } from "../../../../tests/support/kv-guard.ts";

const NO_CALENDARS: CalendarReader = () => Promise.resolve({ busy: [], unknown: [] });
const H = 3_600_000;
const HOST = { id: "host1", timeZone: "America/New_York" };
const NOW = Date.parse("2026-01-05T12:00:00Z");

function eventType(o: Partial<EventTypeRecord> = {}): EventTypeRecord {
  return {
    v: 1,
    id: "et1",
    userId: HOST.id,
    slug: "coaching",
    title: "Coaching",
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
    reminders: [
      { minutesBefore: 1440, toHost: true },
      { minutesBefore: 60, toHost: true },
      { minutesBefore: 10, toHost: false },
    ],
    ...o,
  };
}

function rulesFor(et: EventTypeRecord): EngineRules {
  return {
    bookingTtlMs: 24 * H,
    maxPendingPerGuest: 3,
    eventType: {
      id: et.id,
      maxPerDay: et.maxPerDay ?? null,
      maxPerWeek: et.maxPerWeek ?? null,
      cancelCutoffHours: null,
    },
    calendarHost: "invito.test",
  };
}

let seq = 0;
const nextId = () => `01K${String(seq++).padStart(23, "0")}`;

function single(et: EventTypeRecord, startMs: number, nowMs: number, email = "other@x.test") {
  return newBookingRecord(
    {
      id: nextId(),
      tokenSalt: "s",
      host: HOST,
      eventType: et,
      startMs,
      durationMin: et.durationMin,
      name: "Other",
      email,
      note: "",
      guestTimeZone: "UTC",
      by: "guest",
    },
    nowMs,
    24 * H,
  );
}

/** A series' occurrences as the service builds them (every `everyWeeks` weeks from `firstIso`). */
function occurrences(
  et: EventTypeRecord,
  firstIso: string,
  count: number,
  everyWeeks = 1,
  nowMs = NOW,
): BookingRecord[] {
  const seriesId = nextId();
  return seriesStarts(Date.parse(firstIso), HOST.timeZone, { everyWeeks, count }).map((
    startMs,
    index,
  ) => ({
    ...single(et, startMs, nowMs, "guest@x.test"),
    guestName: "Guest",
    series: { id: seriesId, index, count },
  }));
}

function coordinatorOf(bookings: BookingRecord[], et: EventTypeRecord, nowMs: number) {
  return {
    v: 1,
    id: nextId(),
    bookingId: bookings[0].id,
    state: "holding",
    untilMs: nowMs + SERIES_HOLD_MS,
    personIds: [HOST.id],
    eventTypeId: et.id,
    startMs: bookings[0].blockStartMs,
    endMs: bookings[0].blockEndMs,
    holdUntilMs: null,
    series: {
      bookingIds: bookings.map((b) => b.id),
      starts: bookings.map((b) => b.startMs),
      blocks: bookings.map((b) => ({ startMs: b.blockStartMs, endMs: b.blockEndMs })),
      timeZone: HOST.timeZone,
      held: 0,
      done: 0,
    },
  } satisfies CoordinatorRecord;
}

const plans: Plan[] = [];

async function run(kv: Deno.Kv, change: Change, rules: EngineRules, nowMs: number) {
  const snapshot = await readSnapshot(kv, change, rules, NO_CALENDARS);
  const res: PlanResult = planChange(snapshot, change, rules, nowMs, crypto.randomUUID());
  if (!res.ok) return res;
  const p = res.plan;
  assert.ok(p.budget.checks <= REMOTE_KV_LIMITS.checks, `${p.kind}: ${p.budget.checks} checks`);
  assert.ok(p.budget.mutations <= REMOTE_KV_LIMITS.mutations, `${p.kind}: mutations`);
  assert.ok(p.budget.bytes <= REMOTE_KV_LIMITS.bytes, `${p.kind}: bytes`);
  assert.ok(p.budget.largestValueBytes <= REMOTE_KV_LIMITS.valueBytes, `${p.kind}: value`);
  plans.push(p);
  const out = await commitPlan(kv, p, nowMs);
  assert.ok(out.ok, `${p.kind} landed`);
  return res;
}

type Stop = "after_holds" | "after_commit" | null;

/** The service's protocol (services/book-series.ts), on the store alone. */
async function bookSeries(
  kv: Deno.Kv,
  bookings: BookingRecord[],
  et: EventTypeRecord,
  nowMs: number,
  stop: Stop = null,
) {
  const rules = rulesFor(et);
  const c = coordinatorOf(bookings, et, nowMs);
  const counts = { hold: 0, finish: 0 };
  assert.ok((await run(kv, { kind: "open", coordinator: c }, rules, nowMs)).ok);
  const release = () => run(kv, { kind: "release", coordinatorId: c.id }, rules, nowMs);
  let held = 0;
  while (held < bookings.length) {
    const r = await run(
      kv,
      {
        kind: "series_hold",
        coordinatorId: c.id,
        bookings: bookings.slice(held),
      },
      rules,
      nowMs,
    );
    if (!r.ok) {
      await release();
      return { ok: false as const, reason: r.reason, c, counts };
    }
    counts.hold++;
    held = r.plan.coordinator!.series!.held;
  }
  if (stop === "after_holds") return { ok: true as const, c, counts };
  const done = await run(
    kv,
    { kind: "series_commit", coordinatorId: c.id, first: bookings[0] },
    rules,
    nowMs,
  );
  if (!done.ok) {
    await release();
    return { ok: false as const, reason: done.reason, c, counts };
  }
  if (stop === "after_commit") return { ok: true as const, c, counts };
  await finish(kv, c.id, bookings, rules, nowMs, counts);
  return { ok: true as const, c, counts };
}

async function finish(
  kv: Deno.Kv,
  coordinatorId: string,
  bookings: BookingRecord[],
  rules: EngineRules,
  nowMs: number,
  counts = { hold: 0, finish: 0 },
) {
  for (let i = 0; i < 60; i++) {
    const c = (await kv.get<CoordinatorRecord>(keys.coordinator(coordinatorId))).value!;
    if (c.series!.done >= bookings.length) return;
    const r = await run(
      kv,
      {
        kind: "series_finish",
        coordinatorId,
        bookings: bookings.slice(c.series!.done),
        first: bookings[0],
      },
      rules,
      nowMs,
    );
    assert.ok(r.ok, "finish");
    counts.finish++;
  }
}

async function listAll<T>(kv: Deno.Kv, prefix: Deno.KvKey) {
  const out: T[] = [];
  for await (const e of kv.list<T>({ prefix })) out.push(e.value);
  return out;
}

Deno.test("series: a 52-week pending series with day and week caps, across UTC midnight and two DST changes, takes every write within remote KV's limits and leaves 52 ordinary bookings", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    plans.length = 0;
    // 19:30 New York = 00:30 UTC the next day (EST) and 23:30 UTC (EDT): a two-hour block
    // with buffers touches two UTC days every week.
    const et = eventType({
      requiresConfirmation: true,
      durationMin: 90,
      bufferBeforeMin: 30,
      bufferAfterMin: 30,
      maxPerDay: 2,
      maxPerWeek: 3,
    });
    const bookings = occurrences(et, "2026-01-07T00:30:00Z", 52);
    const res = await bookSeries(kv, bookings, et, NOW);
    assert.ok(res.ok);
    // Several hold writes and several finish writes: no single write carries the series.
    assert.ok(res.counts.hold >= 6, `${res.counts.hold} hold writes`);
    assert.ok(res.counts.finish >= 2, `${res.counts.finish} finish writes`);
    const all = await listAll<BookingRecord>(kv, keys.bookingPrefix());
    assert.equal(all.length, 52);
    const byIndex = all.sort((a, b) => a.series!.index - b.series!.index);
    // The same wall time in New York on every date, across both DST changes.
    for (const b of byIndex) {
      const wall = Temporal.Instant.fromEpochMilliseconds(b.startMs).toZonedDateTimeISO(
        HOST.timeZone,
      );
      assert.equal(wall.toPlainTime().toString(), "19:30:00");
      assert.equal(b.status, "PENDING");
      assert.equal(b.series!.count, 52);
    }
    // Every occurrence is indexed, keeps the salt its links prove themselves against (ADR 054),
    // and has its own (uncoordinated) busy entries.
    for (const b of byIndex) {
      assert.ok((await kv.get(keys.bookingByHostStart(HOST.id, b.startMs, b.id))).value);
      assert.ok(b.tokenSalt);
    }
    const busy = await listAll<{ bookingId: string; coordinatorId?: string }>(kv, ["busy"]);
    assert.equal(new Set(busy.map((e) => e.bookingId)).size, 52);
    assert.ok(busy.every((e) => e.coordinatorId === undefined));
    // One invitation: the first occurrence queues the people's mails; the others none.
    const jobs = await listAll<OutboxRecord>(kv, ["outbox"]);
    const mails = jobs.filter((j) => j.payload.kind === "booking_mail");
    assert.deepEqual(
      new Set(mails.map((j) => (j.payload as { bookingId: string }).bookingId)),
      new Set([bookings[0].id]),
    );
    // A webhook event per occurrence.
    assert.equal(jobs.filter((j) => j.payload.kind === "webhook_event").length, 52);
    // A pending series counts as one pending request of its guest.
    const holds = await listAll(kv, ["guest_hold"]);
    assert.equal(holds.length, 1);
  } finally {
    kv.close();
  }
});

Deno.test("series: a single booking on its 7th date refuses the 12-week series, and the release leaves no hold, record or cap count behind", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const et = eventType({ maxPerWeek: 5 });
    const bookings = occurrences(et, "2026-01-12T15:00:00Z", 12);
    const taken = single(et, bookings[6].startMs, NOW);
    assert.ok(
      (await run(kv, { kind: "create", booking: taken }, rulesFor(et), NOW)).ok,
    );
    const res = await bookSeries(kv, bookings, et, NOW);
    assert.deepEqual(res.ok ? "booked" : res.reason, "slot_taken");
    const all = await listAll<BookingRecord>(kv, keys.bookingPrefix());
    assert.deepEqual(all.map((b) => b.id), [taken.id]);
    const busy = await listAll<{ bookingId: string }>(kv, ["busy"]);
    assert.deepEqual([...new Set(busy.map((e) => e.bookingId))], [taken.id]);
    const caps = await listAll<{ bookingId: string }>(kv, ["cap_entry"]);
    assert.deepEqual([...new Set(caps.map((e) => e.bookingId))], [taken.id]);
    const c = (await kv.get<CoordinatorRecord>(keys.coordinator(res.c.id))).value!;
    assert.equal(c.state, "abandoned");
  } finally {
    kv.close();
  }
});

Deno.test("series: holds left by a crash block the dates until their deadline and not after; the late commit then refuses", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const et = eventType();
    const rules = rulesFor(et);
    const bookings = occurrences(et, "2026-01-12T15:00:00Z", 12);
    const res = await bookSeries(kv, bookings, et, NOW, "after_holds");
    assert.ok(res.ok);
    const seventh = bookings[6].startMs;
    const before = await run(
      kv,
      { kind: "create", booking: single(et, seventh, NOW + 1000) },
      rules,
      NOW + 1000,
    );
    assert.equal(before.ok ? "booked" : before.reason, "held");
    const later = NOW + SERIES_HOLD_MS + 1;
    const after = await run(
      kv,
      { kind: "create", booking: single(et, seventh, later) },
      rules,
      later,
    );
    assert.ok(after.ok, "free after the deadline");
    const commit = await run(
      kv,
      { kind: "series_commit", coordinatorId: res.c.id, first: bookings[0] },
      rules,
      later,
    );
    assert.equal(commit.ok ? "committed" : commit.reason, "expired");
    // The cleanup job's release removes the rest.
    assert.ok((await run(kv, { kind: "release", coordinatorId: res.c.id }, rules, later)).ok);
    const live = await listAll<BookingRecord>(kv, keys.bookingPrefix());
    assert.equal(live.length, 1);
  } finally {
    kv.close();
  }
});

Deno.test("series: a commit with less than its margin left refuses as expired", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const et = eventType();
    const bookings = occurrences(et, "2026-01-12T15:00:00Z", 3);
    const res = await bookSeries(kv, bookings, et, NOW, "after_holds");
    assert.ok(res.ok);
    const late = NOW + SERIES_HOLD_MS - SERIES_COMMIT_MARGIN_MS + 1;
    const commit = await run(
      kv,
      { kind: "series_commit", coordinatorId: res.c.id, first: bookings[0] },
      rulesFor(et),
      late,
    );
    assert.equal(commit.ok ? "committed" : commit.reason, "expired");
  } finally {
    kv.close();
  }
});

Deno.test("series: committed series stay blocked whatever the clock, and a second finisher queues nothing twice", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const et = eventType();
    const rules = rulesFor(et);
    const bookings = occurrences(et, "2026-01-12T15:00:00Z", 30, 2);
    const res = await bookSeries(kv, bookings, et, NOW, "after_commit");
    assert.ok(res.ok);
    // The process died after its commit: the dates stay taken past the hold deadline.
    const later = NOW + 2 * SERIES_HOLD_MS;
    const r = await run(
      kv,
      { kind: "create", booking: single(et, bookings[20].startMs, later) },
      rules,
      later,
    );
    assert.equal(r.ok ? "booked" : r.reason, "slot_taken");
    // Two finishers (the cleanup job's roll forward and a late service) in turn.
    await finish(kv, res.c.id, bookings, rules, later);
    await finish(kv, res.c.id, bookings, rules, later);
    const jobs = await listAll<OutboxRecord>(kv, ["outbox"]);
    assert.equal(jobs.filter((j) => j.payload.kind === "webhook_event").length, 30);
    const c = (await kv.get<CoordinatorRecord>(keys.coordinator(res.c.id))).value!;
    assert.equal(c.series!.done, 30);
    assert.equal((await listAll(kv, ["coordinator_by_until"])).length, 0);
  } finally {
    kv.close();
  }
});

Deno.test("series: a committed series keeps its cap counts past the hold deadline — a single booking after a crash is refused by the cap, and the roll forward never passes it", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const et = eventType({ maxPerDay: 1, maxPerWeek: null });
    const rules = rulesFor(et);
    const bookings = occurrences(et, "2026-01-12T15:00:00Z", 3);
    const res = await bookSeries(kv, bookings, et, NOW, "after_commit");
    assert.ok(res.ok);
    // The process died after its commit; after the deadline a guest asks for another time on
    // the second date's day (the series' own time there stays taken: the coordinator decides).
    const later = NOW + 2 * SERIES_HOLD_MS;
    const sameDay = bookings[1].startMs + 3 * H;
    const r = await run(
      kv,
      { kind: "create", booking: single(et, sameDay, later) },
      rules,
      later,
    );
    assert.equal(r.ok ? "booked" : r.reason, "cap_reached");
    await finish(kv, res.c.id, bookings, rules, later);
    const live = (await listAll<BookingRecord>(kv, ["booking"])).filter((b) =>
      b.status === "CONFIRMED" || b.status === "PENDING"
    );
    const days = live.map((b) => capPeriods(b.startMs, HOST.timeZone).day);
    assert.equal(new Set(days).size, days.length, "one booking per day, as capped");
  } finally {
    kv.close();
  }
});

Deno.test("series: the hold write refuses occurrences out of order or not its own", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const et = eventType();
    const rules = rulesFor(et);
    const bookings = occurrences(et, "2026-01-12T15:00:00Z", 4);
    const c = coordinatorOf(bookings, et, NOW);
    assert.ok((await run(kv, { kind: "open", coordinator: c }, rules, NOW)).ok);
    const skipped = await run(
      kv,
      { kind: "series_hold", coordinatorId: c.id, bookings: bookings.slice(1) },
      rules,
      NOW,
    );
    assert.equal(skipped.ok ? "held" : skipped.reason, "not_found");
    const moved = { ...bookings[0], blockStartMs: bookings[0].blockStartMs + H };
    const wrong = await run(
      kv,
      { kind: "series_hold", coordinatorId: c.id, bookings: [moved] },
      rules,
      NOW,
    );
    assert.equal(wrong.ok ? "held" : wrong.reason, "not_found");
    const early = await run(
      kv,
      { kind: "series_commit", coordinatorId: c.id, first: bookings[0] },
      rules,
      NOW,
    );
    assert.equal(early.ok ? "committed" : early.reason, "not_found");
  } finally {
    kv.close();
  }
});
