import { error } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { getInsights } from "$lib/server/services/insights.ts";
import { parseInsightsQuery } from "$lib/server/http/insights-query.ts";
import { toCsv } from "$lib/server/http/csv.ts";
import { translateRef } from "$lib/shared/i18n.ts";

/** The numbers behind one chart of the insights page, for the same range and event type. */
export const GET: RequestHandler = async ({ locals, url, params }) => {
  const parsed = parseInsightsQuery(url);
  if (!parsed.ok) error(400, translateRef(locals.t, parsed.message));
  // The host's language, like the page: the same column names as the table shown there.
  const res = await getInsights(locals.app, locals.user!, parsed.query, locals.t);
  if (!res.ok && res.reason === "not_found") error(404, locals.t.t("ins.no_such_type"));
  if (!res.ok) error(400, res.message);
  // A chart's table, or the routing forms' table (a table without a chart).
  const table = params.chart === "routing"
    ? res.data.routing.table
    : res.data.charts.find((c) => c.id === params.chart)?.table;
  if (!table) error(404, locals.t.t("ins.no_such_chart"));
  const { from, to } = res.data.range;
  return new Response(toCsv(table), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="invito-${params.chart}-${from}-to-${to}.csv"`,
      "cache-control": "private, no-store",
    },
  });
};
