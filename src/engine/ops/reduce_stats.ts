/**
 * Variance and standard deviation (PyTorch's `unbiased` and `correction` arguments), and var_mean/std_mean, which
 * PyTorch computes as one node with two outputs (VarMeanBackward0, StdMeanBackward0).
 */
import { isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { forEachReduced } from "../kernels/reduce";
import { Tensor, addMethods } from "../tensor";
import { apply, applyMulti, defineMultiOp, defineOp } from "./op";
import { empty } from "./operands";
import { type ReduceAttrs, reduceAttrs, reducedShapes } from "./reduce";
import { pythonTuple } from "./return_types";

export interface VarOptions {
  /** Bessel's correction: divide by N − correction (default 1). */
  correction?: number;
  /** PyTorch's older spelling: true is correction 1, false is 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

interface StatAttrs extends ReduceAttrs {
  correction: number;
}

type Dim = number | number[] | null;

/** Sums of squared deviations from the mean, and the means, per output element (two passes, in float64). */
function moments(t: Tensor, attrs: StatAttrs): { kept: number[]; out: number[]; mean: Float64Array; variance: Float64Array } {
  const { kept, out } = reducedShapes(t.shape, attrs);
  let n = 1;
  for (const d of out) n *= d;
  const count = t.numel() / Math.max(n, 1);
  const mean = new Float64Array(n);
  const squares = new Float64Array(n);
  const src = t._data;
  forEachReduced(t.shape, kept, (i, o) => (mean[o] += src[i]));
  for (let o = 0; o < n; o++) mean[o] /= count;
  forEachReduced(t.shape, kept, (i, o) => {
    const d = src[i] - mean[o];
    squares[o] += d * d;
  });
  const divisor = Math.max(0, count - attrs.correction);
  for (let o = 0; o < n; o++) squares[o] /= divisor;
  return { kept, out, mean, variance: squares };
}

function filled(shape: number[], like: Tensor, values: Float64Array, f: (v: number) => number = (v) => v): Tensor {
  const out = empty(shape, like.dtype);
  for (let i = 0; i < values.length; i++) out._data[i] = f(values[i]);
  return out;
}

/** d var / dx = 2·(x − mean)/(N − correction), times the gradient spread back over the reduced dims. */
function varBackward(g: Tensor, x: Tensor, attrs: StatAttrs): Tensor {
  const { kept } = reducedShapes(x.shape, attrs);
  const count = x.numel() / Math.max(numel(kept), 1);
  const centered = x.sub(x.mean(attrs.dims, true));
  return g.reshape(kept).mul(centered).mul(2 / Math.max(0, count - attrs.correction));
}

function meanBackward(g: Tensor, x: Tensor, attrs: StatAttrs): Tensor {
  const { kept } = reducedShapes(x.shape, attrs);
  return g.reshape(kept).expand(x.shape).div(x.numel() / Math.max(numel(kept), 1));
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const varOp = defineOp<StatAttrs>({
  name: "var",
  gradFnName: "VarBackward0",
  forward: ([t], attrs) => {
    const { out, variance } = moments(t, attrs);
    return filled(out, t, variance);
  },
  backward: ({ inputs: [x], attrs }, g) => [varBackward(g, x, attrs)],
  saves: { inputs: [0] },
});

const stdOp = defineOp<StatAttrs>({
  name: "std",
  gradFnName: "StdBackward0",
  forward: ([t], attrs) => {
    const { out, variance } = moments(t, attrs);
    return filled(out, t, variance, Math.sqrt);
  },
  // d std = d var / (2·std)
  backward: ({ inputs: [x], output, attrs }, g) => [varBackward(g.div(output.mul(2)), x, attrs)],
  saves: { inputs: [0], output: true },
});

const varMeanOp = defineMultiOp<StatAttrs>({
  name: "varMean",
  gradFnName: "VarMeanBackward0",
  forward: ([t], attrs) => {
    const { out, mean, variance } = moments(t, attrs);
    return [filled(out, t, variance), filled(out.slice(), t, mean)];
  },
  backward: ({ inputs: [x], attrs }, [gVar, gMean]) => {
    let grad: Tensor | null = gVar ? varBackward(gVar, x, attrs) : null;
    if (gMean) grad = grad ? grad.add(meanBackward(gMean, x, attrs)) : meanBackward(gMean, x, attrs);
    return [grad];
  },
  saves: { inputs: [0] },
});

const stdMeanOp = defineMultiOp<StatAttrs>({
  name: "stdMean",
  gradFnName: "StdMeanBackward0",
  forward: ([t], attrs) => {
    const { out, mean, variance } = moments(t, attrs);
    return [filled(out, t, variance, Math.sqrt), filled(out.slice(), t, mean)];
  },
  backward: ({ inputs: [x], outputs: [std], attrs }, [gStd, gMean]) => {
    let grad: Tensor | null = gStd ? varBackward(gStd.div(std.mul(2)), x, attrs) : null;
    if (gMean) grad = grad ? grad.add(meanBackward(gMean, x, attrs)) : meanBackward(gMean, x, attrs);
    return [grad];
  },
  saves: { inputs: [0], output: true },
});

/** Reads PyTorch's overloads: (), (unbiased), (dim, unbiased, keepdim), (dim, {correction, keepdim}). */
function statAttrs(t: Tensor, dim: Dim | boolean | VarOptions | undefined, second: boolean | VarOptions | undefined, keepdim: boolean | undefined, where: string): StatAttrs {
  if (!isFloating(t.dtype)) throw new RuntimeError("std and var only support floating point and complex dtypes");
  let dims: Dim = null;
  let options: VarOptions = {};
  if (typeof dim === "boolean") options = { unbiased: dim };
  else if (dim !== null && typeof dim === "object" && !Array.isArray(dim)) options = dim;
  else dims = dim ?? null;
  if (typeof second === "boolean") options = { ...options, unbiased: second };
  else if (second !== undefined) options = { ...options, ...second };
  if (keepdim !== undefined) options = { ...options, keepdim };
  if (options.unbiased !== undefined && options.correction !== undefined) {
    throw new TypeError(`${where}() received an invalid combination of arguments - got (correction=int, unbiased=bool, )`);
  }
  const correction = options.correction ?? (options.unbiased === false ? 0 : 1);
  return { ...reduceAttrs(t, dims, options.keepdim ?? false), correction };
}

export function variance(t: Tensor, dim?: Dim | boolean | VarOptions, unbiased?: boolean | VarOptions, keepdim?: boolean): Tensor {
  return apply(varOp, [t], statAttrs(t, dim, unbiased, keepdim, "var"));
}

export function std(t: Tensor, dim?: Dim | boolean | VarOptions, unbiased?: boolean | VarOptions, keepdim?: boolean): Tensor {
  return apply(stdOp, [t], statAttrs(t, dim, unbiased, keepdim, "std"));
}

/** torch.var_mean: a tuple [variance, mean] from one node. */
export function varMean(t: Tensor, dim?: Dim | boolean | VarOptions, unbiased?: boolean | VarOptions, keepdim?: boolean): [Tensor, Tensor] {
  const [v, m] = applyMulti(varMeanOp, [t], statAttrs(t, dim, unbiased, keepdim, "var_mean"));
  return pythonTuple([v, m] as [Tensor, Tensor]);
}

/** torch.std_mean: a tuple [std, mean] from one node. */
export function stdMean(t: Tensor, dim?: Dim | boolean | VarOptions, unbiased?: boolean | VarOptions, keepdim?: boolean): [Tensor, Tensor] {
  const [s, m] = applyMulti(stdMeanOp, [t], statAttrs(t, dim, unbiased, keepdim, "std_mean"));
  return pythonTuple([s, m] as [Tensor, Tensor]);
}

declare module "../tensor" {
  interface Tensor {
    /** Variance: `x.var()`, `x.var(dim)`, `x.var(dim, unbiased, keepdim)` or `x.var(dim, {correction, keepdim})`. */
    var(dim?: Dim | boolean | VarOptions, unbiased?: boolean | VarOptions, keepdim?: boolean): Tensor;
    std(dim?: Dim | boolean | VarOptions, unbiased?: boolean | VarOptions, keepdim?: boolean): Tensor;
  }
}

addMethods({
  var(this: Tensor, dim?: Dim | boolean | VarOptions, unbiased?: boolean | VarOptions, keepdim?: boolean) {
    return variance(this, dim, unbiased, keepdim);
  },
  std(this: Tensor, dim?: Dim | boolean | VarOptions, unbiased?: boolean | VarOptions, keepdim?: boolean) {
    return std(this, dim, unbiased, keepdim);
  },
});
