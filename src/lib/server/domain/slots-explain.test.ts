import assert from "node:assert/strict";
import fc from "fast-check";
import { Temporal } from "./temporal.ts";
import type { TimeRange, WeeklyRules } from "./availability.ts";
import { computeSlots, explainDay } from "./slots.ts";

const hhmm = (min: number) =>
  `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;
const ranges = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 600 })),
  {
    maxLength: 3,
  },
).map((list): TimeRange[] => {
  const out: TimeRange[] = [];
  let last = -1;
  for (const [a, len] of [...list].sort((x, y) => x[0] - y[0])) {
    const start = Math.max(a, last + 1);
    const end = Math.min(start + len, 1440);
    if (start < end) out.push({ start: hhmm(start), end: hhmm(end) }), last = end;
  }
  return out;
});

Deno.test("explainDay: every minute of a month of random rules is offered exactly when computeSlots offers it", () => {
  fc.assert(
    fc.property(
      fc.record({
        timeZone: fc.constantFrom(
          "Europe/Berlin",
          "America/New_York",
          "Australia/Lord_Howe",
          "UTC",
        ),
        weekly: fc.tuple(ranges, ranges, ranges, ranges, ranges, ranges, ranges),
        override: fc.option(fc.tuple(fc.integer({ min: 0, max: 30 }), ranges), { nil: null }),
        off: fc.option(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 4 })), {
          nil: null,
        }),
        durationMin: fc.integer({ min: 5, max: 120 }),
        intervalMin: fc.option(fc.integer({ min: 5, max: 60 }), { nil: undefined }),
        before: fc.integer({ min: 0, max: 60 }),
        after: fc.integer({ min: 0, max: 60 }),
        notice: fc.integer({ min: 0, max: 3000 }),
        notSameDay: fc.boolean(),
        horizon: fc.integer({ min: 0, max: 40 }),
        nowMin: fc.integer({ min: -2000, max: 20_000 }),
        busy: fc.array(
          fc.tuple(fc.integer({ min: 0, max: 31 * 1440 }), fc.integer({ min: 1, max: 300 })),
          {
            maxLength: 30,
          },
        ),
        fullDay: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
      }),
      (c) => {
        const month = Temporal.PlainDate.from("2026-03-01"); // spring forward in Berlin, New York
        const start = month.toZonedDateTime({ timeZone: c.timeZone }).epochMilliseconds;
        const weekly = Object.fromEntries(
          c.weekly.map((r, i) => [i + 1, r]),
        ) as unknown as WeeklyRules;
        const q = {
          timeZone: c.timeZone,
          weekly,
          overrides: c.override
            ? [{ date: month.add({ days: c.override[0] }).toString(), ranges: c.override[1] }]
            : [],
          timeOff: c.off
            ? [{
              from: month.add({ days: c.off[0] }).toString(),
              to: month.add({ days: c.off[0] + c.off[1] }).toString(),
            }]
            : [],
          durationMin: c.durationMin,
          intervalMin: c.intervalMin,
          bufferBeforeMin: c.before,
          bufferAfterMin: c.after,
          busy: c.busy.map(([s, len]) => ({
            startMs: start + s * 60_000,
            endMs: start + (s + len) * 60_000,
            label: `b${s}`,
          })),
          now: Temporal.Instant.fromEpochMilliseconds(start + c.nowMin * 60_000),
          minNoticeMin: c.notice,
          notSameDay: c.notSameDay,
          horizonDays: c.horizon,
          fullDays: c.fullDay === null ? [] : [month.add({ days: c.fullDay }).toString()],
        };
        const end = month.add({ months: 1 }).toZonedDateTime({ timeZone: c.timeZone });
        const slots = new Set(
          computeSlots({
            ...q,
            from: Temporal.Instant.fromEpochMilliseconds(start),
            until: end.toInstant(),
          }).map((s) => s.start.epochMilliseconds),
        );
        const offered = new Set<number>();
        for (let d = 0; d < 31; d++) {
          const date = month.add({ days: d });
          const dayStart = date.toZonedDateTime({ timeZone: c.timeZone }).epochMilliseconds;
          const dayEnd = date.add({ days: 1 }).toZonedDateTime({ timeZone: c.timeZone })
            .epochMilliseconds;
          const everyMinute: number[] = [];
          for (let ms = dayStart; ms < dayEnd; ms += 60_000) everyMinute.push(ms);
          const e = explainDay(q, date, everyMinute);
          assert.equal(e.starts.length, everyMinute.length, "every minute of the day is explained");
          for (const s of e.starts) if (s.exclusions.length === 0) offered.add(s.startMs);
        }
        assert.deepEqual([...offered].sort(), [...slots].sort());
      },
    ),
    { numRuns: 40 },
  );
});
