/**
 * Training over iterations: gradients that vanish or explode next to their weights (and the layer where they shrink
 * or grow most), a loss that diverges, and a loss that stays flat because every gradient is zero.
 */
import type { Finding, FindingThresholds, GradientFlow, JsonNumber } from "../trace";
import { finding, list, num, plural } from "./context";

export interface TrainingFacts {
  flow: GradientFlow;
  /** Each backward's line. */
  backwardLines: Array<number | null>;
  /** Backwards in which no leaf got a non-zero gradient. */
  zeroGradientBackwards: number;
  /** Per parameter (by ParameterFlow index): its line. */
  parameterLines: Array<number | null>;
  /** Leaf layers in forward order with the norm of the gradient that reached their output in the latest backward. */
  layerGradients: Array<{ module: number; name: string; className: string; norm: number }>;
  thresholds: FindingThresholds;
}

const RECENT = 5;

function value(v: JsonNumber | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function trainingFindings(facts: TrainingFacts): Finding[] {
  return [...gradientScale(facts), ...lossTrend(facts)];
}

function gradientScale({ flow, parameterLines, layerGradients, thresholds }: TrainingFacts): Finding[] {
  const vanishing: Array<{ name: string; id: number | null; ratio: number; line: number | null }> = [];
  const exploding: typeof vanishing = [];
  flow.parameters.forEach((p, k) => {
    // Weights only: a bias starts near 0, and its gradient next to its norm says nothing.
    if (p.shape.length < 2) return;
    const ratios: number[] = [];
    for (let i = p.gradNorm.length - 1; i >= 0 && ratios.length < RECENT; i--) {
      const g = value(p.gradNorm[i]);
      const w = value(p.weightNorm[i]);
      if (g === null || w === null || !Number.isFinite(g) || !Number.isFinite(w) || w === 0 || g === 0) continue;
      ratios.push(g / w);
    }
    if (!ratios.length) return;
    const ratio = median(ratios);
    const entry = { name: p.name, id: p.tensor, ratio, line: parameterLines[k] };
    if (ratio < thresholds.vanishingRatio) vanishing.push(entry);
    else if (ratio > thresholds.explodingRatio) exploding.push(entry);
  });
  const out: Finding[] = [];
  const through = (shrink: boolean) => {
    let best: { name: string; className: string; module: number; factor: number } | null = null;
    for (let i = 0; i + 1 < layerGradients.length; i++) {
      const before = layerGradients[i + 1].norm;
      const after = layerGradients[i].norm;
      if (!(before > 0) || !Number.isFinite(after)) continue;
      const factor = after / before;
      if (!best || (shrink ? factor < best.factor : factor > best.factor)) best = { ...layerGradients[i + 1], factor };
    }
    return best && (shrink ? best.factor < 1 : best.factor > 1) ? best : null;
  };
  for (const [kind, group] of [["vanishing", vanishing], ["exploding", exploding]] as const) {
    if (!group.length) continue;
    const worst = group.reduce((a, b) => ((kind === "vanishing" ? b.ratio < a.ratio : b.ratio > a.ratio) ? b : a));
    const layer = through(kind === "vanishing");
    const where = layer ? `; it ${kind === "vanishing" ? "shrinks" : "grows"} most going back through ${layer.name} (${layer.className}), ×${num(layer.factor)}` : "";
    const names = list(group.map((g) => g.name));
    out.push(finding(kind === "vanishing" ? "vanishing-gradient" : "exploding-gradient", "warning", worst.line,
      `The gradient ${kind === "vanishing" ? "vanishes" : "explodes"} at ${names}: ${group.length > 1 ? `at worst (${worst.name}) ` : ""}its norm is ${num(worst.ratio)} times the weight's norm${where}.`,
      kind === "vanishing"
        ? "Use ReLU rather than sigmoid or tanh between many layers, initialise the weights at the right scale (Kaiming or Xavier), or add normalisation or residual connections."
        : "Lower the learning rate, clip the gradient's norm before the step, or initialise the weights smaller.",
      { tensors: group.flatMap((g) => (g.id === null ? [] : [g.id])), modules: layer ? [layer.module] : [] }));
  }
  return out;
}

function lossTrend({ flow, backwardLines, zeroGradientBackwards, thresholds }: TrainingFacts): Finding[] {
  const losses = flow.loss.map(value);
  const n = losses.length;
  if (n < 3 || losses.some((v) => v === null)) return [];
  const values = losses as number[];
  const firstBad = values.findIndex((v) => !Number.isFinite(v));
  const lineOf = (i: number) => backwardLines[i] ?? null;
  if (firstBad >= 3) {
    const finite = values.slice(0, firstBad);
    if (finite[finite.length - 1] > finite[0]) {
      return [finding("diverging-loss", "warning", lineOf(firstBad),
        `The loss grew from ${num(finite[0])} to ${num(finite[finite.length - 1])} and became ${values[firstBad]} at backward ${firstBad + 1}: the steps overshoot, the learning rate is likely too high.`,
        "Lower the learning rate (try 10× smaller), or normalise the inputs and targets.")];
    }
    return [];
  }
  if (firstBad >= 0) return [];
  const lowest = Math.min(...values);
  const last = values[n - 1];
  const rising = n >= 5 && values[n - 1] > values[n - 2] && values[n - 2] > values[n - 3];
  if (rising && lowest > 0 && last / lowest >= thresholds.divergenceFactor) {
    return [finding("diverging-loss", "warning", lineOf(n - 1),
      `The loss rose from ${num(lowest)} to ${num(last)} over ${plural(n, "backward")} and keeps growing: the steps overshoot, the learning rate is likely too high.`,
      "Lower the learning rate (try 10× smaller), or normalise the inputs and targets.")];
  }
  if (zeroGradientBackwards === n && values.every((v) => v === values[0])) {
    return [finding("flat-loss", "warning", lineOf(n - 1),
      `The loss stayed at ${num(values[0])} for ${plural(n, "backward")} because every gradient was exactly zero.`,
      "Find where the gradient stops: a ReLU dead for every input, a comparison or rounding in the loss (they have no gradient), or a loss that does not depend on the parameters.")];
  }
  return [];
}
