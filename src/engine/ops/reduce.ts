/** Reductions: sum, mean, max/min (all, or along a dim with indices), norm. */
import { allocate, castScalar, isFloating, type DType } from "../dtype";
import { IndexError, RuntimeError } from "../errors";
import { normInto } from "../kernels/norm";
import { sumInto } from "../kernels/reduce";
import { zeroWhere } from "./arith";
import { normalizeDim, numelOf } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { apply, defineOp } from "./op";
import { empty } from "./operands";
import { ValuesIndices } from "./return_types";

export { ValuesIndices };

export interface ReduceAttrs {
  /** Normalised, sorted dims to reduce; all dims when the user gave none. */
  dims: number[];
  keepdim: boolean;
  /** Whether the user named dims (PyTorch names the grad_fn differently: SumBackward0 vs SumBackward1). */
  explicit: boolean;
}

export function reduceAttrs(t: Tensor, dim: number | number[] | null, keepdim: boolean): ReduceAttrs {
  if (dim === null) return { dims: t.shape.map((_, i) => i), keepdim, explicit: false };
  const list = Array.isArray(dim) ? dim : [dim];
  const wrapped = list.map((d) => normalizeDim(d, t.ndim));
  const repeated = wrapped.find((d, i) => wrapped.indexOf(d) !== i);
  if (repeated !== undefined) throw new RuntimeError(`dim ${repeated} appears multiple times in the list of dims`);
  const dims = wrapped.sort((a, b) => a - b);
  return { dims: t.ndim === 0 ? [] : dims, keepdim, explicit: true };
}

/** The output shape with reduced dims kept as 1, and the shape the user gets. */
export function reducedShapes(shape: readonly number[], { dims, keepdim }: ReduceAttrs): { kept: number[]; out: number[] } {
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  return { kept, out: keepdim ? kept : shape.filter((_, i) => !dims.includes(i)) };
}

/** The gradient of a reduction's output, spread back over the input's shape. */
function expandBack(g: Tensor, input: Tensor, attrs: ReduceAttrs): Tensor {
  const { kept } = reducedShapes(input.shape, attrs);
  return g.reshape(kept).expand(input.shape);
}

function sumDType(t: Tensor): DType {
  return isFloating(t.dtype) ? t.dtype : "int64";
}

/** Sums a tensor as laid out in memory (PyTorch's order of summation depends on the strides, not only the shape). */
function sumStrided(t: Tensor, dims: readonly number[], result: Tensor): void {
  if (t.dtype === "bool" || t.dtype !== result.dtype) sumInto(t._data, t.shape, dims, result._data);
  else sumInto(t._storage.data, t.shape, dims, result._data, t._strides, t._offset);
}

const sumOp = defineOp<ReduceAttrs>({
  name: "sum",
  gradFnName: (a) => (a.explicit ? "SumBackward1" : "SumBackward0"),
  forward: ([t], attrs) => {
    const result = empty(reducedShapes(t.shape, attrs).out, sumDType(t));
    sumStrided(t, attrs.dims, result);
    return result;
  },
  backward: ({ inputs: [x], attrs }, g) => [expandBack(g, x, attrs)],
});

const meanOp = defineOp<ReduceAttrs>({
  name: "mean",
  gradFnName: (a) => (a.explicit ? "MeanBackward1" : "MeanBackward0"),
  forward: ([t], attrs) => {
    // at::mean on CPU is at::sum, then a division by the count (rounded to the dtype first).
    const result = empty(reducedShapes(t.shape, attrs).out, t.dtype);
    sumStrided(t, attrs.dims, result);
    let count = 1;
    for (const d of attrs.dims) count *= t.shape[d];
    const divisor = castScalar(t.dtype, count);
    const rd = result._data;
    for (let i = 0; i < rd.length; i++) rd[i] = rd[i] / divisor;
    return result;
  },
  backward: ({ inputs: [x], output, attrs }, g) => [expandBack(g, x, attrs).div(x.numel() / Math.max(output.numel(), 1))],
});

export function sum(t: Tensor, dim: number | number[] | null, keepdim: boolean): Tensor {
  return apply(sumOp, [t], reduceAttrs(t, dim, keepdim));
}

export function mean(t: Tensor, dim: number | number[] | null, keepdim: boolean): Tensor {
  if (!isFloating(t.dtype)) {
    throw new RuntimeError(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${t.dtype === "int64" ? "Long" : "Bool"}`);
  }
  return apply(meanOp, [t], reduceAttrs(t, dim, keepdim));
}

// ---- max / min ----

type Better = (candidate: number, best: number) => boolean;
const greater: Better = (c, b) => c > b || c !== c;
const less: Better = (c, b) => c < b || c !== c;

function extremeAll(name: "max" | "min", better: Better) {
  return defineOp({
    name,
    gradFnName: name === "max" ? "MaxBackward1" : "MinBackward1",
    forward: ([t]) => {
      if (t.numel() === 0) {
        throw new RuntimeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
      }
      const d = t._data;
      let best = d[0];
      for (let i = 1; i < d.length && best === best; i++) if (better(d[i], best)) best = d[i];
      const out = empty([], t.dtype);
      out._data[0] = best;
      return out;
    },
    // Ties share the gradient evenly (PyTorch's evenly_distribute_backward).
    backward: ({ inputs: [x], output }, g) => {
      const mask = x.eq(output);
      return [mask.mul(g.div(mask.sum()))];
    },
    saves: { inputs: [0], output: true },
  });
}

const maxAllOp = extremeAll("max", greater);
const minAllOp = extremeAll("min", less);

export function maxAll(t: Tensor): Tensor {
  return apply(maxAllOp, [t], undefined);
}

export function minAll(t: Tensor): Tensor {
  return apply(minAllOp, [t], undefined);
}

interface DimAttrs {
  dim: number;
  keepdim: boolean;
  indices: Tensor;
}

function extremeDim(name: "max" | "min", better: Better) {
  return defineOp<DimAttrs>({
    name: `${name}Dim`,
    gradFnName: name === "max" ? "MaxBackward0" : "MinBackward0",
    forward: ([t], attrs) => {
      const { values } = extremeAlong(t, attrs.dim, attrs.keepdim, better);
      return values;
    },
    backward: ({ inputs: [x], attrs: { dim, keepdim, indices } }, g) => {
      const idx = keepdim ? indices : indices.unsqueeze(dim);
      const grad = keepdim ? g : g.unsqueeze(dim);
      return [grad.mul(oneHotAlong(idx, x.shape, dim))];
    },
  });
}

function extremeAlong(t: Tensor, dim: number, keepdim: boolean, better: Better): { values: Tensor; indices: Tensor } {
  const size = t.shape[dim];
  if (size === 0) throw new IndexError(`max(): Expected reduction dim ${dim} to have non-zero size.`);
  const outer = numelOf(t.shape.slice(0, dim));
  const inner = numelOf(t.shape.slice(dim + 1));
  const outShape = keepdim ? t.shape.map((d, i) => (i === dim ? 1 : d)) : t.shape.filter((_, i) => i !== dim);
  const values = empty(outShape, t.dtype);
  const indices = empty(outShape.slice(), "int64");
  const d = t._data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = d[base];
      let at = 0;
      for (let k = 1; k < size && best === best; k++) {
        const v = d[base + k * inner];
        if (better(v, best)) {
          best = v;
          at = k;
        }
      }
      values._data[o * inner + i] = best;
      indices._data[o * inner + i] = at;
    }
  }
  return { values, indices };
}

/** A float mask over `shape` with 1 at `index` along `dim` (index has size 1 along dim). */
function oneHotAlong(index: Tensor, shape: readonly number[], dim: number): Tensor {
  const mask = Tensor.fromData(allocate("float32", numelOf(shape)), [...shape], "float32");
  const size = shape[dim];
  const inner = numelOf(shape.slice(dim + 1));
  const outer = numelOf(shape.slice(0, dim));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) mask._data[(o * size + index._data[o * inner + i]) * inner + i] = 1;
  }
  return mask;
}

const maxDimOp = extremeDim("max", greater);
const minDimOp = extremeDim("min", less);

export function maxDim(t: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  return extremeWithIndices(t, dim, keepdim, maxDimOp, greater);
}

export function minDim(t: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  return extremeWithIndices(t, dim, keepdim, minDimOp, less);
}

function extremeWithIndices(t: Tensor, dim: number, keepdim: boolean, op: typeof maxDimOp, better: Better): ValuesIndices {
  const d = normalizeDim(dim, t.ndim);
  const name = op === maxDimOp ? "max" : "min";
  if (t.ndim === 0) return new ValuesIndices(apply(op, [t], { dim: 0, keepdim, indices: empty([], "int64") }), empty([], "int64"), name);
  const { indices } = extremeAlong(t, d, keepdim, better);
  return new ValuesIndices(apply(op, [t], { dim: d, keepdim, indices }), indices, name);
}

// ---- norm ----

interface NormAttrs extends ReduceAttrs {
  p: number;
}

const normOp = defineOp<NormAttrs>({
  name: "norm",
  gradFnName: "NormBackward1",
  forward: ([t], attrs) => {
    const result = empty(reducedShapes(t.shape, attrs).out, t.dtype);
    normInto(t._data as Float32Array | Float64Array, t.shape, attrs.dims, attrs.p, result._data as Float32Array | Float64Array);
    return result;
  },
  // ATen's norm_backward, step for step (its masked_fill_ is a selection: masked elements are +0).
  backward: ({ inputs: [x], output, attrs }, g) => {
    const { kept } = reducedShapes(x.shape, attrs);
    const n = output.reshape(kept);
    const grad = g.reshape(kept);
    const { p } = attrs;
    // The count of non-zeros has no gradient: PyTorch returns none, and .grad stays None.
    if (p === 0) return [null];
    if (p === 1) return [x.sign().mul(grad)];
    if (p === 2) return [grad.mul(zeroWhere(x.div(n), n.eq(0)))];
    if (p === Infinity) {
      const abs = x.abs();
      const mask = abs.eq(n).logicalOr(abs.ne(abs));
      return [x.sign().mul(grad.div(mask.sum(attrs.dims, true)).mul(mask))];
    }
    if (p < 1) return [x.sign().mul(zeroWhere(x.abs().pow(p - 1), x.eq(0))).mul(grad).mul(n.pow(1 - p))];
    const scaled = p < 2 ? x.sign().mul(x.abs().pow(p - 1)) : x.mul(x.abs().pow(p - 2));
    return [scaled.mul(zeroWhere(grad.div(n.pow(p - 1)), n.eq(0)))];
  },
  saves: { inputs: [0], output: true },
});

export function norm(t: Tensor, p: number, dim: number | number[] | null, keepdim: boolean): Tensor {
  if (typeof p !== "number" || Number.isNaN(p) || p < 0) throw new RuntimeError(`norm(): p must be a non-negative number, but got ${String(p)}`);
  if (!isFloating(t.dtype)) throw new RuntimeError(`norm(): input dtype should be either floating point or complex. Got ${t.dtype === "int64" ? "Long" : "Bool"} instead.`);
  return apply(normOp, [t], { ...reduceAttrs(t, dim, keepdim), p });
}

declare module "../tensor" {
  interface Tensor {
    sum(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    mean(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ValuesIndices;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ValuesIndices;
  }
}

addMethods({
  sum(this: Tensor, dim?: number | number[] | null, keepdim = false) {
    return sum(this, dim ?? null, keepdim);
  },
  mean(this: Tensor, dim?: number | number[] | null, keepdim = false) {
    return mean(this, dim ?? null, keepdim);
  },
});
