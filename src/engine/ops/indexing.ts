/**
 * Python's `x[...]` and `x[...] = v`, spelled as libtorch's C++ API spells them (TypeScript cannot overload `[]`):
 * `x.index([0, Slice(1, null, 2), None, Ellipsis, idx, mask])` and `x.indexPut_([...], v, accumulate)`. Basic entries
 * (integers, slices, None, Ellipsis) make views; tensors, arrays and masks then index the rest (IndexBackward0,
 * IndexPutBackward0), with PyTorch's placement of the indexed dims and its messages.
 */
import { allocate } from "../dtype";
import { IndexError } from "../errors";
import { broadcastCopy } from "../kernels/elementwise";
import { note } from "../recorder";
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import { planIndex } from "./index_kernels";
import { checkNoOverlap, copy_, inplace } from "./inplace";
import { apply, defineOp, type OpDef } from "./op";
import { empty, operand } from "./operands";
import { select, slice as sliceDim } from "./slicing";
import { alias, unsqueeze } from "./views";

/** One `start:stop:step` entry; null bounds are Python's omitted ones. */
export class SliceIndex {
  constructor(
    readonly start: number | null = null,
    readonly stop: number | null = null,
    readonly step: number | null = null,
  ) {}

  toString(): string {
    return `slice(${this.start}, ${this.stop}, ${this.step})`;
  }
}

/** `Slice(1, 3)` is Python's `1:3`; `Slice()` is `:`. */
export function Slice(start: number | null = null, stop: number | null = null, step: number | null = null): SliceIndex {
  return new SliceIndex(start, stop, step);
}

/** Python's `...`. */
export const Ellipsis: unique symbol = Symbol("Ellipsis");
/** Python's `None` (a new dim of size 1); `null` means the same. */
export const None = null;

type NestedIndex = number | boolean | NestedIndex[];
export type IndexEntry = number | boolean | null | SliceIndex | typeof Ellipsis | Tensor | NestedIndex[] | string;
export type Indices = IndexEntry | readonly IndexEntry[];

/** Parses one entry of Python's syntax: `1`, `-1`, `:`, `1:`, `::2`, `None`, `...`, `True`. */
function parseEntry(text: string): IndexEntry {
  const s = text.trim();
  if (s === "...") return Ellipsis;
  if (s === "None") return null;
  if (s === "True" || s === "False") return s === "True";
  if (/^-?\d+$/.test(s)) return Number(s);
  const parts = s.split(":");
  if (parts.length >= 2 && parts.length <= 3 && parts.every((p) => /^\s*(-?\d+)?\s*$/.test(p))) {
    const num = (p: string | undefined) => (p === undefined || p.trim() === "" ? null : Number(p));
    return new SliceIndex(num(parts[0]), num(parts[1]), num(parts[2]));
  }
  throw new IndexError(`cannot read ${JSON.stringify(text)} as an index: expected an integer, a slice such as 1:3 or ::2, None, ... , True or False`);
}

/**
 * A 0-dim index tensor is a number to PyTorch (applySelect: `x[i]` with `i = Xb[k, j]` is a view, so `dC[ix] +=
 * demb[k, j]` writes into dC), and a 0-dim bool tensor is a bool; a floating one holding a whole number is read as an
 * integer, as index tensors are (the Trace says so).
 */
function scalarEntry(t: Tensor): IndexEntry {
  const v = t._data[0];
  if (t.dtype === "bool") return v !== 0;
  if (t.dtype !== "int64") {
    if (!Number.isInteger(v)) return t; // PyTorch's message, from the advanced-index path
    note(`a 0-dim index tensor of dtype ${t.dtype} was used as the integer ${v} (PyTorch would require int64)`);
  }
  return v;
}

function normalizeEntries(indices: Indices): IndexEntry[] {
  if (typeof indices === "string") return indices.trim() === "" ? [] : indices.split(",").map(parseEntry);
  const list = Array.isArray(indices) ? (indices as IndexEntry[]) : [indices as IndexEntry];
  return list.map((e) => (typeof e === "string" ? parseEntry(e) : e instanceof Tensor && e.ndim === 0 ? scalarEntry(e) : e));
}

/** An advanced index as an int64 tensor (or a bool mask), from a tensor or a (nested) array. */
function indexTensorOf(entry: Tensor | NestedIndex[]): Tensor {
  if (entry instanceof Tensor) {
    if (entry.dtype === "int64" || entry.dtype === "bool") return entry;
    const values = entry._data;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isInteger(values[i])) throw new IndexError("tensors used as indices must be long, byte or bool tensors");
    }
    note(`an index tensor of dtype ${entry.dtype} was used as integer indices: its values are all whole numbers (PyTorch would require int64, as torch.arange(n) gives)`);
    return entry.to("int64");
  }
  const flat = (entry as unknown[]).flat(Infinity) as Array<number | boolean>;
  const isBool = flat.length > 0 && flat.every((v) => typeof v === "boolean");
  if (!isBool && !flat.every((v) => typeof v === "number" && Number.isInteger(v))) {
    throw new IndexError("tensors used as indices must be long, byte or bool tensors");
  }
  const shape: number[] = [];
  for (let level: unknown = entry; Array.isArray(level); level = level[0]) shape.push(level.length);
  const t = Tensor.fromData(isBool ? Uint8Array.from(flat, Number) : Float64Array.from(flat, Number), shape, isBool ? "bool" : "int64");
  return t;
}

/** A bool mask over dims [dim, dim + mask.ndim) as one int64 index tensor per masked dim (its nonzero positions). */
function maskToIndices(mask: Tensor, shape: readonly number[], dim: number): Tensor[] {
  mask.shape.forEach((size, i) => {
    if (shape[dim + i] !== size) {
      throw new IndexError(`The shape of the mask [${mask.shape.join(", ")}] at index ${i} does not match the shape of the indexed tensor [${shape.join(", ")}] at index ${dim + i}`);
    }
  });
  const values = mask._data;
  const hits: number[] = [];
  for (let k = 0; k < values.length; k++) if (values[k]) hits.push(k);
  return mask.shape.map((_, i) => {
    const inner = mask.shape.slice(i + 1).reduce((a, b) => a * b, 1);
    return Tensor.fromData(Float64Array.from(hits, (k) => Math.floor(k / inner) % mask.shape[i]), [hits.length], "int64");
  });
}

interface Sliced {
  view: Tensor;
  /** Per dim of `view`: the int64 tensor that indexes it, or null. */
  indices: Array<Tensor | null>;
}

/** The basic part of an index applied as views, and the advanced part collected per dim (PyTorch's applySlicing). */
function applySlicing(t: Tensor, entries: IndexEntry[]): Sliced {
  const specified = entries.reduce<number>((n, e) => {
    if (e === null || e === Ellipsis || typeof e === "boolean") return n;
    if (e instanceof Tensor && e.dtype === "bool") return n + e.ndim;
    return n + 1;
  }, 0);
  if (specified > t.ndim) throw new IndexError(`too many indices for tensor of dimension ${t.ndim}`);
  if (entries.filter((e) => e === Ellipsis).length > 1) throw new IndexError("an index can only have a single ellipsis ('...')");
  let view = t;
  let dim = 0;
  // The dim of t an entry reaches, for messages: an integer removes a dim from the view but not from t.
  let realDim = 0;
  const advanced: Array<Tensor | null> = [];
  const setIndex = (d: number, idx: Tensor) => {
    while (advanced.length < d) advanced.push(null);
    advanced[d] = idx;
  };
  for (const entry of entries) {
    if (typeof entry === "number") {
      if (view.ndim === 0) throw new IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
      const size = view.shape[dim];
      if (!Number.isInteger(entry)) throw new IndexError(`only integers, slices (\`:\`), ellipsis (\`...\`), None and long or byte Variables are valid indices (got ${entry})`);
      if (entry < -size || entry >= size) throw new IndexError(`index ${entry} is out of bounds for dimension ${realDim} with size ${size}`);
      view = select(view, dim, entry);
      realDim++;
    } else if (entry instanceof SliceIndex) {
      if (entry.step === 0) throw new RangeError("slice step cannot be zero");
      if (entry.step !== null && entry.step < 0) throw new RangeError("step must be greater than zero");
      view = sliceDim(view, dim, entry.start, entry.stop, entry.step ?? 1);
      dim++;
      realDim++;
    } else if (entry === null) {
      view = unsqueeze(view, dim);
      dim++;
    } else if (entry === Ellipsis) {
      dim += t.ndim - specified;
      realDim += t.ndim - specified;
    } else if (typeof entry === "boolean") {
      view = unsqueeze(view, dim);
      setIndex(dim, Tensor.fromData(Uint8Array.of(entry ? 1 : 0), [1], "bool"));
      dim++;
    } else {
      const idx = indexTensorOf(entry as Tensor | NestedIndex[]);
      if (idx.dtype === "bool") {
        maskToIndices(idx, view.shape, dim).forEach((ix, i) => setIndex(dim + i, ix));
        dim += idx.ndim;
        realDim += idx.ndim;
      } else {
        setIndex(dim, idx);
        dim++;
        realDim++;
      }
    }
  }
  while (advanced.length < view.ndim) advanced.push(null);
  // A remaining bool scalar entry became a [1] mask over a new dim: make it an int index like the others.
  const indices = advanced.map((ix, d) => (ix && ix.dtype === "bool" ? maskToIndices(ix, view.shape, d)[0] : ix));
  return { view, indices };
}

interface IndexAttrs {
  /** The dim each index tensor (inputs 1...) indexes; the source has `ndim` dims. */
  dims: number[];
  ndim: number;
}

function indicesOf(inputs: readonly Tensor[], { dims, ndim }: IndexAttrs, first: number): Array<Tensor | null> {
  const out = new Array<Tensor | null>(ndim).fill(null);
  dims.forEach((d, i) => (out[d] = inputs[first + i]));
  return out;
}

const indexOp = defineOp<IndexAttrs>({
  name: "index",
  gradFnName: "IndexBackward0",
  forward: ([self, ...rest], attrs) => {
    const plan = planIndex(self.shape, indicesOf([self, ...rest], attrs, 1));
    const out = empty(plan.shape, self.dtype);
    const src = self._data;
    const dst = out._data;
    for (let k = 0; k < dst.length; k++) dst[k] = src[plan.positions[k]];
    return out;
  },
  backward: ({ inputs: [self, ...rest], attrs }, g) => [
    apply(indexPutOp, [empty(self.shape.slice(), g.dtype), g, ...rest], { ...attrs, accumulate: true }),
    ...rest.map(() => null),
  ],
});

interface IndexPutAttrs extends IndexAttrs {
  accumulate: boolean;
}

const indexPutOp: OpDef<IndexPutAttrs> = defineOp<IndexPutAttrs>({
  name: "indexPut",
  gradFnName: "IndexPutBackward0",
  forward: ([self, values, ...rest], attrs) => {
    const plan = planIndex(self.shape, indicesOf([self, ...rest], attrs, 1));
    const out = empty(self.shape.slice(), self.dtype);
    out._data.set(self._data);
    const v = allocate(self.dtype, plan.positions.length);
    broadcastCopy(values._data, values.shape, v, plan.shape);
    const dst = out._data;
    if (attrs.accumulate) for (let k = 0; k < v.length; k++) dst[plan.positions[k]] += v[k];
    else for (let k = 0; k < v.length; k++) dst[plan.positions[k]] = v[k];
    return out;
  },
  backward: ({ inputs: [, values, ...rest], attrs, needsInputGrad: [dSelf, dValues] }, g) => [
    dSelf ? (attrs.accumulate ? g : apply(indexPutOp, [g, empty([], g.dtype), ...rest], attrs)) : null,
    dValues ? apply(indexOp, [g, ...rest], attrs).to(values.dtype) : null,
    ...rest.map(() => null),
  ],
});

/** `x[indices]`. */
export function index(t: Tensor, indices: Indices): Tensor {
  const { view, indices: per } = applySlicing(t, normalizeEntries(indices));
  const dims = per.flatMap((ix, d) => (ix ? [d] : []));
  if (dims.length === 0) return view === t ? apply(aliasOp, [t], undefined) : view;
  return apply(indexOp, [view, ...dims.map((d) => per[d]!)], { dims, ndim: view.ndim });
}

/** `x[indices] = values` (or `+=` with accumulate), in place: PyTorch's `index_put_` and `__setitem__`. */
export function indexPut_<T extends Tensor>(t: T, indices: Indices, values: TensorOrScalar | boolean, accumulate = false): T {
  const { view, indices: per } = applySlicing(t, normalizeEntries(indices));
  const v = operand(values);
  const dims = per.flatMap((ix, d) => (ix ? [d] : []));
  if (dims.length === 0) {
    if (accumulate) inplace(view, (self) => self.add(v), [v]);
    else copy_(view, v);
    return t;
  }
  checkNoOverlap(view, [v], false);
  inplace(view, (self) => apply(indexPutOp, [self, v.dtype === view.dtype ? v : v.to(view.dtype), ...dims.map((d) => per[d]!)], { dims, ndim: view.ndim, accumulate }), [v]);
  return t;
}

/** `x[...]`: the same values, a new tensor (PyTorch's alias). */
const aliasOp = defineOp({
  name: "alias",
  gradFnName: "AliasBackward0",
  view: true,
  forward: ([t]) => alias(t, t.shape.slice(), t._strides.slice(), t._offset),
  backward: (_, g) => [g],
});

declare module "../tensor" {
  interface Tensor {
    /** Python's `x[...]`: `x.index([0, Slice(1, null, 2), None, Ellipsis, idx, mask])`, or `x.index("1:, ::2")`. */
    index(indices: Indices): Tensor;
    /** Python's `x[...] = values` (`accumulate`: `x[...] += values` with repeated indices summed). */
    indexPut_(indices: Indices, values: TensorOrScalar | boolean, accumulate?: boolean): this;
    /** An out-of-place `indexPut_`. */
    indexPut(indices: Indices, values: TensorOrScalar | boolean, accumulate?: boolean): Tensor;
  }
}

addMethods({
  index(this: Tensor, indices: Indices) {
    return index(this, indices);
  },
  indexPut_(this: Tensor, indices: Indices, values: TensorOrScalar | boolean, accumulate = false) {
    return indexPut_(this, indices, values, accumulate);
  },
  indexPut(this: Tensor, indices: Indices, values: TensorOrScalar | boolean, accumulate = false) {
    return indexPut_(this.clone(), indices, values, accumulate);
  },
});
