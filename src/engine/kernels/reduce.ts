/** Reductions over any set of dims of a flat row-major buffer. */
import type { DataArray } from "../dtype";
import { broadcastStrides, type Shape } from "../shape";

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

/** Sums into doubles (more exact than float32 accumulation; the caller rounds once when it stores the result). */
export function sumReduce(src: DataArray, srcShape: Shape, keptShape: Shape, outLength: number): Float64Array {
  const acc = new Float64Array(outLength);
  if (outLength === 1) {
    let s = 0;
    for (let i = 0; i < src.length; i++) s += src[i];
    acc[0] = s;
    return acc;
  }
  const inner = srcShape.length ? srcShape[srcShape.length - 1] : 1;
  const lastKept = keptShape.length ? keptShape[keptShape.length - 1] : 1;
  if (lastKept === 1 && inner > 1 && src.length === outLength * inner) {
    // Reducing only the last dim: contiguous rows.
    for (let r = 0, p = 0; r < outLength; r++) {
      let s = 0;
      for (let j = 0; j < inner; j++, p++) s += src[p];
      acc[r] = s;
    }
    return acc;
  }
  forEachReduced(srcShape, keptShape, (i, o) => {
    acc[o] += src[i];
  });
  return acc;
}
