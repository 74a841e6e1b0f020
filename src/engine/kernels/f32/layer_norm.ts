/**
 * Layer normalisation over rows of N, forward and backward, as ATen's CPU kernels compute it (layer_norm_kernel.cpp,
 * AVX2 build, one thread) for float and double, with the fused multiply-adds GCC contracts there:
 * - forward: the row's mean and rstd (normStats in moments.ts), then with scale = rstd and bias = −rstd·mean,
 *   y = fma(fma(x, scale, bias), γ, β), with 1 for a missing γ and 0 for a missing β;
 * - backward: dγ and dβ accumulated row after row (dγ += dy·fma(rstd, x, −rstd·mean), dβ += dy); for dX the row's
 *   ds = Σ dy·γ·x and db = Σ dy·γ as vec::map_reduce_all folds them (one vector of lanes, each further vector's
 *   product fused into it, then vec_reduce_all), b = (db·mean − ds)·rstd³/N, c = −b·mean − db·rstd/N, and
 *   dX = (a·dy·γ + b·x) + c — where, the vector operators being function calls whose arguments GCC evaluates right
 *   to left, it is b·x that is fused.
 */
import type { FloatArray, Precision } from "./precision";

const lanesS = new Float64Array(8);
const lanesB = new Float64Array(8);
/** What rowSums leaves. */
const sums = { ds: 0, db: 0 };

/**
 * ds = Σ dy·x·γ and db = Σ dy·γ over one row (γ null: 1), as map_reduce_all folds them: a row shorter than a
 * vector lane by lane in order; else the first vector's mapped values, each further (or partial last) vector's
 * fused into the lanes, and the lanes folded by vec_reduce_all.
 */
function rowSums(p: Precision, dy: FloatArray, x: FloatArray, gamma: FloatArray | null, at: number, size: number): void {
  const r = p.round;
  const fmaAcc = p.fmaAcc;
  const w = p.lanes;
  if (size < w) {
    let s = 0;
    let b = 0;
    for (let k = 0; k < size; k++) {
      const g = gamma ? gamma[k] : 1;
      const ms = gamma ? r(r(dy[at + k] * x[at + k]) * g) : r(dy[at + k] * x[at + k]);
      const mb = gamma ? r(dy[at + k] * g) : dy[at + k];
      s = k === 0 ? ms : r(s + ms);
      b = k === 0 ? mb : r(b + mb);
    }
    sums.ds = s;
    sums.db = b;
    return;
  }
  if (gamma) {
    for (let l = 0; l < w; l++) {
      lanesS[l] = r(r(dy[at + l] * x[at + l]) * gamma[l]);
      lanesB[l] = r(dy[at + l] * gamma[l]);
    }
    for (let d = w; d < size; d += w) {
      const n = Math.min(w, size - d);
      for (let l = 0, k = d; l < n; l++, k++) {
        const g = dy[at + k];
        lanesS[l] = fmaAcc(r(g * x[at + k]), gamma[k], lanesS[l]);
        lanesB[l] = fmaAcc(g, gamma[k], lanesB[l]);
      }
    }
  } else {
    for (let l = 0; l < w; l++) {
      lanesS[l] = r(dy[at + l] * x[at + l]);
      lanesB[l] = dy[at + l];
    }
    for (let d = w; d < size; d += w) {
      const n = Math.min(w, size - d);
      for (let l = 0, k = at + d; l < n; l++, k++) {
        lanesS[l] = fmaAcc(dy[k], x[k], lanesS[l]);
        lanesB[l] = r(lanesB[l] + dy[k]);
      }
    }
  }
  sums.ds = p.sumLanes(lanesS);
  sums.db = p.sumLanes(lanesB);
}

/** y for x of `rows` rows of `size`, given each row's mean and rstd (normStats); gamma/beta null when absent. */
export function layerNormApply(p: Precision, x: FloatArray, gamma: FloatArray | null, beta: FloatArray | null, rows: number, size: number, mean: FloatArray, rstd: FloatArray, y: FloatArray): void {
  const fma = p.fma;
  const fmaAcc = p.fmaAcc;
  for (let i = 0, at = 0; i < rows; i++, at += size) {
    const s = rstd[i];
    const bias = p.round(-s * mean[i]);
    if (gamma && beta) for (let j = 0; j < size; j++) y[at + j] = fmaAcc(fma(x[at + j], s, bias), gamma[j], beta[j]);
    else for (let j = 0; j < size; j++) y[at + j] = fmaAcc(fma(x[at + j], s, bias), gamma ? gamma[j] : 1, beta ? beta[j] : 0);
  }
}

/** The gradients for output gradient dy; each of dx, dgamma, dbeta is filled when given. */
export function layerNormBackward(
  p: Precision, dy: FloatArray, x: FloatArray, mean: FloatArray, rstd: FloatArray, gamma: FloatArray | null, rows: number, size: number,
  dx: FloatArray | null, dgamma: FloatArray | null, dbeta: FloatArray | null,
): void {
  const r = p.round;
  const fma = p.fma;
  const fmaAcc = p.fmaAcc;
  const inv = r(1 / r(size));
  if (dgamma) dgamma.fill(0);
  if (dbeta) dbeta.fill(0);
  for (let i = 0, at = 0; i < rows; i++, at += size) {
    const a = rstd[i];
    const m = mean[i];
    if (dgamma) {
      const b = r(-a * m);
      for (let j = 0, k = at; j < size; j++, k++) dgamma[j] = fmaAcc(dy[k], fma(a, x[k], b), dgamma[j]);
    }
    if (dbeta) for (let j = 0, k = at; j < size; j++, k++) dbeta[j] = r(dbeta[j] + dy[k]);
    if (!dx) continue;
    rowSums(p, dy, x, gamma, at, size);
    const { ds, db } = sums;
    const b = r(r(r(r(fma(db, m, -ds) * a) * a) * a) * inv);
    const c = fma(-b, m, -r(r(db * a) * inv));
    if (gamma) for (let j = 0, k = at; j < size; j++, k++) dx[k] = r(fma(b, x[k], r(r(a * dy[k]) * gamma[j])) + c);
    else for (let k = at; k < at + size; k++) dx[k] = r(fma(b, x[k], r(a * dy[k])) + c);
  }
  // The per-thread buffers summed into a zero: a −0 comes out +0.
  if (dgamma) for (let j = 0; j < size; j++) dgamma[j] = dgamma[j] + 0;
  if (dbeta) for (let j = 0; j < size; j++) dbeta[j] = dbeta[j] + 0;
}
