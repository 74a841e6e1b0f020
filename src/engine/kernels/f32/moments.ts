/**
 * A float32 row's mean and biased variance as ATen's RowwiseMoments computes them (moments_utils.h, AVX2 build),
 * the statistics of layer and group normalisation:
 * - the row's whole vectors (8 lanes) in chunks of 16: Welford's update within a chunk, lane by lane, with the
 *   chunk's j-th step weighted by the float 1/(j+1);
 * - each chunk merged into a cascade of partial moments (a binary counter of depth ceil(log2(chunks)), at least 1):
 *   chunk i goes into level 0, and each level whose count of merges completes a pair is merged into the next;
 *   at the end every level is merged into level 0, from level 1 up;
 * - the elements after the last whole vector by plain Welford, then the 8 lanes merged into those, lane 0 first.
 * Merging (n_b, mean_b, m2_b) into (n_a, mean_a, m2_a): c = n_b / (n_a + n_b) and δ = mean_b − mean_a in float,
 * mean_a += c·δ, m2_a += m2_b + δ·δ·c·n_a, with the fused multiply-adds GCC contracts there. An empty level still
 * takes part (with n_a = 0), so a square that overflows (|δ| past 1.8e19) makes 0·∞ and the moments NaN, as in
 * PyTorch.
 */
import { f } from "./bits";

const LANES = 8;
const CHUNK = 16;
/** Welford's weights within a chunk: the float 1/(j+1). */
const WEIGHTS = Float64Array.from({ length: CHUNK }, (_, j) => f(1 / (j + 1)));
/** Enough levels for any row a typed array can hold. */
const MAX_DEPTH = 64;

const levelCount = new Float64Array(MAX_DEPTH);
const levelMean = new Float64Array(MAX_DEPTH * LANES);
const levelM2 = new Float64Array(MAX_DEPTH * LANES);
const chunkMean = new Float64Array(LANES);
const chunkM2 = new Float64Array(LANES);

/** What rowMoments leaves: the row's mean and its biased variance (float32 values). */
export const moments = { mean: 0, variance: 0 };

/** utils::CeilLog2: ceil(log2(x)), and 1 for x ≤ 2. */
function ceilLog2(x: number): number {
  if (x <= 2) return 1;
  let depth = 0;
  for (let p = 1; p < x; p *= 2) depth++;
  return depth;
}

/** Merges `count` elements with per-lane moments (mean, m2 at `from`) into level `to` (AddMomentsVec). */
function mergeInto(to: number, count: number, mean: Float64Array, m2: Float64Array, from: number): void {
  const before = levelCount[to];
  const total = before + count;
  const c = total === 0 ? 0 : f(f(count) / f(total));
  const n = f(before);
  const at = to * LANES;
  for (let l = 0; l < LANES; l++) {
    const delta = f(mean[from + l] - levelMean[at + l]);
    levelMean[at + l] = f(levelMean[at + l] + f(c * delta));
    levelM2[at + l] = f(levelM2[at + l] + f(m2[from + l] + f(f(f(delta * delta) * c) * n)));
  }
  levelCount[to] = total;
}

/** Moments of x[at .. at + size) into `moments`. */
export function rowMoments(x: ArrayLike<number>, at: number, size: number): void {
  const vectors = Math.floor(size / LANES);
  const chunks = Math.ceil(vectors / CHUNK);
  const depth = ceilLog2(chunks);
  levelCount.fill(0, 0, depth);
  levelMean.fill(0, 0, depth * LANES);
  levelM2.fill(0, 0, depth * LANES);
  for (let i = 0; i < chunks; i++) {
    const base = at + i * CHUNK * LANES;
    const steps = Math.min(CHUNK, vectors - i * CHUNK);
    chunkMean.fill(0);
    chunkM2.fill(0);
    for (let j = 0; j < steps; j++) {
      const w = WEIGHTS[j];
      const row = base + j * LANES;
      for (let l = 0; l < LANES; l++) {
        const v = x[row + l];
        const delta = f(v - chunkMean[l]);
        const mean = f(chunkMean[l] + f(delta * w));
        chunkMean[l] = mean;
        chunkM2[l] = f(chunkM2[l] + f(delta * f(v - mean)));
      }
    }
    mergeInto(0, steps, chunkMean, chunkM2, 0);
    for (let j = 1, mask = i + 1; j < depth && (mask & 1) === 0; j++, mask >>= 1) {
      mergeInto(j, levelCount[j - 1], levelMean, levelM2, (j - 1) * LANES);
      levelCount[j - 1] = 0;
      levelMean.fill(0, (j - 1) * LANES, j * LANES);
      levelM2.fill(0, (j - 1) * LANES, j * LANES);
    }
  }
  for (let j = 1; j < depth; j++) mergeInto(0, levelCount[j], levelMean, levelM2, j * LANES);

  // The leftover elements, then each lane merged into them (AddMoments, one lane at a time).
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = at + vectors * LANES; i < at + size; i++) {
    const v = x[i];
    const delta = f(v - mean);
    count++;
    mean = f(mean + f(delta / count));
    m2 = f(m2 + f(delta * f(v - mean)));
  }
  const laneCount = vectors;
  for (let l = 0; l < LANES; l++) {
    const total = count + laneCount;
    const c = total === 0 ? 0 : f(f(laneCount) / f(total));
    const delta = f(levelMean[l] - mean);
    mean = f(mean + f(c * delta));
    m2 = f(m2 + f(levelM2[l] + f(f(f(delta * delta) * c) * f(count))));
    count = total;
  }
  moments.mean = mean;
  moments.variance = f(m2 / f(size));
}

/**
 * Each row's float mean and rstd = 1/√(var + eps) (eps rounded to float), for `rows` rows of `size` at x's start:
 * layer norm's statistics, and group norm's, whose max(var, 0) changes nothing (Welford's var is never below 0).
 */
export function normStats(x: Float32Array, rows: number, size: number, eps: number, mean: Float32Array, rstd: Float32Array): void {
  const e = f(eps);
  for (let r = 0; r < rows; r++) {
    rowMoments(x, r * size, size);
    mean[r] = moments.mean;
    rstd[r] = f(1 / f(Math.sqrt(f(moments.variance + e))));
  }
}
