/**
 * Charts drawn with uPlot (small and fast with many series, and it needs no inline styles or remote code, so it runs
 * under the webview's and the report's Content-Security-Policy): real axes and ticks, a legend that shows each
 * series' value under the cursor, log scales where values span decades.
 */
import uPlot from "uplot";
import { el, fmt } from "./dom";

export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export interface Series {
  label: string;
  values: Array<number | null>;
}

export interface ChartOptions {
  title: string;
  x: string;
  y: string;
  /** Log scale on y: values ≤ 0 are left out (the line breaks there). */
  log?: boolean;
  /** First x value (1 by default: "backward 1"). */
  x0?: number;
  /** The x value of each point, when they are not consecutive (a downsampled series: see GradientFlow.backwardSteps). */
  xs?: number[];
  /** A fixed y range (fractions: [0, 1]). */
  range?: [number, number];
}

/** Tick labels: on a log axis only the decades are labelled (the other grid lines stay unlabelled). */
function tickLabels(log: boolean | undefined) {
  return (_u: uPlot, vals: number[]) => vals.map((v) => {
    if (v === null || v === undefined) return "";
    if (log) {
      const e = Math.log10(v);
      if (Math.abs(e - Math.round(e)) > 1e-6) return "";
      return Math.abs(e) >= 3 ? `1e${Math.round(e)}` : String(Number(v.toPrecision(1)));
    }
    return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(4)));
  });
}

const HEIGHT = 190;
/** Backwards and calls are counted in whole steps. */
const STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

function widthOf(host: HTMLElement): number {
  return Math.max(260, Math.floor(host.getBoundingClientRect().width || 360) - 4);
}

function axisColor(): string {
  return getComputedStyle(document.body).getPropertyValue("--muted").trim() || "#888";
}

function gridColor(): string {
  return getComputedStyle(document.body).getPropertyValue("--border").trim() || "#ddd";
}

/** A figure with a title, a line per series, and values on hover; resized with its container. */
export function lineChart(series: Series[], options: ChartOptions): HTMLElement {
  const fig = el("figure", "chart-box");
  fig.append(el("figcaption", "chart-title", options.title));
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const x0 = options.x0 ?? 1;
  const xs = options.xs?.length === n ? options.xs : Array.from({ length: n }, (_, i) => i + x0);
  const ys = series.map((s) => Array.from({ length: n }, (_, i) => {
    const v = s.values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) return null;
    return options.log && v <= 0 ? null : v;
  }));
  const data = [xs, ...ys] as uPlot.AlignedData;
  const stroke = axisColor();
  const grid = { stroke: gridColor(), width: 1 };
  const opts: uPlot.Options = {
    width: 360,
    height: HEIGHT,
    scales: { x: { time: false }, y: options.log ? { distr: 3, log: 10 } : options.range ? { range: options.range } : {} },
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    axes: [
      { label: options.x, stroke, grid, ticks: grid, labelSize: 18, size: 36, incrs: STEPS },
      { label: options.y, stroke, grid, ticks: grid, labelSize: 18, size: 50, values: tickLabels(options.log) },
    ],
    series: [
      { label: options.x, value: (_u, v) => (v === null ? "–" : String(v)) },
      ...series.map((s, i): uPlot.Series => ({
        label: s.label,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.6,
        spanGaps: false,
        points: { show: n <= 40, size: 4 },
        value: (_u, v) => (v === null ? "–" : fmt(v)),
      })),
    ],
  };
  mount(fig, opts, data);
  return fig;
}

export interface BandSeries {
  label: string;
  /** Per x: [min, p10, p25, p50, p75, p90, max] or null. */
  quantiles: Array<number[] | null>;
  xs: number[];
}

/** A distribution over calls: the median as a line, the 10–90% and min–max ranges as shaded bands. */
export function bandChart(b: BandSeries, options: ChartOptions): HTMLElement {
  const fig = el("figure", "chart-box");
  fig.append(el("figcaption", "chart-title", options.title));
  const q = (k: number) => b.quantiles.map((v) => (v ? v[k] : null));
  const data = [b.xs, q(6), q(5), q(3), q(1), q(0)] as uPlot.AlignedData;
  const color = PALETTE[0];
  const stroke = axisColor();
  const grid = { stroke: gridColor(), width: 1 };
  const opts: uPlot.Options = {
    width: 360,
    height: HEIGHT - 20,
    scales: { x: { time: false } },
    axes: [
      { label: options.x, stroke, grid, ticks: grid, labelSize: 18, size: 36, incrs: STEPS },
      { label: options.y, stroke, grid, ticks: grid, labelSize: 18, size: 50, values: tickLabels(false) },
    ],
    series: [
      { label: options.x },
      { label: "max", stroke: `${color}55`, width: 1, value: (_u, v) => fmt(v) },
      { label: "p90", stroke: `${color}99`, width: 1, value: (_u, v) => fmt(v) },
      { label: "median", stroke: color, width: 2, value: (_u, v) => fmt(v) },
      { label: "p10", stroke: `${color}99`, width: 1, value: (_u, v) => fmt(v) },
      { label: "min", stroke: `${color}55`, width: 1, value: (_u, v) => fmt(v) },
    ],
    bands: [
      { series: [1, 5], fill: `${color}1f` },
      { series: [2, 4], fill: `${color}40` },
    ],
  };
  mount(fig, opts, data);
  return fig;
}

/** Draws once the figure is in the page (its width is known then), and again when its width changes. */
function mount(fig: HTMLElement, opts: uPlot.Options, data: uPlot.AlignedData): void {
  const holder = el("div", "chart-holder");
  fig.append(holder);
  let plot: uPlot | null = null;
  const draw = () => {
    const width = widthOf(fig);
    if (!plot) plot = new uPlot({ ...opts, width }, data, holder);
    else if (Math.abs(plot.width - width) > 2) plot.setSize({ width, height: opts.height });
  };
  // Drawn at once if already attached; otherwise when the observer first sees it.
  new ResizeObserver(() => draw()).observe(fig);
  queueMicrotask(() => {
    if (fig.isConnected) draw();
  });
}
