/**
 * float32 group normalisation of x [N, C, HxW] in G groups (D = C/G channels each), forward and backward, as ATen's
 * CPU kernels compute it for a contiguous input (group_norm_kernel.cpp, AVX2 build, one thread):
 * - forward: each (sample, group) row of D·HxW by RowwiseMoments (normStats in moments.ts), rstd = 1/√(max(var, 0)
 *   + eps) in float; without
 *   affine parameters y = (x − mean)·rstd, else per channel scale = rstd·γ, bias = −scale·mean + β and
 *   y = scale·x + bias (fused);
 * - backward: per (sample, channel) ds = Σ dy·x and db = Σ dy over HxW, in 8 lanes summed lane after lane and then
 *   the leftover elements; per (sample, group) the same folds of ds·γ and db·γ over the group's channels, then
 *   c2 = (db·mean − ds)·rstd³/(D·HxW), c3 = −c2·mean − db·rstd/(D·HxW) and dX = rstd·γ·dy + c2·x + c3;
 *   dγ += (ds − db·mean)·rstd and dβ += db, sample after sample.
 */
import { f } from "./bits";
import { fmaf } from "./fma";

const LANES = 8;
const laneA = new Float64Array(LANES);
const laneB = new Float64Array(LANES);

export interface GroupNormLayout {
  n: number;
  c: number;
  hxw: number;
  groups: number;
}

/** y for x given each (sample, group)'s float mean and rstd (normStats over rows of D·HxW). */
export function groupNormApply(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, layout: GroupNormLayout, mean: Float32Array, rstd: Float32Array, y: Float32Array): void {
  const { n, c, hxw, groups } = layout;
  const d = c / groups;
  const size = d * hxw;
  for (let i = 0; i < n * groups; i++) {
    const at = i * size;
    const m = mean[i];
    const s = rstd[i];
    if (!gamma && !beta) {
      for (let k = at; k < at + size; k++) y[k] = f(f(x[k] - m) * s);
      continue;
    }
    const g = i % groups;
    for (let j = 0; j < d; j++) {
      const ch = g * d + j;
      const scale = f(s * (gamma ? gamma[ch] : 1));
      const bias = f(f(-scale * m) + (beta ? beta[ch] : 0));
      for (let k = at + j * hxw; k < at + (j + 1) * hxw; k++) y[k] = fmaf(scale, x[k], bias);
    }
  }
}

/**
 * Where the 4-lane block of a leftover loop ends. GCC vectorises the loops that add up the elements after the last
 * whole vector (`sum += a[j] * b[j]`, j from `from` to `to` < from + 8) as an in-order reduction: a block of 4
 * products computed in one SSE multiply, each rounded, added one by one; then the last up to 3 elements as scalar
 * code, where the product is fused into the sum.
 */
function epilogueEnd(from: number, to: number): number {
  return from + (to - from - ((to - from) % 4));
}

/** Σ over 8 lanes, added lane after lane to 0 (std::accumulate over the stored vector). */
function laneTotal(lanes: Float64Array): number {
  let t = 0;
  for (let l = 0; l < LANES; l++) t = f(t + lanes[l]);
  return t;
}

export function groupNormBackward(
  dy: Float32Array, x: Float32Array, mean: Float32Array, rstd: Float32Array, gamma: Float32Array | null, layout: GroupNormLayout,
  dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null,
): void {
  const { n, c, hxw, groups } = layout;
  const d = c / groups;
  // ComputeInternalGradients: per (sample, channel).
  const ds = new Float32Array(n * c);
  const db = new Float32Array(n * c);
  const whole = hxw - (hxw % LANES);
  for (let i = 0; i < n * c; i++) {
    const at = i * hxw;
    laneA.fill(0);
    laneB.fill(0);
    for (let k = 0; k < whole; k += LANES) {
      for (let l = 0; l < LANES; l++) {
        const g = dy[at + k + l];
        laneA[l] = fmaf(g, x[at + k + l], laneA[l]);
        laneB[l] = f(laneB[l] + g);
      }
    }
    let s = laneTotal(laneA);
    let b = laneTotal(laneB);
    const quads = epilogueEnd(whole, hxw);
    for (let k = whole; k < hxw; k++) {
      s = k < quads ? f(s + f(dy[at + k] * x[at + k])) : fmaf(dy[at + k], x[at + k], s);
      b = f(b + dy[at + k]);
    }
    ds[i] = s;
    db[i] = b;
  }
  const inv = f(1 / f(d * hxw));
  if (dx) {
    const wholeD = d - (d % LANES);
    for (let i = 0; i < n * groups; i++) {
      const g = i % groups;
      const at = i * d;
      laneA.fill(0);
      laneB.fill(0);
      for (let j = 0; j < wholeD; j += LANES) {
        for (let l = 0; l < LANES; l++) {
          const w = gamma ? gamma[g * d + j + l] : 1;
          laneA[l] = fmaf(ds[at + j + l], w, laneA[l]);
          laneB[l] = fmaf(db[at + j + l], w, laneB[l]);
        }
      }
      let sumS = laneTotal(laneA);
      let sumB = laneTotal(laneB);
      const quads = epilogueEnd(wholeD, d);
      for (let j = wholeD; j < d; j++) {
        const w = gamma ? gamma[g * d + j] : 1;
        sumS = j < quads ? f(sumS + f(ds[at + j] * w)) : fmaf(ds[at + j], w, sumS);
        sumB = j < quads ? f(sumB + f(db[at + j] * w)) : fmaf(db[at + j], w, sumB);
      }
      const m = mean[i];
      const r = rstd[i];
      const c2 = f(f(f(f(fmaf(sumB, m, -sumS) * r) * r) * r) * inv);
      const c3 = fmaf(-c2, m, -f(f(sumB * r) * inv));
      for (let j = 0; j < d; j++) {
        const c1 = f(r * (gamma ? gamma[g * d + j] : 1));
        const from = (at + j) * hxw;
        for (let k = from; k < from + hxw; k++) dx[k] = f(fmaf(c1, dy[k], f(c2 * x[k])) + c3);
      }
    }
  }
  if (dgamma) {
    dgamma.fill(0);
    for (let i = 0; i < n * groups; i++) {
      const g = i % groups;
      for (let j = 0; j < d; j++) {
        const ch = g * d + j;
        dgamma[ch] = fmaf(fmaf(-db[i * d + j], mean[i], ds[i * d + j]), rstd[i], dgamma[ch]);
      }
    }
  }
  if (dbeta) {
    dbeta.fill(0);
    for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) dbeta[ch] = f(dbeta[ch] + db[i * c + ch]);
  }
}
