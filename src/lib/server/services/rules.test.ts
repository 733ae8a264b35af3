import assert from "node:assert/strict";
import fc from "fast-check";
import { bookSlot } from "./book-slot.ts";
import {
  bookingForToken,
  cancelByGuest,
  decideByToken,
  rescheduleByGuest,
} from "./decide-booking.ts";
import { bookingToken } from "./booking-links.ts";
import { getSlotPage } from "./slot-page.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { listHostBookings } from "../store/bookings.ts";
import { getAvailability, putAvailability } from "../store/availability.ts";
import { updateEventType } from "../store/event-types.ts";
import {
  createEventType,
  createHost,
  guestInput,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import type { BookingRecord, EventTypeRecord } from "../domain/model/records.ts";

const guest = (i: number, start: string, slug = "call") =>
  guestInput(i, start, slug, "host", "Europe/Berlin");

const live = (b: BookingRecord, nowMs: number) =>
  b.status === "CONFIRMED" || (b.status === "PENDING" && (b.reservedUntilMs ?? 0) > nowMs);

async function offered(
  app: Awaited<ReturnType<typeof memoryApp>>,
  slug: string,
  date: string,
  extra: Record<string, string> = {},
) {
  const page = await getSlotPage(app, { username: "host", slug, timeZone: "UTC", date, ...extra });
  assert.ok(page.ok);
  return page.slots.map((s) => s.start);
}

Deno.test("rules: with random buffers and bookings, no two live bookings' blocked intervals ever overlap", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          before: fc.integer({ min: 0, max: 30 }),
          after: fc.integer({ min: 0, max: 30 }),
          dur: fc.constantFrom(15, 30, 45),
        }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 120 })), {
        minLength: 1,
        maxLength: 25,
      }),
      async (types, attempts) => {
        const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
        const host = await createHost(app, { weekly: WORKDAYS, timeZone: "Europe/Berlin" });
        const ets: EventTypeRecord[] = [];
        for (const [i, t] of types.entries()) {
          ets.push(
            await createEventType(app, host, {
              slug: `t${i}`,
              durationMin: t.dur,
              bufferBeforeMin: t.before,
              bufferAfterMin: t.after,
              intervalMin: 15,
              requiresConfirmation: i % 2 === 0,
            }),
          );
        }
        // Raw grid times (not only offered ones): the service must refuse what it cannot take.
        await Promise.all(attempts.map(([which, q], i) => {
          const et = ets[which % ets.length];
          const start = new Date(Date.parse("2026-11-23T08:00:00Z") + q * 5 * 60_000).toISOString();
          return bookSlot(app, { ...guest(i, start, et.slug) });
        }));
        const all = (await listHostBookings(app.kv, host.id)).filter((b) => live(b, app.now()));
        for (let i = 0; i < all.length; i++) {
          for (let j = i + 1; j < all.length; j++) {
            const a = all[i], b = all[j];
            assert.ok(
              a.blockEndMs <= b.blockStartMs || b.blockEndMs <= a.blockStartMs,
              `${a.id} overlaps ${b.id}`,
            );
          }
        }
        app.close();
      },
    ),
    { numRuns: 25 },
  );
});

Deno.test("rules: a buffer blocks the host but is never shown, and the next slot respects both bookings' buffers", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    bufferBeforeMin: 15,
    bufferAfterMin: 15,
    requiresConfirmation: false,
  });
  const before = await offered(app, "call", "2026-11-23");
  assert.equal(
    before[0],
    "2026-11-23T08:00:00Z",
    "a buffer before the first slot may lie outside working hours",
  );
  const res = await bookSlot(app, guest(1, "2026-11-23T09:00:00Z"));
  assert.ok(res.ok);
  const after = await offered(app, "call", "2026-11-23");
  // 09:00–09:30 plus 15 min either side blocks 08:45–09:45; a new slot needs its own buffers too.
  assert.ok(!after.includes("2026-11-23T08:30:00Z") && !after.includes("2026-11-23T09:30:00Z"));
  assert.ok(after.includes("2026-11-23T08:00:00Z") && after.includes("2026-11-23T10:00:00Z"));
  const [b] = await listHostBookings(app.kv, host.id);
  assert.equal(b.endMs - b.startMs, 30 * 60_000, "guests see only the meeting itself");
  app.close();
});

Deno.test("rules: caps per day are never exceeded, even by 100 concurrent bookings on one day", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 15,
    maxPerDay: 3,
    maxPerWeek: 5,
    requiresConfirmation: false,
  });
  const slots = await offered(app, "call", "2026-11-23");
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => bookSlot(app, guest(i, slots[i % slots.length]))),
  );
  assert.equal(results.filter((r) => r.ok).length, 3);
  assert.ok(
    results.filter((r) => !r.ok).every((r) =>
      !r.ok && (r.reason === "cap_reached" || r.reason === "slot_taken")
    ),
  );
  assert.deepEqual(await offered(app, "call", "2026-11-23"), [], "a full day offers nothing");
  // The week cap (5) then allows only 2 more on Tuesday.
  const tue = await offered(app, "call", "2026-11-24");
  const more = await Promise.all(tue.slice(0, 6).map((s, i) => bookSlot(app, guest(200 + i, s))));
  assert.equal(more.filter((r) => r.ok).length, 2);
  app.close();
});

Deno.test("rules: a cap set later counts the bookings made before it, even under 20 concurrent bookings", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  const et = await createEventType(app, host, {
    slug: "call",
    durationMin: 15,
    requiresConfirmation: false,
  });
  const mon = await offered(app, "call", "2026-11-23");
  const tue = await offered(app, "call", "2026-11-24");
  for (const [i, start] of [mon[0], mon[4], tue[0]].entries()) {
    assert.ok((await bookSlot(app, guest(i, start))).ok);
  }
  const capped = await updateEventType(
    app.kv,
    host.id,
    et.id,
    (cur) => ({ ...cur, maxPerDay: 2, maxPerWeek: 4 }),
  );
  assert.ok(capped.ok);
  const race = async (slots: string[], first: number) => {
    const results = await Promise.all(
      slots.map((s, i) => bookSlot(app, guest(first + i, s))),
    );
    assert.ok(results.every((r) => r.ok || r.reason === "cap_reached"));
    return results.filter((r) => r.ok).length;
  };
  // Monday already holds its 2; Tuesday 1 of 2, and the week 3 of 4: one more in all.
  assert.equal(await race(mon.slice(8, 28), 100), 0, "a day full before its cap stays full");
  assert.equal(await race(tue.slice(8, 28), 200), 1);
  assert.deepEqual(await offered(app, "call", "2026-11-25"), [], "a full week offers nothing");
  app.close();
});

Deno.test("rules: cancelling frees a place under the cap", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    maxPerDay: 1,
    requiresConfirmation: false,
  });
  const first = await bookSlot(app, guest(1, "2026-11-23T08:00:00Z"));
  assert.ok(first.ok);
  assert.deepEqual(await bookSlot(app, guest(2, "2026-11-23T10:00:00Z")), {
    ok: false,
    reason: "cap_reached",
  });
  assert.ok((await cancelByGuest(app, first.guestToken, "")).ok);
  assert.ok((await bookSlot(app, guest(2, "2026-11-23T10:00:00Z"))).ok);
  app.close();
});

Deno.test("rules: overrides and time off win over weekly rules, and nothing is offered inside the notice or beyond the horizon", async () => {
  const app = await memoryApp({ nowIso: "2026-11-23T07:00:00Z" }); // Monday 08:00 Berlin
  const host = await createHost(app, { weekly: WORKDAYS });
  const a = await getAvailability(app.kv, host.id, app.now());
  await putAvailability(app.kv, {
    ...a,
    overrides: [{ date: "2026-11-24", ranges: [{ start: "14:00", end: "15:00" }] }, {
      date: "2026-11-28",
      ranges: [{ start: "10:00", end: "11:00" }],
    }],
    timeOff: [{ from: "2026-11-26", to: "2026-11-27", reason: "Trip" }],
    updatedAtMs: 1,
  });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 60,
    minNoticeMin: 120,
    bookingWindowDays: 7,
    requiresConfirmation: false,
  });
  assert.deepEqual(
    await offered(app, "call", "2026-11-24"),
    ["2026-11-24T13:00:00Z"],
    "an override replaces Tuesday's hours",
  );
  assert.deepEqual(await offered(app, "call", "2026-11-26"), [], "time off");
  assert.deepEqual(await offered(app, "call", "2026-11-27"), [], "time off, inclusive");
  assert.deepEqual(
    await offered(app, "call", "2026-11-28"),
    ["2026-11-28T09:00:00Z"],
    "an override opens a Saturday",
  );
  const today = await offered(app, "call", "2026-11-23");
  assert.equal(today[0], "2026-11-23T09:00:00Z", "two hours' notice from 08:00 Berlin");
  assert.deepEqual(await bookSlot(app, guest(1, "2026-11-23T08:00:00Z")), {
    ok: false,
    reason: "slot_unavailable",
  });
  assert.deepEqual(await bookSlot(app, guest(1, "2026-11-26T09:00:00Z")), {
    ok: false,
    reason: "slot_unavailable",
  });
  assert.deepEqual(await bookSlot(app, guest(1, "2026-12-02T09:00:00Z")), {
    ok: false,
    reason: "slot_unavailable",
  }, "beyond 7 days");
  app.close();
});

Deno.test("rules: 45-minute meetings every 15 minutes, several durations, and questions checked before booking", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 45,
    durations: [45, 90],
    intervalMin: 15,
    requiresConfirmation: false,
    questions: [
      {
        id: "topic",
        label: "Topic",
        type: "choice",
        required: true,
        options: ["Sales", "Support"],
      },
      { id: "phone", label: "Phone", type: "phone", required: false },
      { id: "terms", label: "I accept the terms", type: "checkbox", required: true },
    ],
    location: { kind: "video", value: "https://meet.example/host" },
  });
  const s = await offered(app, "call", "2026-11-23");
  assert.deepEqual(s.slice(0, 3), [
    "2026-11-23T08:00:00Z",
    "2026-11-23T08:15:00Z",
    "2026-11-23T08:30:00Z",
  ]);
  assert.equal(s.at(-1), "2026-11-23T15:15:00Z");
  const long = await offered(app, "call", "2026-11-23", { duration: "90" });
  assert.equal(long.at(-1), "2026-11-23T14:30:00Z");
  const bad = await bookSlot(app, {
    ...guest(1, s[0]),
    rawAnswers: { q_topic: "Hacking", q_phone: "call me", q_terms: "" },
  });
  assert.ok(!bad.ok && bad.reason === "invalid_answers");
  assert.deepEqual(Object.keys(bad.errors).sort(), ["q_phone", "q_terms", "q_topic"]);
  assert.deepEqual(
    await bookSlot(app, {
      ...guest(1, s[0]),
      durationMin: 20,
      rawAnswers: { q_topic: "Sales", q_terms: "on" },
    }),
    {
      ok: false,
      reason: "slot_unavailable",
    },
  );
  const ok = await bookSlot(app, {
    ...guest(1, s[0]),
    durationMin: 90,
    rawAnswers: { q_topic: "Sales", q_phone: "+49 30 123456", q_terms: "on" },
  });
  assert.ok(ok.ok);
  const b = (await bookingForToken(app, ok.guestToken, "guest"))!;
  assert.equal(b.endMs - b.startMs, 90 * 60_000);
  assert.deepEqual(b.answers?.map((a) => a.value), ["Sales", "+49 30 123456", "Yes"]);
  await deliverOutbox(app, app.now());
  const hostMail = app.mailer.sent.find((m) => m.to === "host@example.test")!;
  assert.match(hostMail.text, /Topic: Sales/);
  assert.match(hostMail.text, /Where: Video call: https:\/\/meet\.example\/host/);
  const guestMail = app.mailer.sent.find((m) => m.to === "g1@example.test")!;
  assert.match(guestMail.icalEvent!.content, /LOCATION:Video call: https:\/\/meet\.example\/host/);
  assert.match(guestMail.text, /Reschedule: http:\/\/invito\.test\/booking\/[\w-]+\/reschedule/);
  assert.match(guestMail.text, /Cancel: http:\/\/invito\.test\/booking\/[\w-]+\/cancel/);
  app.close();
});

Deno.test("reschedule: one link POSTed 20 times at once yields exactly one successor, linked both ways", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    intervalMin: 15,
    requiresConfirmation: false,
  });
  const first = await bookSlot(app, guest(1, "2026-11-23T08:00:00Z"));
  assert.ok(first.ok);
  const targets = ["2026-11-23T08:15:00Z", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z"];
  const results = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => rescheduleByGuest(app, first.guestToken, targets[i % 3 === 0 ? 1 : i % 2 ? 1 : 2]),
    ),
  );
  const wins = results.filter((r) => r.ok);
  assert.equal(wins.length, 1, JSON.stringify(results.map((r) => (r.ok ? "ok" : r.reason))));
  const all = await listHostBookings(app.kv, host.id);
  const liveOnes = all.filter((b) => live(b, app.now()));
  assert.equal(liveOnes.length, 1);
  const old = all.find((b) => b.id !== liveOnes[0].id)!;
  assert.equal(old.status, "CANCELLED");
  assert.equal(old.endReason, "rescheduled");
  assert.equal(old.rescheduledToId, liveOnes[0].id);
  assert.equal(liveOnes[0].rescheduledFromId, old.id);
  // Moving onto a time that overlaps the booking's own old time is allowed.
  const w = wins[0];
  assert.ok(w.ok);
  const again = await rescheduleByGuest(
    app,
    w.guestToken,
    new Date(w.booking.startMs + 15 * 60_000).toISOString(),
  );
  assert.ok(again.ok, JSON.stringify(again));
  // The old link is used up.
  assert.equal((await rescheduleByGuest(app, first.guestToken, "2026-11-24T08:00:00Z")).ok, false);
  app.close();
});

Deno.test("reschedule: a requires-confirmation event type puts the successor back to PENDING, and a taken time is refused with nothing changed", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", durationMin: 30, requiresConfirmation: true });
  const a = await bookSlot(app, guest(1, "2026-11-23T08:00:00Z"));
  const b = await bookSlot(app, guest(2, "2026-11-23T09:00:00Z"));
  assert.ok(a.ok && b.ok);
  const booking = (await bookingForToken(app, a.guestToken, "guest"))!;
  assert.ok((await decideByToken(app, await bookingToken(app, booking, "confirm"), "confirm")).ok);
  assert.deepEqual((await rescheduleByGuest(app, a.guestToken, "2026-11-23T09:00:00Z")).ok, false);
  assert.equal(
    (await bookingForToken(app, a.guestToken, "guest"))!.status,
    "CONFIRMED",
    "nothing changed",
  );
  const moved = await rescheduleByGuest(app, a.guestToken, "2026-11-23T10:00:00Z");
  assert.ok(moved.ok);
  assert.equal(moved.booking.status, "PENDING");
  assert.ok(moved.booking.reservedUntilMs! > app.now());
  app.close();
});

Deno.test("cancel: a guest cannot cancel or reschedule within the event type's cutoff; the host still can", async () => {
  const app = await memoryApp({ nowIso: "2026-11-23T05:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: false,
    cancelCutoffHours: 24,
  });
  const r = await bookSlot(app, guest(1, "2026-11-23T10:00:00Z"));
  assert.ok(r.ok);
  assert.deepEqual((await cancelByGuest(app, r.guestToken, "")).ok, false);
  const res = await rescheduleByGuest(app, r.guestToken, "2026-11-25T10:00:00Z");
  assert.ok(!res.ok && res.reason === "too_late");
  const b = (await bookingForToken(app, r.guestToken, "guest"))!;
  const { decideBooking } = await import("./decide-booking.ts");
  assert.ok((await decideBooking(app, b.id, "cancel", "host", { hostId: host.id })).ok);
  app.close();
});

Deno.test("reminders: 24 h before a meeting after the DST change go out at the right instant, once, and never for a moved booking", async () => {
  // Berlin leaves summer time on 2026-10-25; a meeting on Monday 26 Oct 10:00 (09:00Z).
  const app = await memoryApp({ nowIso: "2026-10-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: false,
    reminders: [{ minutesBefore: 24 * 60, toHost: true }, { minutesBefore: 60, toHost: false }],
  });
  const r = await bookSlot(app, guest(1, "2026-10-26T09:00:00Z"));
  assert.ok(r.ok);
  await deliverOutbox(app, app.now());
  app.mailer.sent.length = 0;
  const due24 = Date.parse("2026-10-25T09:00:00Z"); // 24 real hours before; 10:00 Berlin on Sunday (winter time)
  await deliverOutbox(app, due24 - 1);
  assert.equal(app.mailer.sent.length, 0, "not a moment early");
  await deliverOutbox(app, due24);
  assert.deepEqual(app.mailer.sent.map((m) => m.to).sort(), [
    "g1@example.test",
    "host@example.test",
  ]);
  assert.match(app.mailer.sent[0].subject, /in 1 day/);
  await deliverOutbox(app, due24 + 3_600_000);
  assert.equal(app.mailer.sent.length, 2, "never twice");
  // Moving the booking: the 1-hour reminder of the old time is dropped; the new one is queued.
  app.clock.ms = due24 + 3_600_000;
  const moved = await rescheduleByGuest(app, r.guestToken, "2026-10-26T10:00:00Z");
  assert.ok(moved.ok);
  app.mailer.sent.length = 0;
  await deliverOutbox(app, Date.parse("2026-10-26T08:00:00Z"));
  assert.equal(
    app.mailer.sent.filter((m) => /Reminder/.test(m.subject)).length,
    0,
    "the old time's reminder is not sent",
  );
  await deliverOutbox(app, Date.parse("2026-10-26T09:00:00Z"));
  assert.equal(app.mailer.sent.filter((m) => /Reminder/.test(m.subject)).length, 1);
  app.close();
});
