/**
 * Series over a run's iterations (the loss, each parameter's gradient norm, each layer's spread) bounded to about
 * FLOW_POINTS points: a long loop's calls are cut into spans, and each span keeps, per series, its lowest and its
 * highest value in the order they came, so a spike (or a NaN) stays visible; the first and the last call stay exact.
 * `steps` says which call (1-based) each point stands for; a chart plots against it.
 */
import type { GradientFlow, JsonNumber, ScalarSeries } from "./trace";

/** Series longer than this are downsampled (a chart is a few hundred pixels wide). */
export const FLOW_POINTS = 1000;
const SPANS = (FLOW_POINTS - 2) / 2;

interface Plan {
  /** The 1-based call of each point. */
  steps: number[];
  /** Per span: its first index and the index past its end (the first and last calls are points of their own). */
  spans: Array<[number, number]>;
}

/** How n values become at most FLOW_POINTS, or null when they are few enough already. */
export function downsamplePlan(n: number): Plan | null {
  if (n <= FLOW_POINTS) return null;
  const steps = [1];
  const spans: Array<[number, number]> = [];
  const inner = n - 2;
  for (let k = 0; k < SPANS; k++) {
    const start = 1 + Math.floor((k * inner) / SPANS);
    const end = 1 + Math.floor(((k + 1) * inner) / SPANS);
    spans.push([start, end]);
    // Two points per span, at its first and last call.
    steps.push(start + 1, end);
  }
  steps.push(n);
  return { steps, spans };
}

/** A value's rank for the envelope: a non-finite one is always an extreme (NaN counts as the highest). */
function rank(v: JsonNumber): number {
  if (typeof v === "number") return v;
  return v === "-inf" ? -Infinity : Infinity;
}

export function downsample<T extends JsonNumber | null>(values: readonly T[], plan: Plan): T[] {
  const at = (i: number) => (i < values.length ? values[i] : (null as T));
  const out: T[] = [at(0)];
  for (const [start, end] of plan.spans) {
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end && i < values.length; i++) {
      const v = values[i];
      if (v === null) continue;
      const r = rank(v);
      if (lo < 0 || r < rank(values[lo]!)) lo = i;
      if (hi < 0 || r > rank(values[hi]!) || (v === "nan" && values[hi] !== "nan")) hi = i;
    }
    if (lo < 0) out.push(null as T, null as T);
    else out.push(...(lo <= hi ? [values[lo], values[hi]] : [values[hi], values[lo]]));
  }
  out.push(at(plan.steps[plan.steps.length - 1] - 1));
  return out;
}

/** The flow with its per-backward and per-call arrays bounded; how many series were downsampled. */
export function boundFlow(flow: GradientFlow): number {
  let count = 0;
  const backwards = Math.max(flow.loss.length, ...flow.parameters.map((p) => Math.max(p.gradNorm.length, p.weightNorm.length, p.updateRatio.length)));
  const perBackward = downsamplePlan(backwards);
  if (perBackward) {
    flow.backwardSteps = perBackward.steps;
    flow.loss = downsample(flow.loss, perBackward);
    count++;
    for (const p of flow.parameters) {
      p.gradNorm = downsample(p.gradNorm, perBackward);
      p.weightNorm = downsample(p.weightNorm, perBackward);
      p.updateRatio = downsample(p.updateRatio, perBackward);
      count += 3;
    }
  }
  const calls = Math.max(0, ...flow.layers.map((l) => l.std.length));
  const perCall = downsamplePlan(calls);
  if (perCall) {
    flow.callSteps = perCall.steps;
    for (const l of flow.layers) {
      l.mean = downsample<JsonNumber | null>(l.mean, perCall) as JsonNumber[];
      l.std = downsample<JsonNumber | null>(l.std, perCall) as JsonNumber[];
      l.zeroFraction = downsample(l.zeroFraction, perCall);
      l.saturatedFraction = downsample(l.saturatedFraction, perCall);
      count += 4;
    }
  }
  return count;
}

/** A scalar series bounded the same way; true when it was downsampled. */
export function boundSeries(s: ScalarSeries): boolean {
  const plan = downsamplePlan(s.values.length);
  if (!plan) return false;
  s.steps = plan.steps;
  s.values = downsample<JsonNumber | null>(s.values, plan) as JsonNumber[];
  return true;
}
