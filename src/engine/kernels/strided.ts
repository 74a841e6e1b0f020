/**
 * Reading and writing a tensor's elements through its strides: a tensor is a storage plus sizes, strides and an offset,
 * and these loops turn such a geometry into row-major order and back. The innermost dimension runs as a plain loop;
 * the outer ones advance an odometer.
 */
import type { DataArray } from "../dtype";

export interface Geometry {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}


/** PyTorch's is_contiguous: row-major order, where dimensions of size 1 may have any stride. */
export function isContiguousGeometry(shape: readonly number[], strides: readonly number[]): boolean {
  for (let i = 0; i < shape.length; i++) if (shape[i] === 0) return true;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i];
    if (size === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= size;
  }
  return true;
}

/** Calls `visit(position, k)` for each element in row-major order k = 0, 1, ..., with its storage position. */
function forEachPosition(g: Geometry, visit: (position: number, k: number) => void): void {
  const nd = g.shape.length;
  let n = 1;
  for (let i = 0; i < nd; i++) n *= g.shape[i];
  if (n === 0) return;
  if (nd === 0) {
    visit(g.offset, 0);
    return;
  }
  const last = nd - 1;
  const inner = g.shape[last];
  const innerStride = g.strides[last];
  const index = new Array<number>(nd).fill(0);
  let base = g.offset;
  for (let k = 0; k < n; k += inner) {
    for (let j = 0, p = base; j < inner; j++, p += innerStride) visit(p, k + j);
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      base += g.strides[d];
      if (index[d] < g.shape[d]) break;
      base -= g.strides[d] * g.shape[d];
      index[d] = 0;
    }
  }
}

/** The elements of `src` seen through `g`, in row-major order, into `out`. */
export function gather(src: DataArray, g: Geometry, out: DataArray): void {
  const nd = g.shape.length;
  if (nd === 2) {
    // The common non-contiguous case (a transposed matrix) without the per-element callback.
    const [rows, cols] = g.shape;
    const [rs, cs] = g.strides;
    let k = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = 0, p = g.offset + i * rs; j < cols; j++, p += cs) out[k++] = src[p];
    }
    return;
  }
  forEachPosition(g, (p, k) => (out[k] = src[p]));
}

/** Writes row-major `values` into `dst` through `g` (the inverse of gather). */
export function scatter(dst: DataArray, g: Geometry, values: ArrayLike<number>): void {
  forEachPosition(g, (p, k) => (dst[p] = values[k]));
}

/** Adds row-major `values` into `dst` through `g`; positions that several elements share receive every addend. */
export function scatterAdd(dst: Float64Array | Float32Array, g: Geometry, values: ArrayLike<number>): void {
  forEachPosition(g, (p, k) => (dst[p] += values[k]));
}

/** The smallest and largest storage positions `g` reaches (for an empty geometry, [offset, offset - 1]). */
export function positionRange(g: Geometry): [number, number] {
  let lo = g.offset;
  let hi = g.offset;
  for (let i = 0; i < g.shape.length; i++) {
    if (g.shape[i] === 0) return [g.offset, g.offset - 1];
    const reach = (g.shape[i] - 1) * g.strides[i];
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  return [lo, hi];
}

/** True when two elements of `g` share a storage position for certain (a stride 0 over a size above 1), which is what
 * PyTorch refuses to write into in place. */
export function hasInternalOverlap(g: Geometry): boolean {
  for (let i = 0; i < g.shape.length; i++) if (g.strides[i] === 0 && g.shape[i] > 1) return true;
  return false;
}
