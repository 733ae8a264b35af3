/** Date and time formatting shared by pages and mails; always with an explicit IANA zone. */

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) cache.set(key, f = new Intl.DateTimeFormat(locale, opts));
  return f;
}

const LOCALE = "en-GB";

/** How a reader writes the time of day: "9:00 AM" or "09:00". */
export type Clock = "12h" | "24h";

export function parseClock(text: string | null | undefined): Clock | null {
  return text === "12h" || text === "24h" ? text : null;
}

const clockOfLocale = new Map<string, Clock>();

/** The clock people using `locale` expect ("en-US" → 12h, "en-GB", "de" → 24h). */
export function clockForLocale(locale: string | null | undefined): Clock {
  const tag = (locale ?? "").trim();
  if (!tag || tag === "*" || tag.length > 35) return "24h";
  let clock = clockOfLocale.get(tag);
  if (!clock) {
    try {
      const cycle = new Intl.DateTimeFormat(tag, { hour: "numeric" }).resolvedOptions().hourCycle;
      clock = cycle === "h11" || cycle === "h12" ? "12h" : "24h";
    } catch {
      clock = "24h";
    }
    if (clockOfLocale.size < 500) clockOfLocale.set(tag, clock);
  }
  return clock;
}

/** The clock of the first language an Accept-Language header names. */
export function clockForAcceptLanguage(header: string | null | undefined): Clock {
  return clockForLocale(header?.split(",")[0]?.split(";")[0]);
}

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

export function formatDateTime(ms: number, timeZone: string, clock: Clock = "24h"): string {
  if (clock === "12h") return `${formatDate(ms, timeZone)} at ${formatTime(ms, timeZone, clock)}`;
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

export function formatTime(ms: number, timeZone: string, clock: Clock = "24h"): string {
  if (clock === "12h") {
    return fmt("en-US", { timeZone, hour: "numeric", minute: "2-digit", hour12: true }).format(ms);
  }
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
export function formatRange(
  startMs: number,
  endMs: number,
  timeZone: string,
  clock: Clock = "24h",
): string {
  return `${formatDate(startMs, timeZone)}, ${formatTime(startMs, timeZone, clock)}–${
    formatTime(endMs, timeZone, clock)
  } (${timeZone.replaceAll("_", " ")}, ${zoneOffset(startMs, timeZone)})`;
}

export function prettyZone(timeZone: string): string {
  return timeZone.replaceAll("_", " ");
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago"; "never" for null. */
export function formatAgo(ms: number | null, nowMs: number): string {
  if (ms === null) return "never";
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? "" : "s"} ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? "" : "s"} ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** A civil date ("2026-11-23") short: "23 Nov". */
export function shortDateLabel(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return fmt(LOCALE, { day: "numeric", month: "short", timeZone: "UTC" }).format(
    Date.UTC(y, m - 1, d),
  );
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** "1,204", "3.5": one shared formatter (making one per number is slow in long tables). */
export function formatNumber(n: number): string {
  return numberFormat.format(n);
}
