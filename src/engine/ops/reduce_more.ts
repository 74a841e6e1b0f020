/** More reductions: prod, logsumexp, nansum, nanmean. */
import { type DType, castScalar, isFloating } from "../dtype";
import type { FloatArray } from "../kernels/cascade_sum";
import { forEachReduced } from "../kernels/reduce";
import { logsumexpInto } from "../kernels/logsumexp";
import { prodInto } from "../kernels/reduce_stats";
import { normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { composite, apply, defineOp } from "./op";
import { empty } from "./operands";
import { type ReduceAttrs, reduceAttrs, reducedShapes } from "./reduce";

function integralAsLong(t: Tensor): DType {
  return isFloating(t.dtype) ? t.dtype : "int64";
}

/** The members of each reduced group: element indices, grouped by the output element they reduce into. */
function groupsOf(shape: readonly number[], attrs: ReduceAttrs): number[][] {
  const { kept } = reducedShapes(shape, attrs);
  const groups = new Map<number, number[]>();
  forEachReduced(shape, kept, (i, o) => {
    const members = groups.get(o);
    if (members) members.push(i);
    else groups.set(o, [i]);
  });
  return [...groups.values()];
}

/** Each element's product of the others in its group, by prefix and suffix products (exact with zeros). Its own
 * gradient, Σ_{i≠k} h_i·Π_{j∉{i,k}} x_j, makes prod's double backward right where x holds zeros. */
const productOfOthersOp = defineOp<ReduceAttrs>({
  name: "productOfOthers",
  gradFnName: "ProdBackwardBackward0",
  forward: ([x], attrs) => {
    const out = empty(x.shape.slice(), x.dtype);
    const src = x._data;
    for (const members of groupsOf(x.shape, attrs)) {
      let prefix = 1;
      for (const i of members) {
        out._data[i] = prefix;
        prefix *= src[i];
      }
      // As PyTorch's prod_safe_zeros_backward: both exclusive products (cumprod, accumulated in double) rounded to
      // the dtype before they multiply.
      let suffix = 1;
      for (let k = members.length - 1; k >= 0; k--) {
        out._data[members[k]] *= castScalar(x.dtype, suffix);
        suffix *= src[members[k]];
      }
    }
    return out;
  },
  backward: ({ inputs: [x], attrs }, h) => {
    const out = empty(x.shape.slice(), h.dtype);
    const xs = x._data;
    const hs = h._data;
    for (const members of groupsOf(x.shape, attrs)) {
      for (const k of members) {
        let total = 0;
        for (const i of members) {
          if (i === k) continue;
          let p = hs[i];
          for (const j of members) if (j !== i && j !== k) p *= xs[j];
          total += p;
        }
        out._data[k] = total;
      }
    }
    return [out];
  },
  saves: { inputs: [0] },
});

const prodOp = defineOp<ReduceAttrs>({
  name: "prod",
  gradFnName: (a) => (a.explicit ? "ProdBackward1" : "ProdBackward0"),
  forward: ([t], attrs) => {
    const { kept, out } = reducedShapes(t.shape, attrs);
    const result = empty(out, integralAsLong(t));
    // Floating types multiply in ATen's order (kernels/reduce_stats.ts), so float32 rounds as PyTorch's does.
    if (isFloating(t.dtype)) {
      prodInto(t._data as FloatArray, t.shape, attrs.dims, result._data as FloatArray);
      return result;
    }
    const acc = new Float64Array(result.numel()).fill(1);
    const src = t._data;
    forEachReduced(t.shape, kept, (i, o) => (acc[o] *= src[i]));
    result._data.set(acc);
    return result;
  },
  // PyTorch's prod_backward: grad·(result/x) when no element is zero; otherwise the product of the others.
  backward: ({ inputs: [x], output, attrs }, g) => {
    const { kept } = reducedShapes(x.shape, attrs);
    const grad = g.reshape(kept);
    if (!x._data.some((v) => v === 0)) return [grad.mul(output.reshape(kept).div(x))];
    return [grad.mul(apply(productOfOthersOp, [x], attrs))];
  },
  saves: { inputs: [0], output: true },
});

export function prod(t: Tensor, dim?: number | null, keepdim = false): Tensor {
  const d = dim === undefined || dim === null ? null : normalizeDim(dim, t.ndim);
  return apply(prodOp, [t], reduceAttrs(t, d, keepdim));
}

const logsumexpOp = defineOp<ReduceAttrs>({
  name: "logsumexp",
  gradFnName: "LogsumexpBackward0",
  forward: ([t], attrs) => {
    const { kept, out } = reducedShapes(t.shape, attrs);
    const result = empty(out, isFloating(t.dtype) ? t.dtype : "float32");
    // Floating types in ATen's order (kernels/logsumexp.ts), so float32 rounds as PyTorch's does.
    if (isFloating(t.dtype)) {
      logsumexpInto(t._data as FloatArray, t.shape, attrs.dims, result._data as FloatArray);
      return result;
    }
    const n = result.numel();
    const max = new Float64Array(n).fill(-Infinity);
    const src = t._data;
    forEachReduced(t.shape, kept, (i, o) => {
      if (src[i] > max[o] || src[i] !== src[i]) max[o] = src[i];
    });
    const sums = new Float64Array(n);
    // An infinite max is the result itself (shifting by it would give inf - inf).
    forEachReduced(t.shape, kept, (i, o) => (sums[o] += Number.isFinite(max[o]) ? Math.exp(src[i] - max[o]) : 0));
    for (let o = 0; o < n; o++) result._data[o] = Number.isFinite(max[o]) ? max[o] + Math.log(sums[o]) : max[o];
    return result;
  },
  backward: ({ inputs: [x], output, attrs }, g) => {
    const { kept } = reducedShapes(x.shape, attrs);
    return [g.reshape(kept).mul(x.sub(output.reshape(kept)).exp())];
  },
  saves: { inputs: [0], output: true },
});

/** log Σ exp(x) along dims, without overflow. */
export function logsumexp(t: Tensor, dim: number | number[], keepdim = false): Tensor {
  return apply(logsumexpOp, [t], reduceAttrs(t, dim, keepdim));
}

const nansumOp = defineOp<ReduceAttrs>({
  name: "nansum",
  gradFnName: "NansumBackward0",
  forward: ([t], attrs) => {
    const { kept, out } = reducedShapes(t.shape, attrs);
    const result = empty(out, integralAsLong(t));
    const acc = new Float64Array(result.numel());
    const src = t._data;
    forEachReduced(t.shape, kept, (i, o) => {
      if (src[i] === src[i]) acc[o] += src[i];
    });
    result._data.set(acc);
    return result;
  },
  backward: ({ inputs: [x], attrs }, g) => {
    const { kept } = reducedShapes(x.shape, attrs);
    return [g.reshape(kept).mul(x.eq(x))];
  },
  saves: { inputs: [0] },
});

export function nansum(t: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return apply(nansumOp, [t], reduceAttrs(t, dim ?? null, keepdim));
}

/** The mean of the non-NaN elements: nansum / count, composed as PyTorch composes it (DivBackward0). */
export function nanmean(t: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  const count = composite(() => t.eq(t).sum(dim ?? null, keepdim));
  return nansum(t, dim, keepdim).div(count);
}

declare module "../tensor" {
  interface Tensor {
    prod(dim?: number | null, keepdim?: boolean): Tensor;
    logsumexp(dim: number | number[], keepdim?: boolean): Tensor;
    nansum(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    nanmean(dim?: number | number[] | null, keepdim?: boolean): Tensor;
  }
}

addMethods({
  prod(this: Tensor, dim?: number | null, keepdim = false) {
    return prod(this, dim, keepdim);
  },
  logsumexp(this: Tensor, dim: number | number[], keepdim = false) {
    return logsumexp(this, dim, keepdim);
  },
  nansum(this: Tensor, dim?: number | number[] | null, keepdim = false) {
    return nansum(this, dim, keepdim);
  },
  nanmean(this: Tensor, dim?: number | number[] | null, keepdim = false) {
    return nanmean(this, dim, keepdim);
  },
});
