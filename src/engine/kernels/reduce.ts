/** Reductions over any set of dims of a flat row-major buffer, in ATen's summation order for floating types. */
import type { DataArray } from "../dtype";
import { broadcastStrides, type Shape } from "../shape";
import { cascadeSum } from "./cascade_sum";

/**
 * Visits every element of `src` with the index of the output element it reduces into, where `keptShape` is the
 * output's shape with reduced dims kept as 1. Callers fold with their own operation.
 */
export function forEachReduced(srcShape: Shape, keptShape: Shape, visit: (srcIndex: number, outIndex: number) => void): void {
  let n = 1;
  for (const d of srcShape) n *= d;
  if (n === 0) return;
  const outStrides = broadcastStrides(keptShape, srcShape);
  const nd = srcShape.length;
  const index = new Array<number>(nd).fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    visit(i, o);
    for (let d = nd - 1; d >= 0; d--) {
      index[d]++;
      o += outStrides[d];
      if (index[d] < srcShape[d]) break;
      o -= outStrides[d] * srcShape[d];
      index[d] = 0;
    }
  }
}

/**
 * Sums `dims` of `src` (row-major, of `shape`) into `out` (the kept shape, contiguous). Floating types add as
 * PyTorch's CPU sum does, bit for bit (cascade_sum.ts); int64 (held in doubles, exact in any order below 2^53) takes
 * the same path, bool counts. `strides` and `offset` describe a strided input (the order of summation follows
 * memory, as TensorIterator's does); row-major from 0 when omitted.
 */
export function sumInto(src: DataArray, shape: Shape, dims: readonly number[], out: DataArray, strides?: readonly number[], offset = 0): void {
  if ((src instanceof Float32Array && out instanceof Float32Array) || (src instanceof Float64Array && out instanceof Float64Array)) {
    cascadeSum(src, shape, dims, out, strides, offset);
    return;
  }
  if (strides) throw new Error("sumInto: strided input is for floating and int64 data only");
  out.fill(0);
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  forEachReduced(shape, kept, (i, o) => {
    out[o] += src[i];
  });
}
