/**
 * Batch normalisation's backward as PyTorch 1.13's CPU kernels compute it (AVX2 build, one thread), for float and
 * double: dX, dγ and dβ from the output gradient dy, the input x, and per channel the mean and invstd the forward
 * normalised by (in evaluation, the running mean and 1/√(running_var + eps) formed in double). ATen takes one of
 * three loops, chosen by batch_norm_backward_cpu_template from the strides (see batchNormBackwardPath):
 *
 * - `planes` (batch_norm_kernel.cpp, contiguous kernel; x and dy contiguous, more than one element per sample and
 *   channel): per channel, for each sample's plane, sum = vec::reduce_all(+) of dy and dotp = vec::map2_reduce_all of
 *   (x − mean)·dy, each plane's float result added to a double; then k = float(dotp)·invstd·invstd / N and
 *   grad_mean = sum / N, and dX = ((dy − grad_mean) − (x − mean)·k)·invstd·γ;
 * - `rows` (the channels-last kernel, which ATen also takes for [N, C] and [N, C, 1, 1]): per-channel sums and dot
 *   products accumulated row after row in the dtype, then the same formulas on vectors of channels;
 * - `strided` (Normalization.cpp's TensorIterator loops, for an output gradient that is not contiguous — the gradient
 *   of a sum is one value broadcast): sum = at::sum of dy (given), dotp a double sum of (x − mean)·dy element by
 *   element, dX in two passes, (x − mean)·k stored, then ((dy − grad_mean) − that)·invstd·γ.
 *
 * The vectorised kernels are compiled with FMA, and GCC contracts two products: each further vector's (x − mean)·dy
 * into the dot product's lanes, and (x − mean)·k into dX's difference (one fnmadd). Normalization.cpp is compiled for
 * the baseline x86-64 and fuses nothing. In evaluation dX = dy·invstd·γ on every path.
 */
import type { FloatArray, Precision } from "./precision";

export interface BatchNormLayout {
  /** Samples, channels, and elements per sample and channel. */
  n: number;
  c: number;
  s: number;
}

/** The gradients to fill (null: not wanted). */
export interface BatchNormGrads {
  dx: FloatArray | null;
  dgamma: FloatArray | null;
  dbeta: FloatArray | null;
}

/** Per channel: what the forward normalised by, and γ (null: 1). */
export interface BatchNormChannels {
  mean: ArrayLike<number>;
  invstd: ArrayLike<number>;
  weight: ArrayLike<number> | null;
}

const lanes = new Float64Array(8);

/**
 * Whether the channels-last kernel's dX fuses (x − mean)·k into its difference in the channels after the last whole
 * vector too: for float yes; the double kernel's partial vector is compiled without that contraction (PyTorch's bits
 * agree with this and with nothing else).
 */
const ROWS_TAIL_FUSED = { 8: true, 4: false } as const;

/** vec::reduce_all(+) over dy[at, at + size): a plane shorter than a vector lane by lane in order; else the first
 * vector, each further (or partial last) vector added to the lanes, and the lanes folded by vec_reduce_all. */
function planeSum(p: Precision, dy: FloatArray, at: number, size: number): number {
  const r = p.round;
  const w = p.lanes;
  if (size < w) {
    let s = dy[at];
    for (let k = 1; k < size; k++) s = r(s + dy[at + k]);
    return s;
  }
  for (let l = 0; l < w; l++) lanes[l] = dy[at + l];
  for (let d = w; d < size; d += w) {
    const count = Math.min(w, size - d);
    for (let l = 0, k = at + d; l < count; l++, k++) lanes[l] = r(lanes[l] + dy[k]);
  }
  return p.sumLanes(lanes);
}

/** vec::map2_reduce_all of (x − mean)·dy over one plane, in the same order; after the first vector each product is
 * fused into its lane. */
function planeDot(p: Precision, x: FloatArray, dy: FloatArray, at: number, size: number, mean: number): number {
  const r = p.round;
  const fma = p.fma;
  const w = p.lanes;
  if (size < w) {
    let s = r(r(x[at] - mean) * dy[at]);
    for (let k = 1; k < size; k++) s = r(s + r(r(x[at + k] - mean) * dy[at + k]));
    return s;
  }
  for (let l = 0; l < w; l++) lanes[l] = r(r(x[at + l] - mean) * dy[at + l]);
  for (let d = w; d < size; d += w) {
    const count = Math.min(w, size - d);
    for (let l = 0, k = at + d; l < count; l++, k++) lanes[l] = fma(r(x[k] - mean), dy[k], lanes[l]);
  }
  return p.sumLanes(lanes);
}

/** The contiguous kernel: x and dy [N, C, S] with S > 1. */
export function batchNormBackwardPlanes(p: Precision, dy: FloatArray, x: FloatArray, ch: BatchNormChannels, layout: BatchNormLayout, train: boolean, grads: BatchNormGrads): void {
  const r = p.round;
  const fma = p.fma;
  const { n, c, s } = layout;
  const count = n * s;
  const { dx, dgamma, dbeta } = grads;
  for (let f = 0; f < c; f++) {
    const mean = ch.mean[f];
    const invstd = ch.invstd[f];
    const w = ch.weight ? ch.weight[f] : 1;
    // The planes' float results summed in double.
    let sum = 0;
    let dotp = 0;
    for (let b = 0; b < n; b++) {
      const at = (b * c + f) * s;
      sum += planeSum(p, dy, at, s);
      dotp += planeDot(p, x, dy, at, s, mean);
    }
    if (dx && train) {
      const k = r(r(r(r(dotp) * invstd) * invstd) / r(count));
      const gradMean = r(sum / count);
      for (let b = 0; b < n; b++) {
        for (let i = (b * c + f) * s, end = i + s; i < end; i++) dx[i] = r(r(fma(-r(x[i] - mean), k, r(dy[i] - gradMean)) * invstd) * w);
      }
    } else if (dx) {
      for (let b = 0; b < n; b++) for (let i = (b * c + f) * s, end = i + s; i < end; i++) dx[i] = r(r(dy[i] * invstd) * w);
    }
    if (dgamma) dgamma[f] = r(dotp * invstd);
    if (dbeta) dbeta[f] = r(sum);
  }
}

/** The channels-last kernel on `rows` rows of C channels ([N, C]: N rows). */
export function batchNormBackwardRows(p: Precision, dy: FloatArray, x: FloatArray, ch: BatchNormChannels, rows: number, c: number, train: boolean, grads: BatchNormGrads): void {
  const r = p.round;
  const fma = p.fma;
  const { dx, dgamma, dbeta } = grads;
  const { mean, invstd, weight } = ch;
  const sum = new Float64Array(c);
  const dotp = new Float64Array(c);
  for (let i = 0, at = 0; i < rows; i++, at += c) {
    for (let f = 0; f < c; f++) {
      const g = dy[at + f];
      sum[f] = r(sum[f] + g);
      dotp[f] = fma(r(x[at + f] - mean[f]), g, dotp[f]);
    }
  }
  // The per-thread buffers summed in double into a zero: a −0 comes out +0.
  for (let f = 0; f < c; f++) {
    sum[f] += 0;
    dotp[f] += 0;
  }
  if (dx && train) {
    const count = r(rows);
    const k = new Float64Array(c);
    const gradMean = new Float64Array(c);
    for (let f = 0; f < c; f++) {
      k[f] = r(r(r(dotp[f] * invstd[f]) * invstd[f]) / count);
      gradMean[f] = r(sum[f] / count);
    }
    const fused = ROWS_TAIL_FUSED[p.lanes] ? c : c - (c % p.lanes);
    for (let i = 0, at = 0; i < rows; i++, at += c) {
      for (let f = 0; f < c; f++) {
        const j = at + f;
        const xm = r(x[j] - mean[f]);
        const diff = r(dy[j] - gradMean[f]);
        const t = f < fused ? fma(-xm, k[f], diff) : r(diff - r(xm * k[f]));
        dx[j] = r(r(t * invstd[f]) * (weight ? weight[f] : 1));
      }
    }
  } else if (dx) {
    for (let i = 0, at = 0; i < rows; i++, at += c) for (let f = 0; f < c; f++) dx[at + f] = r(r(dy[at + f] * invstd[f]) * (weight ? weight[f] : 1));
  }
  if (dgamma) for (let f = 0; f < c; f++) dgamma[f] = r(dotp[f] * invstd[f]);
  if (dbeta) for (let f = 0; f < c; f++) dbeta[f] = sum[f];
}

/** The TensorIterator loops, x and dy row-major [N, C, S]; `sum` is at::sum of dy over all dims but the channels. */
export function batchNormBackwardStrided(p: Precision, dy: FloatArray, x: FloatArray, ch: BatchNormChannels, sum: ArrayLike<number>, layout: BatchNormLayout, train: boolean, grads: BatchNormGrads): void {
  const r = p.round;
  const { n, c, s } = layout;
  const count = r(n * s);
  const { dx, dgamma, dbeta } = grads;
  for (let f = 0; f < c; f++) {
    const mean = ch.mean[f];
    const invstd = ch.invstd[f];
    const w = ch.weight ? ch.weight[f] : 1;
    let dotp = 0;
    for (let b = 0; b < n; b++) for (let i = (b * c + f) * s, end = i + s; i < end; i++) dotp += r(r(x[i] - mean) * dy[i]);
    if (dx && train) {
      const k = r(r(r(r(dotp) * invstd) * invstd) / count);
      const gradMean = r(sum[f] / count);
      for (let b = 0; b < n; b++) {
        for (let i = (b * c + f) * s, end = i + s; i < end; i++) dx[i] = r(r(r(r(dy[i] - gradMean) - r(r(x[i] - mean) * k)) * invstd) * w);
      }
    } else if (dx) {
      for (let b = 0; b < n; b++) for (let i = (b * c + f) * s, end = i + s; i < end; i++) dx[i] = r(r(dy[i] * invstd) * w);
    }
    if (dgamma) dgamma[f] = r(dotp * invstd);
    if (dbeta) dbeta[f] = sum[f];
  }
}
