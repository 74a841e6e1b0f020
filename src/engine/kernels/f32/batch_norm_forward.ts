/**
 * Batch normalisation's forward as PyTorch 1.13's CPU kernels compute it (batch_norm_kernel.cpp, AVX2 build, one
 * thread), for float and double, on x as [N, C, S]:
 * - statistics, S > 1 (batch_norm_cpu_collect_stats_contiguous_impl): per channel the sum of its elements in double,
 *   the mean = sum / count rounded to the dtype, then Σ (x − mean)² in double of squares formed (and rounded) in the
 *   dtype, stored in the dtype. For double GCC vectorised that loop into pairs of squares (one SSE multiply, each
 *   rounded, added in order), and the element left over from a plane of odd size has its square fused into the sum;
 * - statistics, S = 1 ([N, C]: the channels-last kernel): per channel the sums row after row in the dtype, the mean =
 *   sum / N, then (x − mean)² fused into a second sum;
 * - invstd = 1/√(var_sum / count + eps), the quotient in the dtype and the rest in double;
 * - the output x·alpha + beta with alpha = invstd·γ and beta = β − mean·alpha, each a fused multiply-add.
 *
 * A double sum element after element waits for the previous addition; the loops below run four channels side by
 * side so that their additions overlap, each channel's still in its own order.
 */
import type { FloatArray, Precision } from "./precision";

export interface PlaneLayout {
  n: number;
  c: number;
  s: number;
}

/** Per channel: the mean and invstd to normalise by, and Σ (x − mean)² (what the running variance comes from). */
export interface BatchStats {
  mean: Float64Array;
  invstd: Float64Array;
  varSum: Float64Array;
}

const sums = new Float64Array(4);

/** Whether the last square of each plane is fused into the sum: double planes of odd size (see above). A float square
 * is rounded to float before it is widened, so nothing fuses there. */
function fusedLeftover(p: Precision, s: number): boolean {
  return p.lanes === 4 && s % 2 === 1;
}

/** sums[k] = Σ in double of channel f + k's elements (k < 4), or of their squared deviations from mean[f + k]
 * formed in the dtype when `mean` is given. */
function channelSums4(p: Precision, x: FloatArray, { n, c, s }: PlaneLayout, f: number, mean: Float64Array | null): void {
  const r = p.round;
  const paired = fusedLeftover(p, s) ? s - 1 : s;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let b = 0; b < n; b++) {
    const at = (b * c + f) * s;
    if (mean) {
      const [m0, m1, m2, m3] = [mean[f], mean[f + 1], mean[f + 2], mean[f + 3]];
      for (let i = at, end = at + paired; i < end; i++) {
        const d0 = r(x[i] - m0);
        const d1 = r(x[i + s] - m1);
        const d2 = r(x[i + 2 * s] - m2);
        const d3 = r(x[i + 3 * s] - m3);
        s0 += r(d0 * d0);
        s1 += r(d1 * d1);
        s2 += r(d2 * d2);
        s3 += r(d3 * d3);
      }
      if (paired < s) {
        const i = at + paired;
        const [d0, d1, d2, d3] = [x[i] - m0, x[i + s] - m1, x[i + 2 * s] - m2, x[i + 3 * s] - m3];
        s0 = p.fma(d0, d0, s0);
        s1 = p.fma(d1, d1, s1);
        s2 = p.fma(d2, d2, s2);
        s3 = p.fma(d3, d3, s3);
      }
    } else {
      for (let i = at, end = at + s; i < end; i++) {
        s0 += x[i];
        s1 += x[i + s];
        s2 += x[i + 2 * s];
        s3 += x[i + 3 * s];
      }
    }
  }
  sums[0] = s0;
  sums[1] = s1;
  sums[2] = s2;
  sums[3] = s3;
}

/** The same for one channel f, into sums[0]. */
function channelSum(p: Precision, x: FloatArray, { n, c, s }: PlaneLayout, f: number, mean: Float64Array | null): void {
  const r = p.round;
  const paired = fusedLeftover(p, s) ? s - 1 : s;
  let sum = 0;
  for (let b = 0; b < n; b++) {
    const at = (b * c + f) * s;
    if (mean) {
      const m = mean[f];
      for (let i = at, end = at + paired; i < end; i++) {
        const d = r(x[i] - m);
        sum += r(d * d);
      }
      if (paired < s) {
        const d = x[at + paired] - m;
        sum = p.fma(d, d, sum);
      }
    } else for (let i = at, end = at + s; i < end; i++) sum += x[i];
  }
  sums[0] = sum;
}

/** batch_norm_cpu_collect_stats_contiguous_impl, then invstd (S > 1). */
export function planeStats(p: Precision, x: FloatArray, layout: PlaneLayout, eps: number, out: BatchStats): void {
  const r = p.round;
  const { n, c, s } = layout;
  const count = n * s;
  const { mean, invstd, varSum } = out;
  for (const pass of ["mean", "var"] as const) {
    for (let f = 0; f < c; f += 4) {
      const k = Math.min(4, c - f);
      if (k === 4) channelSums4(p, x, layout, f, pass === "var" ? mean : null);
      for (let j = 0; j < k; j++) {
        if (k < 4) channelSum(p, x, layout, f + j, pass === "var" ? mean : null);
        const sum = sums[k < 4 ? 0 : j];
        if (pass === "mean") mean[f + j] = r(sum / count);
        else varSum[f + j] = r(sum);
      }
    }
  }
  for (let f = 0; f < c; f++) invstd[f] = r(1 / Math.sqrt(r(varSum[f] / r(count)) + eps));
}

/** batch_norm_cpu_collect_stats_channels_last_impl on `rows` rows of C channels, then invstd (S = 1). */
export function rowStats(p: Precision, x: FloatArray, rows: number, c: number, eps: number, out: BatchStats): void {
  const r = p.round;
  const fma = p.fma;
  const { mean, invstd, varSum } = out;
  const buffer = new Float64Array(c);
  for (let i = 0, at = 0; i < rows; i++, at += c) for (let f = 0; f < c; f++) buffer[f] = r(buffer[f] + x[at + f]);
  for (let f = 0; f < c; f++) mean[f] = r(buffer[f] / rows);
  buffer.fill(0);
  for (let i = 0, at = 0; i < rows; i++, at += c) {
    for (let f = 0; f < c; f++) {
      const d = r(x[at + f] - mean[f]);
      buffer[f] = fma(d, d, buffer[f]);
    }
  }
  for (let f = 0; f < c; f++) {
    varSum[f] = buffer[f];
    invstd[f] = r(1 / Math.sqrt(r(varSum[f] / r(rows)) + eps));
  }
}

/** Per channel alpha = invstd·γ and beta = β − mean·alpha (a fused multiply-add), γ and β absent: 1 and 0. */
export function linearTerms(p: Precision, mean: ArrayLike<number>, invstd: ArrayLike<number>, gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null): { alpha: Float64Array; beta: Float64Array } {
  const c = mean.length;
  const out = { alpha: new Float64Array(c), beta: new Float64Array(c) };
  for (let f = 0; f < c; f++) {
    out.alpha[f] = p.round(invstd[f] * (gamma ? gamma[f] : 1));
    out.beta[f] = p.fma(-mean[f], out.alpha[f], beta ? beta[f] : 0);
  }
  return out;
}

/** y = x·alpha + beta per channel, one fused multiply-add. */
export function batchNormApply(p: Precision, x: FloatArray, layout: PlaneLayout, alpha: ArrayLike<number>, beta: ArrayLike<number>, y: FloatArray): void {
  const fma = p.fma;
  const { n, c, s } = layout;
  for (let f = 0; f < c; f++) {
    const a = alpha[f];
    const b = beta[f];
    for (let i = f * s; i < n * c * s; i += c * s) for (let j = i, end = i + s; j < end; j++) y[j] = fma(x[j], a, b);
  }
}
