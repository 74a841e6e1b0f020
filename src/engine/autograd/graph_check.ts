/**
 * The numerical checks the runner makes after each backward(): every leaf's gradient against central differences of
 * the replayed graph, and every op's own backward against its own numerical derivative (which names the op whose
 * backward is wrong, not only the leaf whose gradient is).
 *
 * A backward formula is judged in float64, where rounding cannot be mistaken for a wrong derivative: the graph is
 * replayed in float64 with a graph of its own, the engine's backward gives the gradient on it, and that is compared
 * with central differences of the float64 replay. How far the gradient the snippet got (float32, usually) is from the
 * float64 one is reported beside it as precision — a long float32 chain rounds, and that is not a wrong backward.
 * Before any of that, the graph must reproduce the value backward() started from: if a value was changed in place
 * behind autograd's back, the graph computes something else, and the check says so instead of passing.
 */
import { allocate, type DType, float64Copy, storageLimitBytes } from "../dtype";
import { formatShape } from "../shape";
import { backwardOf, composite, forwardOf } from "../ops/op";
import { sumTo } from "../ops/views";
import { unrecorded } from "../recorder";
import { Tensor } from "../tensor";
import { grad } from "./backward";
import { CheckRandom } from "./check_random";
import { AccumulateGrad, GradFn, type Node } from "./node";
import { type NumericalDerivative, numericalDerivative, within } from "./numerical_derivative";
import { CheckDeadline, Deadline, type ReplayedNode, type ReplayGraph, replayGraph, toFloat64 } from "./replay";
import { DEFAULT_TOLERANCE, type Tolerance } from "./tolerance";

export { DEFAULT_TOLERANCE } from "./tolerance";
export type { Tolerance } from "./tolerance";

export const NOT_FINISHED = "not finished: the check's time budget ran out";

export interface Precision {
  /** The gradient's dtype as backward() gave it. */
  dtype: DType;
  /** Its distance to the same backward run in float64. */
  maxAbsError: number;
  maxRelError: number;
  /** Past the check's tolerance: worth a warning (rounding, or a hook that changed the gradient). */
  large: boolean;
}

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
  /** The gradient backward() gave against the float64 one (null when the float64 backward could not be run). */
  precision: Precision | null;
  /** What the check says beyond its numbers (the graph does not reproduce its value; how it judged). */
  message: string | null;
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

function newResult(leaf: Tensor): LeafCheck {
  return { leaf, passed: null, skipped: null, mode: "full", checkedElements: 0, totalElements: leaf.numel(), maxAbsError: 0, maxRelError: 0, worst: null, numerical: null, precision: null, message: null };
}

/** Checks each leaf's gradient (`analytical.get(leaf)`, what backward() gave) as the header says. */
export function checkGraph(root: Tensor, analytical: ReadonlyMap<Tensor, Tensor>, options: GraphCheckOptions = {}): LeafCheck[] {
  const tol = { ...DEFAULT_TOLERANCE, ...stripUndefined(options) };
  const deadline = Deadline.in(options.budgetMs ?? 2000);
  const gradient = options.gradient ?? null;
  let graph: ReplayGraph;
  try {
    graph = replayGraph(root, deadline);
  } catch (e) {
    if (!(e instanceof CheckDeadline)) throw e;
    return [...analytical.keys()].map((leaf) => ({ ...newResult(leaf), skipped: NOT_FINISHED }));
  }
  const leaves = graph.leaves.filter((l) => analytical.has(l));
  const results = leaves.map(newResult);
  try {
    const f = objective(gradient);
    // The first replay pays for compiling it; the second is the one to size the sample by.
    let started = performance.now();
    const again = graph.runRecordedDtypes(deadline);
    let perRun = performance.now() - started;
    started = performance.now();
    const replayed = graph.run(new Map(), deadline);
    perRun = Math.max(Math.min(perRun, performance.now() - started), 0.001);
    const mismatch = reproductionProblem(root, again, replayed);
    if (mismatch) {
      for (const r of results) Object.assign(r, { passed: false, message: mismatch });
      return results;
    }
    const exact = float64Gradients(graph, gradient, leaves, deadline, perRun);
    let rerun: ReadonlyMap<Tensor, Tensor> | null | undefined;
    const unjudgeable = leavesBehindNonDerivatives(graph.nodes);
    results.forEach((r, li) => {
      const why = unjudgeable.get(r.leaf);
      if (why) {
        r.skipped = `not judged: ${why}`;
        return;
      }
      const given = analytical.get(r.leaf)!;
      const a64 = exact.grads?.get(r.leaf) ?? null;
      if (a64) r.precision = precisionOf(given, a64, r.leaf.dtype, tol);
      else r.message = exact.why;
      checkLeaf(r, graph, f, a64 ?? toFloat64(given), a64 === null && r.leaf.dtype !== "float64", tol, deadline, perRun, leaves.length - li, li + 17);
      if (r.precision && r.precision.maxRelError > BEYOND_ROUNDING && r.precision.maxAbsError > tol.atol && r.passed !== false) {
        // Far from the float64 gradient: either it was changed, or it is a float32 sum whose terms cancel (a bias
        // whose gradient is nearly zero after 2,000 terms of size 100). The same backward run again in the snippet's
        // dtypes, without its hooks and writes, tells the two apart: rounding comes out again, a change does not.
        if (rerun === undefined) rerun = recordedGradients(graph, gradient, leaves, deadline, perRun);
        const again = rerun?.get(r.leaf);
        if (again && sameUpToRounding(given, again)) {
          r.message =
            `float32 rounding: the gradient backward() left is up to ${r.precision.maxRelError.toPrecision(2)} of its size from the float64 one, ` +
            "as its terms cancel (backward run again in float32 gives it again); the derivative is judged in float64";
        } else {
          r.passed = false;
          r.message =
            `the gradient backward() left differs from the one its graph gives (computed in float64) by up to ${r.precision.maxRelError.toPrecision(2)} ` +
            "of its size, far beyond float32 rounding: a hook, a write into .grad or a value changed outside autograd altered it";
        }
      }
    });
  } catch (e) {
    if (!(e instanceof CheckDeadline)) throw e;
    for (const r of results) if (r.passed === null && !r.skipped) r.skipped = NOT_FINISHED;
  }
  return results;
}

/**
 * Whether the graph recomputes what backward() started from. In the snippet's own dtypes a faithful graph gives the
 * same value; a float32 graph may also differ from the float64 replay by its own rounding, which is allowed for.
 */
function reproductionProblem(root: Tensor, again: Tensor, replayed: Tensor): string | null {
  const recorded = root._data;
  const same = again._data;
  const exact = replayed._data;
  for (let i = 0; i < recorded.length; i++) {
    const r = recorded[i];
    const a = same[i];
    const d = exact[i];
    if (Object.is(r, a) || (Number.isNaN(r) && (Number.isNaN(a) || Number.isNaN(d)))) continue;
    const scale = Math.max(Math.abs(r), Math.abs(a), Number.MIN_VALUE);
    if (Math.abs(r - a) <= 1e-6 * scale) continue;
    if (Math.abs(r - d) <= 4 * Math.abs(a - d) + 1e-6 * Math.abs(d)) continue;
    const at = recorded.length > 1 ? ` at element ${i}` : "";
    return `the graph does not reproduce the computation: backward() started from ${r}${at}, but its graph computes ${d} from the leaves' ` +
      "current values. A value was changed in place without autograd seeing it (through .data, or a tensor sharing its storage), " +
      "so the gradients cannot be trusted";
  }
  return null;
}

interface ExactGradients {
  grads: Map<Tensor, Tensor> | null;
  /** Why there are none. */
  why: string | null;
}

/** Bytes a float64 replay with a graph keeps, roughly: each node's objects and its output, value and gradient. */
function replayBytes(graph: ReplayGraph): number {
  let bytes = 0;
  for (const node of graph.nodes) bytes += 600 + 24 * node.output.numel();
  return bytes;
}

/** The leaves' gradients by the engine's own backward on the float64 replay, when it fits in time and memory. */
function float64Gradients(graph: ReplayGraph, gradient: Tensor | null, leaves: readonly Tensor[], deadline: Deadline, perRun: number): ExactGradients {
  const limit = storageLimitBytes();
  if (limit !== null && replayBytes(graph) > limit / 2) {
    return { grads: null, why: `the graph (${graph.nodes.length.toLocaleString("en-US")} nodes) is too big to replay with a backward in float64 within the memory limit; judged on the gradient backward() gave` };
  }
  // A forward with a graph, then a backward: about five plain replays.
  if (deadline.remaining < 5 * perRun) throw new CheckDeadline(NOT_FINISHED);
  try {
    const { root: root64, leaves: leaves64 } = graph.runDifferentiable(deadline);
    const inputs = leaves.map((l) => leaves64.get(l)!);
    const gradOutputs = gradient ? toFloat64(gradient) : null;
    const grads = unrecorded(() => grad(root64, inputs, { gradOutputs, allowUnused: true }));
    const zeros = (l: Tensor) => Tensor.fromData(allocate("float64", l.numel()), l.shape.slice(), "float64");
    return { grads: new Map(leaves.map((l, i) => [l, grads[i] ?? zeros(l)])), why: null };
  } catch (e) {
    if (e instanceof CheckDeadline) throw e;
    return { grads: null, why: `the backward could not run again in float64 (${(e as Error).message}); judged on the gradient backward() gave` };
  }
}

/** The leaves' gradients by the engine's backward on a replay in the snippet's own dtypes (null when it cannot run). */
function recordedGradients(graph: ReplayGraph, gradient: Tensor | null, leaves: readonly Tensor[], deadline: Deadline, perRun: number): Map<Tensor, Tensor> | null {
  if (deadline.remaining < 5 * perRun) throw new CheckDeadline(NOT_FINISHED);
  try {
    const { root, leaves: own } = graph.runDifferentiableRecorded(deadline);
    const grads = unrecorded(() => grad(root, leaves.map((l) => own.get(l)!), { gradOutputs: gradient, allowUnused: true }));
    return new Map(leaves.flatMap((l, i) => (grads[i] ? [[l, grads[i]!] as const] : [])));
  } catch (e) {
    if (e instanceof CheckDeadline) throw e;
    return null;
  }
}

/** Whether two float32 gradients agree to float32 rounding at the scale of the tensor (`given` is what backward()
 * added to .grad, read back as .grad after minus before, so it carries the rounding of that sum). */
function sameUpToRounding(given: Tensor, again: Tensor): boolean {
  const g = given._data;
  const a = again._data;
  const scale = Math.max(maxAbs(g), maxAbs(a));
  for (let i = 0; i < a.length; i++) if (!(Math.abs(g[i] - a[i]) <= 1e-5 * scale)) return false;
  return true;
}

/** Leaves whose gradient flows through an op whose backward is not its derivative on purpose, with the op's reason. */
function leavesBehindNonDerivatives(nodes: readonly GradFn[]): Map<Tensor, string> {
  const out = new Map<Tensor, string>();
  for (const node of nodes) {
    const why = node.op.notDerivative?.(node.attrs);
    if (!why) continue;
    const stack: Node[] = [node];
    const seen = new Set<Node>();
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      if (n instanceof AccumulateGrad) {
        if (!out.has(n.variable)) out.set(n.variable, why);
      } else if (n instanceof GradFn) for (const next of n.next) if (next) stack.push(next);
    }
  }
  return out;
}

/** A float32 gradient further than this (relative) from the float64 one was changed, not rounded: rounding in even a
 * long float32 graph stays orders of magnitude below it. */
const BEYOND_ROUNDING = 1e-2;

/** `dtype`: the leaf's (its gradient's), whatever dtype `given` was passed in. */
function precisionOf(given: Tensor, exact: Tensor, dtype: DType, tol: Tolerance): Precision {
  const g = given._data;
  const e = exact._data;
  let maxAbsError = 0;
  let maxRelError = 0;
  let large = false;
  for (let i = 0; i < e.length; i++) {
    const abs = Math.abs(g[i] - e[i]);
    if (Number.isNaN(abs)) {
      if (!(Number.isNaN(g[i]) && Number.isNaN(e[i]))) large = true;
      continue;
    }
    maxAbsError = Math.max(maxAbsError, abs);
    maxRelError = Math.max(maxRelError, abs / Math.max(Math.abs(e[i]), tol.atol));
    if (abs > tol.atol + tol.rtol * Math.abs(e[i])) large = true;
  }
  return { dtype, maxAbsError, maxRelError, large };
}

/**
 * Central differences of the float64 replay against `a` (the float64 gradient). `recordedOnly`: `a` is the float32
 * gradient backward() gave (the float64 backward could not run), so a disagreement may be its rounding: it is not
 * called a failure.
 */
function checkLeaf(result: LeafCheck, graph: ReplayGraph, f: (v: Tensor) => number, exact: Tensor, recordedOnly: boolean, tol: Tolerance, deadline: Deadline, perRun: number, leavesLeft: number, seed: number): void {
  const { leaf } = result;
  const a = exact._data;
  const n = leaf.numel();
  const x = toFloat64(leaf);
  const random = new CheckRandom(seed);
  const share = deadline.remaining / Math.max(leavesLeft, 1);
  const affordable = Math.floor(share / (2 * perRun));
  const run = (values: Tensor) => f(graph.run(new Map([[leaf, values]]), deadline));
  if (affordable >= 1) {
    const indices = random.sample(n, Math.min(n, affordable));
    const numerical = (result.numerical = allocate("float64", n) as Float64Array);
    numerical.fill(NaN);
    // An element whose disagreement needs confirming costs up to ten times more: keep to the leaf's share of time.
    const leafDeadline = performance.now() + share;
    const xp = toFloat64(leaf);
    let worstExcess = -Infinity;
    let checked = 0;
    for (const i of indices) {
      if (checked > 0 && performance.now() > leafDeadline) break;
      const original = xp._data[i];
      const perturbed = (s: number) => {
        xp._data[i] = original + s;
        try {
          return run(xp);
        } finally {
          xp._data[i] = original;
        }
      };
      let d: NumericalDerivative;
      try {
        // Once one element is confirmed wrong, the others need no extrapolation: the verdict stands.
        d = numericalDerivative(perturbed, a[i], Math.abs(x._data[i]), tol, result.passed !== false);
      } catch (e) {
        // Out of time in the middle of an element: what was checked so far stands.
        if (e instanceof CheckDeadline && checked > 0) break;
        throw e;
      }
      numerical[i] = d.value;
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
  } else if (deadline.remaining > 2 * perRun) {
    // Not even one element per leaf fits: one random direction instead (PyTorch's fast mode).
    result.mode = "fast";
    const u = random.vector(n);
    const xs = Tensor.fromData(float64Copy(x._data), x.shape.slice(), "float64");
    const xd = x._data;
    const shifted = (s: number) => {
      const xsd = xs._data;
      for (let i = 0; i < n; i++) xsd[i] = xd[i] + s * u[i];
      return run(xs);
    };
    let ana = 0;
    for (let i = 0; i < n; i++) ana += a[i] * u[i];
    record(result, ana, numericalDerivative(shifted, ana, maxAbs(x._data), tol), [], tol, () => true);
    result.checkedElements = n;
  } else {
    result.skipped = NOT_FINISHED;
    return;
  }
  if (recordedOnly && result.passed === false) {
    result.passed = null;
    result.skipped = "not judged: the float32 gradient disagrees with the numerical derivative, and without a float64 backward rounding cannot be ruled out";
    return;
  }
  result.passed ??= true;
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

/** Graphs up to this many nodes have every node checked; above it, each op is checked on a few of its nodes. */
const CHECK_EVERY_NODE = 4000;
const NODES_PER_OP = 8;
/** A user's own autograd.Function is what most needs checking: more of its nodes. */
const NODES_PER_CUSTOM_OP = 64;

/** Which nodes to check: all of a small graph; of a big one, a few of each op spread over the graph. */
function selectNodes(nodes: readonly GradFn[]): { selected: Set<GradFn>; unchecked: Map<string, { first: GradFn; count: number }> } {
  if (nodes.length <= CHECK_EVERY_NODE) return { selected: new Set(nodes), unchecked: new Map() };
  const byOp = new Map<string, GradFn[]>();
  for (const n of nodes) {
    const list = byOp.get(n.name);
    if (list) list.push(n);
    else byOp.set(n.name, [n]);
  }
  const selected = new Set<GradFn>();
  const unchecked = new Map<string, { first: GradFn; count: number }>();
  for (const [name, list] of byOp) {
    const keep = Math.min(list.length, list[0].op.freshAttrs ? NODES_PER_CUSTOM_OP : NODES_PER_OP);
    const picked = new Set<number>();
    for (let k = 0; k < keep; k++) picked.add(Math.floor((k * (list.length - 1)) / Math.max(keep - 1, 1)));
    list.forEach((n, i) => {
      if (picked.has(i)) selected.add(n);
      else {
        const u = unchecked.get(name);
        if (u) u.count++;
        else unchecked.set(name, { first: n, count: 1 });
      }
    });
  }
  return { selected, unchecked };
}

/**
 * For every op node: its backward (a vector-Jacobian product with a random v) against the directional derivative of
 * its forward along a random u, on the node's own float64 inputs. One forward pair per input, so it is cheap; the
 * replay runs once, checking each node as its inputs are ready, and stops at the budget.
 */
export function checkNodes(root: Tensor, options: Partial<Tolerance> & { budgetMs?: number } = {}): NodeCheck[] {
  const tol = { ...DEFAULT_TOLERANCE, ...stripUndefined(options) };
  const deadline = Deadline.in(options.budgetMs ?? 2000);
  const notFinished = (node: GradFn): NodeCheck => ({ node, passed: null, skipped: NOT_FINISHED, maxAbsError: 0, maxRelError: 0, message: null });
  let graph: ReplayGraph;
  try {
    graph = replayGraph(root, deadline);
  } catch (e) {
    if (!(e instanceof CheckDeadline)) throw e;
    return root.gradFn ? [notFinished(root.gradFn)] : [];
  }
  const { selected, unchecked } = selectNodes(graph.nodes);
  const random = new CheckRandom(graph.nodes.length + 5);
  const results = new Map<GradFn, NodeCheck>();
  try {
    graph.forEachNode((node, at) => {
      if (!selected.has(node)) return;
      if (deadline.passed) throw new CheckDeadline(NOT_FINISHED);
      const result: NodeCheck = { node, passed: null, skipped: null, maxAbsError: 0, maxRelError: 0, message: null };
      const why = node.op.notDerivative?.(node.attrs);
      if (why) {
        results.set(node, { ...result, skipped: `not judged: ${why}` });
        return;
      }
      try {
        checkNode(node, at, tol, random, result);
      } catch (e) {
        if (e instanceof CheckDeadline) throw e;
        result.passed = null;
        result.skipped = `could not run the op again: ${(e as Error).message}`;
      }
      results.set(node, result);
    }, deadline);
  } catch (e) {
    if (!(e instanceof CheckDeadline)) throw e;
  }
  const checks = graph.nodes.filter((n) => selected.has(n)).map((n) => results.get(n) ?? notFinished(n));
  for (const [name, { first, count }] of unchecked) {
    checks.push({ node: first, passed: null, skipped: `${count.toLocaleString("en-US")} more ${name} nodes not checked: a graph this big has each op checked on a few of its nodes`, maxAbsError: 0, maxRelError: 0, message: null });
  }
  return checks;
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
  // Outputs that are not differentiable (markNonDifferentiable) carry no gradient into the backward.
  const excluded = op.multiOutput ? op.nonDifferentiableOutputs?.(attrs) ?? [] : [];
  const vs = outputs.map((o, k) => (o.dtype === "float64" && !excluded.includes(k) ? Tensor.fromData(random.vector(o.numel()), o.shape.slice(), "float64") : null));
  const needs = node.next.map((n, i) => n !== null && at.inputs[i].dtype === "float64");
  const grads = composite(() => backwardOf(op, { inputs: at.inputs, outputs, attrs, needsInputGrad: needs }, vs));
  const dot = (a: Tensor, b: ArrayLike<number>) => {
    let s = 0;
    const d = a._data;
    for (let i = 0; i < b.length; i++) s += d[i] * b[i];
    return s;
  };
  const dotAll = (outs: Tensor[]) => outs.reduce((acc, o, k) => (vs[k] ? acc + dot(o, vs[k]!._data) : acc), 0);
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
    const drawn = random.vector(x.numel());
    const u = op.checkDirection ? op.checkDirection(drawn, x, i, node.attrs) : drawn;
    const xData = x._data;
    const xs = Tensor.fromData(float64Copy(xData), x.shape.slice(), "float64");
    const shifted = (s: number) => {
      const data = xs._data;
      for (let k = 0; k < u.length; k++) data[k] = xData[k] + s * u[k];
      const inputs = at.inputs.slice();
      inputs[i] = xs;
      return dotAll(forward(inputs));
    };
    const analytical = dot(fitted, u);
    const scale = maxAbs(xData);
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
