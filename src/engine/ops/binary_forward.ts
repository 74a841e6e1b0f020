/** The forward of every binary pointwise op: broadcasting, dtype conversion, and the fast paths around them. */
import { castScalar, type DType } from "../dtype";
import { broadcastRuns, mapBinary, mapScalarWith, mapWithScalar, type ArithLoops, type BinaryFn } from "../kernels/elementwise";
import { broadcastShapes, sameShape } from "../shape";
import type { Tensor } from "../tensor";
import { empty, valuesAs } from "./operands";

/**
 * Computes `f` over broadcast `a` and `b` in `dtype` (operands are first converted to it, as PyTorch does); `loops`,
 * where given, are the op's own loops for the same formula (the four arithmetic ops), which run without a call per
 * element.
 */
export function binaryForward(a: Tensor, b: Tensor, dtype: DType, f: BinaryFn, outDType: DType = dtype, loops?: ArithLoops): Tensor {
  if (loops && a.dtype === dtype && b.dtype === dtype && outDType === dtype && sameShape(a.shape, b.shape)) {
    const out = empty(a.shape.slice(), dtype);
    loops.same(a._data, b._data, out._data);
    return out;
  }
  // A one-element side that does not widen the shape is read as a number: no conversion buffer, no broadcasting.
  if (b.numel() === 1 && b.ndim <= a.ndim && a.dtype === dtype) {
    const out = empty(a.shape.slice(), outDType);
    const y = castScalar(dtype, b._data[0]);
    if (loops && outDType === dtype) loops.withScalar(a._data, y, out._data);
    else mapWithScalar(a._data, y, out._data, f);
    return out;
  }
  if (a.numel() === 1 && a.ndim <= b.ndim && b.dtype === dtype) {
    const out = empty(b.shape.slice(), outDType);
    const x = castScalar(dtype, a._data[0]);
    if (loops && outDType === dtype) loops.scalarWith(x, b._data, out._data);
    else mapScalarWith(x, b._data, out._data, f);
    return out;
  }
  const shape = broadcastShapes(a.shape, b.shape);
  const out = empty(shape, outDType);
  if (loops && outDType === dtype) broadcastRuns(valuesAs(a, dtype), a.shape, valuesAs(b, dtype), b.shape, out._data, shape, loops);
  else mapBinary(valuesAs(a, dtype), a.shape, valuesAs(b, dtype), b.shape, out._data, shape, f);
  return out;
}
