/**
 * The insights page's routing forms table (issue 30): form views → submissions → routed →
 * booked in the chosen period, per form and per route, from the host's own daily counters (the
 * `ev` rows the page has read already; domain/insights-routing.ts). A team's forms count for each
 * of its members (services/insights-count.ts `countRoutingStep`), so they are here for the team's
 * owners and members alike — counts only: the answers stay with the team's owners.
 */
import type { App } from "../app.ts";
import type { RoutingFormRecord, TeamRecord } from "../domain/model/records.ts";
import { type FormCounts, routingCounts } from "../domain/insights-routing.ts";
import type { Table } from "../../shared/insights-types.ts";
import type { Translator } from "../../shared/i18n.ts";
import { listTeamsOf } from "../store/teams.ts";
import { getRoutingCountsSince } from "../store/insights.ts";
import { zonedDay } from "../domain/zone-days.ts";
import { listForms } from "./routing-forms.ts";
import { routeName } from "./routing-responses.ts";

/** A row of the table as the page links it: a form's totals, or one of its routes. */
export type RoutingInsightRow = {
  kind: "form" | "route";
  formId: string;
  routeId: string | null;
  /** The form's editor, when the host may open it (their own, or a team's they own). */
  href: string | null;
};

/**
 * The table (the page's and the CSV's), its rows' links, whether the host has any form, and the
 * host's date from which days are counted (null: nothing counted yet).
 */
export type RoutingInsights = {
  table: Table;
  rows: RoutingInsightRow[];
  anyForm: boolean;
  sinceDay: string | null;
};

type Known = { form: RoutingFormRecord; team: TeamRecord | null; href: string | null };

/** The forms whose counts a host may find among their counters: their own, their teams'. */
async function knownForms(app: App, hostId: string): Promise<Known[]> {
  const own = (await listForms(app, hostId)).map((form) => ({
    form,
    team: null,
    href: `/dashboard/routing/${form.id}`,
  }));
  const teams = await listTeamsOf(app.kv, hostId);
  const teamForms = await Promise.all(teams.map(async (team) => {
    const owner = team.members.some((m) => m.userId === hostId && m.role === "owner");
    return (await listForms(app, team.id)).map((form) => ({
      form,
      team,
      href: owner ? `/dashboard/teams/${team.id}/routing/${form.id}` : null,
    }));
  }));
  const byTitle = (a: Known, b: Known) => a.form.title.localeCompare(b.form.title);
  return [
    ...own.sort(byTitle),
    ...teamForms.flat().sort((a, b) => a.team!.name.localeCompare(b.team!.name) || byTitle(a, b)),
  ];
}

/**
 * The table for a period's `ev` rows (every event type's: the filter is applied here). Without
 * an event type every form the host has is listed, with all its routes; with one, only the
 * routes that sent visitors to it in the period, under their form's views and submissions.
 */
export async function routingInsights(
  app: App,
  host: { id: string; timeZone: string },
  rows: readonly { eventTypeId: string; metric: string; n: number }[],
  eventTypeId: string | null,
  t: Translator,
): Promise<RoutingInsights> {
  const counted = routingCounts(rows, eventTypeId);
  const [known, since] = await Promise.all([
    knownForms(app, host.id),
    getRoutingCountsSince(app.kv),
  ]);
  const listed: { known: Known | null; formId: string; counts: FormCounts | undefined }[] = known
    .map((k) => ({ known: k, formId: k.form.id, counts: counted.get(k.form.id) }));
  // Counts of a form that is gone (deleted, or a team's the host has left) stay countable.
  for (const [formId, counts] of counted) {
    if (!known.some((k) => k.form.id === formId)) listed.push({ known: null, formId, counts });
  }
  const table: Table = {
    columns: [
      t.t("ins.routing_col_form"),
      t.t("ins.routing_col_team"),
      t.t("routing.col_route"),
      t.t("routing.col_views"),
      t.t("routing.col_submitted"),
      t.t("routing.col_routed"),
      t.t("routing.col_booked"),
    ],
    rows: [],
  };
  const out: RoutingInsightRow[] = [];
  for (const { known: k, formId, counts } of listed) {
    const routes = counts?.routes ?? new Map();
    const ids = eventTypeId === null && k
      ? [...k.form.definition.routes.map((r) => r.id), "fallback"]
      : [];
    // Routes removed since keep their counts under their old id.
    for (const id of routes.keys()) if (!ids.includes(id)) ids.push(id);
    if (eventTypeId !== null && ids.length === 0) continue;
    const title = k?.form.title ?? t.t("ins.routing_form_gone");
    const team = k?.team?.name ?? "";
    const sum = (stage: "routed" | "booked") =>
      ids.reduce((n, id) => n + Math.max(0, routes.get(id)?.[stage] ?? 0), 0);
    table.rows.push([
      title,
      team,
      t.t("ins.routing_all_routes"),
      Math.max(0, counts?.views ?? 0),
      Math.max(0, counts?.submitted ?? 0),
      sum("routed"),
      sum("booked"),
    ]);
    out.push({ kind: "form", formId, routeId: null, href: k?.href ?? null });
    for (const id of ids) {
      table.rows.push([
        title,
        team,
        k
          ? routeName(t, k.form, id)
          : id === "fallback"
          ? t.t("routing.fallback")
          : t.t("routing.route_removed"),
        "",
        "",
        Math.max(0, routes.get(id)?.routed ?? 0),
        Math.max(0, routes.get(id)?.booked ?? 0),
      ]);
      out.push({ kind: "route", formId, routeId: id, href: null });
    }
  }
  return {
    table,
    rows: out,
    anyForm: known.length > 0,
    sinceDay: since === null ? null : zonedDay(since, host.timeZone),
  };
}
