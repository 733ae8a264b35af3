/**
 * How a booking page lays out its free times (issue 29): the month calendar with one day's times
 * (`month`, the default), a week of days side by side (`week`, Monday to Sunday), or the next few
 * days side by side (`column`). Chosen per event type, or by the link's `layout=`.
 */
import { Temporal } from "./temporal.ts";

export const LAYOUTS = ["month", "week", "column"] as const;
export type SlotLayout = typeof LAYOUTS[number];

/** How many days the column view shows side by side. */
export const COLUMN_DAYS = 3;

/** A layout from a link or a setting; anything else is not one (the caller falls back). */
export function parseLayout(value: unknown): SlotLayout | null {
  return typeof value === "string" && (LAYOUTS as readonly string[]).includes(value)
    ? value as SlotLayout
    : null;
}

/**
 * The days a week or column view shows around `selected`, and where its previous and next
 * links lead (null past the booking window: before `today`, after `lastDate`).
 */
export function computeColumnDays(
  layout: Exclude<SlotLayout, "month">,
  selected: Temporal.PlainDate,
  today: Temporal.PlainDate,
  lastDate: Temporal.PlainDate,
): {
  dates: Temporal.PlainDate[];
  prev: Temporal.PlainDate | null;
  next: Temporal.PlainDate | null;
} {
  const span = layout === "week" ? 7 : COLUMN_DAYS;
  const first = layout === "week" ? selected.subtract({ days: selected.dayOfWeek - 1 }) : selected;
  const dates = Array.from({ length: span }, (_, i) => first.add({ days: i }));
  const before = first.subtract({ days: span });
  const after = first.add({ days: span });
  const prevStart = Temporal.PlainDate.compare(before, today) < 0 ? today : before;
  return {
    dates,
    prev: Temporal.PlainDate.compare(first, today) > 0
      ? (layout === "week" ? before : prevStart)
      : null,
    next: Temporal.PlainDate.compare(after, lastDate) <= 0 ? after : null,
  };
}
