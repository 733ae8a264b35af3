/**
 * Recurring series (issue 25), pure: the occurrences of a series — the same wall time in the
 * host's zone every `everyWeeks` weeks — as instants, so that DST changes move the instant and
 * never the host's hour. The page and the engine (booking-engine/series.ts) both read it.
 */
import { Temporal } from "./temporal.ts";
import type { BookingRecord, EventTypeRecord } from "./model/records.ts";

import { SERIES_EVERY_MAX_WEEKS, SERIES_MAX, SERIES_MIN } from "../../shared/series.ts";
export { SERIES_EVERY_MAX_WEEKS, SERIES_MAX, SERIES_MIN };

export type SeriesRule = { everyWeeks: number; count: number };

/** A rule in range (every 1–4 weeks, 2–52 occurrences), else null. */
export function seriesRuleOf(r: Partial<SeriesRule> | null | undefined): SeriesRule | null {
  if (!r) return null;
  const { everyWeeks, count } = r;
  if (!Number.isInteger(everyWeeks) || everyWeeks! < 1 || everyWeeks! > SERIES_EVERY_MAX_WEEKS) {
    return null;
  }
  if (!Number.isInteger(count) || count! < SERIES_MIN || count! > SERIES_MAX) return null;
  return { everyWeeks: everyWeeks!, count: count! };
}

/**
 * Every occurrence's start (epoch ms) of a series whose first meeting starts at `firstStartMs`:
 * the first one's wall time in `hostTimeZone`, every `everyWeeks` weeks. A wall time that a DST
 * change skips on some date is taken as the clock reads after the change (RFC 5545 §3.3.5).
 */
export function seriesStarts(
  firstStartMs: number,
  hostTimeZone: string,
  rule: SeriesRule,
): number[] {
  const first = Temporal.Instant.fromEpochMilliseconds(firstStartMs).toZonedDateTimeISO(
    hostTimeZone,
  );
  const wall = first.toPlainDateTime();
  // The first date is the instant the guest picked. It cannot be read back from its wall time
  // alone: in an hour a clock change repeats (02:30 on Berlin's autumn day, 23:30 on Santiago's)
  // that wall time names the first run, and a start picked in the second run was booked an hour
  // (Lord Howe: half an hour) before it.
  const out: number[] = [firstStartMs];
  for (let i = 1; i < rule.count; i++) {
    const at = wall.add({ weeks: i * rule.everyWeeks }).toZonedDateTime(hostTimeZone, {
      disambiguation: "compatible",
    });
    out.push(at.epochMilliseconds);
  }
  return out;
}

/**
 * The rule that gives exactly `starts` (a series' dates, in order) from the first, if one does:
 * none moved, cancelled or skipped. A calendar given that rule and the host's zone repeats the
 * first date into every one of them (calendar-links.ts: Google's `recur`).
 */
export function regularSeriesRule(starts: number[], hostTimeZone: string): SeriesRule | null {
  if (starts.length < SERIES_MIN) return null;
  for (let everyWeeks = 1; everyWeeks <= SERIES_EVERY_MAX_WEEKS; everyWeeks++) {
    const rule = { everyWeeks, count: starts.length };
    const made = seriesStarts(starts[0], hostTimeZone, rule);
    if (made.every((ms, i) => ms === starts[i])) return rule;
  }
  return null;
}

/**
 * What a calendar link may repeat for a series' `dates` (its dates in one state, in order): the
 * rule and the host's zone when they are the whole series as booked — none skipped as not free,
 * none cancelled, moved or decided apart — else null (each link then adds its one date).
 */
export function repeatOfSeries(
  dates: Pick<BookingRecord, "startMs" | "series" | "hostTimeZone">[],
): (SeriesRule & { timeZone: string }) | null {
  const s = dates[0]?.series;
  if (!s || s.skipped?.length || dates.length !== s.count) return null;
  const zone = dates[0].hostTimeZone;
  const rule = regularSeriesRule(dates.map((d) => d.startMs), zone);
  return rule ? { ...rule, timeZone: zone } : null;
}

/** An occurrence as a guest reads it: their date and wall time (ISO), in their own zone. */
export function inZone(startMs: number, timeZone: string): { date: string; time: string } {
  const z = Temporal.Instant.fromEpochMilliseconds(startMs).toZonedDateTimeISO(timeZone);
  return {
    date: z.toPlainDate().toString(),
    time: z.toPlainTime().toString({ smallestUnit: "minute" }),
  };
}

/** An event type's series rule with its "free dates only" option, when it repeats. */
export function seriesOf(et: Pick<EventTypeRecord, "series" | "seats" | "teamId">) {
  const s = et.series;
  if (!s || et.teamId) return null;
  const rule = seriesRuleOf(s);
  return rule ? { ...rule, freeOnly: !!s.freeOnly } : null;
}
