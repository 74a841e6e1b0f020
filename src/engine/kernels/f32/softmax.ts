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
 */
import { f } from "./bits";
import { expf } from "./exp";
import { fmaf } from "./fma";
import { libmExpf } from "./libm";
import { logf } from "./log";
import { add, dotAll, maximum, reduceAll } from "./vec_reduce";

export interface Layout {
  outer: number;
  dim: number;
  inner: number;
}

export function softmaxForward(x: Float32Array, out: Float32Array, { outer, dim, inner }: Layout, log: boolean): void {
  if (inner === 1) {
    for (let r = 0; r < outer; r++) (log ? logSoftmaxRow : softmaxRow)(x, out, r * dim, dim);
    return;
  }
  for (let o = 0; o < outer; o++) {
    const base = o * dim * inner;
    const whole = inner - (inner % 8);
    for (let i = 0; i < inner; i++) (log ? logSoftmaxColumn : softmaxColumn)(x, out, base + i, inner, dim, i < whole ? expf : libmExpf);
  }
}

function softmaxRow(x: Float32Array, out: Float32Array, at: number, n: number): void {
  const m = reduceAll(n, (i) => x[at + i], maximum);
  for (let i = 0; i < n; i++) out[at + i] = expf(f(x[at + i] - m));
  const s = f(1 / reduceAll(n, (i) => out[at + i], add));
  for (let i = 0; i < n; i++) out[at + i] = f(out[at + i] * s);
}

function logSoftmaxRow(x: Float32Array, out: Float32Array, at: number, n: number): void {
  const m = reduceAll(n, (i) => x[at + i], maximum);
  const logSum = logf(reduceAll(n, (i) => expf(f(x[at + i] - m)), add));
  for (let i = 0; i < n; i++) out[at + i] = f(f(x[at + i] - m) - logSum);
}

/** One inner position of a non-last-dim softmax: max, exp and sum in order along the dim, then a division. */
function softmaxColumn(x: Float32Array, out: Float32Array, at: number, stride: number, n: number, exp: (v: number) => number): void {
  let m = x[at];
  for (let d = 1; d < n; d++) m = maximum(m, x[at + d * stride]);
  let s = 0;
  for (let d = 0; d < n; d++) {
    const e = exp(f(x[at + d * stride] - m));
    out[at + d * stride] = e;
    s = f(s + e);
  }
  for (let d = 0; d < n; d++) out[at + d * stride] = f(out[at + d * stride] / s);
}

function logSoftmaxColumn(x: Float32Array, out: Float32Array, at: number, stride: number, n: number, exp: (v: number) => number): void {
  let m = x[at];
  for (let d = 1; d < n; d++) m = maximum(m, x[at + d * stride]);
  let s = 0;
  for (let d = 0; d < n; d++) s = f(s + exp(f(x[at + d * stride] - m)));
  const logSum = logf(s);
  for (let d = 0; d < n; d++) out[at + d * stride] = f(f(x[at + d * stride] - m) - logSum);
}

/** grad_input of softmax (log = false: y is the softmax) or log-softmax (y is the log-softmax). */
export function softmaxBackward(g: Float32Array, y: Float32Array, out: Float32Array, { outer, dim, inner }: Layout, log: boolean): void {
  if (inner === 1) {
    for (let r = 0; r < outer; r++) {
      const at = r * dim;
      if (log) {
        const s = reduceAll(dim, (i) => g[at + i], add);
        for (let i = 0; i < dim; i++) out[at + i] = fmaf(-expf(y[at + i]), s, g[at + i]);
      } else {
        const d = dotAll(g, y, at, dim);
        for (let i = 0; i < dim; i++) out[at + i] = f(f(g[at + i] - d) * y[at + i]);
      }
    }
    return;
  }
  const whole = inner - (inner % 8);
  for (let o = 0; o < outer; o++) {
    const base = o * dim * inner;
    for (let i = 0; i < inner; i++) {
      const at = base + i;
      const vector = i < whole;
      let s = 0;
      for (let d = 0; d < dim; d++) s = log ? f(s + g[at + d * inner]) : fmaf(g[at + d * inner], y[at + d * inner], s);
      for (let d = 0; d < dim; d++) {
        const k = at + d * inner;
        if (!log) out[k] = f(y[k] * f(g[k] - s));
        else if (vector) out[k] = fmaf(-expf(y[k]), s, g[k]);
        // The leftover inner positions: the C library's expf.
        else out[k] = fmaf(-libmExpf(y[k]), s, g[k]);
      }
    }
  }
}
