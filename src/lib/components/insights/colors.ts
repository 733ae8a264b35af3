/**
 * Fill colours of chart series, light and dark. Spelled out in full so Tailwind finds them; the
 * SVGs carry classes, not colours, so they follow the theme with the rest of the page.
 */
const FILL: Record<string, string> = {
  confirmed: "fill-emerald-600 dark:fill-emerald-400",
  pending: "fill-amber-500 dark:fill-amber-300",
  rescheduled: "fill-sky-500 dark:fill-sky-300",
  cancelled: "fill-rose-600 dark:fill-rose-400",
  expired: "fill-slate-400 dark:fill-slate-500",
  rejected: "fill-violet-600 dark:fill-violet-400",
  cancelled_guest: "fill-rose-600 dark:fill-rose-400",
  cancelled_host: "fill-orange-500 dark:fill-orange-300",
  sent: "fill-emerald-600 dark:fill-emerald-400",
  retrying: "fill-amber-500 dark:fill-amber-300",
  failed: "fill-red-600 dark:fill-red-400",
  paused: "fill-amber-500 dark:fill-amber-300",
};
const BRAND = "fill-brand-600 dark:fill-brand-400";

export function fillOf(series: string): string {
  return FILL[series] ?? BRAND;
}

/** The empty part of a bar or cell: visible in both themes, quieter than any series. */
export const TRACK = "fill-slate-100 dark:fill-slate-800";
export const GRID = "stroke-slate-200 dark:stroke-slate-700";
