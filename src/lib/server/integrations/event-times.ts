/**
 * Times of provider events (Google Calendar, Microsoft Graph) as epoch ms: RFC 3339 instants,
 * wall times with a zone name (IANA or Windows, as Graph writes them), and all-day dates, which
 * block their whole dates in the host's zone (as all-day events from CalDAV do).
 */
import { Temporal } from "../domain/temporal.ts";
import type { Interval } from "../domain/interval.ts";
import { ianaZoneFor } from "./windows-zones.ts";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WALL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Midnight at the start of `date` ("2026-11-24") in `zone`; null if `date` is no date. */
export function startOfDateMs(date: string, zone: string): number | null {
  if (!DATE.test(date)) return null;
  try {
    return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
  } catch {
    return null;
  }
}

/** [start date, end date) of an all-day event as an interval in the host's zone. */
export function allDayWindow(startDate: string, endDate: string | null, zone: string) {
  const startMs = startOfDateMs(startDate, zone);
  if (startMs === null) return null;
  let endMs = endDate ? startOfDateMs(endDate, zone) : null;
  if (endMs === null || endMs <= startMs) {
    endMs = Temporal.PlainDate.from(startDate).add({ days: 1 }).toZonedDateTime({ timeZone: zone })
      .epochMilliseconds;
  }
  return { startMs, endMs } satisfies Interval;
}

/** An RFC 3339 instant with offset ("2026-11-23T10:00:00+01:00") as epoch ms. */
export function instantMs(text: string): number | null {
  if (!INSTANT.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * A wall time ("2026-11-23T10:00:00.0000000") in a named zone ("W. Europe Standard Time",
 * "Europe/Berlin", "UTC") as epoch ms; a time that already carries an offset is taken as is.
 * Null when the zone is unknown or the text is no time.
 */
export function wallTimeMs(text: string, zoneName: string | null | undefined): number | null {
  const instant = instantMs(text);
  if (instant !== null) return instant;
  if (!WALL.test(text)) return null;
  const zone = zoneName ? ianaZoneFor(zoneName) : "UTC";
  if (!zone) return null;
  try {
    return Temporal.PlainDateTime.from(text).toZonedDateTime(zone, { disambiguation: "compatible" })
      .epochMilliseconds;
  } catch {
    return null;
  }
}

/** A window clipped to [fromMs, toMs); null when nothing of it is left. */
export function clip(iv: Interval, fromMs: number, toMs: number): Interval | null {
  const startMs = Math.max(iv.startMs, fromMs);
  const endMs = Math.min(iv.endMs, toMs);
  return endMs > startMs ? { startMs, endMs } : null;
}
