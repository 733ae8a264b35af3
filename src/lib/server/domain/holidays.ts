/**
 * Public holidays into time off, pure. A holiday is a civil date; as time off it covers that date
 * in the host's own zone (the host takes the day off where they are), so no instant conversion
 * happens here, and "the next 12 months" counts from today in the host's zone.
 */
import type { TimeOff } from "./availability.ts";

export type HolidayPlan = {
  /** New entries, one per date (holidays sharing a date share an entry), sorted. */
  add: TimeOff[];
  /** Holidays in the range already inside existing time off. */
  alreadyCovered: number;
};

/**
 * The time off to add for `holidays` whose date lies in [from, until) (YYYY-MM-DD, host zone):
 * dates already inside an existing entry are skipped, so importing twice adds nothing the second
 * time. Reasons are the holiday names, cut to `reasonMax` characters.
 */
export function planHolidayTimeOff(
  existing: readonly Pick<TimeOff, "from" | "to">[],
  holidays: readonly { date: string; name: string }[],
  from: string,
  until: string,
  reasonMax: number,
): HolidayPlan {
  const covered = (date: string) =>
    existing.some((t) => t.from <= date && date <= (t.to || t.from));
  const byDate = new Map<string, string[]>();
  let alreadyCovered = 0;
  for (const h of holidays) {
    if (h.date < from || h.date >= until) continue;
    if (covered(h.date)) {
      alreadyCovered++;
      continue;
    }
    const names = byDate.get(h.date) ?? [];
    if (!names.includes(h.name)) names.push(h.name);
    byDate.set(h.date, names);
  }
  const add = [...byDate.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, names]) => ({
    from: date,
    to: date,
    reason: names.join(" / ").slice(0, reasonMax),
  }));
  return { add, alreadyCovered };
}
