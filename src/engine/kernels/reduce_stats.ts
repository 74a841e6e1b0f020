/**
 * prod, var/std and cumsum in the order PyTorch 1.13's CPU kernels compute them, so that float32 results match
 * bit for bit (ReduceOpsKernel.cpp, Reduce.h, ReduceOps.cpp):
 * - prod (binary_kernel_reduce_vec): a contiguous run in 4 vectors of 8 lanes of running products, combined as
 *   (a·b)·(c·d), lanes multiplied in order, the leftover elements after; contiguous columns in blocks of 32
 *   lanes; anything else one element at a time. Every product rounds to the dtype.
 * - var/std: a full reduction as std_var_all_cpu (the float mean, then Σ(x − mean)² in double); over some dims
 *   Welford's algorithm in double (binary_kernel_reduce with WelfordOps); rounded to the dtype at the end.
 * - cumsum: a running sum in double (the CPU accumulate type), each partial sum rounded to the dtype.
 */
import { fma } from "../random/fused";
import { cascadeSum, forEach2d, type FloatArray } from "./cascade_sum";
import { reductionNest } from "./reduce_plan";

/** Products of `dims` of `src` (row-major, of `shape`) into `out` (kept shape, contiguous). */
export function prodInto(src: FloatArray, shape: readonly number[], dims: readonly number[], out: FloatArray): void {
  out.fill(1);
  for (const d of shape) if (d === 0) return;
  const w = src instanceof Float32Array ? 8 : 4;
  const block = 4 * w;
  const acc = src instanceof Float32Array ? new Float32Array(block) : new Float64Array(block);
  const nest = reductionNest(shape, dims);
  forEach2d(nest, 0, (inBase, outBase, d0, d1) => {
    const size0 = d0.size;
    const size1 = d1.size;
    if (d0.outStride === 0 && d0.inStride === 1) {
      // Contiguous inner reduction.
      for (let j = 0; j < size1; j++) {
        const base = inBase + j * d1.inStride;
        const o = outBase + j * d1.outStride;
        const count = Math.floor(size0 / block);
        if (count > 0) {
          for (let k = 0; k < block; k++) acc[k] = src[base + k];
          for (let i = 1; i < count; i++) for (let k = 0; k < block; k++) acc[k] *= src[base + i * block + k];
          // vop(vop(acc0, acc1), vop(acc2, acc3)), then the lanes in order.
          for (let l = 0; l < w; l++) acc[l] = round(src, round(src, acc[l] * acc[w + l]) * round(src, acc[2 * w + l] * acc[3 * w + l]));
          let b = acc[0];
          for (let l = 1; l < w; l++) b = round(src, b * acc[l]);
          out[o] *= b;
        }
        for (let i = count * block; i < size0; i++) out[o] *= src[base + i];
      }
    } else if (d0.outStride === 0 && d1.outStride === 1 && d1.inStride === 1) {
      // Contiguous outer reduction: 32 columns at a time, the rest one by one.
      let j = 0;
      for (; j + block <= size1; j += block) {
        for (let k = 0; k < block; k++) acc[k] = src[inBase + j + k];
        for (let i = 1; i < size0; i++) for (let k = 0; k < block; k++) acc[k] *= src[inBase + i * d0.inStride + j + k];
        for (let k = 0; k < block; k++) out[outBase + j + k] = round(src, acc[k] * out[outBase + j + k]);
      }
      for (; j < size1; j++) for (let i = 0; i < size0; i++) out[outBase + j] *= src[inBase + i * d0.inStride + j];
    } else {
      for (let j = 0; j < size1; j++) {
        for (let i = 0; i < size0; i++) {
          const o = outBase + j * d1.outStride + i * d0.outStride;
          out[o] *= src[inBase + j * d1.inStride + i * d0.inStride];
        }
      }
    }
  });
}

function round(like: FloatArray, v: number): number {
  return like instanceof Float32Array ? Math.fround(v) : v;
}

/**
 * Variance (or standard deviation) of `dims` of `src` into `out`, with Bessel's `correction` (1: unbiased).
 * `all` is whether every dim is reduced (then ATen takes its two-pass full-reduction path).
 */
export function varInto(src: FloatArray, shape: readonly number[], dims: readonly number[], correction: number, takeSqrt: boolean, out: FloatArray): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) {
    out.fill(NaN);
    return;
  }
  const reducedAll = shape.every((d, i) => dims.includes(i) || d === 1);
  if (reducedAll) {
    // The mean as the dtype's mean (sum, then divide), then Σ(x − mean)² in double, in memory order.
    const sum = src instanceof Float32Array ? new Float32Array(1) : new Float64Array(1);
    cascadeSum(src, shape, shape.map((_, i) => i), sum);
    const mean = round(src, sum[0] / round(src, n));
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const dx = src[i] - mean;
      acc += dx * dx;
    }
    const v = acc / Math.max(0, n - correction);
    out.fill(takeSqrt ? Math.sqrt(v) : v);
    return;
  }
  welfordInto(src, shape, dims, correction, takeSqrt, out);
}

/**
 * Welford's variance per output (binary_kernel_reduce with WelfordOps: double accumulators, elements in memory
 * order, the m2 update fused as GCC compiles it), and the mean rounded to the dtype, as var_mean returns it.
 */
export function welfordInto(src: FloatArray, shape: readonly number[], dims: readonly number[], correction: number, takeSqrt: boolean, out: FloatArray, meanOut?: FloatArray): void {
  const mean = new Float64Array(out.length);
  const m2 = new Float64Array(out.length);
  const count = new Float64Array(out.length);
  forEach2d(reductionNest(shape, dims), 0, (inBase, outBase, d0, d1) => {
    for (let j = 0; j < d1.size; j++) {
      for (let i = 0; i < d0.size; i++) {
        const o = outBase + j * d1.outStride + i * d0.outStride;
        const x = src[inBase + j * d1.inStride + i * d0.inStride];
        const delta = x - mean[o];
        const next = mean[o] + delta / (count[o] + 1);
        m2[o] = fma(delta, x - next, m2[o]);
        mean[o] = next;
        count[o] += 1;
      }
    }
  });
  for (let o = 0; o < out.length; o++) {
    const divisor = count[o] > correction ? count[o] - correction : 0;
    const v = m2[o] / divisor;
    out[o] = takeSqrt ? Math.sqrt(v) : v;
    if (meanOut) meanOut[o] = mean[o];
  }
}

/** Running sums along `dim` (reversed: from the end, for cumsum's backward), accumulated in double. */
export function cumsumInto(src: FloatArray, shape: readonly number[], dim: number, out: FloatArray, reversed = false): void {
  let inner = 1;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  let outer = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  const n = shape.length === 0 ? 1 : shape[dim];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let k = 0; k < n; k++) {
        const at = o * n * inner + (reversed ? n - 1 - k : k) * inner + i;
        acc += src[at];
        out[at] = acc;
      }
    }
  }
}
