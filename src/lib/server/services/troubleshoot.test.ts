import assert from "node:assert/strict";
import fc from "fast-check";
import { troubleshootDay } from "./troubleshoot.ts";
import { translator } from "../i18n.ts";
import { getSlotPage } from "./slot-page.ts";
import { bookSlot } from "./book-slot.ts";
import { getAvailability, putAvailability } from "../store/availability.ts";
import { emptyHead } from "../store/calendars.ts";
import { keys } from "../store/keys.ts";
import { settingsChanged } from "../store/settings-cache.ts";
import { Temporal } from "../domain/temporal.ts";
import type { TimeRange, WeeklyRules } from "../domain/availability.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";

const hhmm = (min: number) =>
  `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;

/** Up to two ranges on a 5-minute grid, sorted and apart. */
const ranges = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 287 }), fc.integer({ min: 1, max: 120 })),
  {
    maxLength: 2,
  },
).map((list): TimeRange[] => {
  const out: TimeRange[] = [];
  let last = -5;
  for (const [a, len] of [...list].sort((x, y) => x[0] - y[0])) {
    const start = Math.max(a * 5, last + 5);
    const end = Math.min(start + len * 5, 1440);
    if (start < end && start < 1440) out.push({ start: hhmm(start), end: hhmm(end) }), last = end;
  }
  return out;
});

const config = fc.record({
  timeZone: fc.constantFrom(
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Auckland",
  ),
  weekly: fc.tuple(ranges, ranges, ranges, ranges, ranges, ranges, ranges),
  overrides: fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), ranges), { maxLength: 3 }),
  timeOff: fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 3 })), {
    maxLength: 2,
  }),
  durationMin: fc.constantFrom(15, 20, 30, 45, 60),
  intervalMin: fc.option(fc.constantFrom(5, 10, 15, 30), { nil: null }),
  bufferBeforeMin: fc.constantFrom(0, 5, 15),
  bufferAfterMin: fc.constantFrom(0, 10, 30),
  minNoticeMin: fc.constantFrom(0, 45, 240, 2880),
  notSameDay: fc.boolean(),
  bookingWindowDays: fc.integer({ min: 3, max: 40 }),
  maxPerDay: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  maxPerWeek: fc.option(fc.integer({ min: 2, max: 6 }), { nil: null }),
  nowOffsetMin: fc.integer({ min: -3 * 1440, max: 10 * 1440 }),
  requiresConfirmation: fc.boolean(),
  bookings: fc.array(fc.nat(), { maxLength: 12 }),
  calendar: fc.option(
    fc.record({
      fresh: fc.boolean(),
      busy: fc.array(
        fc.tuple(fc.integer({ min: 0, max: 30 * 96 }), fc.integer({ min: 1, max: 12 })),
        {
          maxLength: 8,
        },
      ),
    }),
    { nil: null },
  ),
});

Deno.test("troubleshooter: over a month of random configurations its offered starts are exactly the booking page's slots, day by day", async () => {
  let booked = 0;
  let capped = 0;
  await fc.assert(
    fc.asyncProperty(config, async (c) => {
      const month = Temporal.PlainDate.from("2026-10-01"); // DST ends in Berlin and New York this month
      const monthStart = month.toZonedDateTime({ timeZone: c.timeZone });
      const nowMs = monthStart.epochMilliseconds + c.nowOffsetMin * 60_000;
      const app = await memoryApp({ nowIso: new Date(nowMs).toISOString() });
      const weekly = Object.fromEntries(
        c.weekly.map((r, i) => [i + 1, r]),
      ) as unknown as WeeklyRules;
      const host = await createHost(app, { timeZone: c.timeZone, weekly: WORKDAYS });
      const seen = new Set<string>();
      await putAvailability(app.kv, {
        v: 1,
        userId: host.id,
        weekly,
        overrides: c.overrides.map(([d, r]) => ({
          date: month.add({ days: d }).toString(),
          ranges: r,
        }))
          .filter((o) => !seen.has(o.date) && seen.add(o.date)),
        timeOff: mergeOff(c.timeOff.map(([d, len]) => [d, d + len])).map(([a, b]) => ({
          from: month.add({ days: a }).toString(),
          to: month.add({ days: b }).toString(),
        })),
        updatedAtMs: nowMs,
      });
      const et = await createEventType(app, host, {
        slug: "call",
        durationMin: c.durationMin,
        intervalMin: c.intervalMin,
        bufferBeforeMin: c.bufferBeforeMin,
        bufferAfterMin: c.bufferAfterMin,
        minNoticeMin: c.minNoticeMin,
        notSameDay: c.notSameDay,
        bookingWindowDays: c.bookingWindowDays,
        maxPerDay: c.maxPerDay,
        maxPerWeek: c.maxPerWeek,
        requiresConfirmation: c.requiresConfirmation,
      });
      // Bookings at offered times (so caps and buffers come into play), before the calendar.
      const offeredInMonth: string[] = [];
      for (let d = 0; d < 31; d++) {
        const page = await getSlotPage(app, {
          username: "host",
          slug: "call",
          timeZone: c.timeZone,
          date: month.add({ days: d }).toString(),
        });
        if (page.ok) offeredInMonth.push(...page.slots.map((x) => x.start));
      }
      let okCount = 0;
      for (const [i, pick] of c.bookings.entries()) {
        if (offeredInMonth.length === 0) break;
        const res = await bookSlot(app, {
          username: "host",
          slug: "call",
          start: offeredInMonth[pick % offeredInMonth.length],
          name: `G${i}`,
          email: `g${i}@example.test`,
          note: "",
          timeZone: "UTC",
        });
        if (res.ok) okCount++;
      }
      booked += okCount;
      if (c.calendar) {
        const gen = "gen1";
        const head = {
          ...emptyHead("cal1", "acc1"),
          gen,
          fromMs: nowMs - 86_400_000,
          toMs: nowMs + 20 * 86_400_000,
          syncedAtMs: c.calendar.fresh ? nowMs : nowMs - 86_400_000,
        };
        await app.kv.set(keys.calendarBusyHead(host.id, "cal1"), head);
        // Written past the store: say what the store says when a calendar starts counting.
        settingsChanged(app.kv);
        const byDay = new Map<string, number[]>();
        for (const [q, len] of c.calendar.busy) {
          const s = monthStart.epochMilliseconds + q * 15 * 60_000;
          const day = new Date(s).toISOString().slice(0, 10);
          byDay.set(day, [...(byDay.get(day) ?? []), s, s + len * 15 * 60_000]);
        }
        for (const [day, w] of byDay) {
          await app.kv.set(keys.calendarBusy(host.id, day, "cal1", gen, 0), { v: 1, w });
        }
      }
      for (let d = 0; d < 31; d++) {
        const date = month.add({ days: d }).toString();
        const page = await getSlotPage(app, {
          username: "host",
          slug: "call",
          timeZone: c.timeZone,
          date,
        });
        // A day the page cannot show (past, beyond the window) opens another day with a note.
        const slots = page.ok && page.date === date
          ? page.slots.map((s) => Date.parse(s.start))
          : [];
        const t = await troubleshootDay(app, host, { eventTypeId: et.id, date });
        assert.ok(t.ok);
        const offered = t.starts.filter((s) => s.offered).map((s) => s.startMs);
        assert.deepEqual(offered, slots, `${date}: offered starts differ from the page's slots`);
        if (t.starts.some((s) => s.reasons.some((r) => r.kind.startsWith("cap_")))) capped++;
        for (const s of t.starts) {
          assert.equal(
            s.offered,
            s.reasons.length === 0,
            "a start is offered exactly when nothing excludes it",
          );
        }
      }
      app.close();
    }),
    { numRuns: 40 },
  );
  // The runs did exercise bookings and caps, not only empty calendars.
  assert.ok(booked > 20 && capped > 0, `booked ${booked}, capped days ${capped}`);
});

function mergeOff(spans: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

Deno.test("troubleshooter: names the booking (with its buffers), the calendar, the cap, the notice, time off and the grid", async () => {
  const app = await memoryApp({ nowIso: "2026-11-23T07:00:00Z" }); // Monday 08:00 in Berlin
  const host = await createHost(app, { weekly: WORKDAYS });
  const et = await createEventType(app, host, {
    slug: "call",
    title: "Intro call",
    durationMin: 30,
    bufferBeforeMin: 15,
    bufferAfterMin: 15,
    minNoticeMin: 120,
    maxPerDay: 2,
    requiresConfirmation: false,
  });
  const b = await bookSlot(app, {
    username: "host",
    slug: "call",
    start: "2026-11-23T12:00:00Z", // 13:00 Berlin
    name: "Ann Guest",
    email: "ann@example.test",
    note: "",
    timeZone: "Europe/Berlin",
  });
  assert.ok(b.ok);
  await app.kv.set(keys.calendarBusyHead(host.id, "cal1"), {
    ...emptyHead("cal1", "acc1"),
    gen: "g",
    fromMs: Date.parse("2026-11-20T00:00:00Z"),
    toMs: Date.parse("2026-12-31T00:00:00Z"),
    syncedAtMs: app.now(),
  });
  await app.kv.set(keys.calendarBusy(host.id, "2026-11-23", "cal1", "g", 0), {
    v: 1,
    w: [Date.parse("2026-11-23T14:00:00Z"), Date.parse("2026-11-23T15:00:00Z")],
  });
  const t = await troubleshootDay(app, host, {
    eventTypeId: et.id,
    date: "2026-11-23",
    at: "16:45",
  });
  assert.ok(t.ok);
  const at = (hhmm: string) =>
    t.starts.find((s) => s.startMs === Date.parse(`2026-11-23T${hhmm}:00Z`))!;
  const kinds = (hhmm: string) => at(hhmm).reasons.map((r) => r.kind);
  assert.deepEqual(kinds("06:00"), ["outside_hours", "past"]); // 07:00 Berlin
  assert.deepEqual(kinds("08:30"), ["min_notice"]); // 09:30 Berlin < 10:00 (now + 2 h)
  assert.deepEqual(kinds("09:15"), ["off_interval"]); // 10:15 Berlin: starts are every 30 min
  assert.deepEqual(kinds("15:45"), ["ends_after_hours"]); // the asked-about 16:45 Berlin
  assert.deepEqual(kinds("09:00"), []);
  const blocked = at("11:30"); // 12:30–13:00 Berlin meets the booking's 15-minute buffer
  assert.deepEqual(blocked.reasons.map((r) => r.kind), ["busy"]);
  const src = blocked.sources[0];
  assert.ok(src.kind === "booking" && src.guestName === "Ann Guest" && src.title === "Intro call");
  assert.equal(src.blockStartMs, Date.parse("2026-11-23T11:45:00Z"));
  assert.equal(src.startMs, Date.parse("2026-11-23T12:00:00Z"));
  assert.deepEqual(at("14:30").sources.map((s) => s.kind), ["calendar"]);
  assert.equal(t.starts.filter((s) => s.offered).length > 0, true);

  // A second booking reaches the cap of 2 a day: nothing more that day, and it says why.
  const second = await bookSlot(app, {
    username: "host",
    slug: "call",
    start: "2026-11-23T09:00:00Z",
    name: "Bo",
    email: "bo@example.test",
    note: "",
    timeZone: "Europe/Berlin",
  });
  assert.ok(second.ok);
  const full = await troubleshootDay(app, host, { eventTypeId: et.id, date: "2026-11-23" });
  assert.ok(full.ok);
  assert.equal(full.starts.filter((s) => s.offered).length, 0);
  assert.ok(full.starts.every((s) => s.reasons.some((r) => r.kind === "cap_day")));

  // Time off names itself, with the reason the host gave.
  const a = await getAvailability(app.kv, host.id, app.now());
  await putAvailability(app.kv, {
    ...a,
    timeOff: [{ from: "2026-11-24", to: "2026-11-24", reason: "Dentist" }],
  });
  const off = await troubleshootDay(app, host, { eventTypeId: et.id, date: "2026-11-24" });
  assert.ok(off.ok);
  const r = off.starts.find((s) => s.startMs === Date.parse("2026-11-24T10:00:00Z"))!.reasons;
  assert.deepEqual(r, [{
    kind: "time_off",
    from: "2026-11-24",
    to: "2026-11-24",
    reason: "Dentist",
  }]);
  app.close();
});

Deno.test("troubleshooter in German: busy time from a calendar whose name is not known is said as “Kalender”, not “A calendar”", async () => {
  const app = await memoryApp({ nowIso: "2026-11-23T07:00:00Z" }); // Monday 08:00 in Berlin
  const host = await createHost(app, { weekly: WORKDAYS });
  const et = await createEventType(app, host, { slug: "call", title: "Intro call" });
  // Busy time read from a calendar the host's list no longer has (its name went with it).
  await app.kv.set(keys.calendarBusyHead(host.id, "gone"), {
    ...emptyHead("gone", "acc1"),
    gen: "g",
    fromMs: Date.parse("2026-11-20T00:00:00Z"),
    toMs: Date.parse("2026-12-31T00:00:00Z"),
    syncedAtMs: app.now(),
  });
  await app.kv.set(keys.calendarBusy(host.id, "2026-11-23", "gone", "g", 0), {
    v: 1,
    w: [Date.parse("2026-11-23T14:00:00Z"), Date.parse("2026-11-23T15:00:00Z")],
  });
  const day = await troubleshootDay(app, host, {
    eventTypeId: et.id,
    date: "2026-11-23",
    t: translator("de"),
  });
  assert.ok(day.ok);
  const names = day.starts.flatMap((s) => s.sources)
    .flatMap((s) => s.kind === "booking" ? [] : [s.calendarName]);
  assert.ok(names.length > 0, "the calendar's busy time is a reason");
  assert.deepEqual([...new Set(names)], ["Kalender"]);
  app.close();
});

Deno.test("troubleshootDay: the last days a date can name (9999-12-31, a day either side spills into year 10000) are 'not a date we understand', never a crash", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, { timeZone: "Pacific/Kiritimati", weekly: WORKDAYS });
    const et = await createEventType(app, host, { slug: "call" });
    for (const date of ["9999-12-31", "9999-12-30"]) {
      const res = await troubleshootDay(app, host, { eventTypeId: et.id, date });
      assert.deepEqual(res, { ok: false, reason: "bad_date" }, date);
    }
    // A date well inside the range is explained as always.
    const fine = await troubleshootDay(app, host, { eventTypeId: et.id, date: "9998-06-01" });
    assert.equal(fine.ok, true);
  } finally {
    app.close();
  }
});
