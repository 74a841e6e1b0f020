/**
 * Reductions over a flat vector exactly as PyTorch 1.13 runs them on x86-64 with AVX2, for LBFGS and
 * clip_grad_norm_ (whose decisions and step sizes hang on them):
 * - `x.dot(y)` calls BLAS (OpenBLAS 0.3's Haswell kernels): blocks of 32 floats (16 doubles) go through 4 registers
 *   of fused multiply-add lanes, folded in a fixed order; the rest is summed in double (for float32, each product
 *   rounded to float first, and the total rounded to float at the end), without fusing.
 * - `x.sum()` is ATen's cascade sum: 8-lane vectors summed 4 at a time in a 4-level cascade (`multi_row_sum`),
 *   the leftover elements and then the lanes added to a scalar.
 * - `torch.norm(x)` (p = 2, float32) is one 8-lane fused square-and-add, the lanes folded in order, then the
 *   leftover elements: when there are 4 or more, GCC vectorised their squares (not fused), the last ones fused.
 * Each was checked against PyTorch on many sizes (scripts/fixtures/optim_fixtures.py writes the cases).
 */
import { fma, fmaf } from "../random/fused";
import type { FloatArray } from "./state";

const f = Math.fround;

/** `torch.dot(x, y)` for two contiguous vectors of the same dtype. */
export function blasDot(x: FloatArray, y: FloatArray): number {
  return x instanceof Float32Array ? sdot(x, y) : ddot(x, y);
}

function sdot(x: FloatArray, y: FloatArray): number {
  const n = x.length;
  const blocked = n - (n % 32);
  let kernel = 0;
  if (blocked > 0) {
    const acc = new Float32Array(32); // 4 registers of 8 lanes
    for (let i = 0; i < blocked; i += 32) {
      for (let k = 0; k < 32; k++) acc[k] = fmaf(x[i + k], y[i + k], acc[k]);
    }
    // high 128 bits onto low, then registers 4+5, 6+7, (4)+(6), then two horizontal adds
    const half = new Float32Array(16);
    for (let r = 0; r < 4; r++) for (let l = 0; l < 4; l++) half[4 * r + l] = f(acc[8 * r + l] + acc[8 * r + l + 4]);
    const s = new Float32Array(4);
    for (let l = 0; l < 4; l++) s[l] = f(f(half[l] + half[4 + l]) + f(half[8 + l] + half[12 + l]));
    kernel = f(f(s[0] + s[1]) + f(s[2] + s[3]));
  }
  let dot = 0;
  for (let i = blocked; i < n; i++) dot += f(y[i] * x[i]);
  dot += kernel;
  return f(dot);
}

function ddot(x: FloatArray, y: FloatArray): number {
  const n = x.length;
  const blocked = n - (n % 16);
  let dot = 0;
  if (blocked > 0) {
    const acc = new Float64Array(16); // 4 registers of 4 lanes
    for (let i = 0; i < blocked; i += 16) {
      for (let k = 0; k < 16; k++) acc[k] = fma(x[i + k], y[i + k], acc[k]);
    }
    // each register's high half onto its low half, then registers 4+5, 6+7, (4)+(6), then one horizontal add
    const half = (r: number, l: number) => acc[4 * r + l] + acc[4 * r + l + 2];
    const s0 = half(0, 0) + half(1, 0) + (half(2, 0) + half(3, 0));
    const s1 = half(0, 1) + half(1, 1) + (half(2, 1) + half(3, 1));
    dot = s0 + s1;
  }
  for (let i = blocked; i < n; i++) dot += y[i] * x[i];
  return dot;
}

function ceilLog2(x: number): number {
  return x <= 1 ? 0 : Math.ceil(Math.log2(x));
}

/**
 * ATen's `row_sum` for `lanes`-wide vectors: the input is `count` vectors of `lanes` values (vector i at
 * data[offset + i * lanes]); returns their lane-wise sum, added as ATen adds (4 interleaved rows, each a 4-level
 * cascade). `r` rounds to the accumulation dtype.
 */
function rowSum(data: FloatArray, offset: number, count: number, lanes: number, r: (x: number) => number): Float64Array {
  const rows = 4;
  const perRow = Math.floor(count / rows);
  const levels = 4;
  const levelPower = Math.max(4, Math.floor(ceilLog2(perRow) / levels));
  const levelStep = 2 ** levelPower;
  const levelMask = levelStep - 1;
  // acc[level][row][lane]
  const acc = Array.from({ length: levels }, () => new Float64Array(rows * lanes));
  const add = (dst: Float64Array, di: number, v: number) => (dst[di] = r(dst[di] + v));
  const load = (vec: number, lane: number) => data[offset + vec * lanes + lane];
  let i = 0;
  while (i + levelStep <= perRow) {
    for (let j = 0; j < levelStep; j++, i++) {
      for (let k = 0; k < rows; k++) for (let l = 0; l < lanes; l++) add(acc[0], k * lanes + l, load(i * rows + k, l));
    }
    for (let j = 1; j < levels; j++) {
      for (let e = 0; e < rows * lanes; e++) {
        add(acc[j], e, acc[j - 1][e]);
        acc[j - 1][e] = 0;
      }
      if ((i & (levelMask * 2 ** (j * levelPower))) !== 0) break;
    }
  }
  for (; i < perRow; i++) {
    for (let k = 0; k < rows; k++) for (let l = 0; l < lanes; l++) add(acc[0], k * lanes + l, load(i * rows + k, l));
  }
  for (let j = 1; j < levels; j++) for (let e = 0; e < rows * lanes; e++) add(acc[0], e, acc[j][e]);
  const partial = acc[0]; // row k, lane l at k * lanes + l
  for (let v = perRow * rows; v < count; v++) for (let l = 0; l < lanes; l++) add(partial, l, load(v, l));
  for (let k = 1; k < rows; k++) for (let l = 0; l < lanes; l++) add(partial, l, partial[k * lanes + l]);
  return partial.subarray(0, lanes);
}

/** `x.sum()` over a contiguous float vector (ATen's `cascade_sum`, vectorised when there are enough elements). */
export function torchSum(x: FloatArray): number {
  const r = x instanceof Float32Array ? f : (v: number) => v;
  const lanes = x instanceof Float32Array ? 8 : 4;
  const n = x.length;
  if (n < lanes) return r(0 + rowSum(x, 0, n, 1, r)[0]);
  const vectors = Math.floor(n / lanes);
  const laneSums = rowSum(x, 0, vectors, lanes, r);
  let total = 0;
  for (let k = vectors * lanes; k < n; k++) total = r(total + x[k]);
  for (let l = 0; l < lanes; l++) total = r(total + laneSums[l]);
  return r(0 + total);
}

/** `x.abs().max()`: NaN wins, as in PyTorch. */
export function absMax(x: FloatArray): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (Number.isNaN(a)) return NaN;
    if (a > m) m = a;
  }
  return m;
}

/** `torch.norm(x)` (the 2-norm of a contiguous vector). float32 follows ATen's vectorised last-dimension kernel;
 * float64 (ATen's generic reduction) sums fused squares in order. */
export function torchNorm2(x: FloatArray): number {
  const n = x.length;
  if (!(x instanceof Float32Array)) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc = fma(x[i], x[i], acc);
    return Math.sqrt(acc);
  }
  const lanes = new Float32Array(8);
  let d = 0;
  for (; d < n - (n % 8); d += 8) for (let l = 0; l < 8; l++) lanes[l] = fmaf(x[d + l], x[d + l], lanes[l]);
  let acc = lanes[0];
  for (let l = 1; l < 8; l++) acc = f(acc + lanes[l]);
  const tail = n - d;
  const unfused = tail >= 4 ? d + 4 : d;
  for (; d < unfused; d++) acc = f(acc + f(x[d] * x[d]));
  for (; d < n; d++) acc = fmaf(x[d], x[d], acc);
  return f(Math.sqrt(acc));
}
