/**
 * Insights of routing forms, pure (issue 30; docs/decisions/041-routing-forms.md): form views →
 * submissions → routed → booked, per form and per route, as `ev` metrics on the day each step
 * happened in the counting person's zone. A view and a submission belong to the form (route
 * `*`, no event type: the visitor has not been sent anywhere yet); a routed response and the
 * booking that followed belong to the route, under the event type it sent the visitor to (none
 * for another site or a message), so the page's event type filter keeps the routes to that type.
 */
import type { RoutingStage } from "./model/records.ts";
import type { CountDelta } from "./insights.ts";

export const ROUTING_STAGES = [
  "view",
  "submitted",
  "routed",
  "booked",
] as const satisfies readonly RoutingStage[];

/** The route of a form's own steps (views and submissions). */
export const FORM_ROUTE = "*";

/** `ev` metric prefix of routing forms: "rf.{form}.{route}.{stage}". */
export const ROUTING_METRIC = "rf.";

export function routingMetric(formId: string, routeId: string, stage: RoutingStage): string {
  return `${ROUTING_METRIC}${formId}.${routeId}.${stage}`;
}

/** A form id is a ULID (no dots); a route id may hold anything the editor posted, dots too. */
const METRIC = /^rf\.([0-9A-Z]{26})\.(.+)\.(view|submitted|routed|booked)$/;

export function parseRoutingMetric(
  metric: string,
): { formId: string; routeId: string; stage: RoutingStage } | null {
  if (!metric.startsWith(ROUTING_METRIC)) return null;
  const m = METRIC.exec(metric);
  return m ? { formId: m[1], routeId: m[2], stage: m[3] as RoutingStage } : null;
}

/** One step of a form's funnel, on `day`. */
export function routingDelta(
  step: { formId: string; routeId: string; stage: RoutingStage; eventTypeId: string },
  day: string,
): CountDelta {
  const form = step.stage === "view" || step.stage === "submitted";
  return {
    family: "ev",
    day,
    eventTypeId: form ? "" : step.eventTypeId,
    metric: routingMetric(step.formId, form ? FORM_ROUTE : step.routeId, step.stage),
    n: 1,
  };
}

export type RouteCounts = { routed: number; booked: number };
export type FormCounts = { views: number; submitted: number; routes: Map<string, RouteCounts> };

/**
 * Each form's funnel from counter rows (of a period): views and submissions of the form, routed
 * and booked per route — with `eventTypeId`, only the routes' counts under that event type.
 */
export function routingCounts(
  rows: readonly { eventTypeId: string; metric: string; n: number }[],
  eventTypeId: string | null,
): Map<string, FormCounts> {
  const out = new Map<string, FormCounts>();
  for (const r of rows) {
    const m = parseRoutingMetric(r.metric);
    if (!m) continue;
    let f = out.get(m.formId);
    if (!f) out.set(m.formId, f = { views: 0, submitted: 0, routes: new Map() });
    if (m.stage === "view") f.views += r.n;
    else if (m.stage === "submitted") f.submitted += r.n;
    else if (eventTypeId === null || r.eventTypeId === eventTypeId) {
      let route = f.routes.get(m.routeId);
      if (!route) f.routes.set(m.routeId, route = { routed: 0, booked: 0 });
      route[m.stage] += r.n;
    }
  }
  return out;
}
