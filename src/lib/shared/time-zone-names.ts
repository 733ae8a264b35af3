/**
 * The one place that knows the current IANA name of a zone. The runtime's Intl (ICU/CLDR) keeps
 * the spellings of old tz releases for good: asked about "Asia/Kolkata" it answers
 * "Asia/Calcutta", and a browser in India reports "Asia/Calcutta" as its own zone. Invito stores
 * and prints the current IANA names (tz's `backward` file lists these as links to them).
 * Browser-safe: pages, mails, ICS and CSV all print zones through `ianaZoneName`.
 */
const LEGACY_TO_IANA: Readonly<Record<string, string>> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
};

/** The current IANA name of a zone ("Asia/Calcutta" → "Asia/Kolkata"); any other text as is. */
export function ianaZoneName(timeZone: string): string {
  return Object.hasOwn(LEGACY_TO_IANA, timeZone) ? LEGACY_TO_IANA[timeZone] : timeZone;
}

/** The old spellings Intl may answer with, each with its current name (for tests and lists). */
export function legacyZoneNames(): [string, string][] {
  return Object.entries(LEGACY_TO_IANA);
}

/**
 * The browser's own zone, by its current IANA name. From `Temporal` where the browser has it:
 * it names the zone without ICU's locale data (~1 ms), where a page's first `Intl` formatter
 * costs 60–130 ms on this box, and a phone four times that (ADR 058). Else from `Intl`.
 */
export function browserZone(): string {
  try {
    const temporal = (globalThis as { Temporal?: { Now: { timeZoneId(): string } } }).Temporal;
    const tz = temporal?.Now.timeZoneId();
    if (tz) return ianaZoneName(tz);
  } catch {
    // An older browser's Temporal: Intl below.
  }
  return ianaZoneName(Intl.DateTimeFormat().resolvedOptions().timeZone);
}
