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
