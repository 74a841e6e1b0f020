/**
 * More reductions: var, std, logsumexp, prod, cumsum. Forward in PyTorch 1.13's order of rounding
 * (kernels/reduce_stats.ts, kernels/cascade_sum.ts), backward as derivatives.yaml spells it, with differentiable ops.
 */
import { RuntimeError } from "../errors";
import { expArray } from "../kernels/f32/exp";
import { logArray } from "../kernels/f32/log";
import { cascadeSum, type FloatArray } from "../kernels/cascade_sum";
import { cumsumInto, prodInto, varInto } from "../kernels/reduce_stats";
import { isFloating } from "../dtype";
import { normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { zeroWhere } from "./arith";
import { apply, defineOp, type OpDef } from "./op";
import { empty } from "./operands";
import { reduceAttrs, reducedShapes, type ReduceAttrs } from "./reduce";

function floatData(t: Tensor, where: string): FloatArray {
  if (!isFloating(t.dtype)) throw new RuntimeError(`${where}: expected a floating point tensor, but got ${t.dtype}`);
  return t._data as FloatArray;
}

// ---- var / std ----

interface VarAttrs extends ReduceAttrs {
  correction: number;
  takeSqrt: boolean;
}

const varOp = defineOp<VarAttrs>({
  name: "var",
  gradFnName: (a) => (a.takeSqrt ? "StdBackward0" : "VarBackward0"),
  forward: ([t], attrs) => {
    const result = empty(reducedShapes(t.shape, attrs).out, t.dtype);
    varInto(floatData(t, attrs.takeSqrt ? "std" : "var"), t.shape, attrs.dims, attrs.correction, attrs.takeSqrt, result._data as FloatArray);
    return result;
  },
  backward: ({ inputs: [x], output, attrs }, g) => {
    const { kept } = reducedShapes(x.shape, attrs);
    let grad = g.reshape(kept);
    // std_backward: var's gradient of grad / (2·std), 0 where std = 0.
    if (attrs.takeSqrt) {
      const std = output.reshape(kept);
      grad = zeroWhere(grad.div(std.mul(2)), std.eq(0));
    }
    let count = 1;
    for (const d of attrs.dims) count *= x.shape[d];
    const dof = count - attrs.correction;
    const centred = x.sub(attrs.explicit && x.ndim > 0 ? x.mean(attrs.dims, true) : x.mean());
    // n ≤ correction: 2/(n − correction) is infinite, so the gradient is NaN where x equals the mean, ±inf elsewhere.
    if (dof <= 0) {
      const c = centred.detach();
      const scale = empty(c.shape.slice(), c.dtype);
      for (let i = 0; i < scale._data.length; i++) scale._data[i] = c._data[i] === 0 ? NaN : Infinity;
      return [grad.mul(scale)];
    }
    return [grad.mul(2 / dof).mul(centred)];
  },
  saves: { inputs: [0], output: true },
});

export interface VarOptions {
  /** Bessel's correction: 1 (the default, unbiased) divides by N − 1, 0 by N. */
  correction?: number;
  /** PyTorch's older spelling: unbiased = false is correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

function correctionOf(options: VarOptions | undefined): number {
  if (options?.correction !== undefined) return options.correction;
  return options?.unbiased === false ? 0 : 1;
}

export function variance(t: Tensor, dim: number | number[] | null, options?: VarOptions): Tensor {
  return apply(varOp, [t], { ...reduceAttrs(t, dim, options?.keepdim ?? false), correction: correctionOf(options), takeSqrt: false });
}

export function std(t: Tensor, dim: number | number[] | null, options?: VarOptions): Tensor {
  return apply(varOp, [t], { ...reduceAttrs(t, dim, options?.keepdim ?? false), correction: correctionOf(options), takeSqrt: true });
}

// ---- logsumexp ----

/**
 * log Σ exp(x) as ATen computes it: m = amax over the dims (±inf replaced by 0), then sum(exp(x − m)) with the
 * cascade sum, then log, then + m; float32 through SLEEF's exp and log.
 */
const logsumexpOp = defineOp<ReduceAttrs>({
  name: "logsumexp",
  gradFnName: "LogsumexpBackward0",
  forward: ([t], attrs) => {
    const { kept, out } = reducedShapes(t.shape, attrs);
    const src = floatData(t, "logsumexp");
    const result = empty(out, t.dtype);
    const r = result._data as FloatArray;
    const m = new Float64Array(r.length).fill(-Infinity);
    const keptStrides = stridesOf(kept, t.shape);
    forEachIndex(t.shape, keptStrides, (i, o) => {
      const v = src[i];
      m[o] = m[o] !== m[o] || v !== v ? NaN : Math.max(m[o], v);
    });
    for (let o = 0; o < m.length; o++) if (Math.abs(m[o]) === Infinity) m[o] = 0;
    const shifted = t.dtype === "float32" ? new Float32Array(src.length) : new Float64Array(src.length);
    forEachIndex(t.shape, keptStrides, (i, o) => (shifted[i] = src[i] - m[o]));
    const e = t.dtype === "float32" ? new Float32Array(src.length) : new Float64Array(src.length);
    if (e instanceof Float32Array) expArray(shifted as Float32Array, e);
    else for (let i = 0; i < e.length; i++) e[i] = Math.exp(shifted[i]);
    cascadeSum(e, t.shape, attrs.dims, r);
    if (r instanceof Float32Array) logArray(r, r);
    else for (let o = 0; o < r.length; o++) r[o] = Math.log(r[o]);
    for (let o = 0; o < r.length; o++) r[o] = r[o] + m[o];
    return result;
  },
  // logsumexp_backward: grad · exp(x − result)
  backward: ({ inputs: [x], output, attrs }, g) => {
    const { kept } = reducedShapes(x.shape, attrs);
    return [g.reshape(kept).mul(x.sub(output.reshape(kept)).exp())];
  },
  saves: { inputs: [0], output: true },
});

function stridesOf(kept: readonly number[], shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = kept[d] === 1 && shape[d] !== 1 ? 0 : s;
    s *= kept[d];
  }
  return strides;
}

/** Every element of a row-major tensor of `shape`, with its index into an output of the given strides. */
function forEachIndex(shape: readonly number[], outStrides: readonly number[], visit: (i: number, o: number) => void): void {
  let n = 1;
  for (const d of shape) n *= d;
  const index = new Array<number>(shape.length).fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    visit(i, o);
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      o += outStrides[d];
      if (index[d] < shape[d]) break;
      o -= outStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

export function logsumexp(t: Tensor, dim: number | number[], keepdim = false): Tensor {
  return apply(logsumexpOp, [t], reduceAttrs(t, dim, keepdim));
}

// ---- prod ----

const prodOp = defineOp<ReduceAttrs>({
  name: "prod",
  gradFnName: (a) => (a.explicit ? "ProdBackward1" : "ProdBackward0"),
  forward: ([t], attrs) => {
    const result = empty(reducedShapes(t.shape, attrs).out, t.dtype);
    prodInto(floatData(t, "prod"), t.shape, attrs.dims, result._data as FloatArray);
    return result;
  },
  // prod_backward: grad · (result / x) when no reduced element is 0; otherwise the products of the others,
  // formed directly (ATen's prod_safe_zeros_backward, from exclusive cumulative products).
  backward: ({ inputs: [x], output, attrs }, g) => {
    const { kept } = reducedShapes(x.shape, attrs);
    const grad = g.reshape(kept);
    const hasZero = (x._data as FloatArray).some((v) => v === 0);
    if (!hasZero) return [grad.mul(output.reshape(kept).div(x))];
    return [grad.mul(apply(othersProductOp, [x], attrs))];
  },
  saves: { inputs: [0], output: true },
});

/** For each element, the product of the other elements reduced with it (exclusive products from both sides). */
const othersProductOp = defineOp<ReduceAttrs>({
  name: "prodOthers",
  gradFnName: "ProdBackwardBackward0",
  forward: ([t], attrs) => {
    if (attrs.dims.length !== 1 && t.ndim > 1) throw new RuntimeError("prod: the gradient through zeros is supported for one dim or all dims");
    const data = t._data as FloatArray;
    const out = empty(t.shape.slice(), t.dtype);
    const o = out._data as FloatArray;
    const r = (v: number) => (t.dtype === "float32" ? Math.fround(v) : v);
    const dim = t.ndim <= 1 || attrs.dims.length !== 1 ? -1 : attrs.dims[0];
    const n = dim < 0 ? data.length : t.shape[dim];
    let inner = 1;
    if (dim >= 0) for (let i = dim + 1; i < t.ndim; i++) inner *= t.shape[i];
    const outer = data.length / (n * inner);
    // cumprod accumulates in double and rounds each output; the two exclusive products then multiply in the dtype.
    const after = new Float64Array(n);
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < inner; b++) {
        const at = (k: number) => a * n * inner + k * inner + b;
        let acc = 1;
        for (let k = n - 1; k >= 0; k--) {
          after[k] = r(acc);
          acc *= data[at(k)];
        }
        acc = 1;
        for (let k = 0; k < n; k++) {
          o[at(k)] = r(r(acc) * after[k]);
          acc *= data[at(k)];
        }
      }
    }
    return out;
  },
  backward: () => {
    throw new RuntimeError("prod: the second derivative through zeros is not implemented");
  },
});

export function prod(t: Tensor, dim?: number | null, keepdim = false): Tensor {
  return apply(prodOp, [t], reduceAttrs(t, dim ?? null, keepdim));
}

// ---- cumsum ----

const cumsumOp: OpDef<number> = defineOp<number>({
  name: "cumsum",
  gradFnName: "CumsumBackward0",
  forward: ([t], dim) => {
    const out = empty(t.shape.slice(), isFloating(t.dtype) ? t.dtype : "int64");
    cumsumInto(t._data as FloatArray, t.shape, dim, out._data as FloatArray);
    return out;
  },
  // cumsum_backward: the running sums from the end.
  backward: ({ attrs: dim }, g) => [apply(reversedCumsumOp, [g], dim)],
});

const reversedCumsumOp: OpDef<number> = defineOp<number>({
  name: "reversedCumsum",
  gradFnName: "CumsumBackward0",
  forward: ([t], dim) => {
    const out = empty(t.shape.slice(), t.dtype);
    cumsumInto(t._data as FloatArray, t.shape, dim, out._data as FloatArray, true);
    return out;
  },
  backward: ({ attrs: dim }, g) => [apply(cumsumOp, [g], dim)],
});

export function cumsum(t: Tensor, dim: number): Tensor {
  return apply(cumsumOp, [t], t.ndim === 0 ? 0 : normalizeDim(dim, t.ndim));
}

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's `var`: the variance over `dim` (all dims by default), unbiased unless told otherwise. */
    var(dim?: number | number[] | null, options?: VarOptions): Tensor;
    /** PyTorch's `std`: the standard deviation over `dim` (all dims by default). */
    std(dim?: number | number[] | null, options?: VarOptions): Tensor;
    /** PyTorch's `logsumexp`: log Σ exp over `dim`, computed stably. */
    logsumexp(dim: number | number[], keepdim?: boolean): Tensor;
    /** PyTorch's `prod`: the product of all elements, or over one dim. */
    prod(dim?: number | null, keepdim?: boolean): Tensor;
    /** PyTorch's `cumsum`: running sums along `dim`. */
    cumsum(dim: number): Tensor;
  }
}

addMethods({
  var(this: Tensor, dim?: number | number[] | null, options?: VarOptions) {
    return variance(this, dim ?? null, options);
  },
  std(this: Tensor, dim?: number | number[] | null, options?: VarOptions) {
    return std(this, dim ?? null, options);
  },
  logsumexp(this: Tensor, dim: number | number[], keepdim?: boolean) {
    return logsumexp(this, dim, keepdim);
  },
  prod(this: Tensor, dim?: number | null, keepdim?: boolean) {
    return prod(this, dim, keepdim);
  },
  cumsum(this: Tensor, dim: number) {
    return cumsum(this, dim);
  },
});
