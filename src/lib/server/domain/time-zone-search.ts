/**
 * What people type for a time zone, turned into IANA zones: a zone id ("asia/tokyo"), a city
 * in English, German, French or Spanish, accents optional ("Tokyo", "Tokio", "New York",
 * "Nueva York", "münchen" or "Munchen" → Europe/Berlin), a country in English or the reader's
 * language ("Japan", "Deutschland"), a zone name ("Eastern Time"), an abbreviation ("PST",
 * "CEST") or an offset ("UTC+2", "GMT-5", "+05:30"). Pure: the zone data comes from @vvo/tzdb
 * (cities, countries, abbreviations per IANA group), the cities' other names from
 * time-zone-city-names.ts (CLDR and a short list), offsets from Intl at `nowMs`.
 */
import { searchFold } from "../../shared/search-fold.ts";
import { rawTimeZones } from "@vvo/tzdb";
import { canonicalTimeZone, isValidTimeZone } from "./time-zone.ts";
import { OTHER_CITIES, ZONE_CITIES } from "./time-zone-city-names.ts";

export type ZoneMatch = {
  zone: string;
  /** "Tokyo, Japan", "Eastern Time (New York, United States)" — for a list to pick from. */
  label: string;
  /** "GMT+9" at `nowMs`. */
  offset: string;
};

export type ZoneSearch =
  /** One zone the text clearly means (an id, or a single best match). */
  | { kind: "exact"; zone: string }
  /** Several zones fit as well: the person chooses. */
  | { kind: "choose"; matches: ZoneMatch[] }
  | { kind: "none" };

const fold = (s: string) => searchFold(s).replace(/[_\-.,/()']+/g, " ").replace(/\s+/g, " ").trim();

/** A city's name per language; `en` always, the others where they differ. */
type CityName = { en: string; de?: string; fr?: string; es?: string };

type Entry = {
  zone: string;
  /** the group's main zone and its data */
  main: (typeof rawTimeZones)[number];
  city: string;
  /** The zone's own city in German, French and Spanish (where not the English name). */
  local: CityName;
  /** Its other names, folded: what a person may type for the zone's own city. */
  names: string[];
  /** Big cities on this zone's time that are not its own ("München" on Europe/Berlin). */
  others: { name: CityName; folded: string[] }[];
};

let entries: Entry[] | undefined;

const named = (en: string, de: string, fr: string, es: string): CityName => ({
  en,
  ...(de ? { de } : {}),
  ...(fr ? { fr } : {}),
  ...(es ? { es } : {}),
});
const foldedNames = (n: CityName) =>
  [...new Set([n.en, n.de, n.fr, n.es].filter(Boolean))]
    .map((x) => fold(x!));

/** Every valid zone of every group, with the city its id names ("America/Detroit" → Detroit). */
function allEntries(): Entry[] {
  if (entries) return entries;
  entries = [];
  for (const main of rawTimeZones) {
    for (const zone of [main.name, ...main.group]) {
      if (!zone.includes("/") || !isValidTimeZone(zone)) continue;
      const city = zone.slice(zone.lastIndexOf("/") + 1).replaceAll("_", " ");
      // An old name of another zone ("Asia/Istanbul", "Asia/Tel_Aviv") finds its city under the
      // current zone: one Istanbul, not two to choose from, and a pick is a zone the page keeps.
      const id = canonicalTimeZone(zone) ?? zone;
      const local = named(city, ...(ZONE_CITIES[zone] ?? ["", "", ""]));
      const names = foldedNames(local).filter((n) => n !== fold(city));
      const others = OTHER_CITIES.filter((c) => c[0] === zone).map(([, en, de, fr, es]) => {
        const name = named(en, de, fr, es);
        return { name, folded: foldedNames(name) };
      });
      entries.push({ zone: id, main, city, local, names, others });
    }
  }
  return entries;
}

/** A city's name in the reader's language ("Wien" for a German reader), else its English one. */
function nameIn(name: CityName, locale: string): string {
  const lang = locale.split("-")[0].toLowerCase();
  return (lang === "de" || lang === "fr" || lang === "es" ? name[lang] : undefined) ?? name.en;
}

const offsetFormat = new Map<string, Intl.DateTimeFormat>();
/** Minutes east of UTC at `nowMs`. */
function offsetMinutes(zone: string, nowMs: number): number {
  let f = offsetFormat.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    offsetFormat.set(zone, f);
  }
  const name = f.formatToParts(nowMs).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

function offsetLabel(minutes: number): string {
  if (minutes === 0) return "GMT";
  const sign = minutes < 0 ? "-" : "+";
  const a = Math.abs(minutes);
  return `GMT${sign}${Math.floor(a / 60)}${a % 60 ? `:${String(a % 60).padStart(2, "0")}` : ""}`;
}

const regionNames = new Map<string, Intl.DisplayNames | null>();
function countryName(code: string, locale: string, fallback: string): string {
  let names = regionNames.get(locale);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([locale, "en"], { type: "region" });
    } catch {
      names = null;
    }
    if (regionNames.size < 50) regionNames.set(locale, names);
  }
  try {
    return names?.of(code) ?? fallback;
  } catch {
    return fallback;
  }
}

function matchOf(
  e: Pick<Entry, "zone" | "main" | "city"> & { local?: CityName },
  nowMs: number,
  locale: string,
): ZoneMatch {
  const country = countryName(e.main.countryCode, locale, e.main.countryName);
  return {
    zone: e.zone,
    label: `${e.local ? nameIn(e.local, locale) : e.city}, ${country}`,
    offset: offsetLabel(offsetMinutes(e.zone, nowMs)),
  };
}

const MAX_MATCHES = 8;

export function searchTimeZones(
  query: string,
  opts: { nowMs: number; locale?: string },
): ZoneSearch {
  const locale = opts.locale ?? "en";
  const raw = (query ?? "").trim().slice(0, 80);
  if (!raw) return { kind: "none" };
  const q = fold(raw);
  const all = allEntries();

  // "UTC", "GMT", "Z" alone.
  if (/^(utc|gmt|z|zulu)$/.test(q)) return { kind: "exact", zone: "UTC" };
  // An IANA id; not the legacy fixed zones such as "EST" or "CET" (no DST: never what a
  // person means), which are read as abbreviations below.
  if (raw.includes("/") && isValidTimeZone(raw)) {
    return { kind: "exact", zone: canonicalTimeZone(raw)! };
  }

  // Offsets: "UTC+2", "gmt - 5", "+05:30", "-0300".
  const off = /^(?:utc|gmt)?\s*([+\u2212-])\s*(\d{1,2})(?::?(\d{2}))?$/.exec(raw.toLowerCase());
  if (off) {
    const minutes = (off[1] === "+" ? 1 : -1) * (Number(off[2]) * 60 + Number(off[3] ?? 0));
    const mains = rawTimeZones.filter((z) => isValidTimeZone(z.name))
      .map((z) => ({ zone: z.name, main: z, city: z.mainCities[0] ?? z.name }))
      .filter((e) => offsetMinutes(e.zone, opts.nowMs) === minutes)
      .sort((a, b) => b.main.group.length - a.main.group.length);
    return pick(mains.map((e) => matchOf(e, opts.nowMs, locale)));
  }

  // Abbreviations: "PST", "est", "CEST", "JST" (standard or daylight spelling); most-used first.
  if (/^[A-Za-z]{2,5}$/.test(raw)) {
    const abbr = raw.toUpperCase();
    const byAbbr = rawTimeZones.filter((z) =>
      (z.abbreviation === abbr || z.dstAbbreviation === abbr) && isValidTimeZone(z.name)
    ).sort((a, b) => b.group.length - a.group.length);
    if (byAbbr.length) {
      return pick(
        byAbbr.map((z) =>
          matchOf({ zone: z.name, main: z, city: z.mainCities[0] ?? z.name }, opts.nowMs, locale)
        ),
      );
    }
    // A country code: "US", "DE".
    if (abbr.length === 2) {
      const inCountry = rawTimeZones.filter((z) =>
        z.countryCode === abbr && isValidTimeZone(z.name)
      )
        .sort((a, b) => b.group.length - a.group.length);
      if (inCountry.length) {
        return pick(
          inCountry.map((z) =>
            matchOf({ zone: z.name, main: z, city: z.mainCities[0] ?? z.name }, opts.nowMs, locale)
          ),
        );
      }
    }
  }
  if (isValidTimeZone(raw)) return { kind: "exact", zone: canonicalTimeZone(raw)! };

  // Words: cities, countries (English or the reader's language), zone names.
  const scored = new Map<string, { e: Entry; score: number }>();
  const add = (e: Entry, score: number) => {
    const cur = scored.get(e.zone);
    if (!cur || cur.score < score) scored.set(e.zone, { e, score });
  };
  for (const e of all) {
    const isMain = e.zone === e.main.name;
    const city = fold(e.city);
    // The group's biggest cities (English, in order of size), then big cities on its time by
    // any of their names.
    const cities = isMain ? e.main.mainCities.map(fold) : [];
    const others = e.others.flatMap((o) => o.folded);
    const countries = [fold(e.main.countryName), fold(countryName(e.main.countryCode, locale, ""))];
    const anyCity = (test: (c: string) => boolean) =>
      test(city) || e.names.some(test) || cities.some(test) || others.some(test);
    // The zone's own city first (by any of its names), then its group's biggest cities.
    if (city === q || e.names.includes(q)) add(e, 100);
    else if (cities[0] === q) add(e, 96);
    else if (cities.includes(q) || others.includes(q)) add(e, 92);
    else if (countries.includes(q) && isMain) add(e, 90);
    else if (anyCity((c) => c.startsWith(q))) add(e, 80);
    else if (fold(e.main.alternativeName) === q && isMain) add(e, 65);
    else if (q.length >= 3 && anyCity((c) => c.includes(q))) add(e, 40);
    else if (
      q.length >= 4 && isMain &&
      (countries.some((c) => c.startsWith(q)) || fold(e.main.alternativeName).includes(q))
    ) add(e, 30);
  }
  // Equal scores: the zone most places use first (a proxy for people), then by name.
  const ranked = [...scored.values()].sort((a, b) =>
    b.score - a.score || b.e.main.group.length - a.e.main.group.length ||
    a.e.zone.localeCompare(b.e.zone)
  );
  if (ranked.length === 0) return { kind: "none" };
  // One exact city beats everything after it: "Tokyo", "New York" (not "Sydney": two places).
  if (ranked[0].score >= 92 && (ranked.length === 1 || ranked[1].score < 92)) {
    return { kind: "exact", zone: ranked[0].e.zone };
  }
  const best = ranked[0].score;
  return pick(
    ranked.filter((r) => r.score >= Math.min(best, 70)).map((r) =>
      matchOf(r.e, opts.nowMs, locale)
    ),
  );
}

function pick(matches: ZoneMatch[]): ZoneSearch {
  const unique = [...new Map(matches.map((m) => [m.zone, m])).values()];
  if (unique.length === 0) return { kind: "none" };
  if (unique.length === 1) return { kind: "exact", zone: unique[0].zone };
  return { kind: "choose", matches: unique.slice(0, MAX_MATCHES) };
}

/** One row of the time zone combobox: "Tokyo — Japan Standard Time, UTC+9". */
export type ZoneSuggestion = { zone: string; label: string };

/** "UTC+9", "UTC−3:30", "UTC" at `nowMs`. */
function utcOffsetLabel(zone: string, nowMs: number): string {
  return offsetLabel(offsetMinutes(zone, nowMs)).replace(/^GMT/, "UTC");
}

/** "Japan Standard Time", "Mitteleuropäische Zeit": the zone's everyday name in `locale`. */
function genericName(zone: string, locale: string, nowMs: number): string | null {
  for (const style of ["longGeneric", "long"] as const) {
    try {
      const name = new Intl.DateTimeFormat([locale, "en"], { timeZone: zone, timeZoneName: style })
        .formatToParts(nowMs).find((p) => p.type === "timeZoneName")?.value;
      // Intl falls back to "GMT+09:00" where it has no name: the offset says that already.
      if (name && !/^(GMT|UTC)([+-−]|$)/.test(name)) return name;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * What the combobox lists for typed text: the matches of `searchTimeZones`, each with the city,
 * the zone's everyday name and its offset now ("Tokyo — Japan Standard Time, UTC+9").
 */
export function suggestTimeZones(
  query: string,
  opts: { nowMs: number; locale?: string },
): ZoneSuggestion[] {
  const locale = opts.locale ?? "en";
  const found = searchTimeZones(query, opts);
  const zones = found.kind === "exact"
    ? [found.zone]
    : found.kind === "choose"
    ? found.matches.map((m) => m.zone)
    : [];
  const q = fold(query ?? "");
  return zones.map((zone) => {
    const e = zone === "UTC" ? null : allEntries().find((x) => x.zone === zone);
    // The zone's own city, as the reader's language names it ("Wien" for a German reader).
    let city = e ? nameIn(e.local, locale) : zone === "UTC" ? "UTC" : zone.replaceAll("_", " ");
    // Matched by another city on the zone's time ("München" → Europe/Berlin; "Syd" → Sydney,
    // Nova Scotia, on Halifax's time): name that city and its country, or the row reads as a
    // wrong answer.
    const own = e && [fold(e.city), ...e.names].some((n) => n.startsWith(q));
    if (e && q && !own) {
      const other = e.others.find((o) => o.folded.some((n) => n.startsWith(q)));
      const big = e.main.mainCities.find((c) => fold(c).startsWith(q));
      const name = other ? nameIn(other.name, locale) : big;
      if (name) city = `${name}, ${countryName(e.main.countryCode, locale, e.main.countryName)}`;
    }
    const name = zone === "UTC" ? null : genericName(zone, locale, opts.nowMs);
    const offset = utcOffsetLabel(zone, opts.nowMs);
    return { zone, label: name ? `${city} — ${name}, ${offset}` : `${city} — ${offset}` };
  });
}
