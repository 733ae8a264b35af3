/**
 * The host's insights for a date range: headline numbers against the previous period, the
 * booking page funnel, meetings by day and outcome, busiest hours, lead time, meeting length,
 * endings by event type, and the health of mails, calendar writes, calendar sync and other
 * deliveries. Everything comes from the host's daily counters (three range scans, whatever the
 * number of bookings) plus a few small reads for the current health state.
 */
import { sourcesChart } from "./insights-sources.ts";
import { originsChart } from "./insights-origins.ts";
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import {
  type CountRow,
  getPageRequestsSince,
  listProblems,
  openCounts,
} from "../store/insights.ts";
import { CALENDAR_WRITE, type DateRange, MAIL, resolveRange } from "../domain/insights.ts";
import { zonedDay } from "../domain/zone-days.ts";
import { listCalendarAccounts } from "./calendar-accounts.ts";
import { STALE_AFTER_INTERVALS } from "./calendar-busy.ts";
import type { ChartSpec, Headline } from "../../shared/insights-types.ts";
import { type Clock } from "../../shared/format.ts";
import { translateRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { deliveryErrorIn } from "./delivery-words.ts";
import { hostClock, hostWeekStart } from "../../shared/format.ts";
import {
  busiestHoursChart,
  channelTitle,
  endingsChart,
  funnelChart,
  headlines,
  leadTimeChart,
  lengthChart,
  perDayChart,
  whatLabel,
} from "./insights-charts.ts";
import {
  deliveryChart,
  deliveryTotals,
  eventTypesCounted,
  parkedJobs,
  syncChart,
} from "./insights-health.ts";
import { seatsChart } from "./insights-seats.ts";
import { seriesChart } from "./insights-series.ts";
import { type RoutingInsights, routingInsights } from "./insights-routing.ts";

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
  /** Routing forms' funnels in the period, per form and route (its CSV: `routing.csv`). */
  routing: RoutingInsights;
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
  const [types, ev, mt, hl, problems, parked, cal, pageSince] = await Promise.all([
    eventTypesCounted(app, host.id),
    counts.read("ev", range.previousFrom, range.to),
    counts.read("mt", range.from, range.to),
    counts.read("hl", range.from, range.to),
    listProblems(app.kv, host.id),
    parkedJobs(app, host.id),
    listCalendarAccounts(app, host.id, t),
    getPageRequestsSince(app.kv),
  ]);
  const pageSinceDay = pageSince === null ? null : zonedDay(pageSince, host.timeZone);
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
  const clock = hostClock(host, t.locale);
  const firstDay = hostWeekStart(host, t.locale);

  const [seated, repeating, routing] = await Promise.all([
    seatsChart(app, types, etId, range, host.timeZone, nowMs, t),
    seriesChart(app, host.id, types, etId, range, host.timeZone, t),
    // Every event type's rows: the table applies the filter to routes, not to form views.
    routingInsights(app, host, ev.filter((r) => r.day >= range.from), etId, t),
  ]);
  const charts: ChartSpec[] = [
    funnelChart(current, pageSinceDay, t),
    perDayChart(meetings, range, t, firstDay),
    busiestHoursChart(meetings, clock, t, firstDay),
    leadTimeChart(meetings, t),
    lengthChart(meetings, t),
    endingsChart(current, titleOf, t),
    // Only for a host with seated event types (docs/decisions/040-seats.md).
    ...(seated ? [seated] : []),
    // Only for a host with repeating event types (docs/decisions/048-recurring-series.md).
    ...(repeating ? [repeating] : []),
    sourcesChart(current, t),
    // How bookings came: the page, a link, a poll, the host, a move (issue 28).
    originsChart(current, t),
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
          detail: deliveryErrorIn(p.detail, t),
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
      headlines: headlines(current, previous, pageSinceDay, t),
      charts,
      routing,
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
          error: deliveryErrorIn(j.error, t),
        })),
        parkedMore: parked.more,
        calendars,
        sync: { ...sync.totals, chartId: sync.chart.id },
      },
    },
  };
}
