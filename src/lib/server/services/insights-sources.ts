/** The insights chart of where bookings came from (docs/decisions/047-additional-guests-and-source.md). */
import { type CountRow } from "../store/insights.ts";
import { EV } from "../domain/insights.ts";
import { SOURCE_METRIC } from "../domain/insights-source.ts";
import type { ChartSpec } from "../../shared/insights-types.ts";
import type { Translator } from "../../shared/i18n.ts";
import { bookingsUnit, sumOf } from "./insights-charts.ts";

/** At most this many sources are listed; the rest are summed in one row. */
const SOURCE_ROWS = 20;

/**
 * Requests and confirmed meetings per source (UTM source / medium, else `ref`), most requests
 * first; bookings that came with no source (or before sources were kept) are "Direct".
 */
export function sourcesChart(current: CountRow[], t: Translator): ChartSpec {
  const by = new Map<string, [number, number]>();
  for (const r of current) {
    const sub = r.metric.startsWith(SOURCE_METRIC.submitted);
    if (!sub && !r.metric.startsWith(SOURCE_METRIC.confirmed)) continue;
    const label = r.metric.slice(
      sub ? SOURCE_METRIC.submitted.length : SOURCE_METRIC.confirmed.length,
    );
    const row = by.get(label) ?? [0, 0];
    row[sub ? 0 : 1] += r.n;
    by.set(label, row);
  }
  let [subs, confs] = [0, 0];
  for (const [, [s, c]] of by) [subs, confs] = [subs + s, confs + c];
  by.set("", [sumOf(current, EV.submitted) - subs, sumOf(current, EV.confirmed) - confs]);
  const sorted = [...by]
    .map(([label, [s, c]]) => [label, Math.max(0, s), Math.max(0, c)] as const)
    .filter(([, s, c]) => s > 0 || c > 0)
    .sort((a, b) => b[1] - a[1] || b[2] - a[2] || a[0].localeCompare(b[0]));
  const rest = sorted.slice(SOURCE_ROWS);
  const rows: (string | number)[][] = sorted.slice(0, SOURCE_ROWS).map(([label, s, c]) => [
    label === "" ? t.t("ins.source_direct") : label,
    s,
    c,
  ]);
  if (rest.length) {
    rows.push([
      t.t("ins.source_other", { count: rest.length }),
      rest.reduce((n, r) => n + r[1], 0),
      rest.reduce((n, r) => n + r[2], 0),
    ]);
  }
  return {
    id: "sources",
    title: t.t("ins.sources_title"),
    description: t.t("ins.sources_description"),
    kind: "bars",
    table: {
      columns: [t.t("ins.col_source"), t.t("ins.step_sent"), t.t("ins.step_confirmed")],
      rows,
    },
    // Confirmed meetings are among the requests: drawn as the requests, told beside each bar.
    series: [{ column: 1, key: "submitted", label: t.t("ins.step_sent") }],
    notes: rows.map((r) => t.t("ins.source_confirmed", { count: Number(r[2]) })),
    empty: t.t("ins.no_bookings_sources"),
    unit: bookingsUnit(t),
  };
}
