/**
 * An oracle for property tests of code that turns a wall-clock time in a zone into an instant
 * (recurring dates, calendar events): found by search over the offsets `Intl` reports for
 * instants — the direction that always has exactly one answer — and RFC 5545's rule for the
 * rest, not by Temporal's disambiguation, which the code under test uses.
 *
 * Wall times are passed "naive": the wall clock's reading written as if it were UTC, in epoch ms
 * (2026-04-05 03:50 → Date.UTC(2026, 3, 5, 3, 50)), so whole days can be added as 86,400,000 ms.
 */
import { Temporal } from "../../src/lib/server/domain/temporal.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Zones whose changes are unusual: 30- and 60-minute DST at odd wall times, midnight changes, a skipped day. */
export const ODD_ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe", // DST of 30 minutes, at 02:00
  "Pacific/Chatham", // +12:45 / +13:45, changes at 02:45 / 03:45
  "Pacific/Apia", // skipped 2011-12-30 whole
  "America/Santiago", // DST at midnight: a day starts at 01:00, or 23:00 happens twice
  "America/Asuncion", // DST at midnight
  "America/Havana", // 00:00–01:00 happens twice
  "Africa/Casablanca", // DST off during Ramadan
  "Antarctica/Troll", // DST of 2 hours
  "Asia/Tehran", // +03:30, DST until 2022
  "America/St_Johns", // −03:30, DST
  "Europe/Dublin", // "negative DST" in the zone data
] as const;

const formats = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant, in minutes east, as `Intl` reports it. */
export function offsetMinutesAt(ms: number, timeZone: string): number {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    formats.set(timeZone, f);
  }
  const name = f.formatToParts(ms).find((p) => p.type === "timeZoneName")!.value; // "GMT+10:30"
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset ${name} in ${timeZone}`);
  return m[1] ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * The instant at which the zone's clock reads the naive wall time `naiveMs`, by RFC 5545
 * §3.3.5: a time that occurs twice is the first one; a time a change skips is read with the
 * offset in force before the change (so 02:30 on a spring-forward day is 03:30 afterwards).
 */
export function wallClockMs(naiveMs: number, timeZone: string): number {
  // Every offset the zone has within 15 hours of the wall time: one, or two around a change.
  const offsets = new Set<number>();
  for (let h = -15; h <= 15; h += 3) offsets.add(offsetMinutesAt(naiveMs + h * HOUR, timeZone));
  const candidates = [...offsets].map((o) => naiveMs - o * MIN);
  const reading = candidates.filter((ms) => ms + offsetMinutesAt(ms, timeZone) * MIN === naiveMs);
  if (reading.length) return Math.min(...reading);
  // Skipped: of the two readings, the earlier lies before the change and has the offset before it.
  const before = offsetMinutesAt(Math.min(...candidates), timeZone);
  return naiveMs - before * MIN;
}

/** The naive wall time of an instant in a zone (see above). */
export function naiveOf(ms: number, timeZone: string): number {
  return ms + offsetMinutesAt(ms, timeZone) * MIN;
}

/** The zone's changes of offset in [fromMs, toMs), as epoch ms (test inputs, not the oracle). */
export function transitionsOf(timeZone: string, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  let z = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone);
  for (;;) {
    const next = z.getTimeZoneTransition("next");
    if (!next || next.epochMilliseconds >= toMs) return out;
    out.push(next.epochMilliseconds);
    z = next;
  }
}
