/**
 * Date, time and number formatting shared by pages, mails and calendar text: always with an
 * explicit IANA zone and the reader's locale (from `Intl`, never hand-built), and the reader's
 * 12/24-hour choice on top of it. Callers that know no reader get `FORMAT_LOCALE`.
 */
import { ianaZoneName, zoneCity } from "./time-zone-names.ts";
import { kept, vouchedClock } from "./written-formats.ts";
import { FORMAT_LOCALE, keptIntl, numberFormat, safeLocale } from "./format-intl.ts";

export { FORMAT_LOCALE, numberFormat } from "./format-intl.ts";
export {
  formatAgo,
  formatDuration,
  formatIn,
  formatMinutes,
  formatTimeLeft,
} from "./format-spans.ts";

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** One `Intl.DateTimeFormat` per locale and options, kept. */
export function fmt(locale: string, opts?: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return keptIntl(dateFormats, 2000, locale, opts, (tag) => new Intl.DateTimeFormat(tag, opts));
}

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
  // The page's language writes its guessed clock (app.html's mark; server/http/booking-page.ts).
  const vouched = parseClock(vouchedClock(tag));
  if (vouched) return vouched;
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

/**
 * A host's clock and first day of the week, everywhere in their dashboard: their choice in
 * Profile, else their language's habit (the profile's language, else the browser's).
 */
export function hostClock(
  host: { clock?: Clock; locale?: string },
  locale: string | null | undefined,
): Clock {
  return host.clock ?? clockForLocale(host.locale ?? locale);
}

/** A host's clock setting in Profile: a fixed clock, or "auto" (their language's). */
export type ClockChoice = Clock | "auto";

export function clockChoice(host: { clock?: Clock; clockAuto?: boolean }): ClockChoice {
  return host.clockAuto || !host.clock ? "auto" : host.clock;
}

/**
 * The clock stored for a host (every reader of `clock` — dashboard, mails, exports — reads that
 * one value): a fixed choice, or with "auto" their language's (`locale`, the language they read
 * in after this change), written again whenever the language changes. `choice` undefined keeps
 * the setting as it is.
 */
export function decideClock(
  host: { clock?: Clock; clockAuto?: boolean },
  choice: ClockChoice | undefined,
  locale: string | null | undefined,
): { clock: Clock; clockAuto: boolean } {
  const pick = choice ?? clockChoice(host);
  if (pick === "auto") return { clock: clockForLocale(locale), clockAuto: true };
  return { clock: pick, clockAuto: false };
}

/**
 * A new account's clock: "auto" (its language's) when the browser of the first sign-in says the
 * same or nothing; the browser's own when it differs (an English browser set to 24 hours).
 */
export function initialClock(
  browser: Clock | undefined,
  locale: string | null | undefined,
): { clock: Clock; clockAuto: boolean } {
  const languages = clockForLocale(locale);
  return !browser || browser === languages
    ? { clock: languages, clockAuto: true }
    : { clock: browser, clockAuto: false };
}

export function hostWeekStart(
  host: { weekStart?: 1 | 6 | 7; locale?: string },
  locale: string | null | undefined,
): 1 | 6 | 7 {
  return host.weekStart ?? firstDayOfWeek(host.locale ?? locale ?? undefined);
}

/** The week's seven day numbers (1 Monday … 7 Sunday) from `first` on. */
export function weekOrder(first: 1 | 6 | 7): (1 | 2 | 3 | 4 | 5 | 6 | 7)[] {
  return Array.from(
    { length: 7 },
    (_, i) => (((first - 1 + i) % 7) + 1) as 1 | 2 | 3 | 4 | 5 | 6 | 7,
  );
}

/**
 * The end of a day on a 12-hour clock, in each catalog's words ("common.midnight"; the
 * pseudo-locale's as its translator writes them): Intl has no word for it, and "12:00 AM" reads
 * as the day's start ("Mon–Sun 12:00 AM–12:00 AM"). A copy, so that this browser-safe module
 * needs no catalog; format-wall-time.test.ts holds it to the catalogs.
 */
const MIDNIGHT: Record<string, string> = {
  en: "midnight",
  de: "Mitternacht",
  fr: "minuit",
  es: "medianoche",
  "en-XA": "⟦ɱíðñíĝĥţ~~~⟧",
};

/**
 * A wall-clock time "13:00" (or "24:00", the end of the day) on a clock: "1:00 PM", "13:00";
 * "24:00" on a 12-hour clock is "midnight" (as the AP and Chicago style guides advise).
 */
export function formatWallTime(hhmm: string, clock: Clock, locale: string = FORMAT_LOCALE): string {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return hhmm;
  if (clock === "24h") return hhmm;
  if (hhmm === "24:00") {
    return MIDNIGHT[locale] ?? MIDNIGHT[locale.split("-")[0].toLowerCase()] ?? MIDNIGHT.en;
  }
  return formatTime(Date.UTC(2026, 0, 5, Number(m[1]) % 24, Number(m[2])), "UTC", clock, locale);
}

/** The clock of the first language an Accept-Language header names. */
export function clockForAcceptLanguage(header: string | null | undefined): Clock {
  return clockForLocale(header?.split(",")[0]?.split(";")[0]);
}

/**
 * "2026-11-23T08:00:00Z": an instant as the pages, the forms, the API and the embed events write
 * it, in UTC to the second, as Temporal.Instant prints a whole second (a booking page's 96 times:
 * 51 µs this way, 116 µs through Temporal).
 */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/**
 * "2026-11-23": the calendar date of an instant in a zone. Put together from the date's parts:
 * a locale's own pattern follows its CLDR data, which a browser or runtime may update (en-CA's,
 * which this read as ISO, has changed between releases).
 */
export function isoDateIn(ms: number, timeZone: string): string {
  return kept(`iso|${ms}|${timeZone}`, () => {
    let y = "", m = "", d = "";
    const parts = fmt("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(ms);
    for (const p of parts) {
      if (p.type === "year") y = p.value;
      else if (p.type === "month") m = p.value;
      else if (p.type === "day") d = p.value;
    }
    return `${y.padStart(4, "0")}-${m}-${d}`;
  });
}

const civilMs = (date: string) => {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y, m - 1, d);
};

/**
 * Whether `date` is a civil date written YYYY-MM-DD that exists. A form shown again with what a
 * visitor typed ("20.12.2026", "2026-02-30") labels it as typed: a label is never a server error.
 */
export function isCivilDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const ms = civilMs(date);
  return new Date(ms).toISOString().slice(0, 10) === date;
}

/** "Mittwoch" → "Mittwoch", "mercredi 25 novembre" → "Mercredi 25 novembre": for headings. */
export function capitalize(text: string, locale: string = FORMAT_LOCALE): string {
  return text.charAt(0).toLocaleUpperCase(safeLocale(locale)) + text.slice(1);
}

/** A civil date ("2026-11-23") spelled out: "Monday, November 23" (en-US), "Montag, 23. November". */
export function civilDateLabel(
  date: string,
  withYear = false,
  locale: string = FORMAT_LOCALE,
): string {
  // Checked on a first ask only (kept answers are kept): a label is asked for every day shown.
  return kept(`cl|${date}|${withYear}|${locale}`, () =>
    isCivilDate(date)
      ? fmt(locale, {
        weekday: "long",
        day: "numeric",
        month: "long",
        ...(withYear ? { year: "numeric" } : {}),
        timeZone: "UTC",
      }).format(civilMs(date))
      : date);
}

/** A civil date as a column heading: "Mon 23" (en-US), "Mo., 23.", "lun. 23". */
export function dayShortLabel(date: string, locale: string = FORMAT_LOCALE): string {
  return kept(
    `ds|${date}|${locale}`,
    () =>
      isCivilDate(date)
        ? fmt(locale, { weekday: "short", day: "numeric", timeZone: "UTC" }).format(civilMs(date))
        : date,
  );
}

/** A civil date without the weekday: "November 23, 2026", "23. November 2026". */
export function civilDateShort(date: string, locale: string = FORMAT_LOCALE): string {
  return kept(
    `cs|${date}|${locale}`,
    () =>
      isCivilDate(date)
        ? fmt(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
          .format(civilMs(date))
        : date,
  );
}

/** "November 2026" for "2026-11" ("novembre 2026" in French, capitalised by the caller). */
export function monthLabel(month: string, locale: string = FORMAT_LOCALE): string {
  return kept(
    `m|${month}|${locale}`,
    () => {
      const [y, m] = month.split("-").map(Number);
      return fmt(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(
        Date.UTC(y, m - 1, 1),
      );
    },
  );
}

/** Weekday names by ISO number (1 = Monday … 7 = Sunday) in the reader's language. */
export function weekdayNames(
  locale: string = FORMAT_LOCALE,
  width: "long" | "short" | "narrow" = "long",
): Record<1 | 2 | 3 | 4 | 5 | 6 | 7, string> {
  // 2024-01-01 was a Monday.
  const out = {} as Record<1 | 2 | 3 | 4 | 5 | 6 | 7, string>;
  for (let d = 1; d <= 7; d++) {
    out[d as 1] = kept(
      `w|${d}|${width}|${locale}`,
      () => fmt(locale, { weekday: width, timeZone: "UTC" }).format(Date.UTC(2024, 0, d)),
    );
  }
  return out;
}

/** Regions whose weeks start on Sunday or Saturday, for browsers without `Intl.Locale#getWeekInfo`. */
const SUNDAY_FIRST = new Set(
  "AG AS BD BR BS BT BW BZ CA CO DM DO ET GT GU HK HN ID IL IN JM JP KE KH KR LA MH MM MO MT MX MZ NI NP PA PE PH PK PR PT PY SA SG SV TH TT TW UM US VE VI WS YE ZA ZW"
    .split(" "),
);
const SATURDAY_FIRST = new Set("AE AF BH DJ DZ EG IQ IR JO KW LY OM QA SD SY".split(" "));

/** The ISO weekday a reader's week starts on (1 = Monday, 7 = Sunday), from `Intl` where it can. */
export function firstDayOfWeek(locale: string = FORMAT_LOCALE): 1 | 6 | 7 {
  return Number(kept(`fd|${locale}`, () => String(weekStartOf(locale)))) as 1 | 6 | 7;
}

function weekStartOf(locale: string): 1 | 6 | 7 {
  let loc: Intl.Locale;
  try {
    loc = new Intl.Locale(safeLocale(locale));
  } catch {
    return 1;
  }
  const info = (loc as unknown as { getWeekInfo?: () => { firstDay: number } }).getWeekInfo?.() ??
    (loc as unknown as { weekInfo?: { firstDay: number } }).weekInfo;
  if (info && [1, 6, 7].includes(info.firstDay)) return info.firstDay as 1 | 6 | 7;
  const region = loc.maximize().region ?? "";
  return SUNDAY_FIRST.has(region) ? 7 : SATURDAY_FIRST.has(region) ? 6 : 1;
}

/** "Wednesday, November 25, 2026" (en-US), "Mittwoch, 25. November 2026" (de). */
export function formatDate(ms: number, timeZone: string, locale: string = FORMAT_LOCALE): string {
  return kept(
    `d|${ms}|${timeZone}|${locale}`,
    () =>
      fmt(locale, { timeZone, weekday: "long", day: "numeric", month: "long", year: "numeric" })
        .format(ms),
  );
}

const timeOpts = (clock: Clock): Intl.DateTimeFormatOptions =>
  clock === "12h"
    ? { hour: "numeric", minute: "2-digit", hourCycle: "h12" }
    : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/** The date and time of day together, as the locale joins them ("… at 12:05 PM", "… um 12:05"). */
export function formatDateTime(
  ms: number,
  timeZone: string,
  clock: Clock = "24h",
  locale: string = FORMAT_LOCALE,
): string {
  return kept(`dt|${ms}|${timeZone}|${clock}|${locale}`, () =>
    fmt(locale, {
      timeZone,
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      ...timeOpts(clock),
    }).format(ms));
}

export function formatTime(
  ms: number,
  timeZone: string,
  clock: Clock = "24h",
  locale: string = FORMAT_LOCALE,
): string {
  return kept(
    `t|${ms}|${timeZone}|${clock}|${locale}`,
    () => fmt(locale, { timeZone, ...timeOpts(clock) }).format(ms),
  );
}

/** 13:00 written on `clock` in `locale` ("1:00 PM", "13:00"): how a clock is shown as a choice. */
export function clockSample(clock: Clock, locale: string = FORMAT_LOCALE): string {
  return formatTime(Date.UTC(2026, 0, 5, 13), "UTC", clock, locale);
}

/** "10:00–10:30" on the reader's clock. */
export function formatTimeRange(
  startMs: number,
  endMs: number,
  timeZone: string,
  clock: Clock = "24h",
  locale: string = FORMAT_LOCALE,
): string {
  return `${formatTime(startMs, timeZone, clock, locale)}–${
    formatTime(endMs, timeZone, clock, locale)
  }`;
}

/** "Central European Standard Time" — the long name of the zone at that instant. */
export function zoneName(ms: number, timeZone: string, locale: string = FORMAT_LOCALE): string {
  return kept(`zn|${ms}|${timeZone}|${locale}`, () => {
    const parts = fmt(locale, { timeZone, timeZoneName: "long" }).formatToParts(ms);
    return parts.find((p) => p.type === "timeZoneName")?.value ?? timeZone;
  });
}

/** "GMT+1" — short offset, unambiguous across locales. */
export function zoneOffset(ms: number, timeZone: string): string {
  return kept(`zo|${ms}|${timeZone}`, () => {
    const parts = fmt("en-US", { timeZone, timeZoneName: "shortOffset" }).formatToParts(ms);
    return parts.find((p) => p.type === "timeZoneName")?.value ?? "";
  });
}

/**
 * "Wednesday, November 25, 2026, 10:00–10:30 (Europe/Berlin, GMT+1)" in the reader's locale. A
 * meeting across a DST change names each end's offset — "01:30 GMT+1 – 03:15 GMT+2
 * (Europe/Berlin)" — since under one offset "01:30–03:15" reads as 105 minutes for a 45-minute
 * meeting (and an autumn "02:30–02:15" as ending before it starts).
 */
export function formatRange(
  startMs: number,
  endMs: number,
  timeZone: string,
  clock: Clock = "24h",
  locale: string = FORMAT_LOCALE,
): string {
  const date = formatDate(startMs, timeZone, locale);
  const from = zoneOffset(startMs, timeZone);
  const to = zoneOffset(endMs, timeZone);
  if (from === to) {
    return `${date}, ${formatTimeRange(startMs, endMs, timeZone, clock, locale)} (${
      prettyZone(timeZone)
    }, ${from})`;
  }
  return `${date}, ${formatTime(startMs, timeZone, clock, locale)} ${from} – ${
    formatTime(endMs, timeZone, clock, locale)
  } ${to} (${prettyZone(timeZone)})`;
}

/**
 * "New York (GMT-5)", "Kolkata (GMT+5:30)", "UTC": the zone as a guest names it, for a line that
 * has no room for "America/New York" (the settings line of the booking page).
 */
export function zoneCityOffset(timeZone: string, ms: number): string {
  const name = ianaZoneName(timeZone);
  if (!name.includes("/")) return name;
  // A fixed-offset zone's name is its offset already: "GMT-5", not "GMT+5 (GMT-5)".
  if (name.startsWith("Etc/")) return zoneCity(name);
  // A minus sign, not a hyphen: a line may break after a hyphen ("GMT-" | "5").
  return `${zoneCity(name)} (${zoneOffset(ms, timeZone).replace("-", "\u2212")})`;
}

/**
 * "America/New York", "Asia/Kolkata" (never the runtime's old "Asia/Calcutta"); a fixed-offset
 * zone by its offset as people read it ("Etc/GMT+5" is "GMT-5").
 */
export function prettyZone(timeZone: string): string {
  const name = ianaZoneName(timeZone);
  return name.startsWith("Etc/GMT") && name.length > 7 ? zoneCity(name) : name.replaceAll("_", " ");
}

const pluralRuleSets = new Map<string, Intl.PluralRules>();
/** One `Intl.PluralRules` per locale and options, kept. */
export function pluralRules(locale: string, opts?: Intl.PluralRulesOptions): Intl.PluralRules {
  return keptIntl(pluralRuleSets, 500, locale, opts, (tag) => new Intl.PluralRules(tag, opts));
}

/** The plural category of `n` ("one", "other", …), as `Intl.PluralRules` selects it. */
export function pluralCategory(
  locale: string,
  n: number,
  type: Intl.PluralRuleType = "cardinal",
): Intl.LDMLPluralRule {
  return kept(
    `p|${n}|${type}|${locale}`,
    () => pluralRules(locale, { type }).select(n),
  ) as Intl.LDMLPluralRule;
}

/**
 * 1234.5 → "1,234.5" / "1.234,5" / "1 234,5", at most one decimal ("3.5" %, "12.3" min). The
 * formatter is made once per locale: one per number was most of the insights page's CPU.
 */
export function formatNumber(n: number, locale: string = FORMAT_LOCALE): string {
  return kept(
    `n|${n}|${locale}`,
    () => numberFormat(locale, { maximumFractionDigits: 1 }).format(n),
  );
}

/**
 * A file's size as the reader's locale writes it: whole kilobytes below a megabyte ("37 kB",
 * "37 ko"), then megabytes with one decimal ("1.5 MB", "1,5 Mo"). Units of 1,024 bytes, as every
 * limit Invito states; the unit's word comes from `Intl`, so no catalog spells it.
 */
export function formatBytes(bytes: number, locale: string = FORMAT_LOCALE): string {
  const kib = bytes / 1024;
  if (kib < 1024) {
    return numberFormat(locale, { style: "unit", unit: "kilobyte", maximumFractionDigits: 0 })
      .format(Math.max(1, Math.round(kib)));
  }
  return numberFormat(locale, { style: "unit", unit: "megabyte", maximumFractionDigits: 1 })
    .format(kib / 1024);
}

/** A civil date ("2026-11-23") short: "Nov 23" (en-US), "23 Nov", "23. Nov.". */
export function shortDateLabel(date: string, locale: string = FORMAT_LOCALE): string {
  return kept(
    `sd|${date}|${locale}`,
    () => fmt(locale, { day: "numeric", month: "short", timeZone: "UTC" }).format(civilMs(date)),
  );
}

const nameLists = new Map<string, Intl.ListFormat>();
/** "Ann", "Ann and Ben", "Ann, Ben and Cleo": people named in a sentence, pages and mails alike. */
export function namesList(names: readonly string[], locale = "en"): string {
  if (names.length <= 1) return names[0] ?? "";
  // English as the house writes it (no serial comma, whatever the English locale); other
  // languages as Intl lists them: "Ana, Ben und Cleo", "Ana, Ben et Cleo", "Ana, Ben y Cleo".
  if (locale.split("-")[0] === "en") {
    return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  }
  return keptIntl(
    nameLists,
    50,
    locale,
    undefined,
    (tag) => new Intl.ListFormat(tag, { type: "conjunction" }),
  ).format(names);
}
