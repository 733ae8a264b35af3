import assert from "node:assert/strict";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import { firstTestDate, fromTomorrow } from "./slots.ts";

const at = (iso: string) => Temporal.Instant.from(iso);

Deno.test("a test's first date is tomorrow in its zone, at noon and in the evening", () => {
  assert.equal(firstTestDate("Europe/Berlin", at("2026-12-02T11:00:00Z")).toString(), "2026-12-03");
  // 20:59 in Berlin: tomorrow starts in three hours and a minute.
  assert.equal(firstTestDate("Europe/Berlin", at("2026-12-02T19:59:00Z")).toString(), "2026-12-03");
  // Kiritimati (UTC+14) is already on the 3rd at 11:00 UTC on the 2nd: its tomorrow is the 4th.
  assert.equal(
    firstTestDate("Pacific/Kiritimati", at("2026-12-02T11:00:00Z")).toString(),
    "2026-12-04",
  );
});

Deno.test("late in the test's zone, its first date is the day after tomorrow: tomorrow's first times are minutes away", () => {
  // 23:55 in Berlin: a test would take an all-day host's 00:00, five minutes away.
  assert.equal(firstTestDate("Europe/Berlin", at("2026-12-02T22:55:00Z")).toString(), "2026-12-04");
  assert.equal(firstTestDate("Europe/Berlin", at("2026-12-02T21:30:00Z")).toString(), "2026-12-04");
  // The same instant is midday in New York: tomorrow there.
  assert.equal(
    firstTestDate("America/New_York", at("2026-12-02T22:55:00Z")).toString(),
    "2026-12-03",
  );
});

Deno.test("fromTomorrow keeps the times from the first test date on, in the zone given", () => {
  const first = firstTestDate("UTC");
  const day = (d: Temporal.PlainDate, hh: string) => `${d}T${hh}:00:00Z`;
  const times = [
    day(first.subtract({ days: 1 }), "23"),
    day(first, "00"),
    day(first, "12"),
    day(first.add({ days: 1 }), "09"),
  ];
  assert.deepEqual(fromTomorrow(times), times.slice(1));
});
