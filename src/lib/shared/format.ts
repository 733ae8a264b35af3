/** Date and time formatting shared by pages and mails; always with an explicit IANA zone. */

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) cache.set(key, f = new Intl.DateTimeFormat(locale, opts));
  return f;
}

const LOCALE = "en-GB";

/** "2026-11-23": the calendar date of an instant in a zone (en-CA formats dates as ISO). */
export function isoDateIn(ms: number, timeZone: string): string {
  return fmt("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}

/** A civil date ("2026-11-23") spelled out: "Monday 23 November". */
export function civilDateLabel(date: string, withYear = false): string {
  const [y, m, d] = date.split("-").map(Number);
  return fmt(LOCALE, {
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(withYear ? { year: "numeric" } : {}),
    timeZone: "UTC",
  })
    .format(Date.UTC(y, m - 1, d));
}

/** "November 2026" for "2026-11". */
export function monthLabel(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return fmt(LOCALE, { month: "long", year: "numeric", timeZone: "UTC" }).format(
    Date.UTC(y, m - 1, 1),
  );
}

export function formatDate(ms: number, timeZone: string): string {
  return fmt(LOCALE, { timeZone, weekday: "long", day: "numeric", month: "long", year: "numeric" })
    .format(ms);
}

export function formatDateTime(ms: number, timeZone: string): string {
  return fmt(LOCALE, {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(ms);
}

export function formatTime(ms: number, timeZone: string): string {
  return fmt(LOCALE, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ms);
}

/** "Central European Standard Time" — the long name of the zone at that instant. */
export function zoneName(ms: number, timeZone: string): string {
  const parts = fmt("en-US", { timeZone, timeZoneName: "long" }).formatToParts(ms);
  return parts.find((p) => p.type === "timeZoneName")?.value ?? timeZone;
}

/** "GMT+1" — short offset, unambiguous across locales. */
export function zoneOffset(ms: number, timeZone: string): string {
  const parts = fmt("en-US", { timeZone, timeZoneName: "shortOffset" }).formatToParts(ms);
  return parts.find((p) => p.type === "timeZoneName")?.value ?? "";
}

/** "Monday, 23 November 2026, 10:00–10:30 (Europe/Berlin, GMT+1)" */
export function formatRange(startMs: number, endMs: number, timeZone: string): string {
  return `${formatDate(startMs, timeZone)}, ${formatTime(startMs, timeZone)}–${
    formatTime(endMs, timeZone)
  } (${timeZone.replaceAll("_", " ")}, ${zoneOffset(startMs, timeZone)})`;
}

export function prettyZone(timeZone: string): string {
  return timeZone.replaceAll("_", " ");
}
