/**
 * Variance and standard deviation (PyTorch's `unbiased` and `correction` arguments), and var_mean/std_mean, which
 * PyTorch computes as one node with two outputs (VarMeanBackward0, StdMeanBackward0).
 */
import { isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import type { FloatArray } from "../kernels/cascade_sum";
import { varInto, welfordInto } from "../kernels/reduce_stats";
import { zeroWhere } from "./arith";
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

/** var_backward: (2/(N − correction))·grad·(x − mean), in that order (the order PyTorch rounds in). */
function varBackward(g: Tensor, x: Tensor, attrs: StatAttrs): Tensor {
  const { kept } = reducedShapes(x.shape, attrs);
  const count = x.numel() / Math.max(numel(kept), 1);
  const centered = x.sub(x.mean(attrs.dims, true));
  return g.reshape(kept).mul(2 / Math.max(0, count - attrs.correction)).mul(centered);
}

/** std_backward's first step: grad / (2·std), with 0 (not ±inf) where std is 0. */
function stdToVarGrad(g: Tensor, std: Tensor): Tensor {
  return zeroWhere(g.div(std.mul(2)), std.eq(0));
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

/** var/std as ATen's kernels compute them (kernels/reduce_stats.ts): a full reduction in two passes from the
 * dtype's mean, otherwise Welford in double; rounded to the dtype once. */
function varianceOf(t: Tensor, attrs: StatAttrs, takeSqrt: boolean): Tensor {
  const result = empty(reducedShapes(t.shape, attrs).out, t.dtype);
  varInto(t._data as FloatArray, t.shape, attrs.dims, attrs.correction, takeSqrt, result._data as FloatArray);
  return result;
}

/** var_mean/std_mean: always Welford (std_var_mean_out has no full-reduction path), the mean rounded once. */
function welfordOf(t: Tensor, attrs: StatAttrs, takeSqrt: boolean): [Tensor, Tensor] {
  const { out } = reducedShapes(t.shape, attrs);
  const v = empty(out, t.dtype);
  const m = empty(out.slice(), t.dtype);
  welfordInto(t._data as FloatArray, t.shape, attrs.dims, attrs.correction, takeSqrt, v._data as FloatArray, m._data as FloatArray);
  return [v, m];
}

const varOp = defineOp<StatAttrs>({
  name: "var",
  gradFnName: "VarBackward0",
  forward: ([t], attrs) => varianceOf(t, attrs, false),
  backward: ({ inputs: [x], attrs }, g) => [varBackward(g, x, attrs)],
  saves: { inputs: [0] },
});

const stdOp = defineOp<StatAttrs>({
  name: "std",
  gradFnName: "StdBackward0",
  forward: ([t], attrs) => varianceOf(t, attrs, true),
  // std_backward: d var / (2·std), 0 where std = 0
  backward: ({ inputs: [x], output, attrs }, g) => [varBackward(stdToVarGrad(g, output), x, attrs)],
  saves: { inputs: [0], output: true },
});

const varMeanOp = defineMultiOp<StatAttrs>({
  name: "varMean",
  gradFnName: "VarMeanBackward0",
  forward: ([t], attrs) => welfordOf(t, attrs, false),
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
  forward: ([t], attrs) => welfordOf(t, attrs, true),
  backward: ({ inputs: [x], outputs: [std], attrs }, [gStd, gMean]) => {
    let grad: Tensor | null = gStd ? varBackward(stdToVarGrad(gStd, std), x, attrs) : null;
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
