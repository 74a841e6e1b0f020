/**
 * Group normalisation of a contiguous x [N, C, HxW] in G groups (D = C/G channels each), forward and backward, as
 * ATen's CPU kernels compute it (group_norm_kernel.cpp, AVX2 build, one thread) for float and double:
 * - forward: each (sample, group) row of D·HxW by normStats (moments.ts); without affine parameters
 *   y = (x − mean)·rstd, else per channel scale = rstd·γ, bias = −scale·mean + β (not fused: β comes from a branch
 *   GCC does not fuse across) and y = fma(scale, x, bias);
 * - backward: per (sample, channel) ds = Σ dy·x and db = Σ dy over HxW — whole vectors in lanes (fused), the lanes
 *   added one after another, then the leftover elements (see LEFTOVER_BLOCK); per (sample, group) the same sums of
 *   ds·γ and db·γ over the group's channels; then c2 = (db·mean − ds)·rstd³/(D·HxW), c3 = −c2·mean − db·rstd/(D·HxW)
 *   and dX = fma(rstd·γ, dy, c2·x) + c3; dγ += (ds − db·mean)·rstd and dβ += db, sample after sample.
 */
import type { FloatArray, Precision } from "./precision";

const laneA = new Float64Array(8);
const laneB = new Float64Array(8);

export interface GroupNormLayout {
  n: number;
  c: number;
  hxw: number;
  groups: number;
}

/** y for x given each (sample, group)'s mean and rstd (normStats over rows of D·HxW). */
export function groupNormApply(p: Precision, x: FloatArray, gamma: FloatArray | null, beta: FloatArray | null, layout: GroupNormLayout, mean: FloatArray, rstd: FloatArray, y: FloatArray): void {
  const r = p.round;
  const fma = p.fma;
  const { n, c, hxw, groups } = layout;
  const d = c / groups;
  const size = d * hxw;
  for (let i = 0; i < n * groups; i++) {
    const at = i * size;
    const m = mean[i];
    const s = rstd[i];
    if (!gamma && !beta) {
      for (let k = at; k < at + size; k++) y[k] = r(r(x[k] - m) * s);
      continue;
    }
    const g = i % groups;
    for (let j = 0; j < d; j++) {
      const ch = g * d + j;
      const scale = r(s * (gamma ? gamma[ch] : 1));
      const bias = r(r(-scale * m) + (beta ? beta[ch] : 0));
      for (let k = at + j * hxw; k < at + (j + 1) * hxw; k++) y[k] = fma(scale, x[k], bias);
    }
  }
}

/**
 * The loops that add up the elements left after the last whole vector (fewer than a vector: `ds += dy[k] * x[k]; db
 * += dy[k]` over a channel's spatial elements, `ds += ds_c * γ_c; db += db_c * γ_c` over a group's channels) are
 * plain C++, which GCC vectorises as an in-order reduction where its cost model says so: a block of products computed
 * in one SSE multiply, each rounded, added one by one; then scalar code, where each product is fused into the sum.
 * The block's size per loop and dtype (what PyTorch's bits show): float 4 and 4; double none and 2.
 */
const LEFTOVER_BLOCK = { 8: { spatial: 4, channels: 4 }, 4: { spatial: 0, channels: 2 } } as const;

/** Where the block of a leftover loop over [from, to) ends. */
function leftoverBlockEnd(block: number, from: number, to: number): number {
  return block === 0 ? from : from + (to - from - ((to - from) % block));
}

/** std::accumulate over the stored vector: the lanes added one after another to 0. */
function laneTotal(p: Precision, lanes: Float64Array): number {
  let t = 0;
  for (let l = 0; l < p.lanes; l++) t = p.round(t + lanes[l]);
  return t;
}

export function groupNormBackward(
  p: Precision, dy: FloatArray, x: FloatArray, mean: FloatArray, rstd: FloatArray, gamma: FloatArray | null, layout: GroupNormLayout,
  dx: FloatArray | null, dgamma: FloatArray | null, dbeta: FloatArray | null,
): void {
  const r = p.round;
  const fma = p.fma;
  const fmaAcc = p.fmaAcc;
  const w = p.lanes;
  const { n, c, hxw, groups } = layout;
  const d = c / groups;
  // ComputeInternalGradients: per (sample, channel).
  const ds = new Float64Array(n * c);
  const db = new Float64Array(n * c);
  const whole = hxw - (hxw % w);
  const block = leftoverBlockEnd(LEFTOVER_BLOCK[p.lanes].spatial, whole, hxw);
  for (let i = 0; i < n * c; i++) {
    const at = i * hxw;
    laneA.fill(0);
    laneB.fill(0);
    for (let k = 0; k < whole; k += w) {
      for (let l = 0; l < w; l++) {
        const g = dy[at + k + l];
        laneA[l] = fmaAcc(g, x[at + k + l], laneA[l]);
        laneB[l] = r(laneB[l] + g);
      }
    }
    let s = laneTotal(p, laneA);
    let b = laneTotal(p, laneB);
    for (let k = whole; k < hxw; k++) {
      s = k < block ? r(s + r(dy[at + k] * x[at + k])) : fmaAcc(dy[at + k], x[at + k], s);
      b = r(b + dy[at + k]);
    }
    ds[i] = s;
    db[i] = b;
  }
  if (dx) inputGradient(p, dy, x, mean, rstd, gamma, layout, ds, db, dx);
  if (dgamma) {
    dgamma.fill(0);
    for (let i = 0; i < n * groups; i++) {
      const g = i % groups;
      for (let j = 0; j < d; j++) dgamma[g * d + j] = fma(fma(-db[i * d + j], mean[i], ds[i * d + j]), rstd[i], dgamma[g * d + j]);
    }
  }
  if (dbeta) {
    dbeta.fill(0);
    for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) dbeta[ch] = r(dbeta[ch] + db[i * c + ch]);
  }
}

/** GroupNormInputBackward: dX from the per-channel ds and db. */
function inputGradient(p: Precision, dy: FloatArray, x: FloatArray, mean: FloatArray, rstd: FloatArray, gamma: FloatArray | null, layout: GroupNormLayout, ds: Float64Array, db: Float64Array, dx: FloatArray): void {
  const r = p.round;
  const fma = p.fma;
  const fmaAcc = p.fmaAcc;
  const w = p.lanes;
  const { n, c, hxw, groups } = layout;
  const d = c / groups;
  const inv = r(1 / r(d * hxw));
  const whole = d - (d % w);
  const block = leftoverBlockEnd(LEFTOVER_BLOCK[p.lanes].channels, whole, d);
  for (let i = 0; i < n * groups; i++) {
    const g = i % groups;
    const at = i * d;
    laneA.fill(0);
    laneB.fill(0);
    for (let j = 0; j < whole; j += w) {
      for (let l = 0; l < w; l++) {
        const gv = gamma ? gamma[g * d + j + l] : 1;
        laneA[l] = fmaAcc(ds[at + j + l], gv, laneA[l]);
        laneB[l] = fmaAcc(db[at + j + l], gv, laneB[l]);
      }
    }
    let sumS = laneTotal(p, laneA);
    let sumB = laneTotal(p, laneB);
    for (let j = whole; j < d; j++) {
      const gv = gamma ? gamma[g * d + j] : 1;
      sumS = j < block ? r(sumS + r(ds[at + j] * gv)) : fmaAcc(ds[at + j], gv, sumS);
      sumB = j < block ? r(sumB + r(db[at + j] * gv)) : fmaAcc(db[at + j], gv, sumB);
    }
    const m = mean[i];
    const s = rstd[i];
    const c2 = r(r(r(r(fma(sumB, m, -sumS) * s) * s) * s) * inv);
    const c3 = fma(-c2, m, -r(r(sumB * s) * inv));
    for (let j = 0; j < d; j++) {
      const c1 = r(s * (gamma ? gamma[g * d + j] : 1));
      const from = (at + j) * hxw;
      for (let k = from; k < from + hxw; k++) dx[k] = r(fma(c1, dy[k], r(c2 * x[k])) + c3);
    }
  }
}
