/**
 * Advanced indexing as PyTorch does it (aten's index and index_put_): integer index tensors, one per indexed dim,
 * broadcast to one shape B. When the indexed dims are next to each other the result has B in their place, otherwise
 * B comes first; the other dims follow in order.
 */
import { IndexError } from "../errors";

import { broadcastShapes, contiguousStrides, formatShape, numelOf } from "../shape";
import type { Tensor } from "../tensor";

export interface IndexPlan {
  /** The result's shape. */
  shape: number[];
  /** For each result element (row-major), the row-major position of the source element it reads. */
  positions: Float64Array;
}

/** `indices[d]` indexes dim d (null: the whole dim). Index values are checked and wrapped as PyTorch does. */
export function planIndex(sourceShape: readonly number[], indices: ReadonlyArray<Tensor | null>): IndexPlan {
  const dims = indices.flatMap((t, d) => (t ? [d] : []));
  let b: number[];
  try {
    b = dims.reduce<number[]>((acc, d) => broadcastShapes(acc, indices[d]!.shape), []);
  } catch {
    throw new IndexError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${dims.map((d) => formatShape(indices[d]!.shape)).join(", ")}`);
  }
  const strides = contiguousStrides(sourceShape);
  const bCount = numelOf(b);
  // Each element of B reads one position made of every index tensor's contribution.
  const bOffsets = new Float64Array(bCount);
  for (const d of dims) {
    const idx = indices[d]!;
    const size = sourceShape[d];
    const values = idx._data;
    const bStrides = broadcastStridesOf(idx.shape, b);
    forEachIndex(b, (k, at) => {
      let v = values[offsetOf(at, bStrides)];
      if (v < -size || v >= size) throw new IndexError(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
      if (v < 0) v += size;
      bOffsets[k] += v * strides[d];
    });
  }
  const rest = sourceShape.map((_, d) => d).filter((d) => !indices[d]);
  const adjacent = dims.length > 0 && dims[dims.length - 1] - dims[0] === dims.length - 1;
  const before = adjacent ? rest.filter((d) => d < dims[0]) : [];
  const after = adjacent ? rest.filter((d) => d > dims[0]) : rest;
  const outerOffsets = offsetsOf(before, sourceShape, strides);
  const innerOffsets = offsetsOf(after, sourceShape, strides);
  const positions = new Float64Array(outerOffsets.length * bCount * innerOffsets.length);
  let k = 0;
  for (const o of outerOffsets) {
    for (let j = 0; j < bCount; j++) {
      const base = o + bOffsets[j];
      for (const i of innerOffsets) positions[k++] = base + i;
    }
  }
  return { shape: [...before.map((d) => sourceShape[d]), ...b, ...after.map((d) => sourceShape[d])], positions };
}

/** Row-major offsets of every combination of indices over `dims` (in order). */
function offsetsOf(dims: readonly number[], shape: readonly number[], strides: readonly number[]): Float64Array {
  const sub = dims.map((d) => shape[d]);
  const out = new Float64Array(numelOf(sub));
  forEachIndex(sub, (k, at) => {
    let o = 0;
    for (let i = 0; i < dims.length; i++) o += at[i] * strides[dims[i]];
    out[k] = o;
  });
  return out;
}

function broadcastStridesOf(shape: readonly number[], to: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const lead = to.length - shape.length;
  return to.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]));
}

function offsetOf(at: readonly number[], strides: readonly number[]): number {
  let o = 0;
  for (let i = 0; i < at.length; i++) o += at[i] * strides[i];
  return o;
}

function forEachIndex(shape: readonly number[], visit: (k: number, at: number[]) => void): void {
  const n = numelOf(shape);
  const at = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    visit(k, at);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++at[d] < shape[d]) break;
      at[d] = 0;
    }
  }
}
