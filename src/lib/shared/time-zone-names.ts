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

/**
 * A zone's city as English writes it, where the zone id's own spelling loses something: accents
 * ("São Paulo"), punctuation ("St. John’s"), the state of a US county's zone ("Knox, Indiana").
 * Unicode CLDR 48's exemplar cities (cldr-dates-full 48.2.0, main/en/timeZoneNames.json), keyed
 * by the current id, only where they differ from the id's city; generated once from that data.
 */
const EN_CITIES: Readonly<Record<string, string>> = {
  "Africa/El_Aaiun": "El Aaiún",
  "Africa/Lome": "Lomé",
  "Africa/Ndjamena": "N’Djamena",
  "Africa/Sao_Tome": "São Tomé",
  "America/Araguaina": "Araguaína",
  "America/Argentina/Cordoba": "Córdoba",
  "America/Argentina/Rio_Gallegos": "Río Gallegos",
  "America/Argentina/Tucuman": "Tucumán",
  "America/Asuncion": "Asunción",
  "America/Bahia_Banderas": "Bahía de Banderas",
  "America/Belem": "Belém",
  "America/Bogota": "Bogotá",
  "America/Cancun": "Cancún",
  "America/Ciudad_Juarez": "Ciudad Juárez",
  "America/Cuiaba": "Cuiabá",
  "America/Curacao": "Curaçao",
  "America/Eirunepe": "Eirunepé",
  "America/Indiana/Knox": "Knox, Indiana",
  "America/Indiana/Marengo": "Marengo, Indiana",
  "America/Indiana/Petersburg": "Petersburg, Indiana",
  "America/Indiana/Tell_City": "Tell City, Indiana",
  "America/Indiana/Vevay": "Vevay, Indiana",
  "America/Indiana/Vincennes": "Vincennes, Indiana",
  "America/Indiana/Winamac": "Winamac, Indiana",
  "America/Kentucky/Monticello": "Monticello, Kentucky",
  "America/Lower_Princes": "Lower Prince’s Quarter",
  "America/Maceio": "Maceió",
  "America/Mazatlan": "Mazatlán",
  "America/Merida": "Mérida",
  "America/Miquelon": "Saint-Pierre",
  "America/Noronha": "Fernando de Noronha",
  "America/North_Dakota/Beulah": "Beulah, North Dakota",
  "America/North_Dakota/Center": "Center, North Dakota",
  "America/North_Dakota/New_Salem": "New Salem, North Dakota",
  "America/Santarem": "Santarém",
  "America/Sao_Paulo": "São Paulo",
  "America/Scoresbysund": "Ittoqqortoormiit",
  "America/St_Barthelemy": "St. Barthélemy",
  "America/St_Johns": "St. John’s",
  "America/St_Kitts": "St. Kitts",
  "America/St_Lucia": "St. Lucia",
  "America/St_Thomas": "St. Thomas",
  "America/St_Vincent": "St. Vincent",
  "Antarctica/Casey": "Casey Station",
  "Antarctica/DumontDUrville": "Dumont d’Urville Station",
  "Antarctica/Macquarie": "Macquarie Island",
  "Antarctica/Mawson": "Mawson Station",
  "Antarctica/McMurdo": "McMurdo Station",
  "Antarctica/Palmer": "Palmer Land",
  "Antarctica/Rothera": "Rothera Station",
  "Antarctica/Syowa": "Showa Station",
  "Antarctica/Troll": "Troll Station",
  "Antarctica/Vostok": "Vostok Station",
  "Asia/Aqtau": "Aktau",
  "Asia/Ho_Chi_Minh": "Ho Chi Minh City",
  "Asia/Hovd": "Khovd",
  "Asia/Macau": "Macao",
  "Asia/Qostanay": "Kostanay",
  "Asia/Qyzylorda": "Kyzylorda",
  "Asia/Urumqi": "Ürümqi",
  "Atlantic/Canary": "Canaries",
  "Atlantic/Faroe": "Faroes",
  "Atlantic/St_Helena": "St. Helena",
  "Australia/Lord_Howe": "Lord Howe Island",
  "Europe/Busingen": "Büsingen",
  "Europe/Chisinau": "Chișinău",
  "Europe/Tirane": "Tirana",
  "Indian/Chagos": "Chagos Archipelago",
  "Indian/Christmas": "Christmas Island",
  "Indian/Cocos": "Cocos Islands",
  "Indian/Comoro": "Comoros",
  "Indian/Kerguelen": "Kerguelen Islands",
  "Indian/Mahe": "Mahé",
  "Indian/Reunion": "Réunion",
  "Pacific/Chatham": "Chatham Islands",
  "Pacific/Easter": "Easter Island",
  "Pacific/Galapagos": "Galápagos Islands",
  "Pacific/Kanton": "Canton Island",
  "Pacific/Kwajalein": "Kwajalein Atoll",
  "Pacific/Marquesas": "Marquesas Islands",
  "Pacific/Midway": "Midway Atoll",
  "Pacific/Norfolk": "Norfolk Island",
  "Pacific/Noumea": "Nouméa",
  "Pacific/Pitcairn": "Pitcairn Islands",
  "Pacific/Wake": "Wake Island",
  "Pacific/Wallis": "Wallis & Futuna",
};

/**
 * The city a zone is known by ("New York", "St. John’s"), or for a fixed-offset zone its offset
 * ("Etc/GMT+5" is five hours *behind* UTC: POSIX's sign is the other way round, so "GMT−5").
 * Any other text as is.
 */
export function zoneCity(timeZone: string): string {
  const id = ianaZoneName(timeZone);
  const fixed = /^Etc\/GMT([+-])(\d{1,2})$/.exec(id);
  // A minus sign (U+2212), not a hyphen, after which a line may break ("GMT-" | "5").
  if (fixed) return `GMT${fixed[1] === "+" ? "\u2212" : "+"}${fixed[2]}`;
  if (Object.hasOwn(EN_CITIES, id)) return EN_CITIES[id];
  return id.slice(id.lastIndexOf("/") + 1).replaceAll("_", " ");
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
