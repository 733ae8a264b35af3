import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { getInsights } from "$lib/server/services/insights.ts";
import { buildChart } from "$lib/server/http/insight-charts.ts";
import { insightsSearch, parseInsightsQuery } from "$lib/server/http/insights-query.ts";
import { translateRef } from "$lib/shared/i18n.ts";
import { POLL_SUMMARY_MAX, pollSummary } from "$lib/server/services/poll-views.ts";

export const load: PageServerLoad = async ({ locals, url }) => {
  const parsed = parseInsightsQuery(url);
  if (!parsed.ok) error(400, translateRef(locals.t, parsed.message));
  const res = await getInsights(locals.app, locals.user!, parsed.query, locals.t);
  if (!res.ok && res.reason === "not_found") error(404, locals.t.t("ins.no_such_type"));
  if (!res.ok) error(400, res.message);
  const { charts, ...rest } = res.data;
  return {
    ...rest,
    charts: charts.map((c) => buildChart(c, locals.locale)),
    search: insightsSearch(res.data.range, res.data.eventTypeId),
    // Meeting polls (issue 28) made in the period (of the chosen event type): answered, booked.
    polls: await pollSummary(locals.app, locals.user!.id, {
      from: res.data.range.from,
      to: res.data.range.to,
      timeZone: res.data.timeZone,
      eventTypeId: res.data.eventTypeId,
    }),
    pollsMax: POLL_SUMMARY_MAX,
  };
};
