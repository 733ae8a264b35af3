/**
 * Importing public holidays as time off. Nothing is saved here: the entries come back as unsaved
 * rows of the time-off form, for the host to review, remove and then save (which validates them
 * like any other time off).
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { Temporal } from "../domain/temporal.ts";
import { planHolidayTimeOff } from "../domain/holidays.ts";
import { holidayCountries, holidayRegions, publicHolidays } from "../integrations/holidays.ts";
import { TIME_OFF_REASON_MAX } from "../../shared/forms/availability.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

export { holidayCountries, holidayRegions };

export type HolidayImport =
  | {
    ok: true;
    add: { from: string; to: string; reason: string }[];
    alreadyCovered: number;
    /** "Germany (Bavaria)" */
    place: string;
  }
  | { ok: false; error: string };

/** The next 12 months of a country's (or region's) public holidays not yet in `existing`. */
export function importHolidays(
  app: App,
  host: UserRecord,
  q: { country: string; region: string; existing: readonly { from: string; to: string }[] },
  /** The host's language: messages, country and holiday names. */
  t: Translator = translator(null),
): HolidayImport {
  const country = holidayCountries(t.locale).find((c) => c.code === q.country);
  if (!country) return { ok: false, error: t.t("holidays.choose_country") };
  const region = q.region
    ? holidayRegions(country.code, t.locale).find((r) => r.code === q.region)
    : null;
  if (q.region && !region) return { ok: false, error: t.t("holidays.choose_region") };
  const today = Temporal.Instant.fromEpochMilliseconds(app.now()).toZonedDateTimeISO(host.timeZone)
    .toPlainDate();
  const until = today.add({ years: 1 });
  const holidays = publicHolidays(
    country.code,
    region?.code ?? null,
    [today.year, until.year],
    t.locale,
  );
  if (!holidays) return { ok: false, error: t.t("holidays.no_data") };
  const plan = planHolidayTimeOff(
    q.existing,
    holidays,
    today.toString(),
    until.toString(),
    TIME_OFF_REASON_MAX,
  );
  return {
    ok: true,
    add: plan.add.map((t) => ({ from: t.from, to: t.to, reason: t.reason ?? "" })),
    alreadyCovered: plan.alreadyCovered,
    place: region
      ? t.t("holidays.place", { country: country.name, region: region.name })
      : country.name,
  };
}
