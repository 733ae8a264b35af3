/**
 * Spans of time in the reader's language: how long ago, how long ahead, how long left, a length
 * as a setting says it — from `Intl.RelativeTimeFormat`, `Intl.DurationFormat` and unit
 * formatting (format.ts re-exports them, so callers import from one place).
 */
import { FORMAT_LOCALE, keptIntl, numberFormat } from "./format-intl.ts";
import { kept } from "./written-formats.ts";

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/**
 * How long ago, as the reader's language says it: "5 minutes ago", "vor 3 Stunden", "il y a
 * 2 jours" (`Intl.RelativeTimeFormat`); under a minute `justNow` (Intl's own word is "now").
 * Callers say "never" themselves.
 */
export function formatAgo(
  ms: number,
  nowMs: number,
  locale: string = FORMAT_LOCALE,
  justNow?: string,
): string {
  const rtf = keptIntl(
    relativeFormats,
    200,
    locale,
    undefined,
    (tag) => new Intl.RelativeTimeFormat(tag, { numeric: "auto" }),
  );
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return justNow ?? rtf.format(0, "second");
  const m = Math.round(s / 60);
  if (m < 60) return rtf.format(-m, "minute");
  const h = Math.round(m / 60);
  if (h < 48) return rtf.format(-h, "hour");
  return rtf.format(-Math.round(h / 24), "day");
}

const durationFormats = new Map<string, Intl.DurationFormat>();
/**
 * A length of time in days, hours and minutes, each said: "2 hours, 55 minutes", "1 day, 3
 * hours", "40 minutes" ("2 heures et 55 minutes", "2 horas y 55 minutos"), from
 * `Intl.DurationFormat`. For a time that is not a round setting (how long is left before a meeting
 * when a late reminder goes out), where `formatMinutes` would say "175 minutes".
 */
export function formatTimeLeft(minutes: number, locale: string = FORMAT_LOCALE): string {
  const m = Math.max(0, Math.round(minutes));
  const parts = { days: Math.floor(m / 1440), hours: Math.floor((m % 1440) / 60), minutes: m % 60 };
  return kept(
    `tl|${m}|${locale}`,
    () =>
      keptIntl(
        durationFormats,
        100,
        locale,
        { style: "long" },
        (tag) => new Intl.DurationFormat(tag, { style: "long" }),
      ).format(parts),
  );
}

/**
 * A length of time in the largest whole unit: "30 minutes", "2 hours", "1 day" ("30 Minuten";
 * `short`: "30 min", "2 Std."), from `Intl` unit formatting.
 */
export function formatMinutes(
  minutes: number,
  locale: string = FORMAT_LOCALE,
  width: "long" | "short" = "long",
  /** "hour": a day or two read as "24 hours", "48 hours" (days from 3 on). */
  largest: "day" | "hour" = "day",
): string {
  const days = minutes !== 0 && minutes % 1440 === 0 && (largest === "day" || minutes >= 4320);
  const [value, unit] = days
    ? [minutes / 1440, "day"]
    : minutes !== 0 && minutes % 60 === 0
    ? [minutes / 60, "hour"]
    : [minutes, "minute"];
  return kept(
    `mi|${value}|${unit}|${width}|${locale}`,
    () => numberFormat(locale, { style: "unit", unit, unitDisplay: width }).format(value),
  );
}

/**
 * A time ahead in the largest whole unit, with the language's own preposition and the case it
 * takes: "in 2 days", "in 2 Tagen" (a unit count after "in" would read "in 2 Tage"), "dans 2
 * jours", "dentro de 2 días" — from `Intl.RelativeTimeFormat`, the units as `formatMinutes`
 * picks them.
 */
export function formatIn(minutes: number, locale: string = FORMAT_LOCALE): string {
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] = minutes !== 0 && minutes % 1440 === 0
    ? [minutes / 1440, "day"]
    : minutes !== 0 && minutes % 60 === 0
    ? [minutes / 60, "hour"]
    : [minutes, "minute"];
  return kept(
    `in|${value}|${unit}|${locale}`,
    () =>
      keptIntl(
        relativeFormats,
        200,
        locale,
        { numeric: "always" },
        (tag) => new Intl.RelativeTimeFormat(tag, { numeric: "always" }),
      ).format(value, unit),
  );
}

/**
 * A span as people promise it ("24 hours", "48 hours", "7 days", "90 seconds"; days from 3 on),
 * in the reader's language.
 */
export function formatDuration(ms: number, locale: string = FORMAT_LOCALE): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1_000, "second"],
  ];
  for (const [size, unit] of units) {
    if (size === 86_400_000 && ms < 3 * size) continue;
    if (ms >= size && ms % size === 0) {
      return numberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(ms / size);
    }
  }
  return numberFormat(locale, { style: "unit", unit: "minute", unitDisplay: "long" })
    .format(Math.round(ms / 60_000));
}
