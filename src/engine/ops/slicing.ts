/**
 * Views that pick elements: select, slice/narrow, diagonal, unfold, as_strided, and the multi-output unbind/split/
 * chunk. Each is a map from the input's geometry to the view's; forward applies it to the input's real strides (no
 * copy), backward applies it to a row-major layout of the input's shape to know where each gradient element goes.
 */
import { IndexError, RuntimeError } from "../errors";
import { type Geometry } from "../kernels/strided";
import { contiguousStrides, normalizeDim, numelOf } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { apply, applyMulti, defineMultiOp, defineOp } from "./op";
import { empty } from "./operands";
import { type StridedMap, gatherValues, stridedScatterAdd, stridedScatterAddMany } from "./strided_grad";
import { alias } from "./views";

type GeometryMap = (g: Geometry) => Geometry;

function plainGeometry(shape: readonly number[]): Geometry {
  return { shape, strides: contiguousStrides(shape), offset: 0 };
}

function geometryOf(t: Tensor): Geometry {
  return { shape: t.shape, strides: t._strides, offset: t._offset };
}

/** Where the view's gradient goes in its input: the map applied to a row-major layout of the input. */
function logicalMap(inputShape: readonly number[], map: GeometryMap, gradFnName: string): StridedMap {
  const input = plainGeometry(inputShape);
  return { input, view: map(input), gatherName: "AsStridedBackward0", scatterName: gradFnName.replace(/Backward0$/, "BackwardBackward0") };
}

interface PickAttrs {
  map: GeometryMap;
  gradFnName: string;
}

const pickOp = defineOp<PickAttrs>({
  name: "pick",
  gradFnName: (a) => a.gradFnName,
  view: true,
  forward: ([t], { map }) => {
    const g = map(geometryOf(t));
    return alias(t, g.shape.slice(), g.strides.slice(), g.offset);
  },
  backward: ({ inputs: [x], attrs: { map, gradFnName } }, g) => [stridedScatterAdd(g, logicalMap(x.shape, map, gradFnName))],
});

function pick(t: Tensor, map: GeometryMap, gradFnName: string): Tensor {
  return apply(pickOp, [t], { map, gradFnName });
}

const without = <T>(a: readonly T[], i: number): T[] => a.filter((_, k) => k !== i);
const replaced = <T>(a: readonly T[], i: number, v: T): T[] => a.map((x, k) => (k === i ? v : x));

function selectMap(dim: number, index: number): GeometryMap {
  return (g) => ({ shape: without(g.shape, dim), strides: without(g.strides, dim), offset: g.offset + index * g.strides[dim] });
}

function sliceMap(dim: number, start: number, length: number, step: number): GeometryMap {
  return (g) => ({ shape: replaced(g.shape, dim, length), strides: replaced(g.strides, dim, g.strides[dim] * step), offset: g.offset + start * g.strides[dim] });
}

export function select(t: Tensor, dim: number, index: number): Tensor {
  if (t.ndim === 0) throw new IndexError("select() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, t.ndim);
  const size = t.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(`select(): index ${index} out of range for tensor of size [${t.shape.join(", ")}] at dimension ${d}`);
  }
  return pick(t, selectMap(d, index < 0 ? index + size : index), "SelectBackward0");
}

/** Python's slice semantics: missing or out-of-range bounds clamp, negative ones count from the end. */
export function slice(t: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
  if (t.ndim === 0) throw new IndexError("slice() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, t.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new RuntimeError("slice step must be positive");
  const size = t.shape[d];
  const clampBound = (v: number | null, fallback: number) => {
    if (v === null) return fallback;
    if (v < 0) v += size;
    return Math.min(Math.max(v, 0), size);
  };
  const s = clampBound(start, 0);
  const e = Math.max(clampBound(end, size), s);
  const length = Math.ceil((e - s) / step);
  return pick(t, sliceMap(d, s, length, step), "SliceBackward0");
}

export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  if (t.ndim === 0) throw new RuntimeError("narrow() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, t.ndim);
  const size = t.shape[d];
  if (start < -size || start > size) {
    throw new IndexError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (length < 0 || s + length > size) throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  return pick(t, sliceMap(d, s, length, 1), "SliceBackward0");
}

export function diagonal(t: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const d1 = normalizeDim(dim1, t.ndim);
  const d2 = normalizeDim(dim2, t.ndim);
  if (d1 === d2) throw new RuntimeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const length = Math.max(offset >= 0 ? Math.min(t.shape[d1], t.shape[d2] - offset) : Math.min(t.shape[d1] + offset, t.shape[d2]), 0);
  const map: GeometryMap = (g) => {
    const keep = g.shape.map((_, i) => i).filter((i) => i !== d1 && i !== d2);
    const start = length === 0 ? 0 : offset >= 0 ? offset * g.strides[d2] : -offset * g.strides[d1];
    return {
      shape: [...keep.map((i) => g.shape[i]), length],
      strides: [...keep.map((i) => g.strides[i]), g.strides[d1] + g.strides[d2]],
      offset: g.offset + start,
    };
  };
  return pick(t, map, "DiagonalBackward0");
}

/** Windows of `size` elements every `step` along `dim`, as a new last dim (Tensor.unfold). */
export function unfold(t: Tensor, dim: number, size: number, step: number): Tensor {
  const d = t.ndim === 0 ? 0 : normalizeDim(dim, t.ndim);
  const extent = t.ndim === 0 ? 1 : t.shape[d];
  if (size > extent) throw new RuntimeError(`maximum size for tensor at dimension ${d} is ${extent} but size is ${size}`);
  if (step <= 0) throw new RuntimeError(`step is ${step} but must be > 0`);
  const count = Math.floor((extent - size) / step) + 1;
  const map: GeometryMap = (g) =>
    g.shape.length === 0
      ? { shape: [size], strides: [1], offset: g.offset }
      : {
          shape: [...replaced(g.shape, d, count), size],
          strides: [...replaced(g.strides, d, g.strides[d] * step), g.strides[d]],
          offset: g.offset,
        };
  return pick(t, map, "UnfoldBackward0");
}

interface AsStridedAttrs {
  /** The input's geometry and the view's, both relative to the input's storage offset. */
  map: StridedMap;
  /** The storage the strides refer to: on any other (a replay's fresh values) the view is computed as a copy. */
  storage: unknown;
}

const asStridedOp = defineOp<AsStridedAttrs>({
  name: "asStrided",
  gradFnName: "AsStridedBackward0",
  view: true,
  forward: ([t], { map, storage }) => {
    if (t._storage === storage) return alias(t, map.view.shape.slice(), map.view.strides.slice(), map.view.offset);
    const out = empty(map.view.shape.slice(), t.dtype);
    // A replay's input holds the same values row-major: read them where the original storage positions say.
    gatherValues(t._data, map, out._data);
    return out;
  },
  backward: ({ attrs: { map } }, g) => [stridedScatterAdd(g, map)],
});

export function asStrided(t: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor {
  if (size.length !== stride.length) throw new RuntimeError(`mismatch in length of strides and shape`);
  const offset = storageOffset ?? t._offset;
  if (stride.some((s) => s < 0)) throw new RuntimeError("as_strided: Negative strides are not supported at the moment, got strides: [" + stride.join(", ") + "]");
  const needed = numelOf(size) === 0 ? 0 : offset + size.reduce((acc, d, i) => acc + (d - 1) * stride[i], 0) + 1;
  const available = t._storage.data.length;
  if (needed > available) {
    const bytes = t.dtype === "float64" || t.dtype === "int64" ? 8 : t.dtype === "bool" ? 1 : 4;
    throw new RuntimeError(
      `setStorage: sizes [${size.join(", ")}], strides [${stride.join(", ")}], storage offset ${offset}, and itemsize ${bytes} requiring a storage size of ${needed * bytes} are out of bounds for storage of size ${available * bytes}`,
    );
  }
  const map: StridedMap = {
    input: { shape: t.shape, strides: t._strides, offset: t._offset },
    view: { shape: [...size], strides: [...stride], offset },
    gatherName: "AsStridedBackward0",
    scatterName: "AsStridedBackwardBackward0",
  };
  return apply(asStridedOp, [t], { map, storage: t._storage });
}

// ---- several views at once ----

interface PiecesAttrs {
  dim: number;
  /** Each piece's start and length along dim (unbind: length 1 and the dim removed). */
  starts: number[];
  lengths: number[];
  removeDim: boolean;
  gradFnName: string;
}

function pieceMap(a: PiecesAttrs, i: number): GeometryMap {
  return a.removeDim ? selectMap(a.dim, a.starts[i]) : sliceMap(a.dim, a.starts[i], a.lengths[i], 1);
}

const piecesOp = defineMultiOp<PiecesAttrs>({
  name: "pieces",
  gradFnName: (a) => a.gradFnName,
  view: true,
  forward: ([t], a) =>
    a.starts.map((_, i) => {
      const g = pieceMap(a, i)(geometryOf(t));
      return alias(t, g.shape.slice(), g.strides.slice(), g.offset);
    }),
  backward: ({ inputs: [x], attrs }, grads) => {
    const present = grads.flatMap((g, i) => (g ? [{ g, map: logicalMap(x.shape, pieceMap(attrs, i), attrs.gradFnName) }] : []));
    // PyTorch's backward of unbind is a stack, of split a cat.
    const name = attrs.removeDim ? "StackBackward0" : "CatBackward0";
    return [stridedScatterAddMany(present.map((p) => p.g), present.map((p) => p.map), name)];
  },
});

function pieces(t: Tensor, attrs: PiecesAttrs): Tensor[] {
  return applyMulti(piecesOp, [t], attrs);
}

export function unbind(t: Tensor, dim = 0): Tensor[] {
  if (t.ndim === 0) throw new IndexError("Dimension specified as 0 but tensor has no dimensions");
  const d = normalizeDim(dim, t.ndim);
  const n = t.shape[d];
  const starts = Array.from({ length: n }, (_, i) => i);
  return pieces(t, { dim: d, starts, lengths: starts.map(() => 1), removeDim: true, gradFnName: "UnbindBackward0" });
}

export function split(t: Tensor, splitSize: number | number[], dim = 0): Tensor[] {
  if (t.ndim === 0) throw new RuntimeError("split expects at least a 1-dimensional tensor");
  const d = normalizeDim(dim, t.ndim);
  const size = t.shape[d];
  if (Array.isArray(splitSize)) {
    const total = splitSize.reduce((a, b) => a + b, 0);
    if (total !== size) {
      throw new RuntimeError(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${splitSize.join(", ")}]`);
    }
    const starts = splitSize.map((_, i) => splitSize.slice(0, i).reduce((a, b) => a + b, 0));
    return pieces(t, { dim: d, starts, lengths: splitSize.slice(), removeDim: false, gradFnName: "SplitWithSizesBackward0" });
  }
  if (!(splitSize >= 0) || !Number.isInteger(splitSize)) throw new RuntimeError(`split expects split_size be non-negative, but got split_size=${splitSize}`);
  if (splitSize === 0 && size !== 0) throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
  const count = splitSize === 0 ? 1 : Math.max(Math.ceil(size / splitSize), 1);
  const starts = Array.from({ length: count }, (_, i) => i * splitSize);
  const lengths = starts.map((s) => Math.min(splitSize, size - s));
  return pieces(t, { dim: d, starts, lengths, removeDim: false, gradFnName: "SplitBackward0" });
}

export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  if (t.ndim === 0) throw new RuntimeError("chunk expects at least a 1-dimensional tensor");
  if (!(chunks > 0)) throw new RuntimeError("chunk expects `chunks` to be greater than 0, got: " + chunks);
  const d = normalizeDim(dim, t.ndim);
  return split(t, Math.ceil(t.shape[d] / chunks), d);
}

/** numpy.array_split's rule: `sections` pieces as equal as can be, or cut before each given index. */
export function tensorSplit(t: Tensor, sections: number | number[], dim = 0): Tensor[] {
  if (t.ndim === 0) throw new RuntimeError(`tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims`);
  const d = normalizeDim(dim, t.ndim);
  const size = t.shape[d];
  let cuts: number[];
  if (Array.isArray(sections)) cuts = sections;
  else {
    if (!(sections > 0)) throw new RuntimeError(`number of sections must be larger than 0, got ${sections}`);
    const base = Math.floor(size / sections);
    const extra = size % sections;
    cuts = [];
    for (let i = 1, at = 0; i < sections; i++) cuts.push((at += base + (i <= extra ? 1 : 0)));
  }
  const bounds = [0, ...cuts, size];
  return bounds.slice(0, -1).map((s, i) => slice(t, d, s, Math.max(bounds[i + 1], s)));
}

declare module "../tensor" {
  interface Tensor {
    select(dim: number, index: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    /** Windows of `size` elements every `step` along `dim` (PyTorch's `Tensor.unfold`). */
    unfold(dim: number, size: number, step: number): Tensor;
    asStrided(size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor;
    unbind(dim?: number): Tensor[];
    split(splitSize: number | number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    tensorSplit(sections: number | number[], dim?: number): Tensor[];
  }
}

addMethods({
  select(this: Tensor, dim: number, index: number) {
    return select(this, dim, index);
  },
  narrow(this: Tensor, dim: number, start: number, length: number) {
    return narrow(this, dim, start, length);
  },
  diagonal(this: Tensor, offset = 0, dim1 = 0, dim2 = 1) {
    return diagonal(this, offset, dim1, dim2);
  },
  unfold(this: Tensor, dim: number, size: number, step: number) {
    return unfold(this, dim, size, step);
  },
  asStrided(this: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number) {
    return asStrided(this, size, stride, storageOffset);
  },
  unbind(this: Tensor, dim = 0) {
    return unbind(this, dim);
  },
  split(this: Tensor, splitSize: number | number[], dim = 0) {
    return split(this, splitSize, dim);
  },
  chunk(this: Tensor, chunks: number, dim = 0) {
    return chunk(this, chunks, dim);
  },
  tensorSplit(this: Tensor, sections: number | number[], dim = 0) {
    return tensorSplit(this, sections, dim);
  },
});
