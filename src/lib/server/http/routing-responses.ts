/**
 * A routing form's responses as the dashboard lists them and as CSV: the filter from the query
 * (route, booked or not, text), and one table whose columns are the form's questions.
 */
import type { App } from "../app.ts";
import type { RoutingFormRecord, RoutingResponseRecord } from "../domain/model/records.ts";
import { eachResponse, type ResponseFilter, routeName } from "../services/routing-responses.ts";
import { BOM, csvLines } from "./csv.ts";
import type { Table } from "../../shared/insights-types.ts";
import type { Translator } from "../../shared/i18n.ts";

export function responseFilter(url: URL): ResponseFilter {
  const q = url.searchParams;
  const booked = q.get("booked");
  return {
    routeId: (q.get("route") ?? "").slice(0, 64) || undefined,
    booked: booked === "yes" || booked === "no" ? booked : undefined,
    q: (q.get("q") ?? "").slice(0, 200) || undefined,
  };
}

// Route names are the service's, shared with insights (services/routing-responses.ts).
export { routeName };

export function responsesTable(
  t: Translator,
  form: RoutingFormRecord,
  responses: RoutingResponseRecord[],
): Table {
  const qs = form.definition.questions;
  return {
    columns: [
      t.t("routing.col_time"),
      t.t("routing.col_route"),
      t.t("routing.col_booking"),
      ...qs.map((q) => q.label),
    ],
    rows: responses.map((r) => [
      new Date(r.createdAtMs).toISOString(),
      routeName(t, form, r.routeId),
      r.bookingId ?? "",
      ...qs.map((q) => {
        if (r.erasedAtMs) return t.t("routing.erased");
        const a = r.answers[q.key];
        return a === undefined ? "" : Array.isArray(a) ? a.join(", ") : a;
      }),
    ]),
  };
}

/** Every response passing the filters as CSV text, a few hundred rows at a time (BOM first). */
export async function* responsesCsvText(
  app: App,
  t: Translator,
  form: RoutingFormRecord,
  filter: ResponseFilter,
): AsyncGenerator<string> {
  yield BOM + csvLines([responsesTable(t, form, []).columns]);
  let batch: RoutingResponseRecord[] = [];
  for await (const r of eachResponse(app, form, filter)) {
    batch.push(r);
    if (batch.length === 500) {
      yield csvLines(responsesTable(t, form, batch).rows);
      batch = [];
    }
  }
  if (batch.length) yield csvLines(responsesTable(t, form, batch).rows);
}
