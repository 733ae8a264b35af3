import assert from "node:assert/strict";
import { Temporal } from "./temporal.ts";
import { epochDayOfInstant } from "./slot-days.ts";

/** The zone's date of an instant, computed afresh every time. */
const dateOf = (ms: number, zone: string) =>
  Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate().toString();
const dateOfDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

Deno.test("epochDayOfInstant: the zone's date of every instant around DST changes, asked in any order", () => {
  // Berlin and New York change at night; Santiago and Havana skip or repeat their midnight (the
  // date then begins at 01:00); Lord Howe moves by half an hour; Apia skipped 2011-12-30 whole.
  const zones = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Pacific/Apia",
  ];
  const around = [
    Date.UTC(2026, 2, 29),
    Date.UTC(2026, 9, 25),
    Date.UTC(2026, 8, 6),
    Date.UTC(2026, 3, 5),
    Date.UTC(2026, 2, 8),
    Date.UTC(2026, 10, 1),
    Date.UTC(2011, 11, 29),
  ];
  // Instants every 17 minutes over three days around each change, then the same ones shuffled:
  // dates asked before, after and between each other, as slot queries do (now, first, last).
  const instants = around.flatMap((t) =>
    Array.from({ length: (3 * 24 * 60) / 17 }, (_, i) => t - 86_400_000 + i * 17 * 60_000)
  );
  let seed = 7;
  const shuffled = [...instants].sort(() => ((seed = (seed * 48271) % 2147483647) % 3) - 1);
  for (const zone of zones) {
    for (const ms of [...instants, ...shuffled]) {
      const day = epochDayOfInstant(Temporal.Instant.fromEpochMilliseconds(ms), zone);
      assert.equal(dateOfDay(day), dateOf(ms, zone), `${new Date(ms).toISOString()} in ${zone}`);
    }
  }
});

Deno.test("epochDayOfInstant: the instants of an offset change and those just beside them, the change asked first", () => {
  for (const zone of ["Europe/Berlin", "America/Havana", "Australia/Lord_Howe", "Pacific/Apia"]) {
    let zoned = Temporal.Instant.fromEpochMilliseconds(Date.UTC(2011, 0, 1)).toZonedDateTimeISO(
      zone,
    );
    for (let n = 0; n < 40; n++) {
      const change = zoned.getTimeZoneTransition("next");
      if (change === null) break;
      const t = change.epochMilliseconds;
      // Near a zone's midnight a change moves the date: each side of it must keep its own. The
      // last one asks again for the first span found, now kept.
      for (const ms of [t, t - 1, t + 1, t - 3_600_000, t + 3_600_000, t - 1]) {
        const day = epochDayOfInstant(Temporal.Instant.fromEpochMilliseconds(ms), zone);
        assert.equal(dateOfDay(day), dateOf(ms, zone), `${new Date(ms).toISOString()} in ${zone}`);
      }
      zoned = change;
    }
  }
});

Deno.test("epochDayOfInstant: an unknown zone is refused every time, never answered from another's dates", () => {
  const now = Temporal.Instant.fromEpochMilliseconds(Date.UTC(2026, 10, 30, 12));
  epochDayOfInstant(now, "Europe/Berlin");
  for (let i = 0; i < 2; i++) {
    assert.throws(() => epochDayOfInstant(now, "Mars/Base"), RangeError);
  }
});
