/**
 * A zone told apart from another without naming it: its offsets from UTC at the same instants.
 * A browser learns its own zone's name only through ICU (`Intl.DateTimeFormat`), whose first use
 * this early in a page blocks a phone for hundreds of milliseconds; its offsets it has for free
 * (`Date#getTimezoneOffset`). So a guest page lists the guessed zone's offsets and app.html's
 * script asks ICU only when the browser's differ (ADR 056).
 */
import { Temporal } from "temporal-polyfill";

/** Offsets are sampled every 30 days over a year: app.html's script steps the same way. */
export const OFFSET_SAMPLE_STEP_MS = 30 * 86_400_000;
const SAMPLES = 13;

/**
 * Minutes east of UTC of `timeZone` at `fromMs`, `fromMs` + 30 days, … (a year of them): two
 * zones with the same list show the same times on every date a guest can pick, up to the week
 * their clocks change if they change it on different days.
 */
export function offsetSamples(timeZone: string, fromMs: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const at = Temporal.Instant.fromEpochMilliseconds(fromMs + k * OFFSET_SAMPLE_STEP_MS);
    out.push(Math.round(at.toZonedDateTimeISO(timeZone).offsetNanoseconds / 60e9));
  }
  return out;
}
