/**
 * What the insights page receives: every chart is a table of numbers (shown behind the chart and
 * offered as CSV) plus the SVG geometry drawn from that same table on the server.
 */

/** Rows of cells; the first column labels the row. Numbers stay numbers (CSV, data-value). */
export type Table = { columns: string[]; rows: (string | number)[][] };

/** A series: one numeric column of the table, drawn in one colour. */
export type Series = { column: number; key: string; label: string };

export type ChartKind = "columns" | "bars" | "heatmap";

export type ChartSpec = {
  id: string;
  title: string;
  description: string;
  kind: ChartKind;
  table: Table;
  /** how each row is named on the chart and in the table shown (the CSV keeps the first column) */
  rowLabels?: string[];
  series: Series[];
  /** shown instead of the chart when every value is zero */
  empty: string;
  /** how a value reads: "12 bookings", "3.5 h" */
  unit: { one: string; many: string };
  /** bars: extra text after a row's value, e.g. conversion rates (one per row) */
  notes?: string[];
};

/**
 * A rectangle of a chart, with the number it stands for (tests compare it with the CSV). Kept
 * small: the page sends it to the browser once more for hydration.
 */
export type Rect = {
  /** percent of the plot width */
  x: number;
  w: number;
  /** pixels */
  y: number;
  h: number;
  /** index into the chart's series */
  s: number;
  /** the table row it stands for (0-based, header excluded) */
  row: number;
  value: number;
};

export type Tick = { at: number; label: string };

export type ColumnsGeometry = {
  kind: "columns";
  height: number;
  rects: Rect[];
  yTicks: Tick[];
  /** x in percent of the plot width (centre of the band) */
  xTicks: Tick[];
  /** fewer ticks for a phone, so labels never collide */
  xTicksNarrow: Tick[];
};

export type BarsGeometry = {
  kind: "bars";
  height: number;
  rowHeight: number;
  /** `label` may be shortened to fit a phone; `fullLabel` is the row's own */
  rows: { label: string; fullLabel: string; valueText: string; note: string; y: number }[];
  rects: Rect[];
};

export type HeatmapGeometry = {
  kind: "heatmap";
  height: number;
  rowHeight: number;
  rows: { label: string; y: number }[];
  /** the cells with a value (the empty grid is drawn from `rows` and the series) */
  cells: (Rect & { opacity: number })[];
  /** x and width of each column, percent */
  columns: { x: number; w: number }[];
  xTicks: Tick[];
  xTicksNarrow: Tick[];
  max: number;
};

export type Geometry = ColumnsGeometry | BarsGeometry | HeatmapGeometry;

export type Chart = ChartSpec & { geometry: Geometry; total: number };

export type Headline = {
  key: string;
  label: string;
  value: number;
  /** the formatted value ("1,204", "4.2%") */
  text: string;
  previous: number;
  previousText: string;
  /** relative change (0.12 = +12 %), or points for rates; null: nothing to compare with */
  change: number | null;
  changeText: string;
  /** whether a rise is good news (cancellations: no) */
  goodWhenUp: boolean;
};
