/**
 * The side-effect table through the engine: every booking transition plans its mails, calendar
 * writes, reminders and follow-ups, and exactly one webhook event, last in the booking's lane.
 */
import assert from "node:assert/strict";
import { type Change, type EngineRules, planChange } from "../domain/booking-engine/index.ts";
import { newBookingRecord } from "../domain/booking.ts";
import type { PlannedJob } from "../domain/booking-engine/effects.ts";
import { commitPlan } from "./booking-commit.ts";
import { readSnapshot } from "./booking-snapshot.ts";
import type { BookingRecord, EventTypeRecord } from "../domain/model/records.ts";

const H = 3_600_000;
const T0 = Date.parse("2026-11-20T08:00:00Z");
const HOST = { id: "host1", timeZone: "Europe/Berlin" };

function eventType(o: Partial<EventTypeRecord> = {}): EventTypeRecord {
  return {
    v: 1,
    id: "et1",
    userId: HOST.id,
    slug: "call",
    title: "Call",
    description: "",
    durationMin: 30,
    requiresConfirmation: true,
    bookingWindowDays: 60,
    color: "#000",
    active: true,
    confirmedMessage: "",
    rejectedMessage: "",
    createdAtMs: 0,
    updatedAtMs: 0,
    reminders: [{ minutesBefore: 60, toHost: true }],
    followUps: [{ minutesAfter: 120, message: "Thanks", bookAgain: true }],
    ...o,
  } as EventTypeRecord;
}

const rules = (et: EventTypeRecord): EngineRules => ({
  bookingTtlMs: 24 * H,
  maxPendingPerGuest: 3,
  eventType: { id: et.id, maxPerDay: null, maxPerWeek: null, cancelCutoffHours: null },
  calendarHost: "invito.test",
});

let n = 0;
function booking(et: EventTypeRecord, startMs: number): BookingRecord {
  return newBookingRecord(
    {
      id: `01K${String(n++).padStart(23, "0")}`,
      tokenSalt: "salt",
      host: HOST,
      eventType: et,
      startMs,
      durationMin: et.durationMin,
      name: "Guest",
      email: "guest@example.test",
      note: "",
      guestTimeZone: "UTC",
      by: "guest",
    },
    T0,
    24 * H,
  );
}

/** Plans and commits one change; returns its jobs. */
async function jobsOf(kv: Deno.Kv, et: EventTypeRecord, change: Change, nowMs = T0) {
  const snap = await readSnapshot(
    kv,
    change,
    rules(et),
    () => Promise.resolve({ busy: [], unknown: [] }),
  );
  const res = planChange(snap, change, rules(et), nowMs);
  assert.ok(res.ok, JSON.stringify(res));
  assert.ok((await commitPlan(kv, res.plan, nowMs)).ok);
  return { jobs: res.plan.jobs, booking: res.plan.booking! };
}

const kinds = (jobs: PlannedJob[]) =>
  jobs.map((j) =>
    j.payload.kind === "booking_mail"
      ? j.payload.mail
      : j.payload.kind === "writeback"
      ? `writeback_${j.payload.op}`
      : j.payload.kind === "webhook_event"
      ? j.payload.event
      : j.payload.kind
  );

Deno.test("side effects: every transition — request, confirm, reschedule, expiry, reject, cancel — queues exactly one webhook event, last, with the booking's sequence", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const et = eventType();
    const start = Date.parse("2026-11-24T09:00:00Z");
    const requested = await jobsOf(kv, et, {
      kind: "create",
      booking: booking(et, start),
    });
    assert.deepEqual(kinds(requested.jobs), ["host_request", "guest_pending", "booking.requested"]);
    const id = requested.booking.id;

    const confirmed = await jobsOf(kv, et, {
      kind: "transition",
      bookingId: id,
      action: "confirm",
      by: "host",
    });
    // Reminders (guest and host) and the follow-up beside them, then the event.
    assert.deepEqual(kinds(confirmed.jobs), [
      "guest_confirmed",
      "host_confirmed_copy",
      "writeback_put",
      "reminder",
      "reminder",
      "follow_up",
      "booking.confirmed",
    ]);
    const followUp = confirmed.jobs.find((j) => j.payload.kind === "follow_up")!;
    assert.equal(followUp.dueMs, start + 30 * 60_000 + 120 * 60_000, "two hours after the end");

    // The guest moves it to a time that needs confirmation again: one event, on the successor.
    const moved = await jobsOf(kv, et, {
      kind: "reschedule",
      bookingId: id,
      by: "guest",
      successor: {
        id: "01KMOVED0000000000000000000",
        tokenSalt: "s2",
        host: HOST,
        eventType: et,
        startMs: start + 24 * H,
        durationMin: 30,
      },
      enforceCutoff: true,
    });
    const events = moved.jobs.filter((j) => j.payload.kind === "webhook_event");
    assert.equal(events.length, 1, "the retired booking sends none");
    assert.deepEqual(events[0].payload, {
      kind: "webhook_event",
      bookingId: "01KMOVED0000000000000000000",
      event: "booking.rescheduled",
      seq: 1,
    });
    assert.equal(moved.jobs.at(-1), events[0]);

    // Nobody answers: the moved request expires.
    const expired = await jobsOf(kv, et, {
      kind: "transition",
      bookingId: "01KMOVED0000000000000000000",
      action: "expire",
      by: "system",
    }, T0 + 25 * H);
    assert.equal(kinds(expired.jobs).at(-1), "booking.expired");
    assert.equal(kinds(expired.jobs).filter((k) => k.startsWith("booking.")).length, 1);

    // Rejected and cancelled.
    const other = await jobsOf(kv, et, {
      kind: "create",
      booking: booking(et, start + 3 * 24 * H),
    });
    const rejected = await jobsOf(kv, et, {
      kind: "transition",
      bookingId: other.booking.id,
      action: "reject",
      by: "host",
    });
    assert.deepEqual(kinds(rejected.jobs), ["guest_rejected", "booking.rejected"]);
    const third = await jobsOf(kv, eventType({ requiresConfirmation: false }), {
      kind: "create",
      booking: booking(eventType({ requiresConfirmation: false }), start + 4 * 24 * H),
    });
    assert.equal(kinds(third.jobs).at(-1), "booking.confirmed");
    const cancelled = await jobsOf(kv, et, {
      kind: "transition",
      bookingId: third.booking.id,
      action: "cancel",
      by: "guest",
    });
    assert.deepEqual(kinds(cancelled.jobs), [
      "guest_cancelled",
      "host_cancelled",
      "writeback_delete",
      "booking.cancelled",
    ]);
    const seqOf = (jobs: PlannedJob[]) => (jobs.at(-1)!.payload as { seq: number }).seq;
    assert.deepEqual([seqOf(third.jobs), seqOf(cancelled.jobs)], [1, 2]);
  } finally {
    kv.close();
  }
});
