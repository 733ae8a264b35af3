/**
 * Public holidays from `date-holidays` (see docs/decisions/025-public-holidays.md): a maintained
 * data set of ~200 countries and their regions, computed offline. Holiday names in the host's
 * language where the data has them, else in the country's language; countries named by `Intl`.
 */
import Holidays from "date-holidays";

export type Place = { code: string; name: string };
export type PublicHoliday = { date: string; name: string };

const countryLists = new Map<string, Place[]>();

/** The language of a locale as date-holidays and Intl take it ("de-AT" → "de"). */
const langOf = (locale: string) => locale.split("-")[0].toLowerCase() || "en";

/**
 * Every country the data knows, named and sorted in the reader's language (`Intl.DisplayNames`,
 * else the data's own name).
 */
export function holidayCountries(locale = "en"): Place[] {
  const lang = langOf(locale);
  let list = countryLists.get(lang);
  if (!list) {
    let names: Intl.DisplayNames | null = null;
    try {
      names = new Intl.DisplayNames([lang, "en"], { type: "region" });
    } catch {
      names = null;
    }
    list = Object.entries(new Holidays().getCountries(lang))
      .map(([code, name]) => ({ code, name: names?.of(code) ?? name }))
      .sort((a, b) => a.name.localeCompare(b.name, lang));
    if (countryLists.size < 20) countryLists.set(lang, list);
  }
  return list;
}

/** A country's states or regions with their own holidays (empty when it has none). */
export function holidayRegions(country: string, locale = "en"): Place[] {
  if (!holidayCountries().some((c) => c.code === country)) return [];
  const lang = langOf(locale);
  const states = new Holidays().getStates(country, lang) ?? {};
  return Object.entries(states).map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name, lang));
}

/**
 * The public holidays (days off by law, substitute days included) of a country, or of one of its
 * regions, in the given years, as civil dates. Null for a country or region the data does not know.
 */
export function publicHolidays(
  country: string,
  region: string | null,
  years: readonly number[],
  /** Names in this language where the data has them (else the country's own). */
  locale = "en",
): PublicHoliday[] | null {
  if (!holidayCountries().some((c) => c.code === country)) return null;
  if (region && !holidayRegions(country).some((r) => r.code === region)) return null;
  const languages = [langOf(locale)];
  const hd = region
    ? new Holidays(country, region, { languages, types: ["public"] })
    : new Holidays(country, { languages, types: ["public"] });
  const out: PublicHoliday[] = [];
  for (const year of years) {
    for (const h of hd.getHolidays(year) || []) {
      if (h.type !== "public") continue;
      // `date` is the civil date as the country writes it ("2027-01-01 00:00:00"); the instants
      // in `start`/`end` belong to the country's zone and are not used.
      out.push({ date: h.date.slice(0, 10), name: h.name });
    }
  }
  return out;
}
