/**
 * Insights by source, pure (docs/decisions/047-additional-guests-and-source.md): how a booking's
 * UTM parameters and `ref` become the label the sources chart counts by.
 */
import type { BookingSource } from "../../shared/booking-extras.ts";

/** `ev` metric prefixes of the sources chart: requests and confirmations per source label. */
export const SOURCE_METRIC = { submitted: "src.sub.", confirmed: "src.conf." } as const;
const SOURCE_LABEL_MAX = 120;

/**
 * How the sources chart names a booking's source: `utm_source / utm_medium` (as analytics tools
 * write it), else the `ref`, else "" (came directly: no source given, not counted by source).
 */
export function sourceLabel(source: BookingSource | null | undefined): string {
  const s = source ?? {};
  const main = s.utm_source
    ? (s.utm_medium ? `${s.utm_source} / ${s.utm_medium}` : s.utm_source)
    : s.ref ?? "";
  return main.slice(0, SOURCE_LABEL_MAX);
}

/**
 * The `ev` metric a request or confirmation also counts under, or null for a booking without a
 * source ("direct" is what `submitted`/`confirmed` hold beyond the sources' sum).
 */
export function sourceMetric(
  m: keyof typeof SOURCE_METRIC,
  source: BookingSource | null | undefined,
): string | null {
  const label = sourceLabel(source);
  return label ? SOURCE_METRIC[m] + label : null;
}
