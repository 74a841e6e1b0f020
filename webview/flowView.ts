/**
 * Gradient flow over the run, as charts: the loss; per parameter, ‖grad‖ and the optimizer's update relative to the
 * weight (log scales, one line per parameter); per layer, the spread of its output and the fraction of dead (ReLU) or
 * saturated (tanh, sigmoid) outputs.
 */
import type { GradientFlow, JsonNumber, ScalarSeries } from "../src/runner/trace";
import { lineChart, type Series } from "./charts";
import { decode, el } from "./dom";

/** Past this many lines a chart shows a selection (weights, activations). */
const MANY = 10;

const num = (v: JsonNumber | null | undefined): number | null => (v === null || v === undefined ? null : decode(v));

function spansDecades(series: Series[]): boolean {
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  if (!values.length) return false;
  return Math.max(...values) / Math.min(...values) > 100;
}

/** A downsampled series says so in its chart's title: what is drawn is each span's lowest and highest value. */
function sampledNote(steps: number[] | undefined): string {
  return steps ? ` (${steps[steps.length - 1].toLocaleString("en-US")} points shown as ${steps.length}: each span's min and max)` : "";
}

export function renderFlow(flow: GradientFlow, series: ScalarSeries[]): HTMLElement | null {
  const charts: HTMLElement[] = [];
  const loss = flow.loss.map(num);
  if (loss.filter((v) => v !== null).length > 1) {
    const s = [{ label: "loss", values: loss }];
    charts.push(lineChart(s, { title: "Loss at each backward" + sampledNote(flow.backwardSteps), xs: flow.backwardSteps, x: "backward", y: "loss", log: spansDecades(s) && loss.every((v) => v === null || v > 0) }));
  } else {
    // No backward loop: the scalars a line produced again and again (a loss in a hand-written loop).
    for (const sc of series) {
      const s = [{ label: sc.name ?? "value", values: sc.values.map(num) }];
      charts.push(lineChart(s, { title: `${sc.name ?? "value"} (line ${sc.at.line})${sampledNote(sc.steps)}`, xs: sc.steps, x: "step", y: sc.name ?? "value", log: spansDecades(s) && s[0].values.every((v) => v === null || v > 0) }));
    }
  }
  // Many parameters: the weights speak for their layers (a bias's gradient follows its weight's).
  const reached = flow.parameters.filter((p) => p.gradNorm.some((g) => g !== null));
  const stepped = reached.length > MANY ? reached.filter((p) => p.shape.length >= 2) : reached;
  if (stepped.length && flow.loss.length > 1) {
    charts.push(lineChart(stepped.map((p) => ({ label: p.name, values: p.gradNorm.map(num) })), { title: "‖grad‖ per parameter" + sampledNote(flow.backwardSteps), xs: flow.backwardSteps, x: "backward", y: "‖grad‖", log: true }));
    charts.push(lineChart(stepped.map((p) => ({ label: p.name, values: p.weightNorm.map(num) })), { title: "‖weight‖ per parameter" + sampledNote(flow.backwardSteps), xs: flow.backwardSteps, x: "backward", y: "‖w‖", log: true }));
    const ratios = stepped.filter((p) => p.updateRatio.some((r) => r !== null));
    if (ratios.length) {
      charts.push(lineChart(ratios.map((p) => ({ label: p.name, values: p.updateRatio.map(num) })), { title: "update ÷ weight after each step (≈1e-3 is healthy)" + sampledNote(flow.backwardSteps), xs: flow.backwardSteps, x: "backward", y: "‖Δw‖ / ‖w‖", log: true }));
    }
  }
  const allLayers = flow.layers.filter((l) => l.std.length > 1);
  // Many layers: the activations' outputs say how the signal spreads.
  const activations = allLayers.filter((l) => l.zeroFraction.some((f) => f !== null) || l.saturatedFraction.some((f) => f !== null));
  const layers = allLayers.length > MANY && activations.length ? activations : allLayers;
  if (layers.length) {
    charts.push(lineChart(layers.map((l) => ({ label: `${l.name} ${l.className}`, values: l.std.map(num) })), { title: "Spread (std) of each layer's output" + sampledNote(flow.callSteps), xs: flow.callSteps, x: "call", y: "std" }));
    const fractions = layers.flatMap((l) => {
      if (l.zeroFraction.some((f) => f !== null)) return [{ label: `${l.name} zeros`, values: l.zeroFraction }];
      if (l.saturatedFraction.some((f) => f !== null)) return [{ label: `${l.name} saturated`, values: l.saturatedFraction }];
      return [];
    });
    if (fractions.length) charts.push(lineChart(fractions, { title: "Zeros after ReLU, saturated after tanh/sigmoid" + sampledNote(flow.callSteps), xs: flow.callSteps, x: "call", y: "fraction", range: [0, 1] }));
  }
  if (!charts.length) return null;
  const wrap = el("section", "flow");
  wrap.append(el("h2", undefined, "Gradient flow over iterations"));
  const grid = el("div", "chart-grid");
  grid.append(...charts);
  wrap.append(grid);
  return wrap;
}
