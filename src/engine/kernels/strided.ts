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

/** A geometry with its dims merged where the outer one steps exactly over the inner (so a contiguous block reads as
 * one dim) and with dims of size 1 dropped: fewer, longer inner runs for the loops below. */
function coalesce(g: Geometry): { shape: number[]; strides: number[] } {
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    const size = g.shape[i];
    if (size === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && strides[last] === g.strides[i] * size) {
      shape[last] *= size;
      strides[last] = g.strides[i];
    } else {
      shape.push(size);
      strides.push(g.strides[i]);
    }
  }
  return { shape, strides };
}

/** Below this length an element loop copies a run faster than `set` of a subarray (which allocates). */
const SET_MIN_LENGTH = 64;
/** Tile side of the blocked transposed copy. */
const TILE = 16;
/** A transposed read whose stride is a multiple of this many elements (1 KB of float32) maps every element of a
 * column onto a few cache sets, and an element-by-element copy thrashes the cache (a 2048×2048 matrix: twice as slow
 * as tile by tile); at other strides the hardware prefetcher keeps the plain loop as fast as tiles or faster. */
const ALIASING_STRIDE = 256;

/**
 * The storage position of the first element of each run of a geometry's outer dims (all but the last `inner`
 * dims), in row-major order: `position` is the current run's; `next()` steps to the next run and returns false after
 * the last. A class rather than a callback per run, so that the loops using it stay in one function V8 optimizes.
 */
class Runs {
  position: number;
  private readonly index: number[];

  constructor(
    private readonly shape: readonly number[],
    private readonly strides: readonly number[],
    offset: number,
    private readonly outer: number,
  ) {
    this.position = offset;
    this.index = new Array<number>(outer).fill(0);
  }

  next(): boolean {
    for (let d = this.outer - 1; d >= 0; d--) {
      this.index[d]++;
      this.position += this.strides[d];
      if (this.index[d] < this.shape[d]) return true;
      this.position -= this.strides[d] * this.shape[d];
      this.index[d] = 0;
    }
    return false;
  }
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** The elements of `src` seen through `g`, in row-major order, into `out`. */
export function gather(src: DataArray, g: Geometry, out: DataArray): void {
  if (sizeOf(g.shape) === 0) return;
  const { shape, strides } = coalesce(g);
  const nd = shape.length;
  if (nd === 0) {
    out[0] = src[g.offset];
    return;
  }
  const inner = shape[nd - 1];
  const step = strides[nd - 1];
  if (nd >= 2 && step !== 0 && step % ALIASING_STRIDE === 0 && strides[nd - 2] === 1 && inner >= TILE && shape[nd - 2] >= TILE) {
    gatherTransposed(src, shape, strides, g.offset, out);
    return;
  }
  const runs = new Runs(shape, strides, g.offset, nd - 1);
  let k = 0;
  do {
    const p = runs.position;
    if (step === 1 && inner >= SET_MIN_LENGTH) out.set(src.subarray(p, p + inner), k);
    else for (let j = 0, q = p; j < inner; j++, q += step) out[k + j] = src[q];
    k += inner;
  } while (runs.next());
}

/**
 * gather for a geometry whose last two (merged) dims are a transposed matrix: the last dim steps through storage by
 * a long stride and the one before it by 1 (`t.t().contiguous()`, a permuted batch). Tile by tile, so that the
 * reads of a tile share cache lines.
 */
function gatherTransposed(src: DataArray, shape: number[], strides: number[], offset: number, out: DataArray): void {
  const nd = shape.length;
  const rows = shape[nd - 2];
  const cols = shape[nd - 1];
  const colStride = strides[nd - 1];
  const runs = new Runs(shape, strides, offset, nd - 2);
  let o = 0;
  do {
    const base = runs.position;
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(rows, i0 + TILE);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(cols, j0 + TILE);
        for (let i = i0; i < i1; i++) {
          for (let j = j0, p = base + i + j0 * colStride, q = o + i * cols + j0; j < j1; j++, p += colStride, q++) out[q] = src[p];
        }
      }
    }
    o += rows * cols;
  } while (runs.next());
}

/** Writes row-major `values` into `dst` through `g` (the inverse of gather). */
export function scatter(dst: DataArray, g: Geometry, values: ArrayLike<number>): void {
  if (sizeOf(g.shape) === 0) return;
  const { shape, strides } = coalesce(g);
  const nd = shape.length;
  const inner = nd === 0 ? 1 : shape[nd - 1];
  const step = nd === 0 ? 1 : strides[nd - 1];
  const runs = new Runs(shape, strides, g.offset, Math.max(0, nd - 1));
  let k = 0;
  do {
    for (let j = 0, p = runs.position; j < inner; j++, p += step) dst[p] = values[k + j];
    k += inner;
  } while (runs.next());
}

/** Adds row-major `values` into `dst` through `g`; positions that several elements share receive every addend. */
export function scatterAdd(dst: Float64Array | Float32Array, g: Geometry, values: ArrayLike<number>): void {
  if (sizeOf(g.shape) === 0) return;
  const { shape, strides } = coalesce(g);
  const nd = shape.length;
  const inner = nd === 0 ? 1 : shape[nd - 1];
  const step = nd === 0 ? 1 : strides[nd - 1];
  const runs = new Runs(shape, strides, g.offset, Math.max(0, nd - 1));
  let k = 0;
  do {
    for (let j = 0, p = runs.position; j < inner; j++, p += step) dst[p] += values[k + j];
    k += inner;
  } while (runs.next());
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
