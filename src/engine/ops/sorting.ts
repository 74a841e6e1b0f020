/**
 * Ops that order the elements of each line along a dim: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode.
 * NaN orders above every number, as in PyTorch. Gradients flow to the picked elements (value_selecting_reduction_backward).
 */
import { RuntimeError } from "../errors";
import { normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { around, pickedBackward } from "./along_dim";
import { apply, defineOp } from "./op";
import { empty } from "./operands";
import { refuse } from "./pointwise_op";
import { ValuesIndices } from "./return_types";

type Compare = (a: number, b: number) => number;
const ascending: Compare = (a, b) => (a !== a ? (b !== b ? 0 : 1) : b !== b ? -1 : a - b);
const descending: Compare = (a, b) => ascending(b, a);

interface Line {
  values: number[];
  /** Writes element k of the output line (of `outSize` elements) with its value and index. */
  write(k: number, value: number, index: number): void;
}

/** Visits every line of t along dim, with a writer into outputs whose size along dim is `outSize`. */
function forEachLine(t: Tensor, dim: number, outSize: number, values: Tensor, indices: Tensor, visit: (line: Line) => void): void {
  const shape = t.ndim === 0 ? [1] : t.shape;
  const { outer, size, inner } = around(shape, t.ndim === 0 ? 0 : dim);
  const src = t._data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const line: number[] = new Array<number>(size);
      for (let k = 0; k < size; k++) line[k] = src[(o * size + k) * inner + i];
      visit({
        values: line,
        write: (k, value, index) => {
          const at = (o * outSize + k) * inner + i;
          values._data[at] = value;
          indices._data[at] = index;
        },
      });
    }
  }
}

function order(line: number[], compare: Compare): number[] {
  return line.map((_, k) => k).sort((a, b) => compare(line[a], line[b]));
}

interface PickAttrs {
  dim: number;
  keepdim: boolean;
  indices: Tensor;
  /** Set once the first forward has filled `indices` (the tensor the user holds, and what backward reads): a replay
   * of the graph (numerical checks) computes its picks into a scratch tensor instead. */
  picked?: boolean;
}

/** One op per PyTorch function: forward picks (computing indices too), backward scatters into the picked places. */
function pickingOp(name: string, gradFnName: string, pick: (t: Tensor, dim: number, indices: Tensor) => Tensor) {
  return defineOp<PickAttrs>({
    name,
    gradFnName,
    forward: ([t], attrs) => {
      const indices = attrs.picked ? empty(attrs.indices.shape.slice(), "int64") : attrs.indices;
      attrs.picked = true;
      return pick(t, attrs.dim, indices);
    },
    backward: ({ inputs: [x], attrs: { dim, keepdim, indices } }, g) => [pickedBackward(g, dim, indices, keepdim, x.shape.slice())],
  });
}

function shapeWith(t: Tensor, dim: number, size: number): number[] {
  return t.ndim === 0 ? [] : t.shape.map((s, i) => (i === dim ? size : s));
}

interface SortOptions {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
}

const sortOps = new Map<string, ReturnType<typeof pickingOp>>();
/** The `stable` keyword picks PyTorch's sort.stable overload (SortBackward1); ties keep their order either way. */
function sortOp(desc: boolean, stable: boolean) {
  const key = `${desc}/${stable}`;
  let op = sortOps.get(key);
  if (!op) {
    op = pickingOp("sort", stable ? "SortBackward1" : "SortBackward0", (t, dim, indices) => {
      const values = empty(t.shape.slice(), t.dtype);
      forEachLine(t, dim, t.ndim === 0 ? 1 : t.shape[dim], values, indices, (line) => {
        order(line.values, desc ? descending : ascending).forEach((k, j) => line.write(j, line.values[k], k));
      });
      return values;
    });
    sortOps.set(key, op);
  }
  return op;
}

/** `x.sort(dim = -1, descending = false)`, or `x.sort({dim, descending, stable})`; ties keep their order. */
export function sort(t: Tensor, dim: number | SortOptions = -1, desc = false): ValuesIndices {
  const options: SortOptions = typeof dim === "object" ? dim : { dim, descending: desc };
  const d = normalizeDim(options.dim ?? -1, t.ndim);
  const indices = empty(t.shape.slice(), "int64");
  const values = apply(sortOp(options.descending ?? false, options.stable !== undefined), [t], { dim: d, keepdim: true, indices });
  return new ValuesIndices(values, indices, "sort");
}

export function argsort(t: Tensor, dim: number | SortOptions = -1, desc = false): Tensor {
  return sort(t, dim, desc).indices;
}

/** Sorted along the first dim (values only). */
export function msort(t: Tensor): Tensor {
  return sort(t, 0).values;
}

interface TopkOptions {
  largest: boolean;
  sorted: boolean;
}

const topkOps = new Map<string, ReturnType<typeof pickingOp>>();
function topkOp(k: number, { largest }: TopkOptions) {
  const key = `${k}/${largest}`;
  let op = topkOps.get(key);
  if (!op) {
    op = pickingOp("topk", "TopkBackward0", (t, dim, indices) => {
      const values = empty(shapeWith(t, dim, k), t.dtype);
      forEachLine(t, dim, k, values, indices, (line) => {
        order(line.values, largest ? descending : ascending)
          .slice(0, k)
          .forEach((at, j) => line.write(j, line.values[at], at));
      });
      return values;
    });
    topkOps.set(key, op);
  }
  return op;
}

/** The k largest (or smallest) elements along dim, sorted. */
export function topk(t: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  if (t.dtype === "bool") refuse("topk_cpu", t.dtype);
  const d = normalizeDim(dim, t.ndim);
  const size = t.ndim === 0 ? 1 : t.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size) throw new RuntimeError("selected index k out of range");
  const indices = empty(shapeWith(t, d, k), "int64");
  const values = apply(topkOp(k, { largest, sorted }), [t], { dim: d, keepdim: true, indices });
  return new ValuesIndices(values, indices, "topk");
}

/** Picks the element at sorted position `position(line)` of each line; its shape loses dim unless keepdim. */
function selectionOp(name: string, gradFnName: string, position: (sorted: number[], line: number[]) => number) {
  return pickingOp(name, gradFnName, (t, dim, indices) => {
    const values = empty(indices.shape.slice(), t.dtype);
    const kept = shapeWith(t, dim, 1);
    const v = empty(kept, t.dtype);
    const ix = empty(kept.slice(), "int64");
    forEachLine(t, dim, 1, v, ix, (line) => {
      const sorted = order(line.values, ascending);
      const at = sorted[position(sorted, line.values)];
      line.write(0, line.values[at], at);
    });
    values._data.set(v._data);
    indices._data.set(ix._data);
    return values;
  });
}

function reducedShape(t: Tensor, dim: number, keepdim: boolean): number[] {
  if (t.ndim === 0) return [];
  return keepdim ? shapeWith(t, dim, 1) : t.shape.filter((_, i) => i !== dim);
}

const kthOps = new Map<number, ReturnType<typeof pickingOp>>();

/** The k-th smallest element along dim (k from 1). */
export function kthvalue(t: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  if (t.dtype === "bool") refuse("kthvalue_cpu", t.dtype);
  const d = normalizeDim(dim, t.ndim);
  const size = t.ndim === 0 ? 1 : t.shape[d];
  if (!Number.isInteger(k) || k < 1 || k > size) throw new RuntimeError(`kthvalue(): selected number k out of range for dimension ${d}`);
  let op = kthOps.get(k);
  if (!op) kthOps.set(k, (op = selectionOp("kthvalue", "KthvalueBackward0", () => k - 1)));
  const indices = empty(reducedShape(t, d, keepdim), "int64");
  return new ValuesIndices(apply(op, [t], { dim: d, keepdim, indices }), indices, "kthvalue");
}

/** The lower median: position ⌊(n − 1)/2⌋ of the sorted line; a line holding NaN gives its (first) NaN. */
function medianPosition(ignoreNaN: boolean) {
  return (sorted: number[], line: number[]): number => {
    const numbers = ignoreNaN ? sorted.filter((k) => line[k] === line[k]).length : sorted.length;
    if (!ignoreNaN && numbers !== sorted.filter((k) => line[k] === line[k]).length) return sorted.findIndex((k) => line[k] !== line[k]);
    return numbers === 0 ? 0 : Math.floor((numbers - 1) / 2);
  };
}

const medianDimOp = selectionOp("median", "MedianBackward1", medianPosition(false));
const nanmedianDimOp = selectionOp("nanmedian", "NanmedianBackward1", medianPosition(true));

/** Over all elements: the value only, whose gradient ties share (PyTorch's evenly_distribute_backward). */
function medianAllOp(name: string, gradFnName: string, ignoreNaN: boolean) {
  return defineOp({
    name,
    gradFnName,
    forward: ([t]) => {
      const flat = Array.from(t._data);
      const sorted = order(flat, ascending);
      const out = empty([], t.dtype);
      out._data[0] = flat.length === 0 ? NaN : flat[sorted[medianPosition(ignoreNaN)(sorted, flat)]];
      return out;
    },
    backward: ({ inputs: [x], output }, g) => {
      const mask = output._data[0] !== output._data[0] ? x.ne(x) : x.eq(output);
      return [mask.mul(g.div(mask.sum()))];
    },
    saves: { inputs: [0], output: true },
  });
}

const medianAll = medianAllOp("median", "MedianBackward0", false);
const nanmedianAll = medianAllOp("nanmedian", "NanmedianBackward0", true);

export function median(t: Tensor): Tensor;
export function median(t: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(t: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (t.dtype === "bool") refuse("median_cpu", t.dtype);
  if (dim === undefined) return apply(medianAll, [t], undefined);
  const d = normalizeDim(dim, t.ndim);
  const indices = empty(reducedShape(t, d, keepdim), "int64");
  return new ValuesIndices(apply(medianDimOp, [t], { dim: d, keepdim, indices }), indices, "median");
}

export function nanmedian(t: Tensor): Tensor;
export function nanmedian(t: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function nanmedian(t: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return apply(nanmedianAll, [t], undefined);
  const d = normalizeDim(dim, t.ndim);
  const indices = empty(reducedShape(t, d, keepdim), "int64");
  return new ValuesIndices(apply(nanmedianDimOp, [t], { dim: d, keepdim, indices }), indices, "nanmedian");
}

/** The most frequent value of each line (the smallest among equally frequent ones), with the index of its last
 * occurrence. */
const modeOp = pickingOp("mode", "ModeBackward0", (t, dim, indices) => {
  const values = empty(indices.shape.slice(), t.dtype);
  const kept = shapeWith(t, dim, 1);
  const v = empty(kept, t.dtype);
  const ix = empty(kept.slice(), "int64");
  forEachLine(t, dim, 1, v, ix, (line) => {
    const sorted = order(line.values, ascending);
    let best = 0;
    let bestCount = 0;
    for (let s = 0; s < sorted.length; ) {
      let e = s;
      while (e < sorted.length && line.values[sorted[e]] === line.values[sorted[s]]) e++;
      if (e === s) e = s + 1;
      if (e - s > bestCount) {
        bestCount = e - s;
        best = s;
      }
      s = e;
    }
    const value = line.values[sorted[best]];
    line.write(0, value, line.values.lastIndexOf(value));
  });
  values._data.set(v._data);
  indices._data.set(ix._data);
  return values;
});

export function mode(t: Tensor, dim = -1, keepdim = false): ValuesIndices {
  const d = normalizeDim(dim, t.ndim);
  const indices = empty(reducedShape(t, d, keepdim), "int64");
  return new ValuesIndices(apply(modeOp, [t], { dim: d, keepdim, indices }), indices, "mode");
}

declare module "../tensor" {
  interface Tensor {
    sort(dim?: number | SortOptions, descending?: boolean): ValuesIndices;
    argsort(dim?: number | SortOptions, descending?: boolean): Tensor;
    msort(): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
    kthvalue(k: number, dim?: number, keepdim?: boolean): ValuesIndices;
    median(): Tensor;
    median(dim: number, keepdim?: boolean): ValuesIndices;
    nanmedian(): Tensor;
    nanmedian(dim: number, keepdim?: boolean): ValuesIndices;
    mode(dim?: number, keepdim?: boolean): ValuesIndices;
  }
}

addMethods({
  sort(this: Tensor, dim?: number | SortOptions, desc?: boolean) {
    return sort(this, dim, desc);
  },
  argsort(this: Tensor, dim?: number | SortOptions, desc?: boolean) {
    return argsort(this, dim, desc);
  },
  msort(this: Tensor) {
    return msort(this);
  },
  topk(this: Tensor, k: number, dim?: number, largest?: boolean, sorted?: boolean) {
    return topk(this, k, dim, largest, sorted);
  },
  kthvalue(this: Tensor, k: number, dim?: number, keepdim?: boolean) {
    return kthvalue(this, k, dim, keepdim);
  },
  median(this: Tensor, dim?: number, keepdim?: boolean) {
    return dim === undefined ? median(this) : median(this, dim, keepdim);
  },
  nanmedian(this: Tensor, dim?: number, keepdim?: boolean) {
    return dim === undefined ? nanmedian(this) : nanmedian(this, dim, keepdim);
  },
  mode(this: Tensor, dim?: number, keepdim?: boolean) {
    return mode(this, dim, keepdim);
  },
});
