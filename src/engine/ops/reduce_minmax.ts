/**
 * amax/amin (several dims, ties share the gradient), argmax/argmin, aminmax, and `max(other)`/`min(other)` (the
 * elementwise maximum, as PyTorch's overload). max/min over a dim with indices are in reduce.ts.
 */
import { IndexError, RuntimeError } from "../errors";
import { forEachReduced } from "../kernels/reduce";
import { normalizeDim, numelOf } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { maximum, minimum } from "./arith";
import { apply, applyMulti, defineMultiOp, defineOp } from "./op";
import { empty } from "./operands";
import { type ReduceAttrs, maxAll, maxDim, minAll, minDim, reduceAttrs, reducedShapes } from "./reduce";
import { refuse } from "./pointwise_op";
import { MinMax, type ValuesIndices } from "./return_types";

type Better = (candidate: number, best: number) => boolean;
/** NaN wins, as PyTorch's max propagates NaN. */
const greater: Better = (c, b) => c > b || (c !== c && b === b);
const less: Better = (c, b) => c < b || (c !== c && b === b);

function extremeInto(t: Tensor, attrs: ReduceAttrs, better: Better, where: string): { kept: number[]; out: number[]; values: Float64Array } {
  if (t.numel() === 0) {
    if (!attrs.explicit || attrs.dims.length === 0) {
      throw new RuntimeError(`${where}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    }
    const empty0 = attrs.dims.find((d) => t.shape[d] === 0);
    if (empty0 !== undefined) throw new IndexError(`${where}(): Expected reduction dim ${empty0} to have non-zero size.`);
  }
  const { kept, out } = reducedShapes(t.shape, attrs);
  const values = new Float64Array(numelOf(out));
  const seen = new Uint8Array(values.length);
  const src = t._data;
  forEachReduced(t.shape, kept, (i, o) => {
    if (!seen[o] || better(src[i], values[o])) {
      values[o] = src[i];
      seen[o] = 1;
    }
  });
  return { kept, out, values };
}

function amaxLike(name: "amax" | "amin", better: Better) {
  return defineOp<ReduceAttrs>({
    name,
    gradFnName: name === "amax" ? "AmaxBackward0" : "AminBackward0",
    forward: ([t], attrs) => {
      const { out, values } = extremeInto(t, attrs, better, name);
      const result = empty(out, t.dtype);
      result._data.set(values);
      return result;
    },
    // Ties share the gradient evenly (PyTorch's scale_grad_by_count).
    backward: ({ inputs: [x], output, attrs }, g) => {
      const { kept } = reducedShapes(x.shape, attrs);
      const mask = x.eq(output.reshape(kept));
      return [g.reshape(kept).div(mask.sum(attrs.dims, true)).mul(mask)];
    },
    saves: { inputs: [0], output: true },
  });
}

const amaxOp = amaxLike("amax", greater);
const aminOp = amaxLike("amin", less);

/** PyTorch's amax: dims default to all (an empty list too). */
function amaxAttrs(t: Tensor, dim: number | number[] | null | undefined, keepdim: boolean): ReduceAttrs {
  const dims = dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0) ? null : dim;
  return reduceAttrs(t, dims, keepdim);
}

export function amax(t: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return apply(amaxOp, [t], amaxAttrs(t, dim, keepdim));
}

export function amin(t: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return apply(aminOp, [t], amaxAttrs(t, dim, keepdim));
}

interface ArgAttrs {
  dim: number | null;
  keepdim: boolean;
}

function argExtreme(name: "argmax" | "argmin", better: Better) {
  return defineOp<ArgAttrs>({
    name,
    gradFnName: "None",
    differentiable: false,
    forward: ([t], { dim, keepdim }) => {
      const flat = dim === null;
      const shape = flat ? [t.numel()] : t.shape;
      const d = flat ? 0 : dim;
      if (t.numel() === 0 && flat) throw new IndexError(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
      const size = shape.length ? shape[d] : 1;
      if (size === 0) throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
      const outer = numelOf(shape.slice(0, d));
      const inner = numelOf(shape.slice(d + 1));
      const outShape = flat ? (keepdim ? t.shape.map(() => 1) : []) : keepdim ? t.shape.map((s, i) => (i === d ? 1 : s)) : t.shape.filter((_, i) => i !== d);
      const out = empty(outShape, "int64");
      const src = t._data;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * size * inner + i;
          let best = src[base];
          let at = 0;
          for (let k = 1; k < size && best === best; k++) {
            const v = src[base + k * inner];
            if (better(v, best)) {
              best = v;
              at = k;
            }
          }
          out._data[o * inner + i] = at;
        }
      }
      return out;
    },
    backward: () => [null],
  });
}

const argmaxOp = argExtreme("argmax", greater);
const argminOp = argExtreme("argmin", less);

export function argmax(t: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (t.dtype === "bool") refuse("argmax_cpu", t.dtype);
  return apply(argmaxOp, [t], { dim: dim === undefined || dim === null ? null : normalizeDim(dim, t.ndim), keepdim });
}

export function argmin(t: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (t.dtype === "bool") refuse("argmin_cpu", t.dtype);
  return apply(argminOp, [t], { dim: dim === undefined || dim === null ? null : normalizeDim(dim, t.ndim), keepdim });
}

/** PyTorch 1.13 has no derivative for aminmax: the node is recorded, and backward through it fails. */
const aminmaxOp = defineMultiOp<ReduceAttrs>({
  name: "aminmax",
  gradFnName: "NotImplemented",
  forward: ([t], attrs) => {
    if (t.numel() === 0) throw new RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
    const lo = extremeInto(t, attrs, less, "aminmax");
    const hi = extremeInto(t, attrs, greater, "aminmax");
    const min = empty(lo.out, t.dtype);
    const max = empty(hi.out.slice(), t.dtype);
    min._data.set(lo.values);
    max._data.set(hi.values);
    return [min, max];
  },
  backward: () => {
    throw new RuntimeError("derivative for aten::aminmax is not implemented");
  },
});

export function aminmax(t: Tensor, options: { dim?: number | null; keepdim?: boolean } = {}): MinMax {
  const dim = options.dim ?? null;
  const [min, max] = applyMulti(aminmaxOp, [t], reduceAttrs(t, dim === null ? null : normalizeDim(dim, t.ndim), options.keepdim ?? false));
  return new MinMax(min, max);
}

declare module "../tensor" {
  interface Tensor {
    max(other: Tensor): Tensor;
    min(other: Tensor): Tensor;
    amax(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    amin(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    aminmax(options?: { dim?: number | null; keepdim?: boolean }): MinMax;
  }
}

addMethods({
  // `x.max(other)` is the elementwise maximum in PyTorch; `x.max()` and `x.max(dim)` stay reduce.ts's.
  max(this: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
    if (dimOrOther instanceof Tensor) return maximum(this, dimOrOther);
    return dimOrOther === undefined ? maxAll(this) : maxDim(this, dimOrOther, keepdim);
  },
  min(this: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
    if (dimOrOther instanceof Tensor) return minimum(this, dimOrOther);
    return dimOrOther === undefined ? minAll(this) : minDim(this, dimOrOther, keepdim);
  },
  amax(this: Tensor, dim?: number | number[] | null, keepdim = false) {
    return amax(this, dim, keepdim);
  },
  amin(this: Tensor, dim?: number | number[] | null, keepdim = false) {
    return amin(this, dim, keepdim);
  },
  argmax(this: Tensor, dim?: number | null, keepdim = false) {
    return argmax(this, dim, keepdim);
  },
  argmin(this: Tensor, dim?: number | null, keepdim = false) {
    return argmin(this, dim, keepdim);
  },
  aminmax(this: Tensor, options?: { dim?: number | null; keepdim?: boolean }) {
    return aminmax(this, options);
  },
});
