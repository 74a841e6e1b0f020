/**
 * Internal ops for the gradients of ops that pick elements along a dim (max/min with indices, sort, topk, kthvalue,
 * median, mode, cummax): `gatherAlong` reads x at given indices along a dim, `scatterAddAlong` adds values into zeros
 * at those indices. Each is the other's adjoint, so gradients of any order work. Their node names are PyTorch's for
 * gather and scatter_add (what a double backward of such an op shows in PyTorch's graph too).
 */
import { numelOf } from "../shape";
import type { Tensor } from "../tensor";
import { apply, defineOp } from "./op";
import { empty } from "./operands";

/** The outer × size × inner decomposition of a shape around `dim`. */
export function around(shape: readonly number[], dim: number): { outer: number; size: number; inner: number } {
  return { outer: numelOf(shape.slice(0, dim)), size: shape[dim] ?? 1, inner: numelOf(shape.slice(dim + 1)) };
}

interface AlongAttrs {
  dim: number;
  /** int64 indices along dim, of the picked shape (the source's shape with `picked` elements along dim). */
  indices: Tensor;
  /** The shape of the full tensor (the gather's source, the scatter's result). */
  fullShape: number[];
}

const gatherAlongOp = defineOp<AlongAttrs>({
  name: "gatherAlong",
  gradFnName: "GatherBackward0",
  forward: ([x], { dim, indices }) => {
    const out = empty(indices.shape.slice(), x.dtype);
    const { outer, size, inner } = around(x.shape, dim);
    const picked = indices.ndim === 0 ? 1 : indices.shape[dim];
    const src = x._data;
    const idx = indices._data;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < picked; k++) {
        for (let i = 0; i < inner; i++) {
          const at = (o * picked + k) * inner + i;
          out._data[at] = src[(o * size + idx[at]) * inner + i];
        }
      }
    }
    return out;
  },
  backward: ({ attrs }, g) => [scatterAddAlong(g, attrs.dim, attrs.indices, attrs.fullShape)],
});

const scatterAddAlongOp = defineOp<AlongAttrs>({
  name: "scatterAddAlong",
  gradFnName: "ScatterAddBackward0",
  forward: ([g], { dim, indices, fullShape }) => {
    const out = empty(fullShape.slice(), g.dtype);
    const { outer, size, inner } = around(fullShape, dim);
    const picked = indices.ndim === 0 ? 1 : indices.shape[dim];
    const src = g._data;
    const idx = indices._data;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < picked; k++) {
        for (let i = 0; i < inner; i++) {
          const at = (o * picked + k) * inner + i;
          out._data[(o * size + idx[at]) * inner + i] += src[at];
        }
      }
    }
    return out;
  },
  backward: ({ attrs }, g) => [gatherAlong(g, attrs.dim, attrs.indices)],
});

export function gatherAlong(x: Tensor, dim: number, indices: Tensor): Tensor {
  return apply(gatherAlongOp, [x], { dim, indices, fullShape: x.shape.slice() });
}

/** Zeros of `fullShape` with `values` added at `indices` along `dim` (values and indices of the same shape). */
export function scatterAddAlong(values: Tensor, dim: number, indices: Tensor, fullShape: number[]): Tensor {
  return apply(scatterAddAlongOp, [values], { dim, indices, fullShape });
}

/** The gradient of an op that picked `indices` along `dim` (keepdim or not): PyTorch's value_selecting_reduction_backward. */
export function pickedBackward(g: Tensor, dim: number, indices: Tensor, keepdim: boolean, fullShape: number[]): Tensor {
  if (fullShape.length === 0) return g;
  const grad = keepdim ? g : g.unsqueeze(dim);
  const idx = keepdim ? indices : indices.unsqueeze(dim);
  return scatterAddAlong(grad, dim, idx, fullShape);
}

/** x reversed along dim, as a new tensor (no node: for use inside forwards). */
export function flipValues(x: Tensor, dim: number): Tensor {
  if (x.ndim === 0) return x;
  const out = empty(x.shape.slice(), x.dtype);
  const { outer, size, inner } = around(x.shape, dim);
  const src = x._data;
  const od = out._data;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      const from = (o * size + k) * inner;
      const to = (o * size + (size - 1 - k)) * inner;
      for (let i = 0; i < inner; i++) od[to + i] = src[from + i];
    }
  }
  return out;
}

const flipAlongOp = defineOp<number>({
  name: "flipAlong",
  gradFnName: "FlipBackward0",
  forward: ([x], dim) => flipValues(x, dim),
  backward: ({ attrs: dim }, g) => [flipAlong(g, dim)],
});

/** Reverses x along one dim (internal: the public flip is in the joining family). */
export function flipAlong(x: Tensor, dim: number): Tensor {
  return x.ndim === 0 ? x : apply(flipAlongOp, [x], dim);
}
