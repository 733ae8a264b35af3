/**
 * A zone's civil dates of instants, read through the spans between its offset changes: within a
 * span an instant's date is the instant moved by the span's offset, read as UTC. One place keeps
 * the spans, for the slot engine's dates and windows (slot-days.ts) and the insights' days and
 * hours (insights.ts); each asked the Temporal polyfill's zone arithmetic per call (~2.5–3 µs) or
 * kept a cache of its own (issue 26). Pure: a zone name's offsets never change while it runs.
 */
import { Temporal } from "./temporal.ts";

const MS_PER_DAY = 86_400_000;

export type OffsetSpan = { fromMs: number; untilMs: number; offsetMs: number };

/**
 * The span between a zone's offset changes that holds `ms`, and its offset. Each zone keeps the
 * spans asked for last (months long, or endless for UTC): a slot query's dates and windows need
 * one or two, and finding them took the polyfill ~3 µs a call (`createWindowPlanner` walked the
 * changes of every query's days anew). Only a zone that was read is kept (an unknown one still
 * throws RangeError), at most four spans each.
 */
export function offsetSpanAt(ms: number, timeZone: string): OffsetSpan {
  const spans = offsetSpans.get(timeZone);
  if (spans) {
    for (const s of spans) if (ms >= s.fromMs && ms < s.untilMs) return s;
  }
  const span = offsetSpanOf(
    Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone),
  );
  if (spans) {
    spans.unshift(span);
    if (spans.length > SPANS_PER_ZONE) spans.pop();
  } else {
    // Zones come from hosts' settings; the bound only keeps a pathological mix from growing it.
    if (offsetSpans.size >= MAX_ZONES) offsetSpans.clear();
    offsetSpans.set(timeZone, [span]);
  }
  return span;
}
const SPANS_PER_ZONE = 4;
const MAX_ZONES = 1_000;
const offsetSpans = new Map<string, OffsetSpan[]>();

/** The span around `zoned` in which its offset holds: from its zone's last change to the next. */
function offsetSpanOf(zoned: Temporal.ZonedDateTime): OffsetSpan {
  const ms = zoned.epochMilliseconds;
  const offsetNs = zoned.offsetNanoseconds;
  const before = zoned.getTimeZoneTransition("previous");
  const after = zoned.getTimeZoneTransition("next");
  return {
    // "previous" is the last change strictly before: an instant that is itself a change starts
    // its span (the change before it set another offset).
    fromMs: before === null
      ? -Infinity
      : before.offsetNanoseconds === offsetNs
      ? before.epochMilliseconds
      : ms,
    untilMs: after === null ? Infinity : after.epochMilliseconds,
    offsetMs: offsetNs / 1e6,
  };
}

/**
 * The zone's date of an instant, as an epoch day (days since 1970-01-01). A computed instant need
 * not be a whole millisecond: it is read as Intl reads it, truncated.
 */
export function epochDayAt(ms: number, timeZone: string): number {
  const t = Math.trunc(ms);
  return Math.floor((t + offsetSpanAt(t, timeZone).offsetMs) / MS_PER_DAY);
}

/** The civil date of an instant in a zone ("2026-11-23"). */
export function zonedDay(ms: number, timeZone: string): string {
  return isoOfEpochDay(epochDayAt(ms, timeZone));
}

/** "2026-11-23" for an epoch day, as Temporal.PlainDate writes it. */
export function isoOfEpochDay(day: number): string {
  const { year, month, dayOfMonth } = civilFromDays(day);
  if (year < 0 || year > 9999) {
    return new Temporal.PlainDate(year, month, dayOfMonth).toString();
  }
  return `${String(year).padStart(4, "0")}-${month < 10 ? "0" : ""}${month}-${
    dayOfMonth < 10 ? "0" : ""
  }${dayOfMonth}`;
}

// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days).
export function daysFromCivil(year: number, month: number, dayOfMonth: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + dayOfMonth - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; dayOfMonth: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) -
      Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const dayOfMonth = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth };
}
