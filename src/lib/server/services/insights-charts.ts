/** The insights page's labels, numbers and charts, built from the host's daily counter rows (pure over the rows). */
import { type CountRow } from "../store/insights.ts";
import {
  change,
  type DateRange,
  datesBetween,
  EV,
  funnelRequests,
  LEAD_BUCKETS,
  type Stage,
  STAGES,
  weekdayOf,
  weekOf,
} from "../domain/insights.ts";
import type { ChartSpec, Headline } from "../../shared/insights-types.ts";
import {
  type Clock,
  formatMinutes,
  formatNumber,
  formatTime,
  shortDateLabel,
  weekdayNames,
  weekOrder,
} from "../../shared/format.ts";
import { type MessageKey, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import type { MailKind } from "../domain/model/records.ts";

/** What is delivered, as message keys (the host reads them in their language). */
const WHAT: Record<MailKind | "delivery" | "other" | "put" | "delete", MessageKey> = {
  host_request: "ins.what_host_request",
  host_confirmed_copy: "ins.what_host_confirmed_copy",
  host_booked: "ins.what_host_booked",
  host_cancelled: "ins.what_host_cancelled",
  host_expired: "ins.what_host_expired",
  host_seat_moved: "ins.what_host_seat_moved",
  host_meeting_cancelled: "ins.what_host_meeting_cancelled",
  guest_pending: "ins.what_guest_pending",
  guest_confirmed: "ins.what_guest_confirmed",
  guest_rejected: "ins.what_guest_rejected",
  guest_expired: "ins.what_guest_expired",
  guest_cancelled: "ins.what_guest_cancelled",
  reminder_guest: "ins.what_reminder_guest",
  reminder_host: "ins.what_reminder_host",
  follow_up: "ins.what_follow_up",
  magic_link: "ins.what_magic_link",
  member_request: "ins.what_member_request",
  guests_invited: "ins.what_guests_invited",
  guests_cancelled: "ins.what_guests_cancelled",
  attendee_declined: "ins.what_attendee_declined",
  host_declined: "ins.what_host_declined",
  delivery: "ins.what_delivery",
  other: "ins.what_other",
  put: "ins.what_put",
  delete: "ins.what_delete",
};
export const whatLabel = (what: string, t: Translator = translator(null)) =>
  what in WHAT ? t.t(WHAT[what as keyof typeof WHAT]) : what.replaceAll("_", " ");

const STAGE_LABEL: Record<Stage, MessageKey> = {
  confirmed: "ins.stage_confirmed",
  pending: "ins.stage_pending",
  rescheduled: "ins.stage_rescheduled",
  cancelled: "ins.stage_cancelled",
  expired: "ins.stage_expired",
  rejected: "ins.stage_rejected",
};

export function channelTitle(kind: string, t: Translator): string {
  if (/webhook/i.test(kind)) return t.t("ins.webhooks");
  return kind.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

export function sumOf(rows: CountRow[], metric: string): number {
  let n = 0;
  for (const r of rows) if (r.metric === metric) n += r.n;
  return Math.max(0, n);
}

export function headlines(
  current: CountRow[],
  previous: CountRow[],
  /** as for `funnelChart`: the conversion is the funnel's, booking-page requests per view */
  pageSinceDay: string | null,
  t: Translator,
): Headline[] {
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
  const now = rate(funnelRequests(current, pageSinceDay).submitted, views.value);
  const before = rate(funnelRequests(previous, pageSinceDay).submitted, views.previous);
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

export const bookingsUnit = (t: Translator) => ({
  one: t.t("ins.unit_booking_one"),
  many: t.t("ins.unit_booking_many"),
});

export function funnelChart(
  current: CountRow[],
  /** the host-zone day booking-page requests began to be counted apart (`funnelRequests`) */
  pageSinceDay: string | null,
  t: Translator,
): ChartSpec {
  const steps: [string, string][] = [
    ["view", t.t("ins.step_view")],
    ["times", t.t("ins.step_times")],
    ["slot", t.t("ins.step_slot")],
    [EV.submitted, t.t("ins.step_sent")],
    [EV.confirmed, t.t("ins.step_confirmed")],
  ];
  const requests = funnelRequests(current, pageSinceDay);
  const counts = [
    ...steps.slice(0, 3).map(([m]) => sumOf(current, m)),
    requests.submitted,
    requests.confirmed,
  ];
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

export function perDayChart(
  meetings: CountRow[],
  range: DateRange,
  t: Translator,
  /** the host's first day of the week (profile; their language's by default) */
  first: 1 | 6 | 7,
): ChartSpec {
  const days = datesBetween(range.from, range.to);
  // A week is named by its first day in the range: the first one may start with the range.
  const weekIn = (d: string) => {
    const start = weekOf(d, first);
    return start < range.from ? range.from : start;
  };
  const bucketOfDay = new Map(days.map((d) => [d, range.bucket === "week" ? weekIn(d) : d]));
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

export function busiestHoursChart(
  meetings: CountRow[],
  clock: Clock,
  t: Translator,
  first: 1 | 6 | 7,
): ChartSpec {
  const long = weekdayNames(t.locale, "long");
  const short = weekdayNames(t.locale, "short");
  const days = weekOrder(first);
  const minutes = days.map(() => new Array<number>(24).fill(0));
  for (const r of meetings) {
    if (!r.metric.startsWith("hour.")) continue;
    const h = Number(r.metric.slice(5));
    if (!Number.isInteger(h) || h < 0 || h > 23) continue;
    minutes[days.indexOf(weekdayOf(r.day) as (typeof days)[number])][h] += r.n;
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

export function leadTimeChart(meetings: CountRow[], t: Translator): ChartSpec {
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

export function lengthChart(meetings: CountRow[], t: Translator): ChartSpec {
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

export function endingsChart(
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
