/**
 * float32 layer normalisation over M rows of N, forward and backward, as ATen's CPU kernels compute it
 * (layer_norm_kernel.cpp, AVX2 build, one thread), fused multiply-adds where GCC contracts them:
 * - forward: the row's moments (RowwiseMoments, normStats in moments.ts), rstd = 1/√(var + eps) in float, then with
 *   scale = rstd and bias = −rstd·mean, y = fma(fma(x, scale, bias), γ, β) — with 1 for a missing γ and 0 for a missing β;
 * - backward: dγ and dβ accumulated row after row (dγ += dy·fma(rstd, x, −rstd·mean), dβ += dy); for dX the row's
 *   Σ dy·γ·x and Σ dy·γ as vec::map_reduce_all folds them (8 lanes, a tree at the end), then
 *   b = (db·mean − ds)·rstd³/N, c = −b·mean − db·rstd/N and dX = a·dy·γ + b·x + c.
 */
import { f } from "./bits";
import { fmaf } from "./fma";
import { add, reduceAll } from "./vec_reduce";

/** y for x of `rows` rows of `size`, given each row's float mean and rstd (normStats); gamma/beta null when absent. */
export function layerNormApply(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, rows: number, size: number, mean: Float32Array, rstd: Float32Array, y: Float32Array): void {
  for (let r = 0, at = 0; r < rows; r++, at += size) {
    const s = rstd[r];
    const bias = f(-s * mean[r]);
    if (gamma && beta) {
      for (let j = 0; j < size; j++) y[at + j] = fmaf(fmaf(x[at + j], s, bias), gamma[j], beta[j]);
    } else {
      for (let j = 0; j < size; j++) y[at + j] = fmaf(fmaf(x[at + j], s, bias), gamma ? gamma[j] : 1, beta ? beta[j] : 0);
    }
  }
}

/** The gradients for output gradient dy; each of dx, dgamma, dbeta is filled when given. */
export function layerNormBackward(
  dy: Float32Array, x: Float32Array, mean: Float32Array, rstd: Float32Array, gamma: Float32Array | null, rows: number, size: number,
  dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null,
): void {
  const inv = f(1 / size);
  if (dgamma) dgamma.fill(0);
  if (dbeta) dbeta.fill(0);
  let at = 0;
  // map_reduce_all's mapped values and, past the first vector, their fusion into the running lanes.
  const dyx = (k: number) => f(dy[at + k] * x[at + k]);
  const dyxFused = (acc: number, k: number) => fmaf(dy[at + k], x[at + k], acc);
  const dyOf = (k: number) => dy[at + k];
  const dyxg = (k: number) => f(f(dy[at + k] * x[at + k]) * gamma![k]);
  const dyxgFused = (acc: number, k: number) => fmaf(f(dy[at + k] * x[at + k]), gamma![k], acc);
  const dyg = (k: number) => f(dy[at + k] * gamma![k]);
  const dygFused = (acc: number, k: number) => fmaf(dy[at + k], gamma![k], acc);
  for (let r = 0; r < rows; r++, at += size) {
    const a = rstd[r];
    const m = mean[r];
    if (dgamma) {
      const b = f(-a * m);
      for (let j = 0; j < size; j++) dgamma[j] = fmaf(dy[at + j], fmaf(a, x[at + j], b), dgamma[j]);
    }
    if (dbeta) for (let j = 0; j < size; j++) dbeta[j] = f(dbeta[j] + dy[at + j]);
    if (!dx) continue;
    const ds = gamma ? reduceAll(size, dyxg, add, dyxgFused) : reduceAll(size, dyx, add, dyxFused);
    const db = gamma ? reduceAll(size, dyg, add, dygFused) : reduceAll(size, dyOf, add);
    const b = f(f(f(f(fmaf(db, m, -ds) * a) * a) * a) * inv);
    const c = fmaf(-b, m, -f(f(db * a) * inv));
    if (gamma) {
      for (let j = 0; j < size; j++) dx[at + j] = f(fmaf(b, x[at + j], f(f(a * dy[at + j]) * gamma[j])) + c);
    } else {
      for (let j = 0; j < size; j++) dx[at + j] = f(fmaf(b, x[at + j], f(a * dy[at + j])) + c);
    }
  }
  // The per-thread buffers summed into a zero: a −0 comes out +0.
  if (dgamma) for (let j = 0; j < size; j++) dgamma[j] = f(0 + dgamma[j]);
  if (dbeta) for (let j = 0; j < size; j++) dbeta[j] = f(0 + dbeta[j]);
}
