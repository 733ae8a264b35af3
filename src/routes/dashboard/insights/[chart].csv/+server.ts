import { error } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { getInsights } from "$lib/server/services/insights.ts";
import { parseInsightsQuery } from "$lib/server/http/insights-query.ts";
import { toCsv } from "$lib/server/http/csv.ts";

/** The numbers behind one chart of the insights page, for the same range and event type. */
export const GET: RequestHandler = async ({ locals, url, params }) => {
  const parsed = parseInsightsQuery(url);
  if (!parsed.ok) error(400, parsed.message);
  const res = await getInsights(locals.app, locals.user!, parsed.query);
  if (!res.ok && res.reason === "not_found") error(404, "You have no event type with that id.");
  if (!res.ok) error(400, res.message);
  const chart = res.data.charts.find((c) => c.id === params.chart);
  if (!chart) error(404, "There is no chart with that name.");
  const { from, to } = res.data.range;
  return new Response(toCsv(chart.table), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="invito-${chart.id}-${from}-to-${to}.csv"`,
      "cache-control": "private, no-store",
    },
  });
};
