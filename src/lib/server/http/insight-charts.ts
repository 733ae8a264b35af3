/**
 * SVG geometry for the insights charts, computed on the server with d3-scale and d3-shape (no
 * chart code reaches the browser; see docs/decisions/023-insights.md). Every shape is drawn from
 * the chart's own table, the same numbers the page lists behind the chart and the CSV carries.
 *
 * Widths are percentages of the plot and heights pixels, so a chart fills any width — a 360 px
 * phone or a wide screen — without scaling its text.
 */
import { scaleBand, scaleLinear, scaleSqrt } from "d3-scale";
import { stack } from "d3-shape";
import { formatNumber } from "../../shared/format.ts";
import type {
  BarsGeometry,
  Chart,
  ChartSpec,
  ColumnsGeometry,
  HeatmapGeometry,
  Rect,
  Tick,
} from "../../shared/insights-types.ts";

const COLUMNS_HEIGHT = 200;
const BAR_ROW = 44;
const HEAT_ROW = 26;
const MAX_X_TICKS = 7;
const MAX_X_TICKS_NARROW = 3;

/** `locale`: the host's, for the numbers written on the chart. */
export function buildChart(spec: ChartSpec, locale = "en"): Chart {
  const total = spec.table.rows.reduce(
    (sum, r) => sum + spec.series.reduce((s, x) => s + num(r[x.column]), 0),
    0,
  );
  const geometry = spec.kind === "columns"
    ? columns(spec, locale)
    : spec.kind === "bars"
    ? bars(spec, locale)
    : heatmap(spec);
  return { ...spec, geometry, total };
}

const num = (v: string | number | undefined) => (typeof v === "number" ? v : 0);
/** Coordinates to a precision no screen shows, so the page carries fewer digits. */
const pct = (v: number) => Math.round(v * 1000) / 1000;
const px = (v: number) => Math.round(v * 10) / 10;

/** "12 bookings", "1 booking" ("0 réservation" in French: the locale's plural rules decide). */
export function formatValue(n: number, unit: ChartSpec["unit"], locale = "en"): string {
  return `${formatNumber(n, locale)} ${unitFor(n, unit, locale)}`.trim();
}

export function unitFor(n: number, unit: ChartSpec["unit"], locale = "en"): string {
  let one: boolean;
  try {
    one = new Intl.PluralRules(locale === "en-XA" ? "en" : locale).select(n) === "one";
  } catch {
    one = n === 1;
  }
  return one ? unit.one : unit.many;
}

type Datum = Record<string, number>;

function data(spec: ChartSpec): Datum[] {
  return spec.table.rows.map((r) =>
    Object.fromEntries(spec.series.map((s) => [s.key, num(r[s.column])]))
  );
}

/** Stacked columns, one per row of the table (days or weeks), series stacked bottom-up. */
function columns(spec: ChartSpec, locale = "en"): ColumnsGeometry {
  const rows = spec.table.rows;
  const label = (i: number) => spec.rowLabels?.[i] ?? String(rows[i][0]);
  const d = data(spec);
  const layers = stack<Datum>().keys(spec.series.map((s) => s.key))(d);
  const max = Math.max(0, ...layers.flatMap((l) => l.map((p) => p[1])));
  const y = scaleLinear().domain([0, max || 1]).nice(4).range([COLUMNS_HEIGHT, 0]);
  const x = scaleBand<number>()
    .domain(rows.map((_, i) => i))
    .range([0, 100])
    .paddingInner(rows.length > 45 ? 0.12 : 0.25)
    .paddingOuter(0.1);
  const rects: Rect[] = [];
  layers.forEach((layer, k) => {
    layer.forEach(([y0, y1], i) => {
      if (y1 <= y0) return;
      rects.push({
        x: pct(x(i)!),
        w: pct(x.bandwidth()),
        y: px(y(y1)),
        h: px(y(y0) - y(y1)),
        s: k,
        row: i,
        value: y1 - y0,
      });
    });
  });
  const yTicks: Tick[] = y.ticks(4).filter(Number.isInteger).map((t) => ({
    at: px(y(t)),
    label: formatNumber(t, locale),
  }));
  const ticks = (max: number) => {
    const step = Math.max(1, Math.ceil(rows.length / max));
    const out: Tick[] = [];
    for (let i = 0; i < rows.length; i += step) {
      out.push({ at: pct(x(i)! + x.bandwidth() / 2), label: label(i) });
    }
    return out;
  };
  return {
    kind: "columns",
    height: COLUMNS_HEIGHT,
    rects,
    yTicks,
    xTicks: ticks(MAX_X_TICKS),
    xTicksNarrow: ticks(MAX_X_TICKS_NARROW),
  };
}

/** Horizontal bars, one row each, label and value above the bar, series side by side in a row. */
function bars(spec: ChartSpec, locale: string): BarsGeometry {
  const rows = spec.table.rows;
  // A row: its label and value on one line, the bar below, and a note line when there is one.
  const rowHeight = spec.notes?.some(Boolean) ? BAR_ROW + 18 : BAR_ROW;
  const d = data(spec);
  const layers = stack<Datum>().keys(spec.series.map((s) => s.key))(d);
  const max = Math.max(0, ...layers.flatMap((l) => l.map((p) => p[1])));
  const x = scaleLinear().domain([0, max || 1]).range([0, 100]);
  const rects: Rect[] = [];
  layers.forEach((layer, k) => {
    layer.forEach(([x0, x1], i) => {
      if (x1 <= x0) return;
      rects.push({
        x: pct(x(x0)),
        w: pct(x(x1) - x(x0)),
        y: i * rowHeight + 22,
        h: 14,
        s: k,
        row: i,
        value: x1 - x0,
      });
    });
  });
  return {
    kind: "bars",
    height: rows.length * rowHeight,
    rowHeight,
    rows: rows.map((r, i) => ({
      label: shorten(spec.rowLabels?.[i] ?? String(r[0])),
      fullLabel: spec.rowLabels?.[i] ?? String(r[0]),
      valueText: formatValue(
        spec.series.reduce((s, x) => s + num(r[x.column]), 0),
        spec.unit,
        locale,
      ),
      note: spec.notes?.[i] ?? "",
      y: i * rowHeight,
    })),
    rects,
  };
}

/** Long labels share a line with the value on a 360 px screen: the table keeps them whole. */
const LABEL_MAX = 34;
function shorten(label: string): string {
  return label.length <= LABEL_MAX ? label : `${label.slice(0, LABEL_MAX - 1).trimEnd()}…`;
}

/** A grid: one row per table row, one cell per series (column), shade by value. */
function heatmap(spec: ChartSpec): HeatmapGeometry {
  const rows = spec.table.rows;
  const max = Math.max(0, ...rows.flatMap((r) => spec.series.map((s) => num(r[s.column]))));
  const x = scaleBand<number>()
    .domain(spec.series.map((_, i) => i))
    .range([0, 100])
    .paddingInner(0.08);
  const shade = scaleSqrt().domain([0, max || 1]).range([0.15, 1]).clamp(true);
  const cells: HeatmapGeometry["cells"] = [];
  rows.forEach((r, i) => {
    spec.series.forEach((s, k) => {
      const value = num(r[s.column]);
      if (value <= 0) return;
      cells.push({
        x: pct(x(k)!),
        w: pct(x.bandwidth()),
        y: i * HEAT_ROW + 2,
        h: HEAT_ROW - 4,
        s: k,
        row: i,
        value,
        opacity: Math.round(shade(value) * 100) / 100,
      });
    });
  });
  const all: Tick[] = spec.series.map((s, k) => ({
    at: x(k)! + x.bandwidth() / 2,
    label: s.label,
  }));
  return {
    kind: "heatmap",
    height: rows.length * HEAT_ROW,
    rowHeight: HEAT_ROW,
    rows: rows.map((r, i) => ({ label: spec.rowLabels?.[i] ?? String(r[0]), y: i * HEAT_ROW })),
    cells,
    columns: spec.series.map((_, k) => ({ x: pct(x(k)!), w: pct(x.bandwidth()) })),
    xTicks: all.filter((_, k) => k % 3 === 0),
    xTicksNarrow: all.filter((_, k) => k % 6 === 0),
    max,
  };
}
