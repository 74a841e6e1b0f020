/**
 * A row's mean and biased variance as ATen's RowwiseMoments computes them (moments_utils.h), the statistics of layer
 * and group normalisation, for float (8 lanes) and double (4 lanes):
 * - the row's whole vectors in chunks of 16: Welford's update within a chunk, lane by lane, the chunk's j-th step
 *   weighted by 1/(j+1) in the dtype;
 * - each chunk merged into a cascade of partial moments (a binary counter of depth ceil(log2(chunks)), at least 1):
 *   chunk i goes into level 0, and each level whose count of merges completes a pair is merged into the next;
 *   at the end every level is merged into level 0, from level 1 up;
 * - the elements after the last whole vector by plain Welford, then the lanes merged into those, lane 0 first.
 * Merging (n_b, mean_b, m2_b) into (n_a, mean_a, m2_a): c = n_b / (n_a + n_b) and δ = mean_b − mean_a, mean_a += c·δ,
 * m2_a += m2_b + δ·δ·c·n_a. An empty level still takes part (n_a = 0), so a square that overflows (float: |δ| past
 * 1.8e19) makes 0·∞ and the moments NaN, as in PyTorch.
 *
 * No fused multiply-adds: the template lives in namespace at::native::utils, not in the per-CPU-capability one, so
 * the linker keeps one instantiation for every build of the kernels, and Debian's build keeps the one compiled
 * without FMA (PyTorch's bits agree with this and with nothing fused).
 */
import type { FloatArray, Precision } from "./precision";

const CHUNK = 16;
/** Enough levels for any row a typed array can hold. */
const MAX_DEPTH = 64;
const MAX_LANES = 8;
/** Welford's weights within a chunk, 1/(j+1), in each dtype. */
const WEIGHTS64 = Float64Array.from({ length: CHUNK }, (_, j) => 1 / (j + 1));
const WEIGHTS32 = WEIGHTS64.map(Math.fround);

const levelCount = new Float64Array(MAX_DEPTH);
const levelMean = new Float64Array(MAX_DEPTH * MAX_LANES);
const levelM2 = new Float64Array(MAX_DEPTH * MAX_LANES);
const chunkMean = new Float64Array(MAX_LANES);
const chunkM2 = new Float64Array(MAX_LANES);

/** What rowMoments leaves: the row's mean and its biased variance. */
export const moments = { mean: 0, variance: 0 };

/** utils::CeilLog2: ceil(log2(x)), and 1 for x ≤ 2. */
function ceilLog2(x: number): number {
  let depth = 1;
  for (let p = 2; p < x; p *= 2) depth++;
  return depth;
}

/** Merges `count` elements with per-lane moments (mean, m2 from index `from`) into level `to` (AddMomentsVec). */
function mergeInto(p: Precision, to: number, count: number, mean: Float64Array, m2: Float64Array, from: number): void {
  const r = p.round;
  const w = p.lanes;
  const before = levelCount[to];
  const total = before + count;
  const c = total === 0 ? 0 : r(r(count) / r(total));
  const n = r(before);
  const at = to * MAX_LANES;
  for (let l = 0; l < w; l++) {
    const delta = r(mean[from + l] - levelMean[at + l]);
    levelMean[at + l] = r(levelMean[at + l] + r(c * delta));
    levelM2[at + l] = r(levelM2[at + l] + r(m2[from + l] + r(r(r(delta * delta) * c) * n)));
  }
  levelCount[to] = total;
}

/** One chunk's Welford moments per lane into chunkMean/chunkM2: `steps` vectors of `w` lanes from x[base]. */
function chunkMoments(r: (v: number) => number, w: number, x: FloatArray, base: number, steps: number): void {
  const weights = w === 8 ? WEIGHTS32 : WEIGHTS64;
  chunkMean.fill(0);
  chunkM2.fill(0);
  for (let j = 0; j < steps; j++) {
    const weight = weights[j];
    const row = base + j * w;
    for (let l = 0; l < w; l++) {
      const v = x[row + l];
      const delta = r(v - chunkMean[l]);
      const mean = r(chunkMean[l] + r(delta * weight));
      chunkMean[l] = mean;
      chunkM2[l] = r(chunkM2[l] + r(delta * r(v - mean)));
    }
  }
}

/** Moments of x[at .. at + size) into `moments`. */
export function rowMoments(p: Precision, x: FloatArray, at: number, size: number): void {
  const r = p.round;
  const w = p.lanes;
  const vectors = Math.floor(size / w);
  const chunks = Math.ceil(vectors / CHUNK);
  const depth = ceilLog2(chunks);
  levelCount.fill(0, 0, depth);
  levelMean.fill(0, 0, depth * MAX_LANES);
  levelM2.fill(0, 0, depth * MAX_LANES);
  for (let i = 0; i < chunks; i++) {
    const steps = Math.min(CHUNK, vectors - i * CHUNK);
    chunkMoments(r, w, x, at + i * CHUNK * w, steps);
    mergeInto(p, 0, steps, chunkMean, chunkM2, 0);
    for (let j = 1, mask = i + 1; j < depth && (mask & 1) === 0; j++, mask >>= 1) {
      mergeInto(p, j, levelCount[j - 1], levelMean, levelM2, (j - 1) * MAX_LANES);
      levelCount[j - 1] = 0;
      levelMean.fill(0, (j - 1) * MAX_LANES, j * MAX_LANES);
      levelM2.fill(0, (j - 1) * MAX_LANES, j * MAX_LANES);
    }
  }
  for (let j = 1; j < depth; j++) mergeInto(p, 0, levelCount[j], levelMean, levelM2, j * MAX_LANES);

  // The leftover elements, then each lane merged into them (AddMoments, one lane at a time).
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = at + vectors * w; i < at + size; i++) {
    const v = x[i];
    const delta = r(v - mean);
    count++;
    mean = r(mean + r(delta / r(count)));
    m2 = r(m2 + r(delta * r(v - mean)));
  }
  for (let l = 0; l < w; l++) {
    const total = count + vectors;
    const c = total === 0 ? 0 : r(r(vectors) / r(total));
    const delta = r(levelMean[l] - mean);
    mean = r(mean + r(c * delta));
    m2 = r(m2 + r(levelM2[l] + r(r(r(delta * delta) * c) * r(count))));
    count = total;
  }
  moments.mean = mean;
  moments.variance = r(m2 / r(size));
}

/**
 * Each row's mean and rstd = 1/√(var + eps) (eps rounded to the dtype), for `rows` rows of `size` at x's start:
 * layer norm's statistics, and group norm's, whose max(var, 0) changes nothing (Welford's var is never below 0).
 */
export function normStats(p: Precision, x: FloatArray, rows: number, size: number, eps: number, mean: FloatArray, rstd: FloatArray): void {
  const r = p.round;
  const e = r(eps);
  for (let i = 0; i < rows; i++) {
    rowMoments(p, x, i * size, size);
    mean[i] = moments.mean;
    rstd[i] = r(1 / r(Math.sqrt(r(moments.variance + e))));
  }
}
