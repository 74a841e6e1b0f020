/**
 * Batch norm's gradient as ATen 1.13's CPU kernels compute it (batch_norm_kernel.cpp, AVX2 build, one thread), for
 * contiguous input: [N, C] takes batch_norm_cpu_backward_channels_last_impl, [N, C, *] the contiguous one. Every
 * rounding is theirs, the multiply-adds GCC contracts included, so the gradients are PyTorch's bits in float32 and
 * float64.
 */
import { fmaf } from "../kernels/f32/fma";
import { reduceAll } from "../kernels/f32/vec_reduce";
import { fma } from "../random/fused";
import { empty } from "../ops/operands";
import type { Tensor } from "../tensor";

/** What the backward needs of the forward: per-channel mean and invstd in the dtype (training: the batch's; in
 * evaluation the running mean, and the running variance from which the kernels form invstd themselves). */
export interface BackwardStats {
  training: boolean;
  mean: ArrayLike<number>;
  invstd: ArrayLike<number>;
  runningVar: ArrayLike<number> | null;
  eps: number;
}

type Round = (v: number) => number;
const same: Round = (v) => v;

/** The evaluation kernels' invstd: 1/√(running_var + eps) with eps a double, stored in the dtype. */
function invstdOf(stats: BackwardStats, ch: number, r: Round): number {
  return stats.training ? stats.invstd[ch] : r(1 / Math.sqrt(stats.runningVar![ch] + stats.eps));
}

/** Folds a run of doubles as vec::reduce_all folds Vectorized<double> (4 lanes): the run into the lanes, then the
 * lanes in order (1.13 has no shuffle tree for doubles, unlike floats). */
function reduceAllDouble(size: number, map: (i: number) => number, fused: ((acc: number, i: number) => number) | null): number {
  if (size < 4) {
    let acc = map(0);
    for (let i = 1; i < size; i++) acc += map(i);
    return acc;
  }
  const lanes = [map(0), map(1), map(2), map(3)];
  let d = 4;
  for (; d < size; d++) {
    const l = d % 4;
    lanes[l] = fused ? fused(lanes[l], d) : lanes[l] + map(d);
  }
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

export function batchNormBackward(g: Tensor, x: Tensor, w: Tensor | null, stats: BackwardStats, needs: readonly boolean[]): Array<Tensor | null> {
  const n = x.shape[0];
  const c = x.shape[1];
  const s = c === 0 || n === 0 ? 0 : x.numel() / (n * c);
  return s === 1 ? channelsLast(g, x, w, stats, needs, n, c) : contiguous(g, x, w, stats, needs, n, c, s);
}

/** dx = (dy − gradMean − (x − mean)·k)·invstd·w, the product fused into the subtraction where `fusedHere`. */
function inputGradient(dy: number, centred: number, k: number, gradMean: number, invstd: number, weight: number, fusedHere: boolean, f32: boolean, r: Round): number {
  const inner = fusedHere ? (f32 ? fmaf : fma)(-centred, k, r(dy - gradMean)) : r(r(dy - gradMean) - r(centred * k));
  return r(r(inner * invstd) * weight);
}

/**
 * [N, C]: the gradient's sum and Σ (x − mean)·dy per channel accumulated row by row in the dtype (the product fused
 * into the sum); the channels past the last whole vector (8 floats, 4 doubles) are not fused for doubles.
 */
function channelsLast(g: Tensor, x: Tensor, w: Tensor | null, stats: BackwardStats, needs: readonly boolean[], n: number, c: number): Array<Tensor | null> {
  const f32 = x.dtype === "float32";
  const r: Round = f32 ? Math.fround : same;
  const fused = f32 ? fmaf : fma;
  const xd = x._data;
  const gd = g._data;
  const wd = w?._data;
  const sum = new Float64Array(c);
  const dot = new Float64Array(c);
  for (let row = 0; row < n; row++) {
    for (let ch = 0, i = row * c; ch < c; ch++, i++) {
      sum[ch] = r(sum[ch] + gd[i]);
      dot[ch] = fused(r(xd[i] - stats.mean[ch]), gd[i], dot[ch]);
    }
  }
  const invstd = Array.from({ length: c }, (_, ch) => invstdOf(stats, ch, r));
  const gx = needs[0] ? empty(x.shape.slice(), x.dtype) : null;
  if (gx) {
    const out = gx._data;
    const vectorised = f32 ? c : c - (c % 4);
    for (let ch = 0; ch < c; ch++) {
      const weight = wd ? wd[ch] : 1;
      if (stats.training) {
        const k = r(r(r(dot[ch] * invstd[ch]) * invstd[ch]) / n);
        const gradMean = r(sum[ch] / n);
        for (let row = 0, i = ch; row < n; row++, i += c) {
          out[i] = inputGradient(gd[i], r(xd[i] - stats.mean[ch]), k, gradMean, invstd[ch], weight, ch < vectorised, f32, r);
        }
      } else {
        for (let row = 0, i = ch; row < n; row++, i += c) out[i] = r(r(gd[i] * invstd[ch]) * weight);
      }
    }
  }
  const gw = needs[1] ? empty([c], x.dtype) : null;
  if (gw) for (let ch = 0; ch < c; ch++) gw._data[ch] = r(dot[ch] * invstd[ch]);
  const gb = needs[2] ? empty([c], x.dtype) : null;
  if (gb) gb._data.set(sum);
  return [gx, gw, gb];
}

/**
 * [N, C, *]: per channel, the sum and Σ (x − mean)·dy of each sample's plane by vec::reduce_all and map2_reduce_all
 * (lanes, then folded), added up in double; k = dot·invstd·invstd/N in the dtype, and dx as above, fused throughout
 * (vec::map2 runs the same code on its partial last vector).
 */
function contiguous(g: Tensor, x: Tensor, w: Tensor | null, stats: BackwardStats, needs: readonly boolean[], n: number, c: number, s: number): Array<Tensor | null> {
  const f32 = x.dtype === "float32";
  const r: Round = f32 ? Math.fround : same;
  const xd = x._data;
  const gd = g._data;
  const wd = w?._data;
  const count = n * s;
  const gx = needs[0] ? empty(x.shape.slice(), x.dtype) : null;
  const gw = needs[1] ? empty([c], x.dtype) : null;
  const gb = needs[2] ? empty([c], x.dtype) : null;
  for (let ch = 0; ch < c; ch++) {
    const mean = stats.mean[ch];
    const invstd = invstdOf(stats, ch, r);
    const weight = wd ? wd[ch] : 1;
    let sum = 0;
    let dot = 0;
    for (let b = 0; b < n; b++) {
      const at = (b * c + ch) * s;
      const centredDy = (i: number) => r(r(xd[at + i] - mean) * gd[at + i]);
      if (f32) {
        sum += reduceAll(s, (i) => gd[at + i], (p, q) => Math.fround(p + q));
        dot += reduceAll(s, centredDy, (p, q) => Math.fround(p + q), (acc, i) => fmaf(Math.fround(xd[at + i] - mean), gd[at + i], acc));
      } else {
        sum += reduceAllDouble(s, (i) => gd[at + i], null);
        dot += reduceAllDouble(s, centredDy, (acc, i) => fma(xd[at + i] - mean, gd[at + i], acc));
      }
    }
    if (gx) {
      const out = gx._data;
      if (stats.training) {
        const k = r(r(r(r(dot) * invstd) * invstd) / count);
        const gradMean = r(sum / count);
        for (let b = 0; b < n; b++) {
          const at = (b * c + ch) * s;
          for (let i = 0; i < s; i++) out[at + i] = inputGradient(gd[at + i], r(xd[at + i] - mean), k, gradMean, invstd, weight, true, f32, r);
        }
      } else {
        for (let b = 0; b < n; b++) {
          const at = (b * c + ch) * s;
          for (let i = 0; i < s; i++) out[at + i] = r(r(gd[at + i] * invstd) * weight);
        }
      }
    }
    if (gw) gw._data[ch] = r(dot * invstd);
    if (gb) gb._data[ch] = r(sum);
  }
  return [gx, gw, gb];
}
