/** Ops that copy a tensor's elements into a new storage: clone, contiguous copies, dtype casts. */
import { contiguousStrides } from "../shape";
import { allocate, castScalar, type DType } from "../dtype";
import { gather, isContiguousGeometry } from "../kernels/strided";
import { Storage, Tensor, addMethods } from "../tensor";
import { apply, defineOp } from "./op";
import { empty } from "./operands";
import { writeValues } from "./write";

/**
 * A new tensor of t's shape laid out as t is when t's elements fill a block of storage without gaps or overlaps in
 * some order (a transposed matrix stays column-major), else row-major: PyTorch's `memory_format=torch.preserve_format`.
 */
export function emptyLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  if (t._contiguous) return empty(t.shape.slice(), dtype);
  const order = t.shape.map((_, i) => i).sort((a, b) => t._strides[b] - t._strides[a] || a - b);
  const permutedStrides = contiguousStrides(order.map((d) => t.shape[d]));
  const strides = new Array<number>(t.ndim);
  order.forEach((d, i) => (strides[d] = permutedStrides[i]));
  const dense = order.every((d, i) => t.shape[d] === 1 || t._strides[d] === permutedStrides[i]);
  if (!dense || isContiguousGeometry(t.shape, strides)) return empty(t.shape.slice(), dtype);
  return new Tensor(new Storage(allocate(dtype, t._numel)), t.shape.slice(), dtype, strides, 0);
}

interface CloneAttrs {
  /** PyTorch's memory_format: contiguous, or the input's own layout when it is dense. */
  contiguous: boolean;
}

const cloneOp = defineOp<CloneAttrs>({
  name: "clone",
  gradFnName: "CloneBackward0",
  forward: ([t], { contiguous }) => {
    const out = contiguous ? empty(t.shape.slice(), t.dtype) : emptyLike(t);
    // A row-major copy of a strided tensor: read through the strides straight into the new storage (t._data would
    // first make a cached copy of its own).
    if (out._contiguous && !t._contiguous) gather(t._storage.data, { shape: t.shape, strides: t._strides, offset: t._offset }, out._storage.data);
    else writeValues(out, t._data);
    return out;
  },
  backward: (_, g) => [g],
});

export function clone(t: Tensor, options: { memoryFormat?: "preserve" | "contiguous" } = {}): Tensor {
  return apply(cloneOp, [t], { contiguous: options.memoryFormat === "contiguous" });
}

/** @internal A row-major copy (what `contiguous()` and `reshape` of a strided tensor make). */
export function cloneContiguous(t: Tensor): Tensor {
  return apply(cloneOp, [t], { contiguous: true });
}

const castOp = defineOp<DType>({
  name: "cast",
  gradFnName: "ToCopyBackward0",
  forward: ([t], dtype) => {
    const out = emptyLike(t, dtype);
    const src = t._data;
    const values = allocate(dtype, src.length);
    for (let i = 0; i < src.length; i++) values[i] = castScalar(dtype, src[i]);
    writeValues(out, values);
    return out;
  },
  backward: ({ inputs: [x] }, g) => [g.to(x.dtype)],
});

export function cast(t: Tensor, dtype: DType): Tensor {
  if (dtype === t.dtype) return t;
  return apply(castOp, [t], dtype);
}

declare module "../tensor" {
  interface Tensor {
    clone(options?: { memoryFormat?: "preserve" | "contiguous" }): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
    int(): Tensor;
    bool(): Tensor;
  }
}

addMethods({
  clone(this: Tensor, options?: { memoryFormat?: "preserve" | "contiguous" }) {
    return clone(this, options);
  },
  float(this: Tensor) {
    return cast(this, "float32");
  },
  double(this: Tensor) {
    return cast(this, "float64");
  },
  long(this: Tensor) {
    return cast(this, "int64");
  },
  int(this: Tensor) {
    return cast(this, "int64");
  },
  bool(this: Tensor) {
    return cast(this, "bool");
  },
});
