import assert from "node:assert/strict";
import { Temporal } from "temporal-polyfill";
import { isoDateIn } from "./format.ts";
import { ODD_ZONES } from "../../../tests/support/wall-clock.ts";

Deno.test("isoDateIn: the calendar date of an instant in a zone is Temporal's, around every change of odd zones and far from now", () => {
  const zones = [
    "UTC",
    "America/New_York",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    ...ODD_ZONES,
  ];
  // Every 97 minutes over two years (both sides of each zone's changes), and some far years.
  const instants: number[] = [];
  for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 97 * 60_000) {
    instants.push(ms);
  }
  instants.push(Date.UTC(1900, 0, 1, 12), Date.UTC(2099, 11, 31, 23, 59), Date.UTC(999, 5, 1, 12));
  for (const zone of zones) {
    for (const ms of instants) {
      const want = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone)
        .toPlainDate().toString();
      assert.equal(isoDateIn(ms, zone), want, `${new Date(ms).toISOString()} in ${zone}`);
    }
  }
});
