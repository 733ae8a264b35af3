/**
 * The host's insights for a date range: headline numbers against the previous period, the
 * booking page funnel, meetings by day and outcome, busiest hours, lead time, meeting length,
 * endings by event type, and the health of mails, calendar writes, calendar sync and other
 * deliveries. Everything comes from the host's daily counters (three range scans, whatever the
 * number of bookings) plus a few small reads for the current health state.
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../store/records.ts";
import { type CountRow, hostsOfBookings, listProblems, openCounts } from "../store/insights.ts";
import { listEventTypes } from "../store/event-types.ts";
import { listTeamsOf } from "../store/teams.ts";
import { listFailedJobs } from "../store/outbox.ts";
import {
  CALENDAR_WRITE,
  change,
  type DateRange,
  datesBetween,
  deliveryOf,
  EV,
  LEAD_BUCKETS,
  MAIL,
  parseDeliveryMetric,
  resolveRange,
  type Stage,
  STAGES,
  SYNC,
  weekdayOf,
  weekOf,
  zonedDay,
} from "../domain/insights.ts";
import { listCalendarAccounts } from "./calendar-accounts.ts";
import { STALE_AFTER_INTERVALS } from "./calendar-busy.ts";
import type { ChartSpec, Headline, Table } from "../../shared/insights-types.ts";
import {
  type Clock,
  formatMinutes,
  formatNumber,
  formatTime,
  shortDateLabel,
  weekdayNames,
} from "../../shared/format.ts";
import { type MessageKey, translateRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { storedReasonText } from "../../shared/system-reasons.ts";

export type InsightsQuery = {
  range: string | null;
  from: string | null;
  to: string | null;
  eventType: string | null;
};

export type ProblemView = {
  atMs: number;
  what: string;
  outcome: "retrying" | "failed";
  detail: string;
  bookingId: string | null;
};

export type ChannelHealth = {
  key: string;
  title: string;
  sent: number;
  retrying: number;
  failed: number;
  chartId: string | null;
  problem: ProblemView | null;
};

export type CalendarHealth = {
  id: string;
  name: string;
  account: string;
  lastSuccessMs: number | null;
  /** booking is paused by this calendar since this instant (null: it is fine) */
  pausedSinceMs: number | null;
  error: string | null;
};

export type InsightsData = {
  range: DateRange;
  today: string;
  timeZone: string;
  clock: Clock;
  nowMs: number;
  eventTypes: { id: string; title: string }[];
  eventTypeId: string | null;
  headlines: Headline[];
  charts: ChartSpec[];
  health: {
    mail: ChannelHealth;
    calendarWrites: ChannelHealth;
    /** Webhook deliveries and any later outbox job kind, by kind (empty until they exist). */
    other: ChannelHealth[];
    /** Jobs out of retries, waiting for "Retry" on the bookings page. */
    parked: {
      id: string;
      channel: string;
      what: string;
      error: string;
      bookingId: string | null;
    }[];
    parkedMore: boolean;
    calendars: CalendarHealth[];
    sync: { runs: number; failed: number; pausedMin: number; chartId: string };
  };
};

export type InsightsResult =
  | { ok: true; data: InsightsData }
  | { ok: false; reason: "invalid"; message: string }
  | { ok: false; reason: "not_found" };

/** What is delivered, as message keys (the host reads them in their language). */
const WHAT: Record<string, MessageKey> = {
  host_request: "ins.what_host_request",
  host_confirmed_copy: "ins.what_host_confirmed_copy",
  host_booked: "ins.what_host_booked",
  host_cancelled: "ins.what_host_cancelled",
  host_expired: "ins.what_host_expired",
  guest_pending: "ins.what_guest_pending",
  guest_confirmed: "ins.what_guest_confirmed",
  guest_rejected: "ins.what_guest_rejected",
  guest_expired: "ins.what_guest_expired",
  guest_cancelled: "ins.what_guest_cancelled",
  reminder_guest: "ins.what_reminder_guest",
  reminder_host: "ins.what_reminder_host",
  follow_up: "ins.what_follow_up",
  delivery: "ins.what_delivery",
  other: "ins.what_other",
  put: "ins.what_put",
  delete: "ins.what_delete",
};
export const whatLabel = (what: string, t: Translator = translator(null)) =>
  WHAT[what] ? t.t(WHAT[what]) : what.replaceAll("_", " ");

const STAGE_LABEL: Record<Stage, MessageKey> = {
  confirmed: "ins.stage_confirmed",
  pending: "ins.stage_pending",
  rescheduled: "ins.stage_rescheduled",
  cancelled: "ins.stage_cancelled",
  expired: "ins.stage_expired",
  rejected: "ins.stage_rejected",
};

const PARKED_SCAN = 500;

export async function getInsights(
  app: App,
  host: UserRecord,
  q: InsightsQuery,
  /** The host's language: every title, label and number on the page and in the CSVs. */
  t: Translator = translator(null),
): Promise<InsightsResult> {
  const nowMs = app.now();
  const today = zonedDay(nowMs, host.timeZone);
  const resolved = resolveRange(q, today);
  if (!resolved.ok) {
    return { ok: false, reason: "invalid", message: translateRef(t, resolved.message) };
  }
  const range = resolved.range;

  const counts = await openCounts(app.kv, host.id, nowMs);
  const [types, ev, mt, hl, problems, parked, cal] = await Promise.all([
    eventTypesCounted(app, host.id),
    counts.read("ev", range.previousFrom, range.to),
    counts.read("mt", range.from, range.to),
    counts.read("hl", range.from, range.to),
    listProblems(app.kv, host.id),
    parkedJobs(app, host.id),
    listCalendarAccounts(app, host.id, t),
  ]);
  const eventTypes = types
    .map((t) => ({ id: t.id, title: t.title }))
    .sort((a, b) => a.title.localeCompare(b.title));
  const etId = q.eventType || null;
  if (etId !== null && !eventTypes.some((t) => t.id === etId)) {
    return { ok: false, reason: "not_found" };
  }
  const keep = (r: CountRow) => etId === null || r.eventTypeId === etId;
  const current = ev.filter((r) => r.day >= range.from && keep(r));
  const previous = ev.filter((r) => r.day < range.from && keep(r));
  const meetings = mt.filter(keep);
  const titleOf = new Map(eventTypes.map((t) => [t.id, t.title]));
  const clock = host.clock ?? "24h";

  const charts: ChartSpec[] = [
    funnelChart(current, t),
    perDayChart(meetings, range, t),
    busiestHoursChart(meetings, clock, t),
    leadTimeChart(meetings, t),
    lengthChart(meetings, t),
    endingsChart(current, titleOf, t),
  ];

  const byChannel = deliveryTotals(hl);
  const problemOf = new Map(problems.map((p) => [p.channel, p]));
  const channel = (key: string, title: string, chartId: string | null): ChannelHealth => {
    const totals = byChannel.get(key);
    const p = problemOf.get(key);
    return {
      key,
      title,
      sent: totals?.sent ?? 0,
      retrying: totals?.retrying ?? 0,
      failed: totals?.failed ?? 0,
      chartId,
      problem: p
        ? {
          atMs: p.atMs,
          what: whatLabel(p.what, t),
          outcome: p.outcome,
          detail: storedReasonText(p.detail, t),
          bookingId: p.bookingId,
        }
        : null,
    };
  };
  charts.push(deliveryChart("mail-health", t.t("ins.mails"), hl, (c) => c === MAIL, t));
  charts.push(
    deliveryChart(
      "calendar-write-health",
      t.t("ins.calendar_writes"),
      hl,
      (c) => c === CALENDAR_WRITE,
      t,
    ),
  );
  const otherKeys = [...new Set([...byChannel.keys(), ...problemOf.keys()])]
    .filter((c) => c !== MAIL && c !== CALENDAR_WRITE)
    .sort();
  if (otherKeys.length) {
    charts.push(
      deliveryChart(
        "delivery-health",
        otherKeys.every((k) => /webhook/i.test(k))
          ? t.t("ins.webhooks")
          : t.t("ins.webhooks_other"),
        hl,
        (c) => otherKeys.includes(c),
        t,
      ),
    );
  }
  const sync = syncChart(hl, range, t);
  charts.push(sync.chart);

  const staleAfter = STALE_AFTER_INTERVALS * app.config.syncIntervalMs;
  const calendars: CalendarHealth[] = cal.accounts.flatMap((a) =>
    a.calendars.filter((c) => c.checkConflicts).map((c) => ({
      id: c.id,
      name: c.name,
      account: a.username,
      lastSuccessMs: c.syncedAtMs,
      pausedSinceMs: c.stale ? (c.syncedAtMs === null ? null : c.syncedAtMs + staleAfter) : null,
      error: c.error ?? a.error,
    }))
  );
  // A calendar never read at all pauses booking from the moment it was added.
  for (const c of calendars) {
    const view = cal.accounts.flatMap((a) => a.calendars).find((x) => x.id === c.id);
    if (view?.stale && c.pausedSinceMs === null) c.pausedSinceMs = c.lastSuccessMs ?? nowMs;
  }

  return {
    ok: true,
    data: {
      range,
      today,
      timeZone: host.timeZone,
      clock,
      nowMs,
      eventTypes,
      eventTypeId: etId,
      headlines: headlines(current, previous, t),
      charts,
      health: {
        mail: channel(MAIL, t.t("ins.mails"), "mail-health"),
        calendarWrites: channel(
          CALENDAR_WRITE,
          t.t("ins.calendar_writes"),
          "calendar-write-health",
        ),
        other: otherKeys.map((k) => channel(k, channelTitle(k, t), "delivery-health")),
        parked: parked.jobs.map((j) => ({
          ...j,
          what: whatLabel(j.what, t),
          error: storedReasonText(j.error, t),
        })),
        parkedMore: parked.more,
        calendars,
        sync: { ...sync.totals, chartId: sync.chart.id },
      },
    },
  };
}

function channelTitle(kind: string, t: Translator): string {
  if (/webhook/i.test(kind)) return t.t("ins.webhooks");
  return kind.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

function sumOf(rows: CountRow[], metric: string): number {
  let n = 0;
  for (const r of rows) if (r.metric === metric) n += r.n;
  return Math.max(0, n);
}

function headlines(current: CountRow[], previous: CountRow[], t: Translator): Headline[] {
  const num = (n: number) => formatNumber(n, t.locale);
  const pct = (n: number) => t.t("ins.percent", { n: formatNumber(n * 100, t.locale) });
  const counted = (
    key: string,
    label: string,
    metrics: string[],
    goodWhenUp: boolean,
  ): Headline => {
    const value = metrics.reduce((s, m) => s + sumOf(current, m), 0);
    const before = metrics.reduce((s, m) => s + sumOf(previous, m), 0);
    const c = change(value, before);
    return {
      key,
      label,
      value,
      text: num(value),
      previous: before,
      previousText: num(before),
      change: c,
      changeText: c === null
        ? t.t("ins.change_new")
        : c === 0
        ? t.t("ins.change_none")
        : `${c > 0 ? "+" : "−"}${pct(Math.abs(c))}`,
      goodWhenUp,
    };
  };
  const views = counted("views", t.t("ins.h_views"), ["view"], true);
  const requests = counted("requests", t.t("ins.h_bookings"), [EV.submitted], true);
  const confirmed = counted("confirmed", t.t("ins.h_confirmed"), [EV.confirmed], true);
  const ended = counted(
    "ended",
    t.t("ins.h_ended"),
    [EV.cancelledByGuest, EV.cancelledByHost, EV.expired],
    false,
  );
  const rate = (r: number, v: number) => (v > 0 ? r / v : 0);
  const now = rate(requests.value, views.value);
  const before = rate(requests.previous, views.previous);
  const points = views.previous > 0 ? now - before : null;
  const conversion: Headline = {
    key: "conversion",
    label: t.t("ins.h_conversion"),
    value: now,
    text: pct(now),
    previous: before,
    previousText: pct(before),
    change: points,
    changeText: points === null
      ? t.t("ins.change_new")
      : Math.abs(points) < 0.0005
      ? t.t("ins.change_none")
      : t.t("ins.change_points", {
        sign: points > 0 ? "+" : "−",
        n: formatNumber(Math.abs(points) * 100, t.locale),
      }),
    goodWhenUp: true,
  };
  return [views, requests, confirmed, conversion, ended];
}

const bookingsUnit = (t: Translator) => ({
  one: t.t("ins.unit_booking_one"),
  many: t.t("ins.unit_booking_many"),
});

function funnelChart(current: CountRow[], t: Translator): ChartSpec {
  const steps: [string, string][] = [
    ["view", t.t("ins.step_view")],
    ["times", t.t("ins.step_times")],
    ["slot", t.t("ins.step_slot")],
    [EV.submitted, t.t("ins.step_sent")],
    [EV.confirmed, t.t("ins.step_confirmed")],
  ];
  const counts = steps.map(([m]) => sumOf(current, m));
  const pct = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 10 : 0);
  const rows = steps.map(([, label], i) => [
    label,
    counts[i],
    i === 0 ? 100 : pct(counts[i], counts[i - 1]),
    pct(counts[i], counts[0]),
  ]);
  return {
    id: "funnel",
    title: t.t("ins.funnel_title"),
    description: t.t("ins.funnel_description"),
    kind: "bars",
    table: {
      columns: [
        t.t("ins.col_step"),
        t.t("ins.col_count"),
        t.t("ins.col_of_previous"),
        t.t("ins.col_of_views"),
      ],
      rows,
    },
    series: [{ column: 1, key: "funnel", label: t.t("ins.col_count") }],
    empty: t.t("ins.funnel_empty"),
    unit: { one: "", many: "" },
    notes: rows.map((r, i) =>
      i === 0
        ? ""
        : i === 1
        ? t.t("ins.note_of_views", { views: formatNumber(r[3] as number, t.locale) })
        : t.t("ins.note_of_both", {
          previous: formatNumber(r[2] as number, t.locale),
          views: formatNumber(r[3] as number, t.locale),
        })
    ),
  };
}

function perDayChart(meetings: CountRow[], range: DateRange, t: Translator): ChartSpec {
  const days = datesBetween(range.from, range.to);
  const bucketOfDay = new Map(days.map((d) => [d, range.bucket === "week" ? weekOf(d) : d]));
  const bucketOf = (day: string) => bucketOfDay.get(day) ?? day;
  const buckets = [...new Set(days.map(bucketOf))];
  const index = new Map(buckets.map((b, i) => [b, i]));
  const values = buckets.map(() => STAGES.map(() => 0));
  for (const r of meetings) {
    if (!r.metric.startsWith("stage.")) continue;
    const s = STAGES.indexOf(r.metric.slice(6) as Stage);
    const i = index.get(bucketOf(r.day));
    if (s >= 0 && i !== undefined) values[i][s] += r.n;
  }
  const label = (b: string) =>
    range.bucket === "week"
      ? t.t("ins.week_of", { date: shortDateLabel(b, t.locale) })
      : shortDateLabel(b, t.locale);
  return {
    id: "meetings-by-day",
    title: range.bucket === "week" ? t.t("ins.by_week_title") : t.t("ins.by_day_title"),
    description: t.t("ins.by_day_description"),
    kind: "columns",
    table: {
      columns: [
        range.bucket === "week" ? t.t("ins.col_week_from") : t.t("ins.col_date"),
        ...STAGES.map((s) => t.t(STAGE_LABEL[s])),
      ],
      rows: buckets.map((b, i) => [b, ...values[i].map((v) => Math.max(0, v))]),
    },
    rowLabels: buckets.map(label),
    series: STAGES.map((s, k) => ({ column: k + 1, key: s, label: t.t(STAGE_LABEL[s]) })),
    empty: t.t("ins.no_meetings"),
    unit: bookingsUnit(t),
  };
}

function hourLabel(hour: number, clock: Clock, locale: string): string {
  // Any instant whose UTC hour is `hour`, read in UTC: the wall-clock label of that hour.
  return formatTime(Date.UTC(2026, 0, 5, hour), "UTC", clock, locale);
}

const tenthsOfHours = (min: number) => Math.round(Math.max(0, min) / 6) / 10;

function busiestHoursChart(meetings: CountRow[], clock: Clock, t: Translator): ChartSpec {
  const long = weekdayNames(t.locale, "long");
  const short = weekdayNames(t.locale, "short");
  const days = [1, 2, 3, 4, 5, 6, 7] as const;
  const minutes = days.map(() => new Array<number>(24).fill(0));
  for (const r of meetings) {
    if (!r.metric.startsWith("hour.")) continue;
    const h = Number(r.metric.slice(5));
    if (!Number.isInteger(h) || h < 0 || h > 23) continue;
    minutes[weekdayOf(r.day) - 1][h] += r.n;
  }
  const hours = Array.from({ length: 24 }, (_, h) => hourLabel(h, clock, t.locale));
  return {
    id: "busiest-hours",
    title: t.t("ins.hours_title"),
    description: t.t("ins.hours_description"),
    kind: "heatmap",
    table: {
      columns: [t.t("ins.col_weekday"), ...hours],
      rows: days.map((d, i) => [long[d], ...minutes[i].map(tenthsOfHours)]),
    },
    rowLabels: days.map((d) => short[d]),
    series: hours.map((h, k) => ({ column: k + 1, key: `h${k}`, label: h })),
    empty: t.t("ins.hours_empty"),
    unit: { one: t.t("ins.unit_hours"), many: t.t("ins.unit_hours") },
  };
}

function leadTimeChart(meetings: CountRow[], t: Translator): ChartSpec {
  const counts = LEAD_BUCKETS.map(() => 0);
  for (const r of meetings) {
    if (!r.metric.startsWith("lead.")) continue;
    const i = Number(r.metric.slice(5));
    if (Number.isInteger(i) && i >= 0 && i < counts.length) counts[i] += r.n;
  }
  return {
    id: "lead-time",
    title: t.t("ins.lead_title"),
    description: t.t("ins.lead_description"),
    kind: "bars",
    table: {
      columns: [t.t("ins.col_booked_ahead"), t.t("ins.col_bookings")],
      rows: LEAD_BUCKETS.map((b, i) => [t.t(b.label), Math.max(0, counts[i])]),
    },
    series: [{ column: 1, key: "lead", label: t.t("ins.col_bookings") }],
    empty: t.t("ins.no_meetings"),
    unit: bookingsUnit(t),
  };
}

/** "30 min", "1 h", "1 h 30 min" in the reader's words (`Intl` units). */
function durationLabel(min: number, locale: string): string {
  const h = Math.floor(min / 60);
  const m = min % 60;
  if (h === 0 || m === 0) return formatMinutes(min, locale, "short", "hour");
  return `${formatMinutes(h * 60, locale, "short", "hour")} ${formatMinutes(m, locale, "short")}`;
}

function lengthChart(meetings: CountRow[], t: Translator): ChartSpec {
  const byLength = new Map<number, number>();
  for (const r of meetings) {
    if (!r.metric.startsWith("length.")) continue;
    const min = Number(r.metric.slice(7));
    if (Number.isInteger(min) && min > 0) byLength.set(min, (byLength.get(min) ?? 0) + r.n);
  }
  const lengths = [...byLength.keys()].sort((a, b) => a - b);
  return {
    id: "meeting-length",
    title: t.t("ins.length_title"),
    description: t.t("ins.length_description"),
    kind: "bars",
    table: {
      columns: [t.t("ins.col_length"), t.t("ins.col_bookings")],
      rows: lengths.map((m) => [durationLabel(m, t.locale), Math.max(0, byLength.get(m)!)]),
    },
    series: [{ column: 1, key: "length", label: t.t("ins.col_bookings") }],
    empty: t.t("ins.no_meetings"),
    unit: bookingsUnit(t),
  };
}

function endingsChart(
  current: CountRow[],
  titleOf: Map<string, string>,
  t: Translator,
): ChartSpec {
  const kinds: [string, string][] = [
    [EV.cancelledByGuest, t.t("ins.end_by_guest")],
    [EV.cancelledByHost, t.t("ins.end_by_you")],
    [EV.expired, t.t("ins.stage_expired")],
    [EV.rejected, t.t("ins.stage_rejected")],
    [EV.rescheduled, t.t("ins.stage_rescheduled")],
  ];
  const byType = new Map<string, number[]>();
  for (const r of current) {
    const k = kinds.findIndex(([m]) => m === r.metric);
    if (k < 0) continue;
    const row = byType.get(r.eventTypeId) ?? kinds.map(() => 0);
    row[k] += r.n;
    byType.set(r.eventTypeId, row);
  }
  const rows = [...byType.entries()]
    .map((
      [id, v],
    ) => [titleOf.get(id) ?? t.t("ins.deleted_type"), ...v.map((n) => Math.max(0, n))])
    .filter((r) => r.slice(1).some((n) => (n as number) > 0))
    .sort((a, b) => sumRow(b) - sumRow(a) || String(a[0]).localeCompare(String(b[0])));
  return {
    id: "endings",
    title: t.t("ins.endings_title"),
    description: t.t("ins.endings_description"),
    kind: "bars",
    table: { columns: [t.t("ins.col_event_type"), ...kinds.map(([, l]) => l)], rows },
    series: kinds.map(([m, l], k) => ({ column: k + 1, key: m, label: l })),
    empty: t.t("ins.endings_empty"),
    unit: bookingsUnit(t),
  };
}

function sumRow(r: (string | number)[]): number {
  return r.slice(1).reduce<number>((s, v) => s + (typeof v === "number" ? v : 0), 0);
}

function deliveryTotals(hl: CountRow[]) {
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

function deliveryChart(
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

function syncChart(hl: CountRow[], range: DateRange, t: Translator) {
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
async function parkedJobs(app: App, hostId: string) {
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
async function eventTypesCounted(app: App, hostId: string) {
  const own = await listEventTypes(app.kv, hostId);
  const teams = await listTeamsOf(app.kv, hostId);
  const teamTypes = await Promise.all(teams.map(async (t) =>
    (await listEventTypes(app.kv, t.id))
      .filter((et) => et.teamMode && (et.hostIds ?? []).includes(hostId))
      .map((et) => ({ ...et, title: `${t.name}: ${et.title}` }))
  ));
  return [...own, ...teamTypes.flat()];
}
