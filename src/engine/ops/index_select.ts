/**
 * Whole slices along a dim picked by a 1-D index: indexSelect (read them), indexAdd (add into them), indexCopy
 * (replace them) and indexFill (set them to a value). Each gradient is written with the others (indexSelect's is an
 * indexAdd, indexAdd's source gets an indexSelect...), so double backward works.
 */
import { castScalar } from "../dtype";
import { IndexError, RuntimeError } from "../errors";
import { broadcastCopy } from "../kernels/elementwise";
import { broadcastShapes, formatShape, normalizeDim, sameShape } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { type DimLayout, dimLayout, indexTensor, requireTensor, scalarTypeName } from "./index_args";
import { inplace } from "./inplace";
import { apply, defineOp, type OpDef } from "./op";
import { describeValue, empty } from "./operands";

/** The slices `index` names along `dim` of a tensor of `shape`: the layout around dim, and each slice's number
 * (negative ones counted from the end only where `wrap` says, as index_fill does). */
function rows(shape: readonly number[], dim: number, index: Tensor, outOfRange: (v: number, size: number) => Error, wrap = false): { layout: DimLayout; picks: Float64Array } {
  const layout = dimLayout(shape, dim);
  const size = layout.size;
  const picks = Float64Array.from(index._data, (v) => {
    if (v >= size || v < (wrap ? -size : 0)) throw outOfRange(v, size);
    return v < 0 ? v + size : v;
  });
  return { layout, picks };
}

const selectOutOfRange = () => new IndexError("index out of range in self");

/** Which slices along which dim: the index is an attribute, not an input (it gets no gradient; PyTorch's graph has no
 * edge to it). */
interface Slices {
  dim: number;
  index: Tensor;
}

const indexSelectOp: OpDef<Slices> = defineOp<Slices>({
  name: "indexSelect",
  gradFnName: "IndexSelectBackward0",
  forward: ([self], { dim, index }) => {
    const { layout, picks } = rows(self.shape, dim, index, selectOutOfRange);
    const { outer, size, inner } = layout;
    const shape = self.shape.slice();
    if (shape.length) shape[dim] = picks.length;
    const out = empty(shape, self.dtype);
    const src = self._data;
    const dst = out._data;
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (const p of picks) {
        const from = (o * size + p) * inner;
        dst.set(src.subarray(from, from + inner), k);
        k += inner;
      }
    }
    return out;
  },
  backward: ({ inputs: [self], attrs: { dim, index } }, g) => [apply(indexAddOp, [empty(self.shape.slice(), g.dtype), g], { dim, index, alpha: 1 })],
});

/** `torch.index_select(input, dim, index)`: the slices of input along dim that the 1-D index names, in its order. */
export function indexSelect(t: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const idx = indexTensor(index, "index_select(): index", () => new RuntimeError("index_select(): Expected dtype int32 or int64 for index"));
  if (idx.ndim > 1) throw new IndexError("index_select(): Index is supposed to be a vector");
  return apply(indexSelectOp, [t], { dim: d, index: idx });
}

// ---- indexAdd ----

interface IndexAddAttrs extends Slices {
  alpha: number;
}

const indexAddOp: OpDef<IndexAddAttrs> = defineOp<IndexAddAttrs>({
  name: "indexAdd",
  gradFnName: "IndexAddBackward0",
  forward: ([self, source], { dim, index, alpha }) => {
    const { layout, picks } = rows(self.shape, dim, index, selectOutOfRange);
    const { outer, size, inner } = layout;
    const out = empty(self.shape.slice(), self.dtype);
    const dst = out._data;
    dst.set(self._data);
    // The source is read as if broadcast to self's shape with `picks.length` slices along dim.
    const sourceShape = self.shape.length ? self.shape.slice() : [1];
    sourceShape[dim] = picks.length;
    const src = new Float64Array(picks.length * outer * inner);
    broadcastCopy(source._data, source.shape, src, sourceShape);
    const a = castScalar(self.dtype, alpha);
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (const p of picks) {
        const at = (o * size + p) * inner;
        for (let i = 0; i < inner; i++) dst[at + i] += a * src[k++];
      }
    }
    return out;
  },
  backward: ({ attrs: { dim, index, alpha }, needsInputGrad: [dSelf, dSource] }, g) => {
    if (!dSource) return [dSelf ? g : null, null];
    const picked = apply(indexSelectOp, [g], { dim, index });
    return [dSelf ? g : null, alpha === 1 ? picked : picked.mul(alpha)];
  },
});

/** The slice shapes along dim (self's without dim, source's without dim) must agree, the source's broadcasting. */
function checkSlices(t: Tensor, d: number, source: Tensor): void {
  if (t.ndim <= 1) return;
  const selfSlice = t.shape.filter((_, i) => i !== d);
  const sourceSlice = source.shape.filter((_, i) => i !== d);
  const shape = broadcastShapes(selfSlice, sourceSlice);
  if (!sameShape(shape, selfSlice)) throw new RuntimeError(`output with shape ${formatShape(selfSlice)} doesn't match the broadcast shape ${formatShape(shape)}`);
}

/** `torch.index_add(input, dim, index, source, alpha=1)`: input with alpha·source's slices added into the slices
 * index names (repeated indices add up). */
export function indexAdd(t: Tensor, dim: number, index: Tensor, source: Tensor, options: { alpha?: number } = {}): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const src = requireTensor(source, "index_add(): source");
  const idx = indexTensor(index, "index_add(): index", (dtype) => new RuntimeError(`index_add_(): Expected dtype int32/int64 for index but got: ${scalarTypeName(dtype)}`));
  if (idx.ndim > 1) {
    throw new IndexError(`index_add_(): Index is supposed to be a vector, but got dim: ${idx.ndim} with type: Long and size: ${formatShape(idx.shape)}`);
  }
  if (src.dtype !== t.dtype) throw new RuntimeError(`index_add_(): self (${scalarTypeName(t.dtype)}) and source (${scalarTypeName(src.dtype)}) must have the same scalar type`);
  const count = src.ndim > 0 ? src.shape[d] : 1;
  if (idx.numel() !== count) {
    throw new RuntimeError(`index_add_(): Number of indices (${idx.numel()}) should be equal to source.size(dim): (${count}), for dim: ${d}`);
  }
  checkSlices(t, d, src);
  const alpha = options.alpha ?? 1;
  if (typeof alpha !== "number") throw new TypeError(`index_add(): alpha must be a number, but got ${describeValue(alpha)}`);
  return apply(indexAddOp, [t, src], { dim: d, index: idx, alpha });
}

export function indexAdd_<T extends Tensor>(t: T, dim: number, index: Tensor, source: Tensor, options: { alpha?: number } = {}): T {
  return inplace(t, (self) => indexAdd(self, dim, index, source, options), [source]);
}

// ---- indexCopy ----

const indexCopyOp = defineOp<Slices>({
  name: "indexCopy",
  gradFnName: "IndexCopyBackward0",
  forward: ([self, source], { dim, index }) => {
    const outOfRange = (v: number, size: number) => new IndexError(`index_copy_(): index ${v} is out of bounds for dimension ${dim} with size ${size}`);
    const { layout, picks } = rows(self.shape, dim, index, outOfRange);
    const { outer, size, inner } = layout;
    const out = empty(self.shape.slice(), self.dtype);
    const dst = out._data;
    dst.set(self._data);
    const src = source._data;
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (const p of picks) {
        dst.set(src.subarray(k, k + inner), (o * size + p) * inner);
        k += inner;
      }
    }
    return out;
  },
  backward: ({ attrs: { dim, index }, needsInputGrad: [dSelf, dSource] }, g) => [
    dSelf ? indexFillValue(g, dim, index, 0) : null,
    dSource ? apply(indexSelectOp, [g], { dim, index }) : null,
  ],
});

/** `torch.index_copy(input, dim, index, source)`: input with the slices index names replaced by source's. */
export function indexCopy(t: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const src = requireTensor(source, "index_copy(): source");
  const idx = indexTensor(index, "index_copy(): index", (dtype) => new RuntimeError(`index_copy_(): Expected a long tensor for index, but got ${scalarTypeName(dtype)}`));
  if (idx.ndim > 1) throw new IndexError(`index_copy_(): Index should have dimension 1 or 0 (got ${idx.ndim})`);
  const count = src.ndim > 0 ? src.shape[d] : 1;
  if (idx.numel() !== count) throw new IndexError(`index_copy_(): Number of indices (${idx.numel()}) should be equal to source.size(dim) (${count})`);
  if (src.dtype !== t.dtype) {
    throw new RuntimeError(`index_copy_(): self and source expected to have the same dtype, but got (self) ${scalarTypeName(t.dtype)} and (source) ${scalarTypeName(src.dtype)}`);
  }
  if (src.ndim > 0 && t.ndim > 0) {
    if (src.ndim !== t.ndim) {
      throw new IndexError(`index_copy_(): When source and destination are not scalars, their dimensionality must match. Source dimensionality (${src.ndim}), destination dimensionality (${t.ndim})`);
    }
    t.shape.forEach((n, i) => {
      if (i !== d && src.shape[i] !== n) {
        throw new IndexError(`index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: ${formatShape(t.shape.filter((_, k) => k !== d))} at dimension ${d} and source slice shape: ${formatShape(src.shape.filter((_, k) => k !== d))} at dimension 0.`);
      }
    });
  }
  return apply(indexCopyOp, [t, src], { dim: d, index: idx });
}

export function indexCopy_<T extends Tensor>(t: T, dim: number, index: Tensor, source: Tensor): T {
  return inplace(t, (self) => indexCopy(self, dim, index, source), [source]);
}

// ---- indexFill ----

interface IndexFillAttrs extends Slices {
  value: number;
}

function fillRows(self: Tensor, index: Tensor, dim: number, value: number): Tensor {
  const outOfRange = (v: number, size: number) => new IndexError(`index ${v} is out of bounds for dimension ${dim} with size ${size}`);
  const { layout, picks } = rows(self.shape, dim, index, outOfRange, true);
  const { outer, size, inner } = layout;
  const out = empty(self.shape.slice(), self.dtype);
  const dst = out._data;
  dst.set(self._data);
  const v = castScalar(self.dtype, value);
  for (let o = 0; o < outer; o++) for (const p of picks) dst.fill(v, (o * size + p) * inner, (o * size + p + 1) * inner);
  return out;
}

const indexFillOp = defineOp<IndexFillAttrs>({
  name: "indexFill",
  gradFnName: "IndexFillBackward0",
  forward: ([self], { dim, index, value }) => fillRows(self, index, dim, value),
  backward: ({ attrs: { dim, index } }, g) => [indexFillValue(g, dim, index, 0)],
});

const indexFillTensorOp = defineOp<Slices>({
  name: "indexFillTensor",
  gradFnName: "IndexFillBackward1",
  forward: ([self, value], { dim, index }) => fillRows(self, index, dim, value._data[0]),
  backward: ({ attrs: { dim, index }, needsInputGrad: [dSelf, dValue] }, g) => {
    const kept = indexFillValue(g, dim, index, 0);
    // The value's gradient: the output's gradient summed over the filled slices (each counted once).
    return [dSelf ? kept : null, dValue ? g.sub(kept).sum() : null];
  },
});

function indexFillValue(t: Tensor, dim: number, index: Tensor, value: number): Tensor {
  return apply(indexFillOp, [t], { dim, index, value });
}

/** `torch.index_fill(input, dim, index, value)`: input with the slices index names set to value (a number or a 0-dim
 * tensor). */
export function indexFill(t: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const idx = indexTensor(index, "index_fill(): index", () => new IndexError("index_fill_(): Expected dtype int64 for index."));
  if (idx.ndim > 1) throw new RuntimeError("Index has to be a vector/scalar");
  if (value instanceof Tensor) {
    if (value.ndim !== 0) throw new RuntimeError(`index_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
    return apply(indexFillTensorOp, [t, value], { dim: d, index: idx });
  }
  if (typeof value !== "number" && typeof value !== "boolean") throw new TypeError(`index_fill(): value must be a number or a 0-dim Tensor, but got ${describeValue(value)}`);
  return indexFillValue(t, d, idx, Number(value));
}

export function indexFill_<T extends Tensor>(t: T, dim: number, index: Tensor, value: number | boolean | Tensor): T {
  return inplace(t, (self) => indexFill(self, dim, index, value), value instanceof Tensor ? [value] : []);
}

declare module "../tensor" {
  interface Tensor {
    indexSelect(dim: number, index: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor;
    indexAdd_(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): this;
    indexCopy(dim: number, index: Tensor, source: Tensor): Tensor;
    indexCopy_(dim: number, index: Tensor, source: Tensor): this;
    indexFill(dim: number, index: Tensor, value: number | boolean | Tensor): Tensor;
    indexFill_(dim: number, index: Tensor, value: number | boolean | Tensor): this;
  }
}

addMethods({
  indexSelect(this: Tensor, dim: number, index: Tensor) {
    return indexSelect(this, dim, index);
  },
  indexAdd(this: Tensor, dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }) {
    return indexAdd(this, dim, index, source, options);
  },
  indexAdd_(this: Tensor, dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }) {
    return indexAdd_(this, dim, index, source, options);
  },
  indexCopy(this: Tensor, dim: number, index: Tensor, source: Tensor) {
    return indexCopy(this, dim, index, source);
  },
  indexCopy_(this: Tensor, dim: number, index: Tensor, source: Tensor) {
    return indexCopy_(this, dim, index, source);
  },
  indexFill(this: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor) {
    return indexFill(this, dim, index, value);
  },
  indexFill_(this: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor) {
    return indexFill_(this, dim, index, value);
  },
});
