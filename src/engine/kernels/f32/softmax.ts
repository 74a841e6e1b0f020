/**
 * float32 softmax and log-softmax, forward and backward, as PyTorch 1.13's CPU kernels compute them
 * (SoftMaxKernel.cpp, SoftMax.cpp). The data is seen as [outer, dim, inner].
 *
 * Along the last dim (inner = 1), each row is reduced with ATen's lane-and-tree order (vec_reduce.ts):
 * - softmax: m = max; e = exp(x − m) (SLEEF); s = Σe; y = e · (1/s);
 * - log-softmax: m = max; s = Σ exp(x − m); y = (x − m) − log s (SLEEF's log);
 * - softmax backward: d = Σ g·y; dx = (g − d)·y; log-softmax backward: s = Σg; dx = g − exp(y)·s (fused).
 * Along another dim, 8 inner positions go side by side in vector lanes, the leftover inner positions one by one
 * with the C library's expf: softmax divides by the sum, log-softmax works like the row version per column.
 *
 * The exponentials of a row or of a [dim, inner] block are taken in one pass over an array (exp.ts's expOver, four
 * lanes at a time), and a block's columns are reduced side by side, row after row: each column's max and sums are
 * formed in the same order as one column at a time.
 */
import { f } from "./bits";
import { expOver } from "./exp";
import { fmaf } from "./fma";
import { libmExpf } from "./libm";
import { logf } from "./log";
import { dotAll, maxAll, maximum, sumAll } from "./vec_reduce";

export interface Layout {
  outer: number;
  dim: number;
  inner: number;
}

let scratch = new Float32Array(0);

/** A scratch array of at least n elements (its contents are not kept between uses). */
function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(Math.max(n, 2 * scratch.length));
  return scratch;
}

/**
 * e[k] = exp(e[k]) over a [dim, inner] block at `at`: SLEEF's exp for the first `whole` columns (vector lanes),
 * the C library's expf for the columns after them.
 */
function blockExp(e: Float32Array, at: number, dim: number, inner: number, whole: number): void {
  const rest = inner - whole;
  const tail = rest > 0 ? new Float32Array(dim * rest) : null;
  if (tail) for (let d = 0; d < dim; d++) for (let i = 0; i < rest; i++) tail[d * rest + i] = libmExpf(e[at + d * inner + whole + i]);
  expOver(e, e, at, at + dim * inner);
  if (tail) for (let d = 0; d < dim; d++) for (let i = 0; i < rest; i++) e[at + d * inner + whole + i] = tail[d * rest + i];
}

/** Each column's max over the dim (NaN wins), folded in order from the first row. */
function columnMax(x: Float32Array, base: number, dim: number, inner: number, m: Float32Array): void {
  for (let i = 0; i < inner; i++) m[i] = x[base + i];
  for (let d = 1; d < dim; d++) for (let i = 0; i < inner; i++) m[i] = maximum(m[i], x[base + d * inner + i]);
}

/** Each column's float32 sum over the dim, in order from 0. */
function columnSum(e: Float32Array, base: number, dim: number, inner: number, s: Float32Array): void {
  s.fill(0, 0, inner);
  for (let d = 0; d < dim; d++) for (let i = 0; i < inner; i++) s[i] = f(s[i] + e[base + d * inner + i]);
}

export function softmaxForward(x: Float32Array, out: Float32Array, { outer, dim, inner }: Layout, log: boolean): void {
  if (inner === 1) {
    for (let r = 0; r < outer; r++) (log ? logSoftmaxRow : softmaxRow)(x, out, r * dim, dim);
    return;
  }
  const whole = inner - (inner % 8);
  const m = new Float32Array(inner);
  const s = new Float32Array(inner);
  const block = dim * inner;
  const e = log ? scratchOf(block) : out;
  for (let o = 0; o < outer; o++) {
    const base = o * block;
    const at = log ? 0 : base;
    columnMax(x, base, dim, inner, m);
    for (let d = 0; d < dim; d++) for (let i = 0; i < inner; i++) e[at + d * inner + i] = f(x[base + d * inner + i] - m[i]);
    blockExp(e, at, dim, inner, whole);
    columnSum(e, at, dim, inner, s);
    if (log) {
      for (let i = 0; i < inner; i++) s[i] = logf(s[i]);
      for (let d = 0; d < dim; d++) for (let i = 0; i < inner; i++) out[base + d * inner + i] = f(f(x[base + d * inner + i] - m[i]) - s[i]);
    } else {
      for (let d = 0; d < dim; d++) for (let i = 0; i < inner; i++) out[base + d * inner + i] = f(out[base + d * inner + i] / s[i]);
    }
  }
}

function softmaxRow(x: Float32Array, out: Float32Array, at: number, n: number): void {
  const m = maxAll(x, at, n);
  for (let i = 0; i < n; i++) out[at + i] = f(x[at + i] - m);
  expOver(out, out, at, at + n);
  const s = f(1 / sumAll(out, at, n));
  for (let i = 0; i < n; i++) out[at + i] = f(out[at + i] * s);
}

function logSoftmaxRow(x: Float32Array, out: Float32Array, at: number, n: number): void {
  const m = maxAll(x, at, n);
  const e = scratchOf(n);
  for (let i = 0; i < n; i++) e[i] = f(x[at + i] - m);
  expOver(e, e, 0, n);
  const logSum = logf(sumAll(e, 0, n));
  for (let i = 0; i < n; i++) out[at + i] = f(f(x[at + i] - m) - logSum);
}

/** grad_input of softmax (log = false: y is the softmax) or log-softmax (y is the log-softmax). */
export function softmaxBackward(g: Float32Array, y: Float32Array, out: Float32Array, { outer, dim, inner }: Layout, log: boolean): void {
  if (inner === 1) {
    for (let r = 0; r < outer; r++) {
      const at = r * dim;
      if (log) {
        const s = sumAll(g, at, dim);
        const e = scratchOf(dim);
        expOver(y.subarray(at, at + dim), e, 0, dim);
        for (let i = 0; i < dim; i++) out[at + i] = fmaf(-e[i], s, g[at + i]);
      } else {
        const d = dotAll(g, y, at, dim);
        for (let i = 0; i < dim; i++) out[at + i] = f(f(g[at + i] - d) * y[at + i]);
      }
    }
    return;
  }
  const whole = inner - (inner % 8);
  const s = new Float32Array(inner);
  const block = dim * inner;
  for (let o = 0; o < outer; o++) {
    const base = o * block;
    if (log) {
      columnSum(g, base, dim, inner, s);
      const e = scratchOf(block);
      e.set(y.subarray(base, base + block));
      blockExp(e, 0, dim, inner, whole);
      for (let k = 0; k < block; k++) out[base + k] = fmaf(-e[k], s[k % inner], g[base + k]);
    } else {
      s.fill(0);
      for (let d = 0; d < dim; d++) for (let i = 0, k = base + d * inner; i < inner; i++, k++) s[i] = fmaf(g[k], y[k], s[i]);
      for (let d = 0; d < dim; d++) for (let i = 0, k = base + d * inner; i < inner; i++, k++) out[k] = f(y[k] * f(g[k] - s[i]));
    }
  }
}
