/**
 * The numerical checks the runner makes after each backward(): every leaf's gradient against central differences of
 * the replayed graph, and every op's own backward against its own numerical derivative (which names the op whose
 * backward is wrong, not only the leaf whose gradient is).
 */
import { formatShape } from "../shape";
import { backwardOf, composite, forwardOf } from "../ops/op";
import { sumTo } from "../ops/views";
import { Tensor } from "../tensor";
import { CheckRandom } from "./check_random";
import type { GradFn } from "./node";
import { type NumericalDerivative, numericalDerivative, within } from "./numerical_derivative";
import { type ReplayedNode, replayGraph, toFloat64 } from "./replay";

export interface Tolerance {
  /** Step of the central differences, relative to the input's size above 1 (see numerical_derivative.ts). */
  eps: number;
  atol: number;
  rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { eps: 1e-6, atol: 1e-5, rtol: 1e-3 };

export interface LeafCheck {
  leaf: Tensor;
  passed: boolean | null;
  skipped: string | null;
  mode: "full" | "sampled" | "fast";
  checkedElements: number;
  totalElements: number;
  maxAbsError: number;
  maxRelError: number;
  worst: { index: number[]; analytical: number; numerical: number } | null;
  /** Numerical gradient per element (NaN where not computed). */
  numerical: Float64Array | null;
}

export interface GraphCheckOptions extends Partial<Tolerance> {
  /** What backward() was given for a non-scalar root (the check differentiates sum(gradient · root)). */
  gradient?: Tensor | null;
  /** The time the whole check may take; leaves are sampled to fit (default 2000 ms). */
  budgetMs?: number;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) > m) m = Math.abs(values[i]);
  return m;
}

/** The scalar the check differentiates: the root itself, or sum(gradient · root). */
function objective(gradient: Tensor | null): (value: Tensor) => number {
  if (!gradient) return (v) => v._data[0];
  const w = toFloat64(gradient)._data;
  return (v) => {
    let s = 0;
    const d = v._data;
    for (let i = 0; i < d.length; i++) s += d[i] * w[w.length === 1 ? 0 : i];
    return s;
  };
}

/** Checks each leaf's analytical gradient (`analytical.get(leaf)`) against central differences. */
export function checkGraph(root: Tensor, analytical: ReadonlyMap<Tensor, Tensor>, options: GraphCheckOptions = {}): LeafCheck[] {
  const tol = { ...DEFAULT_TOLERANCE, ...stripUndefined(options) };
  const budget = options.budgetMs ?? 2000;
  const graph = replayGraph(root);
  const f = objective(options.gradient ?? null);
  const base = new Map(graph.leaves.map((l) => [l, toFloat64(l)]));
  const started = performance.now();
  // The fastest of three runs: the first one pays for compiling the replay, and would make the sample too small.
  let perRun = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    f(graph.run(base));
    perRun = Math.min(perRun, Math.max(performance.now() - t0, 0.001));
  }
  const leaves = graph.leaves.filter((l) => analytical.has(l));
  const random = new CheckRandom(leaves.length + 17);
  return leaves.map((leaf, li) => {
    const a = toFloat64(analytical.get(leaf)!)._data;
    const n = leaf.numel();
    const x = base.get(leaf)!;
    const remaining = budget - (performance.now() - started);
    const share = remaining / Math.max(leaves.length - li, 1);
    const affordable = Math.floor(share / (2 * perRun));
    const result: LeafCheck = { leaf, passed: null, skipped: null, mode: "full", checkedElements: 0, totalElements: n, maxAbsError: 0, maxRelError: 0, worst: null, numerical: null };
    const perturbed = (i: number, delta: number) => {
      const xp = Tensor.fromData(Float64Array.from(x._data), x.shape.slice(), "float64");
      xp._data[i] += delta;
      return f(graph.run(new Map(base).set(leaf, xp)));
    };
    if (affordable >= 1) {
      const indices = random.sample(n, Math.min(n, affordable));
      result.numerical = new Float64Array(n).fill(NaN);
      // An element whose disagreement needs confirming costs up to ten times more: keep to the leaf's share of time.
      const deadline = performance.now() + share;
      let worstExcess = -Infinity;
      let checked = 0;
      for (const i of indices) {
        if (checked > 0 && performance.now() > deadline) break;
        // Once one element is confirmed wrong, the others need no extrapolation: the verdict stands.
        const d = numericalDerivative((s) => perturbed(i, s), a[i], Math.abs(x._data[i]), tol, result.passed !== false);
        result.numerical[i] = d.value;
        record(result, a[i], d, unravel(i, leaf.shape), tol, (excess) => {
          if (excess > worstExcess) {
            worstExcess = excess;
            return true;
          }
          return false;
        });
        checked++;
      }
      result.mode = checked === n ? "full" : "sampled";
      result.checkedElements = checked;
    } else if (remaining > 0) {
      // Not even one element per leaf fits: one random direction instead (PyTorch's fast mode).
      result.mode = "fast";
      const u = random.vector(n);
      const shifted = (s: number) => {
        const xp = Tensor.fromData(Float64Array.from(x._data, (v, i) => v + s * u[i]), x.shape.slice(), "float64");
        return f(graph.run(new Map(base).set(leaf, xp)));
      };
      let ana = 0;
      for (let i = 0; i < n; i++) ana += a[i] * u[i];
      record(result, ana, numericalDerivative(shifted, ana, maxAbs(x._data), tol), [], tol, () => true);
      result.checkedElements = n;
    } else {
      result.skipped = "the check's time budget ran out";
      return result;
    }
    result.passed ??= true;
    return result;
  });
}

function record(r: LeafCheck, analytical: number, d: NumericalDerivative, index: number[], tol: Tolerance, isWorst: (excess: number) => boolean): void {
  const numerical = d.value;
  const abs = Math.abs(analytical - numerical);
  const rel = abs / Math.max(Math.abs(numerical), 1e-12);
  r.maxAbsError = Math.max(r.maxAbsError, Number.isNaN(abs) ? Infinity : abs);
  r.maxRelError = Math.max(r.maxRelError, Number.isNaN(rel) ? Infinity : abs === 0 ? 0 : rel);
  // NaN passes no comparison: a NaN gradient fails, as it does in PyTorch's gradcheck.
  const ok = d.agrees;
  const excess = Number.isNaN(abs) ? Infinity : abs - (tol.atol + tol.rtol * Math.abs(numerical) + d.error);
  if (isWorst(excess)) r.worst = { index, analytical, numerical };
  if (!ok) r.passed = false;
}

function stripUndefined(o: Partial<Tolerance>): Partial<Tolerance> {
  const out: Partial<Tolerance> = {};
  for (const k of ["eps", "atol", "rtol"] as const) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export interface NodeCheck {
  node: GradFn;
  passed: boolean | null;
  skipped: string | null;
  maxAbsError: number;
  maxRelError: number;
  message: string | null;
}

/**
 * For every op node: its backward (a vector-Jacobian product with a random v) against the directional derivative of
 * its forward along a random u, on the node's own float64 inputs. One forward pair per input, so it is cheap.
 */
export function checkNodes(root: Tensor, options: Partial<Tolerance> & { budgetMs?: number } = {}): NodeCheck[] {
  const tol = { ...DEFAULT_TOLERANCE, ...stripUndefined(options) };
  const budget = options.budgetMs ?? 2000;
  const started = performance.now();
  const graph = replayGraph(root);
  const values = graph.trace();
  const random = new CheckRandom(graph.nodes.length + 5);
  return graph.nodes.map((node) => {
    const result: NodeCheck = { node, passed: null, skipped: null, maxAbsError: 0, maxRelError: 0, message: null };
    if (performance.now() - started > budget) {
      result.skipped = "the check's time budget ran out";
      return result;
    }
    try {
      checkNode(node, values.get(node)!, tol, random, result);
    } catch (e) {
      result.skipped = `could not run the op again: ${(e as Error).message}`;
    }
    return result;
  });
}

function checkNode(node: GradFn, at: ReplayedNode, tol: Tolerance, random: CheckRandom, result: NodeCheck): void {
  const op = node.op;
  const fresh = (): unknown => (op.freshAttrs ? op.freshAttrs(node.attrs) : node.attrs);
  const attrs = fresh();
  const forward = (inputs: Tensor[]) => composite(() => forwardOf(op, inputs, fresh()));
  const outputs = op.freshAttrs ? composite(() => forwardOf(op, at.inputs, attrs)) : at.outputs;
  if (!outputs.some((o) => o.dtype === "float64")) {
    result.skipped = "the op's output is not floating point";
    return;
  }
  // The objective is sum_k <output_k, v_k> over the floating outputs, with a random v_k each.
  const vs = outputs.map((o) => (o.dtype === "float64" ? Tensor.fromData(random.vector(o.numel()), o.shape.slice(), "float64") : null));
  const needs = node.next.map((n, i) => n !== null && at.inputs[i].dtype === "float64");
  const grads = composite(() => backwardOf(op, { inputs: at.inputs, outputs, attrs, needsInputGrad: needs }, vs));
  const dotAll = (outs: Tensor[]) => outs.reduce((acc, o, k) => (vs[k] ? acc + dot(o, vs[k]!._data as Float64Array) : acc), 0);
  const dot = (a: Tensor, b: Float64Array) => {
    let s = 0;
    const d = a._data;
    for (let i = 0; i < b.length; i++) s += d[i] * b[i];
    return s;
  };
  result.passed = true;
  for (let i = 0; i < at.inputs.length; i++) {
    if (!needs[i]) continue;
    const x = at.inputs[i];
    const g = grads[i];
    if (!g) continue;
    const fitted = composite(() => (g.shape.length === x.shape.length && g.shape.every((d, k) => d === x.shape[k]) ? g : sumTo(g, x.shape)));
    if (fitted.numel() !== x.numel()) {
      result.passed = false;
      result.message = `input ${i}: backward returned a gradient of shape ${formatShape(g.shape)} for an input of shape ${formatShape(x.shape)}`;
      return;
    }
    const u = random.vector(x.numel());
    const shifted = (s: number) => {
      const inputs = at.inputs.slice();
      inputs[i] = Tensor.fromData(Float64Array.from(x._data, (val, k) => val + s * u[k]), x.shape.slice(), "float64");
      return dotAll(forward(inputs));
    };
    const analytical = dot(fitted, u);
    const scale = maxAbs(x._data);
    const d = numericalDerivative(shifted, analytical, scale, tol);
    const numerical = d.value;
    const abs = Math.abs(analytical - numerical);
    const rel = abs === 0 ? 0 : abs / Math.max(Math.abs(numerical), 1e-12);
    result.maxAbsError = Math.max(result.maxAbsError, abs);
    result.maxRelError = Math.max(result.maxRelError, rel);
    if (!d.agrees) {
      // A kink (relu or abs at 0, a max tie) makes the two one-sided slopes differ: that is not a wrong backward.
      const h = tol.eps * Math.max(1, scale);
      const center = dotAll(forward(at.inputs));
      const right = (shifted(h) - center) / h;
      const left = (center - shifted(-h)) / h;
      if (!within(right, left, tol)) {
        result.passed = null;
        result.skipped = `input ${i} sits at a point where the op is not differentiable`;
        return;
      }
      result.passed = false;
      result.message = `input ${i}: backward gives ${analytical.toPrecision(6)} along a random direction, the numerical derivative ${numerical.toPrecision(6)}`;
    }
  }
}
