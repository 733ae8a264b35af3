/**
 * Public holidays from `date-holidays` (see docs/decisions/008-public-holidays.md): a maintained
 * data set of ~200 countries and their regions, computed offline. Names in English where the data
 * has them, else in the country's language.
 */
import Holidays from "date-holidays";

export type Place = { code: string; name: string };
export type PublicHoliday = { date: string; name: string };

let countryList: Place[] | null = null;

/** Every country the data knows, by English name. */
export function holidayCountries(): Place[] {
  countryList ??= Object.entries(new Holidays().getCountries("en"))
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name, "en"));
  return countryList;
}

/** A country's states or regions with their own holidays (empty when it has none). */
export function holidayRegions(country: string): Place[] {
  if (!holidayCountries().some((c) => c.code === country)) return [];
  const states = new Holidays().getStates(country, "en") ?? {};
  return Object.entries(states).map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name, "en"));
}

/**
 * The public holidays (days off by law, substitute days included) of a country, or of one of its
 * regions, in the given years, as civil dates. Null for a country or region the data does not know.
 */
export function publicHolidays(
  country: string,
  region: string | null,
  years: readonly number[],
): PublicHoliday[] | null {
  if (!holidayCountries().some((c) => c.code === country)) return null;
  if (region && !holidayRegions(country).some((r) => r.code === region)) return null;
  const hd = region
    ? new Holidays(country, region, { languages: ["en"], types: ["public"] })
    : new Holidays(country, { languages: ["en"], types: ["public"] });
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
