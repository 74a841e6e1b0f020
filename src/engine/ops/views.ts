/**
 * View ops that relabel a tensor's elements without moving them: view/reshape and friends, permute/transpose,
 * expand, squeeze/unsqueeze, detach. Each returns a tensor over the same storage with other sizes and strides (and
 * shares the version counter), as PyTorch's views do; `apply` makes it a view of its input's base. Views that pick
 * elements (select, slice, diagonal, split...) are in slicing.ts.
 */
import { RuntimeError } from "../errors";
import { recorder } from "../recorder";
import { checkShape, normalizeDim, numelOf, sameShape } from "../shape";
import { Tensor, addMethods, type ShapeArgs } from "../tensor";
import { cloneContiguous } from "./copy";
import { apply, defineOp } from "./op";

/** A tensor over `t`'s storage with another geometry. */
export function alias(t: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  return new Tensor(t._storage, shape, t.dtype, strides, offset);
}

// ---- reshaping views ----

interface ReshapeAttrs {
  shape: number[];
  /** PyTorch's grad_fn name, which depends on the call that made the view. */
  gradFnName: string;
  /** squeeze and unsqueeze keep the other dims' strides and give a new dim its own, whatever the layout (which
   * matters for tensors with no elements, whose strides reshape would otherwise choose). */
  insert?: number;
  remove?: number[];
}

/**
 * Strides that let a tensor of `shape`/`strides` be seen with `newShape` without copying, or null when the new
 * dimensions would cut across a gap of the old layout (ATen's computeStride, re-derived: walk the old dims from the
 * last, grouping runs that are contiguous with each other, and lay the new dims over each run).
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = numelOf(shape);
  const out = new Array<number>(newShape.length);
  if (numel === 0 || shape.length === 0) {
    if (numel === 0 && sameShape(shape, newShape)) return strides.slice();
    let s = 1;
    for (let i = newShape.length - 1; i >= 0; i--) {
      out[i] = s;
      s *= Math.max(newShape[i], 1);
    }
    return out;
  }
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    const runEnds = d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase);
    if (!runEnds) continue;
    while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
      out[viewD] = viewNumel * chunkBase;
      viewNumel *= newShape[viewD];
      viewD--;
    }
    if (viewNumel !== tensorNumel) return null;
    if (d > 0) {
      chunkBase = strides[d - 1];
      tensorNumel = 1;
      viewNumel = 1;
    }
  }
  return viewD === -1 ? out : null;
}

const reshapeViewOp = defineOp<ReshapeAttrs>({
  name: "view",
  gradFnName: (a) => a.gradFnName,
  view: true,
  forward: ([t], { shape, insert, remove }) => {
    if (insert !== undefined) {
      const strides = t._strides.slice();
      strides.splice(insert, 0, insert >= t.ndim ? 1 : t.shape[insert] * t._strides[insert]);
      return alias(t, shape.slice(), strides, t._offset);
    }
    if (remove !== undefined) return alias(t, shape.slice(), t._strides.filter((_, i) => !remove.includes(i)), t._offset);
    const strides = viewStrides(t.shape, t._strides, shape);
    // Replays (numerical checks) run on fresh contiguous values, which always allow the view.
    if (strides === null) throw new RuntimeError(VIEW_INCOMPATIBLE);
    return alias(t, shape.slice(), strides, t._offset);
  },
  // As PyTorch's formulas: unsqueeze's gradient is a squeeze (SqueezeBackward1), squeeze's an unsqueeze of each
  // removed dim (UnsqueezeBackward0; none removed: the gradient itself), a view's a reshape.
  backward: ({ inputs: [x], attrs: { insert, remove } }, g) => {
    if (insert !== undefined) return [g.squeeze(insert)];
    if (remove !== undefined) return [remove.reduce((t, d) => t.unsqueeze(d), g)];
    return [g.reshape(x.shape)];
  },
});

const VIEW_INCOMPATIBLE =
  "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.";

/** The result of reshaping a copy: not a view of anything (PyTorch's `_unsafe_view`). */
const unsafeViewOp = defineOp<number[]>({
  name: "unsafeView",
  gradFnName: "UnsafeViewBackward0",
  forward: ([t], shape) => new Tensor(t._storage, shape.slice(), t.dtype, viewStrides(t.shape, t._strides, shape) ?? undefined, t._offset),
  backward: ({ inputs: [x] }, g) => [g.reshape(x.shape)],
});

/** @internal `t` seen with another shape of the same size: a view when the strides allow, else a view of a
 * contiguous copy. `UnsafeViewBackward0` marks a result PyTorch does not count as a view. */
export function viewAs(t: Tensor, shape: number[], gradFnName: string): Tensor {
  if (viewStrides(t.shape, t._strides, shape) === null) t = contiguous(t);
  if (gradFnName === "UnsafeViewBackward0") return apply(unsafeViewOp, [t], shape);
  return apply(reshapeViewOp, [t], { shape, gradFnName });
}

export function unpackShape(args: ShapeArgs): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly unknown[])] : (args as unknown[]);
}

/** Resolves a -1 in a requested shape, with PyTorch's messages. */
export function inferShape(requested: unknown[], numel: number): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < requested.length; i++) {
    const d = requested[i];
    if (d === -1) {
      if (infer >= 0) throw new RuntimeError("only one dimension can be inferred");
      infer = i;
    } else if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new RuntimeError(`invalid shape dimension ${String(d)} at index ${i} of [${requested.map(String).join(", ")}]`);
    } else known *= d;
  }
  const shape = requested as number[];
  const invalid = () => new RuntimeError(`shape '[${requested.join(", ")}]' is invalid for input of size ${numel}`);
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) throw invalid();
    const out = shape.slice();
    out[infer] = numel / known;
    return out;
  }
  if (known !== numel) throw invalid();
  return shape.slice();
}

export function view(t: Tensor, args: ShapeArgs): Tensor {
  const shape = inferShape(unpackShape(args), t.numel());
  if (viewStrides(t.shape, t._strides, shape) === null) throw new RuntimeError(VIEW_INCOMPATIBLE);
  return apply(reshapeViewOp, [t], { shape, gradFnName: "ViewBackward0" });
}

/** reshape: a view when the strides allow (PyTorch's `_reshape_alias`), else a contiguous copy reshaped. */
export function reshape(t: Tensor, args: ShapeArgs): Tensor {
  return reshapeTo(t, inferShape(unpackShape(args), t.numel()));
}

function reshapeTo(t: Tensor, shape: number[]): Tensor {
  if (viewStrides(t.shape, t._strides, shape) !== null) return apply(reshapeViewOp, [t], { shape, gradFnName: "ReshapeAliasBackward0" });
  return apply(unsafeViewOp, [cloneContiguous(t)], shape);
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, t.ndim + 1);
  const shape = t.shape.slice();
  shape.splice(d, 0, 1);
  return apply(reshapeViewOp, [t], { shape, gradFnName: "UnsqueezeBackward0", insert: d });
}

export function squeeze(t: Tensor, dim?: number): Tensor {
  if (dim === undefined) {
    const remove = t.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    return apply(reshapeViewOp, [t], { shape: t.shape.filter((d) => d !== 1), gradFnName: "SqueezeBackward0", remove });
  }
  const d = normalizeDim(dim, t.ndim);
  const remove = t.ndim === 0 || t.shape[d] !== 1 ? [] : [d];
  return apply(reshapeViewOp, [t], { shape: t.shape.filter((_, i) => !remove.includes(i)), gradFnName: "SqueezeBackward1", remove });
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.ndim === 0) return reshapeTo(t, [1]);
  const s = normalizeDim(startDim, t.ndim);
  const e = normalizeDim(endDim, t.ndim);
  if (s > e) throw new RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return t;
  return reshapeTo(t, [...t.shape.slice(0, s), numelOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)]);
}

export function unflatten(t: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const inner = inferShape([...sizes], t.shape[d]);
  if (numelOf(inner) !== t.shape[d]) {
    throw new RuntimeError(`unflatten: Provided sizes [${sizes.join(", ")}] don't multiply up to the size of dim ${dim} (${t.shape[d]}) in the input tensor`);
  }
  return view(t, [[...t.shape.slice(0, d), ...inner, ...t.shape.slice(d + 1)]]);
}

// ---- permuting views ----

interface PermuteAttrs {
  dims: number[];
  gradFnName: string;
}

function inversePermutation(dims: readonly number[]): number[] {
  const inv = new Array<number>(dims.length);
  dims.forEach((d, i) => (inv[d] = i));
  return inv;
}

const permuteOp = defineOp<PermuteAttrs>({
  name: "permute",
  gradFnName: (a) => a.gradFnName,
  view: true,
  forward: ([t], { dims }) => alias(t, dims.map((d) => t.shape[d]), dims.map((d) => t._strides[d]), t._offset),
  backward: ({ attrs: { dims } }, g) => [g.permute(inversePermutation(dims))],
});

export function permute(t: Tensor, args: ShapeArgs): Tensor {
  const raw = unpackShape(args);
  if (raw.length !== t.ndim) {
    throw new RuntimeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${t.ndim} is not equal to len(dims) = ${raw.length}`);
  }
  const dims = raw.map((d) => normalizeDim(d as number, t.ndim));
  if (new Set(dims).size !== dims.length) throw new RuntimeError("permute(): duplicate dims are not allowed.");
  return apply(permuteOp, [t], { dims, gradFnName: "PermuteBackward0" });
}

function swapped(ndim: number, a: number, b: number): number[] {
  const dims = Array.from({ length: ndim }, (_, i) => i);
  if (ndim === 0) return dims;
  dims[a] = b;
  dims[b] = a;
  return dims;
}

export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, t.ndim);
  const b = normalizeDim(dim1, t.ndim);
  return apply(permuteOp, [t], { dims: swapped(t.ndim, a, b), gradFnName: "TransposeBackward0" });
}

export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  return apply(permuteOp, [x], { dims: x.ndim === 2 ? [1, 0] : x.shape.map((_, i) => i), gradFnName: "TBackward0" });
}

/** `x.T`: all dims reversed. */
export function reverseDims(x: Tensor): Tensor {
  return apply(permuteOp, [x], { dims: x.shape.map((_, i) => x.ndim - 1 - i), gradFnName: "PermuteBackward0" });
}

/** `x.mT`: the last two dims swapped (a batch of matrices transposed). */
export function matrixTranspose(x: Tensor): Tensor {
  if (x.ndim < 2) throw new RuntimeError(`tensor.mT is only supported on matrices or batches of matrices. Got ${x.ndim}-D tensor.`);
  return transpose(x, -2, -1);
}

export function movedim(t: Tensor, source: number | number[], destination: number | number[]): Tensor {
  const src = (Array.isArray(source) ? source : [source]).map((d) => normalizeDim(d, t.ndim));
  const dst = (Array.isArray(destination) ? destination : [destination]).map((d) => normalizeDim(d, t.ndim));
  if (src.length !== dst.length) {
    throw new RuntimeError(`movedim: Invalid source or destination dims: source (${JSON.stringify(source)} dims) should contain the same number of dims as destination (${JSON.stringify(destination)} dims)`);
  }
  const dims = new Array<number>(t.ndim).fill(-1);
  src.forEach((s, i) => (dims[dst[i]] = s));
  const rest = t.shape.map((_, i) => i).filter((i) => !src.includes(i));
  for (let i = 0, k = 0; i < dims.length; i++) if (dims[i] === -1) dims[i] = rest[k++];
  return apply(permuteOp, [t], { dims, gradFnName: "PermuteBackward0" });
}

// ---- expanding views ----

const expandOp = defineOp<number[]>({
  name: "expand",
  gradFnName: "ExpandBackward0",
  view: true,
  forward: ([t], shape) => {
    const lead = shape.length - t.ndim;
    const strides = shape.map((d, i) => (i < lead || (t.shape[i - lead] === 1 && d !== 1) ? 0 : t._strides[i - lead]));
    return alias(t, shape.slice(), strides, t._offset);
  },
  backward: ({ inputs: [x] }, g) => [sumTo(g, x.shape)],
});

export function expand(t: Tensor, args: ShapeArgs): Tensor {
  const raw = unpackShape(args);
  if (raw.length < t.ndim) {
    throw new RuntimeError(`expand(${t._describe()}, size=[${raw.join(", ")}]): the number of sizes provided (${raw.length}) must be greater or equal to the number of dimensions in the tensor (${t.ndim})`);
  }
  const offset = raw.length - t.ndim;
  const shape = raw.map((d, i) => {
    const own = i >= offset ? t.shape[i - offset] : 1;
    if (d === -1 && i >= offset) return own;
    checkShape([d], "expand");
    if (own !== 1 && own !== d) {
      throw new RuntimeError(`The expanded size of the tensor (${String(d)}) must match the existing size (${own}) at non-singleton dimension ${i}.  Target sizes: [${raw.join(", ")}].  Tensor sizes: [${t.shape.join(", ")}]`);
    }
    return d as number;
  });
  return apply(expandOp, [t], shape);
}

/** @internal expand to a shape already known to be valid. */
export function expandAlways(t: Tensor, shape: number[]): Tensor {
  return apply(expandOp, [t], shape);
}

/** Sums a gradient down to `shape` (the inverse of broadcasting), with differentiable ops. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  const summed = dims.length ? g.sum(dims, true) : g;
  return sameShape(summed.shape, shape) ? summed : summed.reshape([...shape]);
}

// ---- detach, contiguous ----

/** A new leaf sharing this tensor's values and version counter, cut from the graph (not a view autograd tracks). */
export function detach(t: Tensor): Tensor {
  const d = alias(t, t.shape, t._strides, t._offset);
  recorder.current?.onCut?.(t, "detach");
  if (recorder.current) recorder.current.onTensor(d);
  return d;
}

/** `t` itself when contiguous, else a contiguous copy (CloneBackward0, as PyTorch records it). */
export function contiguous(t: Tensor): Tensor {
  return t._contiguous ? t : cloneContiguous(t);
}

declare module "../tensor" {
  interface Tensor {
    view(...shape: ShapeArgs): Tensor;
    reshape(...shape: ShapeArgs): Tensor;
    viewAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number): Tensor;
    permute(...dims: ShapeArgs): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    swapaxes(dim0: number, dim1: number): Tensor;
    swapdims(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    /** All dims reversed (PyTorch's `x.T`). */
    readonly T: Tensor;
    /** The last two dims swapped (PyTorch's `x.mT`). */
    readonly mT: Tensor;
    movedim(source: number | number[], destination: number | number[]): Tensor;
    moveaxis(source: number | number[], destination: number | number[]): Tensor;
    expand(...shape: ShapeArgs): Tensor;
    expandAs(other: Tensor): Tensor;
    broadcastTo(...shape: ShapeArgs): Tensor;
    /** A new leaf sharing this tensor's values, cut from the graph. */
    detach(): Tensor;
    contiguous(): Tensor;
  }
}

addMethods({
  view(this: Tensor, ...shape: ShapeArgs) {
    return view(this, shape);
  },
  reshape(this: Tensor, ...shape: ShapeArgs) {
    return reshape(this, shape);
  },
  viewAs(this: Tensor, other: Tensor) {
    return view(this, [other.shape]);
  },
  reshapeAs(this: Tensor, other: Tensor) {
    return reshape(this, [other.shape]);
  },
  flatten(this: Tensor, startDim = 0, endDim = -1) {
    return flatten(this, startDim, endDim);
  },
  unflatten(this: Tensor, dim: number, sizes: readonly number[]) {
    return unflatten(this, dim, sizes);
  },
  unsqueeze(this: Tensor, dim: number) {
    return unsqueeze(this, dim);
  },
  squeeze(this: Tensor, dim?: number) {
    return squeeze(this, dim);
  },
  permute(this: Tensor, ...dims: ShapeArgs) {
    return permute(this, dims);
  },
  transpose(this: Tensor, dim0: number, dim1: number) {
    return transpose(this, dim0, dim1);
  },
  swapaxes(this: Tensor, dim0: number, dim1: number) {
    return transpose(this, dim0, dim1);
  },
  swapdims(this: Tensor, dim0: number, dim1: number) {
    return transpose(this, dim0, dim1);
  },
  t(this: Tensor) {
    return t(this);
  },
  movedim(this: Tensor, source: number | number[], destination: number | number[]) {
    return movedim(this, source, destination);
  },
  moveaxis(this: Tensor, source: number | number[], destination: number | number[]) {
    return movedim(this, source, destination);
  },
  expand(this: Tensor, ...shape: ShapeArgs) {
    return expand(this, shape);
  },
  expandAs(this: Tensor, other: Tensor) {
    return expand(this, [other.shape]);
  },
  broadcastTo(this: Tensor, ...shape: ShapeArgs) {
    return expand(this, shape);
  },
  detach(this: Tensor) {
    return detach(this);
  },
  contiguous(this: Tensor) {
    return contiguous(this);
  },
});

Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    return reverseDims(this);
  },
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "mT", {
  get(this: Tensor) {
    return matrixTranspose(this);
  },
  configurable: true,
});
