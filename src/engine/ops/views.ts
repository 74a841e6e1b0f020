/**
 * Shape ops. Those that only relabel the shape (view, reshape, squeeze, unsqueeze, flatten) share the input's
 * storage, as PyTorch's views do, so an in-place write through one is seen through the other. Those that move
 * elements (transpose, permute, expand) copy: every tensor here is contiguous.
 */
import { castScalar, type DataArray, type DType } from "../dtype";
import { RuntimeError } from "../errors";
import { broadcastCopy } from "../kernels/elementwise";
import { checkShape, contiguousStrides, normalizeDim, numelOf, sameShape } from "../shape";
import { Tensor, type ShapeArgs } from "../tensor";
import { apply, defineOp } from "./op";
import { empty } from "./operands";

interface ViewAttrs {
  shape: number[];
  /** PyTorch's grad_fn name, which depends on the call that made the view. */
  gradFnName: string;
}

const viewOp = defineOp<ViewAttrs>({
  name: "view",
  gradFnName: (a) => a.gradFnName,
  forward: ([t], { shape }) => new Tensor(t._storage, shape, t.dtype),
  backward: ({ inputs: [x] }, g) => [g.reshape(x.shape)],
});

/** @internal A view of `t` with another shape of the same size. */
export function viewAs(t: Tensor, shape: number[], gradFnName: string): Tensor {
  return apply(viewOp, [t], { shape, gradFnName });
}

function unpackShape(args: ShapeArgs): unknown[] {
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

export function reshape(t: Tensor, args: ShapeArgs, kind: "reshape" | "view"): Tensor {
  const shape = inferShape(unpackShape(args), t.numel());
  if (kind === "reshape" && sameShape(shape, t.shape)) return t;
  return viewAs(t, shape, kind === "view" ? "ViewBackward0" : "ReshapeAliasBackward0");
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, t.ndim + 1);
  const shape = t.shape.slice();
  shape.splice(d, 0, 1);
  return viewAs(t, shape, "UnsqueezeBackward0");
}

export function squeeze(t: Tensor, dim?: number): Tensor {
  if (dim === undefined) return viewAs(t, t.shape.filter((d) => d !== 1), "SqueezeBackward0");
  const d = normalizeDim(dim, t.ndim);
  const shape = t.ndim === 0 || t.shape[d] !== 1 ? t.shape.slice() : t.shape.filter((_, i) => i !== d);
  return viewAs(t, shape, "SqueezeBackward1");
}

export function flatten(t: Tensor, startDim: number, endDim: number): Tensor {
  if (t.ndim === 0) return viewAs(t, [1], "ReshapeAliasBackward0");
  const s = normalizeDim(startDim, t.ndim);
  const e = normalizeDim(endDim, t.ndim);
  if (s > e) throw new RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return t;
  const shape = [...t.shape.slice(0, s), numelOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)];
  return viewAs(t, shape, "ReshapeAliasBackward0");
}

// ---- ops that move elements ----

interface PermuteAttrs {
  dims: number[];
  gradFnName: string;
}

/** Swaps the last two dims in tiles, so both the reads and the writes stay within a few cache lines. */
function transposeLastTwo(src: DataArray, dst: DataArray, batch: number, rows: number, cols: number): void {
  const TILE = 32;
  for (let b = 0; b < batch; b++) {
    const base = b * rows * cols;
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const iEnd = Math.min(i0 + TILE, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const jEnd = Math.min(j0 + TILE, cols);
        for (let i = i0; i < iEnd; i++) {
          for (let j = j0; j < jEnd; j++) dst[base + j * rows + i] = src[base + i * cols + j];
        }
      }
    }
  }
}

function permuteData(t: Tensor, dims: readonly number[]): Tensor {
  const shape = dims.map((d) => t.shape[d]);
  const out = empty(shape, t.dtype);
  const nd = dims.length;
  if (nd >= 2 && dims[nd - 1] === nd - 2 && dims[nd - 2] === nd - 1 && dims.slice(0, -2).every((d, i) => d === i)) {
    transposeLastTwo(t._data, out._data, numelOf(t.shape.slice(0, -2)), t.shape[nd - 2], t.shape[nd - 1]);
    return out;
  }
  const srcStrides = contiguousStrides(t.shape);
  const strides = dims.map((d) => srcStrides[d]);
  const src = t._data;
  const dst = out._data;
  const index = new Array<number>(nd).fill(0);
  let p = 0;
  for (let i = 0; i < dst.length; i++) {
    dst[i] = src[p];
    for (let d = nd - 1; d >= 0; d--) {
      index[d]++;
      p += strides[d];
      if (index[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

function inversePermutation(dims: readonly number[]): number[] {
  const inv = new Array<number>(dims.length);
  dims.forEach((d, i) => (inv[d] = i));
  return inv;
}

const permuteOp = defineOp<PermuteAttrs>({
  name: "permute",
  gradFnName: (a) => a.gradFnName,
  forward: ([t], { dims }) => permuteData(t, dims),
  backward: ({ attrs: { dims } }, g) => [g.permute(inversePermutation(dims))],
});

export function permute(t: Tensor, args: ShapeArgs): Tensor {
  const raw = unpackShape(args);
  if (raw.length !== t.ndim) {
    throw new RuntimeError(`number of dims don't match in permute (the tensor has ${t.ndim}, the order given has ${raw.length})`);
  }
  const dims = raw.map((d) => normalizeDim(d as number, t.ndim));
  if (new Set(dims).size !== dims.length) throw new RuntimeError("permute(): duplicate dims are not allowed.");
  return apply(permuteOp, [t], { dims, gradFnName: "PermuteBackward0" });
}

export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  if (t.ndim === 0) return t;
  const a = normalizeDim(dim0, t.ndim);
  const b = normalizeDim(dim1, t.ndim);
  const dims = t.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return apply(permuteOp, [t], { dims, gradFnName: "TransposeBackward0" });
}

export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  if (x.ndim < 2) return x;
  return apply(permuteOp, [x], { dims: [1, 0], gradFnName: "TBackward0" });
}

export function reverseDims(x: Tensor): Tensor {
  if (x.ndim < 2) return x;
  return apply(permuteOp, [x], { dims: x.shape.map((_, i) => x.ndim - 1 - i), gradFnName: "PermuteBackward0" });
}

const expandOp = defineOp<number[]>({
  name: "expand",
  gradFnName: "ExpandBackward0",
  forward: ([t], shape) => {
    const out = empty(shape, t.dtype);
    broadcastCopy(t._data, t.shape, out._data, shape);
    return out;
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

const cloneOp = defineOp({
  name: "clone",
  gradFnName: "CloneBackward0",
  forward: ([t]) => {
    const out = empty(t.shape.slice(), t.dtype);
    out._data.set(t._data);
    return out;
  },
  backward: (_, g) => [g],
});

export function clone(t: Tensor): Tensor {
  return apply(cloneOp, [t], undefined);
}

const castOp = defineOp<DType>({
  name: "cast",
  gradFnName: "ToCopyBackward0",
  forward: ([t], dtype) => {
    const out = empty(t.shape.slice(), dtype);
    const src = t._data;
    for (let i = 0; i < src.length; i++) out._data[i] = castScalar(dtype, src[i]);
    return out;
  },
  backward: ({ inputs: [x] }, g) => [g.to(x.dtype)],
});

export function cast(t: Tensor, dtype: DType): Tensor {
  if (dtype === t.dtype) return t;
  return apply(castOp, [t], dtype);
}
