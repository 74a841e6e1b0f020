/**
 * Joining tensors along a dim: cat (concat, concatenate) and stack, and NumPy's hstack, vstack, dstack and
 * columnStack built on cat. cat's gradient is the output's gradient narrowed back to each input's slab; stack's is
 * the gradient unbound along the new dim.
 */
import { type DType, resultType } from "../dtype";
import { RuntimeError } from "../errors";
import { formatShape, normalizeDim, sameShape } from "../shape";
import type { Tensor } from "../tensor";
import { dimLayout, requireTensor } from "./index_args";
import { apply, defineOp } from "./op";
import { empty } from "./operands";
import { narrow, unbind } from "./slicing";
import { reshape, unsqueeze } from "./views";

/** A 1-D tensor with no elements: cat passes over it whatever the other shapes are (PyTorch's legacy rule), though
 * its dtype still takes part in type promotion. */
function skipped(t: Tensor): boolean {
  return t.ndim === 1 && t.shape[0] === 0;
}

function promoted(tensors: readonly Tensor[]): DType {
  return resultType(tensors.map((t) => ({ dtype: t.dtype, wrappedNumber: false, ndim: t.ndim })));
}

/** Each part (row-major values of shape `shapes[i]`) copied into its slab of `out` along `dim`. */
function catValues(parts: readonly Tensor[], shapes: readonly number[][], dim: number, out: Tensor): void {
  const dst = out._data;
  const { outer, size, inner } = dimLayout(out.shape, dim);
  const row = size * inner;
  let at = 0;
  parts.forEach((part, i) => {
    const src = part._data;
    const block = dimLayout(shapes[i], dim).size * inner;
    for (let o = 0; o < outer; o++) dst.set(src.subarray(o * block, (o + 1) * block), o * row + at);
    at += block;
  });
}

const catOp = defineOp<number>({
  name: "cat",
  gradFnName: "CatBackward0",
  forward: (inputs, dim) => {
    const parts = inputs.filter((t) => !skipped(t));
    const dtype = promoted(inputs);
    if (parts.length === 0) return empty([0], dtype);
    const shape = parts[0].shape.slice();
    shape[dim] = parts.reduce((n, t) => n + t.shape[dim], 0);
    const out = empty(shape, dtype);
    catValues(parts, parts.map((t) => t.shape as number[]), dim, out);
    return out;
  },
  backward: ({ inputs, needsInputGrad, attrs: dim }, g) => {
    let offset = 0;
    return inputs.map((t, i) => {
      if (skipped(t)) return needsInputGrad[i] ? empty([0], g.dtype) : null;
      const at = offset;
      offset += t.shape[dim];
      return needsInputGrad[i] ? narrow(g, dim, at, t.shape[dim]) : null;
    });
  },
});

function tensorList(tensors: unknown, what: string): Tensor[] {
  if (!Array.isArray(tensors)) throw new TypeError(`${what}(): expected an array of Tensors as the first argument`);
  return tensors.map((t, i) => requireTensor(t, `${what}(): tensors[${i}]`));
}

/** `torch.cat(tensors, dim)`: the tensors joined along an existing dim. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = tensorList(tensors, "cat");
  if (list.length === 0) throw new RuntimeError("torch.cat(): expected a non-empty list of Tensors");
  list.forEach((t, i) => {
    if (t.ndim === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const first = list.find((t) => !skipped(t));
  if (first === undefined) return apply(catOp, list, 0);
  const d = normalizeDim(dim, first.ndim);
  list.forEach((t, i) => {
    if (skipped(t)) return;
    if (t.ndim !== first.ndim) throw new RuntimeError(`Tensors must have same number of dimensions: got ${first.ndim} and ${t.ndim}`);
    for (let k = 0; k < t.ndim; k++) {
      if (k !== d && t.shape[k] !== first.shape[k]) {
        throw new RuntimeError(`Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[k]} but got size ${t.shape[k]} for tensor number ${i} in the list.`);
      }
    }
  });
  return apply(catOp, list, d);
}

const stackOp = defineOp<number>({
  name: "stack",
  gradFnName: "StackBackward0",
  forward: (inputs, dim) => {
    const shapes = inputs.map((t) => [...t.shape.slice(0, dim), 1, ...t.shape.slice(dim)]);
    const shape = shapes[0].slice();
    shape[dim] = inputs.length;
    const out = empty(shape, promoted(inputs));
    catValues(inputs, shapes, dim, out);
    return out;
  },
  backward: ({ needsInputGrad, attrs: dim }, g) => {
    const pieces = unbind(g, dim);
    return pieces.map((p, i) => (needsInputGrad[i] ? p : null));
  },
});

/** `torch.stack(tensors, dim)`: tensors of one shape joined along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = tensorList(tensors, "stack");
  if (list.length === 0) throw new RuntimeError("stack expects a non-empty TensorList");
  const d = normalizeDim(dim, list[0].ndim + 1);
  list.forEach((t, i) => {
    if (!sameShape(t.shape, list[0].shape)) {
      throw new RuntimeError(`stack expects each tensor to be equal size, but got ${formatShape(list[0].shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`);
    }
  });
  return apply(stackOp, list, d);
}

function atLeast1d(t: Tensor): Tensor {
  return t.ndim === 0 ? reshape(t, [[1]]) : t;
}

function atLeast2d(t: Tensor): Tensor {
  if (t.ndim === 0) return reshape(t, [[1, 1]]);
  return t.ndim === 1 ? unsqueeze(t, 0) : t;
}

function atLeast3d(t: Tensor): Tensor {
  if (t.ndim === 0) return reshape(t, [[1, 1, 1]]);
  if (t.ndim === 1) return unsqueeze(unsqueeze(t, 0), -1);
  return t.ndim === 2 ? unsqueeze(t, -1) : t;
}

function nonEmpty(tensors: readonly Tensor[], what: string): Tensor[] {
  const list = tensorList(tensors, what);
  if (list.length === 0) throw new RuntimeError(`${what} expects a non-empty TensorList`);
  return list;
}

/** `torch.hstack`: 1-D tensors end to end, others joined along dim 1. */
export function hstack(tensors: readonly Tensor[]): Tensor {
  const list = nonEmpty(tensors, "hstack").map(atLeast1d);
  return cat(list, list[0].ndim === 1 ? 0 : 1);
}

/** `torch.vstack`: rows on top of each other (1-D tensors become rows). */
export function vstack(tensors: readonly Tensor[]): Tensor {
  return cat(nonEmpty(tensors, "vstack").map(atLeast2d), 0);
}

/** `torch.dstack`: joined along the third dim (made 3-D first). */
export function dstack(tensors: readonly Tensor[]): Tensor {
  return cat(nonEmpty(tensors, "dstack").map(atLeast3d), 2);
}

/** `torch.column_stack`: 0-D and 1-D tensors become columns, then everything is joined along dim 1. */
export function columnStack(tensors: readonly Tensor[]): Tensor {
  return cat(nonEmpty(tensors, "column_stack").map((t) => (t.ndim <= 1 ? reshape(t, [[t.numel(), 1]]) : t)), 1);
}

export { cat as concat, cat as concatenate };
