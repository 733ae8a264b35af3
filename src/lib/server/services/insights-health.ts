/** The insights page's health part: deliveries and calendar sync charts, parked jobs, counted event types. */
import type { App } from "../app.ts";
import { type CountRow, hostsOfBookings } from "../store/insights.ts";
import { listEventTypes } from "../store/event-types.ts";
import { listTeamsOf } from "../store/teams.ts";
import { listFailedJobs } from "../store/outbox.ts";
import {
  type DateRange,
  datesBetween,
  deliveryOf,
  parseDeliveryMetric,
  SYNC,
} from "../domain/insights.ts";
import type { ChartSpec, Table } from "../../shared/insights-types.ts";
import { shortDateLabel } from "../../shared/format.ts";
import { type Translator } from "../../shared/i18n.ts";
import { channelTitle, whatLabel } from "./insights-charts.ts";

const PARKED_SCAN = 500;

export function deliveryTotals(hl: CountRow[]) {
  const out = new Map<string, { sent: number; retrying: number; failed: number }>();
  for (const r of hl) {
    const d = parseDeliveryMetric(r.metric);
    if (!d) continue;
    const t = out.get(d.channel) ?? { sent: 0, retrying: 0, failed: 0 };
    t[d.outcome] += r.n;
    out.set(d.channel, t);
  }
  return out;
}

export function deliveryChart(
  id: string,
  title: string,
  hl: CountRow[],
  channelFilter: (c: string) => boolean,
  t: Translator,
): ChartSpec {
  const rows = new Map<string, [number, number, number]>();
  for (const r of hl) {
    const d = parseDeliveryMetric(r.metric);
    if (!d || !channelFilter(d.channel)) continue;
    const label = id === "delivery-health"
      ? `${channelTitle(d.channel, t)}: ${whatLabel(d.what, t)}`
      : whatLabel(d.what, t);
    const row = rows.get(label) ?? [0, 0, 0];
    row[d.outcome === "sent" ? 0 : d.outcome === "retrying" ? 1 : 2] += r.n;
    rows.set(label, row);
  }
  const table: Table = {
    columns: [
      id === "calendar-write-health" ? t.t("ins.col_write") : t.t("ins.col_delivery"),
      t.t("ins.col_sent"),
      t.t("ins.col_retried"),
      t.t("ins.col_failed"),
    ],
    rows: [...rows.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([label, v]) => [label, ...v.map((n) => Math.max(0, n))]),
  };
  if (id === "calendar-write-health") table.columns[1] = t.t("ins.col_written");
  return {
    id,
    title,
    description: id === "calendar-write-health"
      ? t.t("ins.writes_description")
      : t.t("ins.deliveries_description"),
    kind: "bars",
    table,
    series: [
      { column: 1, key: "sent", label: table.columns[1] },
      { column: 2, key: "retrying", label: t.t("ins.col_retried") },
      { column: 3, key: "failed", label: t.t("ins.col_failed") },
    ],
    empty: t.t("ins.deliveries_empty"),
    unit: { one: "", many: "" },
  };
}

export function syncChart(hl: CountRow[], range: DateRange, t: Translator) {
  const days = datesBetween(range.from, range.to);
  const index = new Map(days.map((d, i) => [d, i]));
  const v = days.map(() => [0, 0, 0]);
  const col = { [SYNC.runs]: 0, [SYNC.failed]: 1, [SYNC.pausedMin]: 2 } as Record<string, number>;
  for (const r of hl) {
    const c = col[r.metric];
    const i = index.get(r.day);
    if (c !== undefined && i !== undefined) v[i][c] += r.n;
  }
  const totals = {
    runs: v.reduce((s, x) => s + x[0], 0),
    failed: v.reduce((s, x) => s + x[1], 0),
    pausedMin: v.reduce((s, x) => s + x[2], 0),
  };
  const chart: ChartSpec = {
    id: "calendar-sync",
    title: t.t("ins.sync_title"),
    description: t.t("ins.sync_description"),
    kind: "columns",
    table: {
      columns: [
        t.t("ins.col_date"),
        t.t("ins.col_minutes_paused"),
        t.t("ins.col_sync_runs"),
        t.t("ins.col_runs_problem"),
      ],
      rows: days.map((d, i) => [d, v[i][2], v[i][0], v[i][1]]),
    },
    rowLabels: days.map((d) => shortDateLabel(d, t.locale)),
    series: [{ column: 1, key: "paused", label: t.t("ins.col_minutes_paused") }],
    empty: t.t("ins.sync_empty"),
    unit: { one: t.t("ins.unit_minutes"), many: t.t("ins.unit_minutes") },
  };
  return { chart, totals };
}

/** This host's jobs among the parked ones (bounded: parked jobs are rare and kept small). */
export async function parkedJobs(app: App, hostId: string) {
  const jobs = await listFailedJobs(app.kv, PARKED_SCAN);
  const ids = [
    ...new Set(jobs.flatMap((j) => {
      const p = j.payload as { bookingId?: string };
      return p.bookingId ? [p.bookingId] : [];
    })),
  ];
  const hostOf = await hostsOfBookings(app.kv, ids);
  const mine = jobs.filter((j) => {
    const p = j.payload as { bookingId?: string; hostId?: string };
    return p.hostId === hostId || (!!p.bookingId && hostOf.get(p.bookingId) === hostId);
  });
  return {
    jobs: mine.slice(0, 20).map((j) => {
      const d = deliveryOf(j.payload) ?? { channel: j.payload.kind, what: "-" };
      return {
        id: j.id,
        channel: d.channel,
        what: d.what,
        error: j.lastError ?? "",
        bookingId: (j.payload as { bookingId?: string }).bookingId ?? null,
      };
    }),
    more: mine.length > 20 || jobs.length === PARKED_SCAN,
  };
}

/**
 * The event types a host's counts can name: their own, and the team event types they take part
 * in (a team booking counts for each member it belongs to), titled with the team's name.
 */
export async function eventTypesCounted(app: App, hostId: string) {
  const own = await listEventTypes(app.kv, hostId);
  const teams = await listTeamsOf(app.kv, hostId);
  const teamTypes = await Promise.all(teams.map(async (t) =>
    (await listEventTypes(app.kv, t.id))
      .filter((et) => et.teamMode && (et.hostIds ?? []).includes(hostId))
      .map((et) => ({ ...et, title: `${t.name}: ${et.title}` }))
  ));
  return [...own, ...teamTypes.flat()];
}
