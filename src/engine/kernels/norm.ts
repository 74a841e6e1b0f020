/**
 * Vector norms over any set of dims, as PyTorch 1.13's norm kernel computes them in float32 (ReduceOpsKernel.cpp,
 * SharedReduceOps.h; torch.norm is linalg.vector_norm there):
 * - p = 2 over one contiguous innermost dim (a whole contiguous tensor counts): 8 float lanes of fused
 *   x·x + acc, the lanes added in order, then the leftover squares (as GCC compiled that loop), then sqrt;
 * - otherwise one float accumulator per output, walking its elements in memory order: Σ x² (fused), Σ|x|, the
 *   count of non-zeros, the NaN-propagating max |x|, or Σ powf(|x|, p) and powf(·, 1/p) with the C library's powf.
 * float64 uses the same orders in double.
 */
import { libmPowf } from "./f32/libm_pow";
import { fmaf } from "./f32/fma";
import { forEach2d, type FloatArray } from "./cascade_sum";
import { reductionNest } from "./reduce_plan";
import { fma } from "../random/fused";

interface Arith {
  round: (x: number) => number;
  fma: (a: number, b: number, c: number) => number;
  pow: (x: number, y: number) => number;
  lanes: number;
}

const F32: Arith = { round: Math.fround, fma: fmaf, pow: libmPowf, lanes: 8 };
const F64: Arith = { round: (x) => x, fma, pow: (x, y) => Math.pow(x, y), lanes: 4 };

/** The norm's fold (one element into the accumulator) and its final step. */
function folds(p: number, a: Arith): { start: number; fold: (acc: number, x: number) => number; finish: (acc: number) => number } {
  const r = a.round;
  if (p === 2) return { start: 0, fold: (acc, x) => a.fma(x, x, acc), finish: (acc) => r(Math.sqrt(acc)) };
  if (p === 1) return { start: 0, fold: (acc, x) => r(acc + Math.abs(x)), finish: (acc) => acc };
  if (p === 0) return { start: 0, fold: (acc, x) => r(acc + (x === 0 ? 0 : 1)), finish: (acc) => acc };
  if (p === Infinity) return { start: 0, fold: (acc, x) => (acc !== acc || x !== x ? NaN : Math.max(acc, Math.abs(x))), finish: (acc) => acc };
  const pf = r(p);
  const inverse = r(1 / pf);
  return { start: 0, fold: (acc, x) => r(acc + a.pow(Math.abs(x), pf)), finish: (acc) => a.pow(acc, inverse) };
}

/** The p-norm of `dims` of `src` (row-major, of `shape`) into `out` (the kept shape, contiguous). */
export function normInto(src: FloatArray, shape: readonly number[], dims: readonly number[], p: number, out: FloatArray): void {
  const a = src instanceof Float32Array ? F32 : F64;
  for (const d of shape) {
    if (d === 0) {
      out.fill(0);
      return;
    }
  }
  const nest = reductionNest(shape, dims);
  const reducedLoops = nest.filter((d) => d.outStride === 0).length;
  const lastDim = nest.length > 0 && reducedLoops === 1 && nest[0].outStride === 0 && nest[0].inStride === 1;
  if (p === 2 && lastDim) {
    normTwoRows(src, nest[0].size, out, a);
    return;
  }
  const { start, fold, finish } = folds(p, a);
  const acc = new Float64Array(out.length).fill(start);
  // Each output's elements in the nest's order, which for one output is memory order.
  forEach2d(nest, 0, (inBase, outBase, d0, d1) => {
    for (let j = 0; j < d1.size; j++) {
      for (let i = 0; i < d0.size; i++) {
        const o = outBase + j * d1.outStride + i * d0.outStride;
        acc[o] = fold(acc[o], src[inBase + j * d1.inStride + i * d0.inStride]);
      }
    }
  });
  for (let o = 0; o < out.length; o++) out[o] = finish(acc[o]);
}

/** The vectorised p = 2 path: each output reduces one contiguous row of `size`. */
function normTwoRows(src: FloatArray, size: number, out: FloatArray, a: Arith): void {
  const w = a.lanes;
  const lanes = new Float64Array(w);
  const whole = size - (size % w);
  for (let row = 0; row < out.length; row++) {
    const base = row * size;
    lanes.fill(0);
    for (let d = 0; d < whole; d += w) {
      for (let l = 0; l < w; l++) {
        const x = src[base + d + l];
        lanes[l] = a.fma(x, x, lanes[l]);
      }
    }
    let acc = lanes[0];
    for (let l = 1; l < w; l++) acc = a.round(acc + lanes[l]);
    // GCC vectorises this leftover loop in groups of 4 (the squares in one multiply, then added in order); the
    // last 1–3 elements stay scalar, each a fused multiply-add.
    const grouped = whole + 4 * Math.floor((size - whole) / 4);
    for (let d = whole; d < size; d++) {
      const x = src[base + d];
      acc = d < grouped ? a.round(acc + a.round(x * x)) : a.fma(x, x, acc);
    }
    out[row] = a.round(Math.sqrt(acc));
  }
}
