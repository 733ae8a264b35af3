/** The insights chart of how bookings came (issue 28; domain/insights-origin.ts counts them). */
import { type CountRow } from "../store/insights.ts";
import { ORIGIN_METRIC, ORIGINS } from "../domain/insights-origin.ts";
import type { ChartSpec } from "../../shared/insights-types.ts";
import type { MessageKey, Translator } from "../../shared/i18n.ts";
import { bookingsUnit } from "./insights-charts.ts";

const LABEL: Record<typeof ORIGINS[number], MessageKey> = {
  guest: "ins.origin_guest",
  api: "ins.origin_api",
  link: "ins.origin_link",
  poll: "ins.origin_poll",
  for_guest: "ins.origin_for_guest",
  host_move: "ins.origin_host_move",
  guest_move: "ins.origin_guest_move",
  rebook: "ins.origin_rebook",
  handover: "ins.origin_handover",
};

/**
 * Bookings made in the period by how they came, every way listed (a zero says "not this way"):
 * bookings counted since origins were counted (earlier ones are not in it).
 */
export function originsChart(current: CountRow[], t: Translator): ChartSpec {
  const n = new Map<string, number>();
  for (const r of current) {
    if (r.metric.startsWith(ORIGIN_METRIC)) {
      const k = r.metric.slice(ORIGIN_METRIC.length);
      n.set(k, (n.get(k) ?? 0) + r.n);
    }
  }
  return {
    id: "origins",
    title: t.t("ins.origins_title"),
    description: t.t("ins.origins_description"),
    kind: "bars",
    table: {
      columns: [t.t("ins.col_origin"), t.t("ins.col_bookings")],
      rows: ORIGINS.map((o) => [t.t(LABEL[o]), Math.max(0, n.get(o) ?? 0)]),
    },
    series: [{ column: 1, key: "origin", label: t.t("ins.col_bookings") }],
    empty: t.t("ins.no_bookings_origins"),
    unit: bookingsUnit(t),
  };
}
