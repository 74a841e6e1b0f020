/**
 * ATen's pointwise loop (cpu_kernel_vec, Loops.h) for float32, with TensorIterator's loop nest: each innermost
 * run is split in two when its operands are contiguous (or one input is a single broadcast value): whole blocks of
 * 2 vectors (16 floats) go through the op's vectorised formula, the leftover elements through its scalar formula;
 * any other run (a strided or partly broadcast one) goes entirely through the scalar formula. The two formulas can
 * round differently (SLEEF against the C library, a fused multiply-add against none), so the split matters.
 * (`vml` ops — exp, log, sin… — instead run leftover elements through the vectorised formula too, padded with zeros;
 * they have their own loops.)
 */
import { broadcastStridesOf, iteratorNest, rowMajor, type NestDim } from "../reduce_plan";

export const VECTOR_BLOCK = 16;

/** Where the scalar leftover of a contiguous run of n elements starts. */
export function vectorEnd(n: number): number {
  return n - (n % VECTOR_BLOCK);
}

export type Binary = (a: number, b: number) => number;

/** Walks every innermost run of the nest: `run(offsets, size, strides)` with one offset and stride per operand. */
export function forEachRun(nest: readonly NestDim[], count: number, run: (offsets: number[], size: number, strides: number[]) => void): void {
  if (nest.length === 0) {
    run(new Array<number>(count).fill(0), 1, new Array<number>(count).fill(0));
    return;
  }
  const inner = nest[0];
  const outer = nest.slice(1);
  const index = new Array<number>(outer.length).fill(0);
  const offsets = new Array<number>(count).fill(0);
  for (;;) {
    run(offsets.slice(), inner.size, inner.strides);
    let d = 0;
    for (; d < outer.length; d++) {
      index[d]++;
      for (let k = 0; k < count; k++) offsets[k] += outer[d].strides[k];
      if (index[d] < outer[d].size) break;
      for (let k = 0; k < count; k++) offsets[k] -= outer[d].strides[k] * outer[d].size;
      index[d] = 0;
    }
    if (d === outer.length) return;
  }
}

/**
 * out = op(a, b) with broadcasting, as cpu_kernel_vec runs it: `vec` is the vectorised formula (one lane), `scalar`
 * the scalar one. `out` is a fresh row-major buffer of `shape`; a and b are row-major of their own shapes.
 */
export function binaryLoop(shape: readonly number[], a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[], out: Float32Array, vec: Binary, scalar: Binary): void {
  if (out.length === 0) return;
  const nest = iteratorNest(shape, [rowMajor(shape), broadcastStridesOf(aShape, shape), broadcastStridesOf(bShape, shape)], false);
  forEachRun(nest, 3, ([o, i, j], size, [so, sa, sb]) => {
    const vectorised = so === 1 && ((sa === 1 && sb === 1) || (sa === 0 && sb === 1) || (sa === 1 && sb === 0));
    const split = vectorised ? vectorEnd(size) : 0;
    let k = 0;
    for (; k < split; k++, o += so, i += sa, j += sb) out[o] = vec(a[i], b[j]);
    for (; k < size; k++, o += so, i += sa, j += sb) out[o] = scalar(a[i], b[j]);
  });
}
