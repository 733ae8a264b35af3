import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { getInsights } from "$lib/server/services/insights.ts";
import { buildChart } from "$lib/server/http/insight-charts.ts";
import { insightsSearch, parseInsightsQuery } from "$lib/server/http/insights-query.ts";

export const load: PageServerLoad = async ({ locals, url }) => {
  const parsed = parseInsightsQuery(url);
  if (!parsed.ok) error(400, parsed.message);
  const res = await getInsights(locals.app, locals.user!, parsed.query);
  if (!res.ok && res.reason === "not_found") error(404, "You have no event type with that id.");
  if (!res.ok) error(400, res.message);
  const { charts, ...rest } = res.data;
  return {
    ...rest,
    charts: charts.map(buildChart),
    search: insightsSearch(res.data.range, res.data.eventTypeId),
  };
};
