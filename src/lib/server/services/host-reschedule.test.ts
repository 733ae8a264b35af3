import assert from "node:assert/strict";
import fc from "fast-check";
import { wallTimeInstant } from "./host-reschedule.ts";
import {
  naiveOf,
  ODD_ZONES,
  transitionsOf,
  wallClockMs,
} from "../../../../tests/support/wall-clock.ts";

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** A naive wall time (see wall-clock.ts) as the host types it: "2026-03-29", "02:30". */
const typed = (naiveMs: number) => {
  const s = iso(naiveMs);
  return { date: s.slice(0, 10), time: s.slice(11, 16) };
};

Deno.test("a host who types a date and time for a booking gets that wall time in their zone; a time the clock skips is read with the offset before the change, one it repeats is the first (RFC 5545), in zones with odd clock changes", () => {
  const from = Date.parse("2010-01-01T00:00:00Z");
  const to = Date.parse("2031-01-01T00:00:00Z");
  const changes = new Map(ODD_ZONES.map((z) => [z, transitionsOf(z, from, to)]));
  fc.assert(
    fc.property(
      fc.constantFrom(...ODD_ZONES),
      fc.nat(),
      // A whole minute within 3 hours of a change's wall time (before or after it).
      fc.integer({ min: -180, max: 180 }),
      (zone, pick, minutes) => {
        const list = changes.get(zone)!;
        const at = list[pick % list.length];
        const wall = Math.floor(naiveOf(at, zone) / MIN) * MIN + minutes * MIN;
        const { date, time } = typed(wall);
        assert.equal(
          wallTimeInstant(date, time, zone),
          iso(wallClockMs(wall, zone)).replace(".000Z", "Z"),
          `${zone} ${date} ${time}`,
        );
      },
    ),
    { numRuns: 600 },
  );
});

Deno.test("a host who types a date the calendar does not have (30 February) or an hour past 23 gets no booking", () => {
  assert.equal(wallTimeInstant("2026-02-30", "10:00", "Europe/Berlin"), null);
  assert.equal(wallTimeInstant("2026-03-10", "24:00", "Europe/Berlin"), null);
});
