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
import { type Clock, formatNumber, formatTime, shortDateLabel } from "../../shared/format.ts";

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

/** Human names of what is delivered. */
const WHAT: Record<string, string> = {
  host_request: "Request to you",
  host_confirmed_copy: "Confirmation copy to you",
  host_booked: "New booking to you",
  host_cancelled: "Cancellation to you",
  guest_pending: "Request received, to guest",
  guest_confirmed: "Confirmation to guest",
  guest_rejected: "Rejection to guest",
  guest_expired: "Expiry to guest",
  guest_cancelled: "Cancellation to guest",
  reminder_guest: "Reminder to guest",
  reminder_host: "Reminder to you",
  other: "Other mail",
  put: "Add or update event",
  delete: "Remove event",
};
export const whatLabel = (what: string) => WHAT[what] ?? what.replaceAll("_", " ");

const STAGE_LABEL: Record<Stage, string> = {
  confirmed: "Confirmed",
  pending: "Waiting for you",
  rescheduled: "Moved",
  cancelled: "Cancelled",
  expired: "Expired unanswered",
  rejected: "Rejected",
};

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const PARKED_SCAN = 500;

export async function getInsights(
  app: App,
  host: UserRecord,
  q: InsightsQuery,
): Promise<InsightsResult> {
  const nowMs = app.now();
  const today = zonedDay(nowMs, host.timeZone);
  const resolved = resolveRange(q, today);
  if (!resolved.ok) return { ok: false, reason: "invalid", message: resolved.message };
  const range = resolved.range;

  const counts = await openCounts(app.kv, host.id, nowMs);
  const [types, ev, mt, hl, problems, parked, cal] = await Promise.all([
    eventTypesCounted(app, host.id),
    counts.read("ev", range.previousFrom, range.to),
    counts.read("mt", range.from, range.to),
    counts.read("hl", range.from, range.to),
    listProblems(app.kv, host.id),
    parkedJobs(app, host.id),
    listCalendarAccounts(app, host.id),
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
    funnelChart(current),
    perDayChart(meetings, range),
    busiestHoursChart(meetings, clock),
    leadTimeChart(meetings),
    lengthChart(meetings),
    endingsChart(current, titleOf),
  ];

  const byChannel = deliveryTotals(hl);
  const problemOf = new Map(problems.map((p) => [p.channel, p]));
  const channel = (key: string, title: string, chartId: string | null): ChannelHealth => {
    const t = byChannel.get(key);
    const p = problemOf.get(key);
    return {
      key,
      title,
      sent: t?.sent ?? 0,
      retrying: t?.retrying ?? 0,
      failed: t?.failed ?? 0,
      chartId,
      problem: p
        ? {
          atMs: p.atMs,
          what: whatLabel(p.what),
          outcome: p.outcome,
          detail: p.detail,
          bookingId: p.bookingId,
        }
        : null,
    };
  };
  charts.push(deliveryChart("mail-health", "Mails", hl, (c) => c === MAIL));
  charts.push(
    deliveryChart("calendar-write-health", "Calendar writes", hl, (c) => c === CALENDAR_WRITE),
  );
  const otherKeys = [...new Set([...byChannel.keys(), ...problemOf.keys()])]
    .filter((c) => c !== MAIL && c !== CALENDAR_WRITE)
    .sort();
  if (otherKeys.length) {
    charts.push(
      deliveryChart(
        "delivery-health",
        otherKeys.every((k) => /webhook/i.test(k)) ? "Webhooks" : "Webhooks and other deliveries",
        hl,
        (c) => otherKeys.includes(c),
      ),
    );
  }
  const sync = syncChart(hl, range);
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
      headlines: headlines(current, previous),
      charts,
      health: {
        mail: channel(MAIL, "Mails", "mail-health"),
        calendarWrites: channel(CALENDAR_WRITE, "Calendar writes", "calendar-write-health"),
        other: otherKeys.map((k) => channel(k, channelTitle(k), "delivery-health")),
        parked: parked.jobs,
        parkedMore: parked.more,
        calendars,
        sync: { ...sync.totals, chartId: sync.chart.id },
      },
    },
  };
}

function channelTitle(kind: string): string {
  if (/webhook/i.test(kind)) return "Webhooks";
  return kind.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

function sumOf(rows: CountRow[], metric: string): number {
  let n = 0;
  for (const r of rows) if (r.metric === metric) n += r.n;
  return Math.max(0, n);
}

function headlines(current: CountRow[], previous: CountRow[]): Headline[] {
  const num = formatNumber;
  const pct = (n: number) => `${formatNumber(n * 100)}%`;
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
        ? "new"
        : c === 0
        ? "no change"
        : `${c > 0 ? "+" : "−"}${pct(Math.abs(c))}`,
      goodWhenUp,
    };
  };
  const views = counted("views", "Page views", ["view"], true);
  const requests = counted("requests", "Bookings", [EV.submitted], true);
  const confirmed = counted("confirmed", "Confirmed", [EV.confirmed], true);
  const ended = counted(
    "ended",
    "Cancelled or expired",
    [EV.cancelledByGuest, EV.cancelledByHost, EV.expired],
    false,
  );
  const rate = (r: number, v: number) => (v > 0 ? r / v : 0);
  const now = rate(requests.value, views.value);
  const before = rate(requests.previous, views.previous);
  const points = views.previous > 0 ? now - before : null;
  const conversion: Headline = {
    key: "conversion",
    label: "Views that booked",
    value: now,
    text: pct(now),
    previous: before,
    previousText: pct(before),
    change: points,
    changeText: points === null
      ? "new"
      : Math.abs(points) < 0.0005
      ? "no change"
      : `${points > 0 ? "+" : "−"}${formatNumber(Math.abs(points) * 100)} points`,
    goodWhenUp: true,
  };
  return [views, requests, confirmed, conversion, ended];
}

const bookingsUnit = { one: "booking", many: "bookings" };

function funnelChart(current: CountRow[]): ChartSpec {
  const steps: [string, string][] = [
    ["view", "Viewed a booking page"],
    ["times", "Found free times"],
    ["slot", "Picked a time"],
    [EV.submitted, "Sent a booking"],
    [EV.confirmed, "Confirmed"],
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
    title: "From page view to confirmed meeting",
    description:
      "How many guests reached each step on your booking pages. Counted on this server without cookies; your own visits while signed in are left out.",
    kind: "bars",
    table: {
      columns: ["Step", "Count", "% of previous step", "% of page views"],
      rows,
    },
    series: [{ column: 1, key: "funnel", label: "Count" }],
    empty: "No one has opened your booking pages in this period.",
    unit: { one: "", many: "" },
    notes: rows.map((r, i) =>
      i === 0
        ? ""
        : i === 1
        ? `${r[3]}% of page views`
        : `${r[2]}% of the step before · ${r[3]}% of page views`
    ),
  };
}

function perDayChart(meetings: CountRow[], range: DateRange): ChartSpec {
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
    range.bucket === "week" ? `Week of ${shortDateLabel(b)}` : shortDateLabel(b);
  return {
    id: "meetings-by-day",
    title: range.bucket === "week" ? "Meetings by week" : "Meetings by day",
    description:
      "Bookings by the day the meeting takes place, and how each one stands now. Days are in your time zone as it was when the booking was made.",
    kind: "columns",
    table: {
      columns: [
        range.bucket === "week" ? "Week from" : "Date",
        ...STAGES.map((s) => STAGE_LABEL[s]),
      ],
      rows: buckets.map((b, i) => [b, ...values[i].map((v) => Math.max(0, v))]),
    },
    rowLabels: buckets.map(label),
    series: STAGES.map((s, k) => ({ column: k + 1, key: s, label: STAGE_LABEL[s] })),
    empty: "No meetings fall in this period.",
    unit: bookingsUnit,
  };
}

function hourLabel(hour: number, clock: Clock): string {
  // Any instant whose UTC hour is `hour`, read in UTC: the wall-clock label of that hour.
  return formatTime(Date.UTC(2026, 0, 5, hour), "UTC", clock);
}

const tenthsOfHours = (min: number) => Math.round(Math.max(0, min) / 6) / 10;

function busiestHoursChart(meetings: CountRow[], clock: Clock): ChartSpec {
  const minutes = WEEKDAYS.map(() => new Array<number>(24).fill(0));
  for (const r of meetings) {
    if (!r.metric.startsWith("hour.")) continue;
    const h = Number(r.metric.slice(5));
    if (!Number.isInteger(h) || h < 0 || h > 23) continue;
    minutes[weekdayOf(r.day) - 1][h] += r.n;
  }
  const hours = Array.from({ length: 24 }, (_, h) => hourLabel(h, clock));
  return {
    id: "busiest-hours",
    title: "Busiest hours",
    description:
      "Hours booked by weekday and hour of the day, in your time zone, counting meetings that are confirmed or waiting for you.",
    kind: "heatmap",
    table: {
      columns: ["Weekday", ...hours],
      rows: WEEKDAYS.map((d, i) => [d, ...minutes[i].map(tenthsOfHours)]),
    },
    rowLabels: WEEKDAYS.map((d) => d.slice(0, 3)),
    series: hours.map((h, k) => ({ column: k + 1, key: `h${k}`, label: h })),
    empty: "No meetings are booked in this period.",
    unit: { one: "h", many: "h" },
  };
}

function leadTimeChart(meetings: CountRow[]): ChartSpec {
  const counts = LEAD_BUCKETS.map(() => 0);
  for (const r of meetings) {
    if (!r.metric.startsWith("lead.")) continue;
    const i = Number(r.metric.slice(5));
    if (Number.isInteger(i) && i >= 0 && i < counts.length) counts[i] += r.n;
  }
  return {
    id: "lead-time",
    title: "How far ahead guests book",
    description: "Time between a booking being made and the meeting, for meetings in this period.",
    kind: "bars",
    table: {
      columns: ["Booked ahead", "Bookings"],
      rows: LEAD_BUCKETS.map((b, i) => [b.label, Math.max(0, counts[i])]),
    },
    series: [{ column: 1, key: "lead", label: "Bookings" }],
    empty: "No meetings fall in this period.",
    unit: bookingsUnit,
  };
}

function durationLabel(min: number): string {
  const h = Math.floor(min / 60);
  const m = min % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function lengthChart(meetings: CountRow[]): ChartSpec {
  const byLength = new Map<number, number>();
  for (const r of meetings) {
    if (!r.metric.startsWith("length.")) continue;
    const min = Number(r.metric.slice(7));
    if (Number.isInteger(min) && min > 0) byLength.set(min, (byLength.get(min) ?? 0) + r.n);
  }
  const lengths = [...byLength.keys()].sort((a, b) => a - b);
  return {
    id: "meeting-length",
    title: "Meeting length",
    description: "How long the meetings booked for this period are.",
    kind: "bars",
    table: {
      columns: ["Length", "Bookings"],
      rows: lengths.map((m) => [durationLabel(m), Math.max(0, byLength.get(m)!)]),
    },
    series: [{ column: 1, key: "length", label: "Bookings" }],
    empty: "No meetings fall in this period.",
    unit: bookingsUnit,
  };
}

function endingsChart(current: CountRow[], titleOf: Map<string, string>): ChartSpec {
  const kinds: [string, string][] = [
    [EV.cancelledByGuest, "Cancelled by guest"],
    [EV.cancelledByHost, "Cancelled by you"],
    [EV.expired, "Expired unanswered"],
    [EV.rejected, "Rejected"],
    [EV.rescheduled, "Moved"],
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
    .map(([id, v]) => [titleOf.get(id) ?? "Deleted event type", ...v.map((n) => Math.max(0, n))])
    .filter((r) => r.slice(1).some((n) => (n as number) > 0))
    .sort((a, b) => sumRow(b) - sumRow(a) || String(a[0]).localeCompare(String(b[0])));
  return {
    id: "endings",
    title: "Cancellations and expiries by event type",
    description:
      "Bookings that ended without a meeting in this period, by event type and why: cancelled, left unanswered until the request expired, rejected, or moved to another time.",
    kind: "bars",
    table: { columns: ["Event type", ...kinds.map(([, l]) => l)], rows },
    series: kinds.map(([m, l], k) => ({ column: k + 1, key: m, label: l })),
    empty: "No booking was cancelled, rejected, moved or left to expire in this period.",
    unit: bookingsUnit,
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
): ChartSpec {
  const rows = new Map<string, [number, number, number]>();
  for (const r of hl) {
    const d = parseDeliveryMetric(r.metric);
    if (!d || !channelFilter(d.channel)) continue;
    const label = id === "delivery-health"
      ? `${channelTitle(d.channel)}: ${whatLabel(d.what)}`
      : whatLabel(d.what);
    const row = rows.get(label) ?? [0, 0, 0];
    row[d.outcome === "sent" ? 0 : d.outcome === "retrying" ? 1 : 2] += r.n;
    rows.set(label, row);
  }
  const table: Table = {
    columns: [id === "calendar-write-health" ? "Write" : "Delivery", "Sent", "Retried", "Failed"],
    rows: [...rows.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([label, v]) => [label, ...v.map((n) => Math.max(0, n))]),
  };
  if (id === "calendar-write-health") table.columns[1] = "Written";
  return {
    id,
    title,
    description: id === "calendar-write-health"
      ? "Confirmed bookings written to (or removed from) your calendar in this period, by outcome. A write that fails is retried several times before it is given up."
      : "Deliveries in this period, by outcome. A delivery that fails is retried several times before it is given up.",
    kind: "bars",
    table,
    series: [
      { column: 1, key: "sent", label: table.columns[1] },
      { column: 2, key: "retrying", label: "Retried" },
      { column: 3, key: "failed", label: "Failed" },
    ],
    empty: "Nothing was delivered in this period.",
    unit: { one: "", many: "" },
  };
}

function syncChart(hl: CountRow[], range: DateRange) {
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
    title: "Calendar sync",
    description:
      "Your calendars that check for conflicts, and the minutes per day during which one of them could not be read for too long, so no times were offered (sampled at each sync, so give or take one sync interval). The table also lists sync runs and runs with a problem.",
    kind: "columns",
    table: {
      columns: ["Date", "Minutes paused", "Sync runs", "Runs with a problem"],
      rows: days.map((d, i) => [d, v[i][2], v[i][0], v[i][1]]),
    },
    rowLabels: days.map(shortDateLabel),
    series: [{ column: 1, key: "paused", label: "Minutes paused" }],
    empty: "Booking was never paused by a calendar in this period.",
    unit: { one: "min", many: "min" },
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
        what: whatLabel(d.what),
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
