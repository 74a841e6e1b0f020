/**
 * Reading and writing along a dim at positions an index tensor gives, element by element: gather, scatter (a source
 * tensor or a value, optionally reduced), scatterAdd, and take (positions in the flattened tensor). gather's gradient
 * is a scatterAdd of the output's gradient, and the scatters' gradients gather it back, so double backward works.
 */
import { castScalar } from "../dtype";
import { IndexError, RuntimeError } from "../errors";

import { contiguousStrides, formatShape, normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { indexAdd } from "./index_select";
import { indexTensor, requireTensor } from "./index_args";
import { inplace } from "./inplace";
import { apply, defineOp, type OpDef } from "./op";
import { describeValue, empty } from "./operands";
import { reshape, view } from "./views";

/** PyTorch's ensure_nonempty: a 0-dim tensor counts as 1-D of size 1 here. */
function nonEmptyShape(shape: readonly number[]): number[] {
  return shape.length === 0 ? [1] : shape.slice();
}

/**
 * Visits each element k of `index` (row-major) with `at`, where its value points in a row-major tensor of `selfShape`
 * (the index's coordinates, with the value along `dim`), and `other`, the index's coordinates in one of
 * `otherShape`. Values out of range throw PyTorch's message.
 */
function forEachIndexed(
  index: Tensor,
  dim: number,
  selfShape: readonly number[],
  otherShape: readonly number[],
  visit: (k: number, at: number, other: number) => void,
): void {
  const shape = nonEmptyShape(index.shape);
  const selfSizes = nonEmptyShape(selfShape);
  const selfStrides = contiguousStrides(selfSizes);
  const otherStrides = contiguousStrides(nonEmptyShape(otherShape));
  const values = index._data;
  const nd = shape.length;
  const coords = new Array<number>(nd).fill(0);
  const size = selfSizes[dim];
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v < 0 || v >= size) throw new RuntimeError(`index ${v} is out of bounds for dimension ${dim} with size ${size}`);
    let at = v * selfStrides[dim];
    let other = 0;
    for (let d = 0; d < nd; d++) {
      if (d !== dim) at += coords[d] * selfStrides[d];
      other += coords[d] * otherStrides[d];
    }
    visit(k, at, other);
    for (let d = nd - 1; d >= 0; d--) {
      if (++coords[d] < shape[d]) break;
      coords[d] = 0;
    }
  }
}

/** Where along a dim: the index is an attribute, not an input (it gets no gradient; PyTorch's graph has no edge to
 * it). */
interface AlongDim {
  dim: number;
  index: Tensor;
}

const gatherOp: OpDef<AlongDim> = defineOp<AlongDim>({
  name: "gather",
  gradFnName: "GatherBackward0",
  forward: ([self], { dim, index }) => {
    const out = empty(index.shape.slice(), self.dtype);
    const src = self._data;
    const dst = out._data;
    forEachIndexed(index, dim, self.shape, index.shape, (k, at) => (dst[k] = src[at]));
    return out;
  },
  backward: ({ inputs: [self], attrs }, g) => [apply(scatterAddOp, [empty(self.shape.slice(), g.dtype), g], attrs)],
});

function sameRank(a: Tensor, b: Tensor): boolean {
  return Math.max(a.ndim, 1) === Math.max(b.ndim, 1);
}

/** index.size(d) <= self.size(d) for every d but dim (and <= src.size(d) for every d), as scatter and gather check. */
function fitsWithin(index: Tensor, dim: number, self: Tensor, src: Tensor | null): boolean {
  if (index.numel() === 0) return true;
  const idx = nonEmptyShape(index.shape);
  const s = nonEmptyShape(self.shape);
  const o = src ? nonEmptyShape(src.shape) : null;
  return idx.every((n, d) => (d === dim || n <= s[d]) && (o === null || n <= (o[d] ?? 1)));
}

/** `torch.gather(input, dim, index)`: out[i][j] = input[index[i][j]][j] for dim 0, and so on. */
export function gather(t: Tensor, dim: number, index: Tensor): Tensor {
  const idx = indexTensor(index, "gather(): index", () => new RuntimeError("gather(): Expected dtype int64 for index"));
  const d = normalizeDim(dim, t.ndim);
  if (idx.numel() > 0) {
    if (!sameRank(idx, t)) throw new RuntimeError("Index tensor must have the same number of dimensions as input tensor");
    const s = nonEmptyShape(t.shape);
    nonEmptyShape(idx.shape).forEach((n, k) => {
      if (k !== d && n > s[k]) {
        throw new RuntimeError(`Size does not match at dimension ${k} expected index ${formatShape(idx.shape)} to be smaller than self ${formatShape(t.shape)} apart from dimension ${d}`);
      }
    });
  }
  return apply(gatherOp, [t], { dim: d, index: idx });
}

// ---- scatter ----

export type ScatterReduce = "add" | "multiply";

interface ScatterAttrs extends AlongDim {
  reduce: ScatterReduce | null;
}

interface ScatterValueAttrs extends ScatterAttrs {
  value: number;
}

function combine(reduce: ScatterReduce | null): (old: number, v: number) => number {
  if (reduce === "add") return (old, v) => old + v;
  if (reduce === "multiply") return (old, v) => old * v;
  return (_, v) => v;
}

/** self's values, then `valueAt(other)` written (or combined) at each position the index points to. */
function scatterInto(self: Tensor, index: Tensor, dim: number, otherShape: readonly number[], reduce: ScatterReduce | null, valueAt: (other: number) => number): Tensor {
  const out = empty(self.shape.slice(), self.dtype);
  const dst = out._data;
  dst.set(self._data);
  const f = combine(reduce);
  forEachIndexed(index, dim, self.shape, otherShape, (_, at, other) => (dst[at] = f(dst[at], valueAt(other))));
  return out;
}

/** PyTorch has no derivative for scatter with `reduce`: backward through it fails. */
function noReduceDerivative(): never {
  throw new RuntimeError("derivative for aten::scatter is not implemented");
}

const scatterOp = defineOp<ScatterAttrs>({
  name: "scatter",
  gradFnName: (a) => (a.reduce ? "NotImplemented" : "ScatterBackward0"),
  forward: ([self, src], { dim, index, reduce }) => {
    const values = src._data;
    return scatterInto(self, index, dim, src.shape, reduce, (other) => values[other]);
  },
  backward: ({ attrs: { dim, index, reduce }, needsInputGrad: [dSelf, dSrc] }, g) => {
    if (reduce) noReduceDerivative();
    return [dSelf ? scatterValue(g, dim, index, 0, null) : null, dSrc ? apply(gatherOp, [g], { dim, index }) : null];
  },
});

const scatterValueOp = defineOp<ScatterValueAttrs>({
  name: "scatterValue",
  gradFnName: (a) => (a.reduce ? "NotImplemented" : "ScatterBackward1"),
  forward: ([self], { dim, index, reduce, value }) => {
    const v = castScalar(self.dtype, value);
    return scatterInto(self, index, dim, index.shape, reduce, () => v);
  },
  backward: ({ attrs: { dim, index, reduce } }, g) => {
    if (reduce) noReduceDerivative();
    return [scatterValue(g, dim, index, 0, null)];
  },
});

const scatterAddOp: OpDef<AlongDim> = defineOp<AlongDim>({
  name: "scatterAdd",
  gradFnName: "ScatterAddBackward0",
  forward: ([self, src], { dim, index }) => {
    const values = src._data;
    return scatterInto(self, index, dim, src.shape, "add", (other) => values[other]);
  },
  backward: ({ attrs, needsInputGrad: [dSelf, dSrc] }, g) => [dSelf ? g : null, dSrc ? apply(gatherOp, [g], attrs) : null],
});

function scatterValue(t: Tensor, dim: number, index: Tensor, value: number, reduce: ScatterReduce | null): Tensor {
  return apply(scatterValueOp, [t], { dim, index, reduce, value });
}

/** What scatter and scatterAdd check, in PyTorch's order; returns the index as int64 and the wrapped dim. */
function checkScatter(t: Tensor, dim: number, index: Tensor, src: Tensor | null): { idx: Tensor; d: number } {
  const d = normalizeDim(dim, t.ndim);
  const idx = indexTensor(index, "scatter(): index", () => new RuntimeError("scatter(): Expected dtype int64 for index"));
  if (src && src.dtype !== t.dtype) throw new RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype");
  if (idx.numel() > 0) {
    if (!sameRank(idx, t)) throw new RuntimeError("Index tensor must have the same number of dimensions as self tensor");
    if (src && !sameRank(idx, src)) throw new RuntimeError("Index tensor must have the same number of dimensions as src tensor");
    if (!fitsWithin(idx, d, t, src)) {
      const tail = src ? ` and to be smaller size than src ${formatShape(src.shape)}` : "";
      throw new RuntimeError(`Expected index ${formatShape(idx.shape)} to be smaller than self ${formatShape(t.shape)} apart from dimension ${d}${tail}`);
    }
  }
  return { idx, d };
}

function checkReduce(reduce: unknown): ScatterReduce | null {
  if (reduce === undefined || reduce === null) return null;
  if (reduce !== "add" && reduce !== "multiply") throw new RuntimeError("reduce argument must be either add or multiply.");
  return reduce;
}

export interface ScatterOptions {
  /** Combine with the value already there instead of replacing it (PyTorch's `reduce=`); not differentiable. */
  reduce?: ScatterReduce;
}

/** `torch.scatter(input, dim, index, src)`: out[index[i][j]][j] = src[i][j] for dim 0 (src may be a number). */
export function scatter(t: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean, options: ScatterOptions = {}): Tensor {
  const reduce = checkReduce(options.reduce);
  if (src instanceof Tensor) {
    const { idx, d } = checkScatter(t, dim, index, src);
    return apply(scatterOp, [t, src], { dim: d, index: idx, reduce });
  }
  if (typeof src !== "number" && typeof src !== "boolean") throw new TypeError(`scatter(): src must be a Tensor or a number, but got ${describeValue(src)}`);
  const { idx, d } = checkScatter(t, dim, index, null);
  return scatterValue(t, d, idx, Number(src), reduce);
}

export function scatter_<T extends Tensor>(t: T, dim: number, index: Tensor, src: Tensor | number | boolean, options: ScatterOptions = {}): T {
  return inplace(t, (self) => scatter(self, dim, index, src, options), src instanceof Tensor ? [src] : []);
}

/** `torch.scatter_add(input, dim, index, src)`: like scatter, but every value is added (repeated indices sum). */
export function scatterAdd(t: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const s = requireTensor(src, "scatterAdd(): src");
  const { idx, d } = checkScatter(t, dim, index, s);
  return apply(scatterAddOp, [t, s], { dim: d, index: idx });
}

export function scatterAdd_<T extends Tensor>(t: T, dim: number, index: Tensor, src: Tensor): T {
  return inplace(t, (self) => scatterAdd(self, dim, index, src), [src]);
}

// ---- take ----

/** Flat positions, negative ones counted from the end, checked against `numel`. */
function flatPositions(index: Tensor, numel: number): Float64Array {
  return Float64Array.from(index._data, (v) => {
    if (v < -numel || v >= numel) throw new IndexError(`out of range: tried to access index ${v} on a tensor of ${numel} elements.`);
    return v < 0 ? v + numel : v;
  });
}

const takeOp = defineOp<Tensor>({
  name: "take",
  gradFnName: "TakeBackward0",
  forward: ([self], index) => {
    const positions = flatPositions(index, self.numel());
    const out = empty(index.shape.slice(), self.dtype);
    const src = self._data;
    const dst = out._data;
    for (let k = 0; k < dst.length; k++) dst[k] = src[positions[k]];
    return out;
  },
  backward: ({ inputs: [self], attrs: index }, g) => {
    const positions = Tensor.fromData(flatPositions(index, self.numel()), [index.numel()], "int64");
    const flat = indexAdd(empty([self.numel()], g.dtype), 0, positions, reshape(g, [[-1]]));
    return [view(flat, [self.shape.slice()])];
  },
});

/** `torch.take(input, index)`: the elements at flat positions of input (row-major), in index's shape. */
export function take(t: Tensor, index: Tensor): Tensor {
  const idx = indexTensor(index, "take(): index", (dtype) => new RuntimeError(`take(): Expected a long tensor for index, but got ${dtype === "bool" ? "Bool" : dtype === "float64" ? "Double" : "Float"}`));
  return apply(takeOp, [t], idx);
}

declare module "../tensor" {
  interface Tensor {
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number | boolean, options?: ScatterOptions): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number | boolean, options?: ScatterOptions): this;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): this;
    take(index: Tensor): Tensor;
  }
}

addMethods({
  gather(this: Tensor, dim: number, index: Tensor) {
    return gather(this, dim, index);
  },
  scatter(this: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean, options?: ScatterOptions) {
    return scatter(this, dim, index, src, options);
  },
  scatter_(this: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean, options?: ScatterOptions) {
    return scatter_(this, dim, index, src, options);
  },
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor) {
    return scatterAdd(this, dim, index, src);
  },
  scatterAdd_(this: Tensor, dim: number, index: Tensor, src: Tensor) {
    return scatterAdd_(this, dim, index, src);
  },
  take(this: Tensor, index: Tensor) {
    return take(this, index);
  },
});
