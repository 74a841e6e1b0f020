/** Activations and (log-)softmax along a dim. */
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { normalizeDim } from "../shape";
import type { Tensor } from "../tensor";
import * as unary from "../ops/unary";

export const relu = unary.relu;
export const sigmoid = unary.sigmoid;
export const tanh = unary.tanh;

/** Visits each 1-D line along `dim`: (offset of its first element, stride between its elements, its length). */
function forEachLine(shape: readonly number[], dim: number, visit: (offset: number, stride: number, n: number) => void): void {
  const n = shape[dim];
  let inner = 1;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  let outer = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) visit(o * n * inner + i, inner, n);
}

function softmaxForward(x: Tensor, dim: number, log: boolean): Tensor {
  const out = empty(x.shape.slice(), x.dtype);
  const src = x._data;
  const dst = out._data;
  if (x.ndim === 0) {
    dst[0] = log ? 0 : 1;
    return out;
  }
  forEachLine(x.shape, dim, (offset, stride, n) => {
    // Subtracting the max keeps exp from overflowing; the result is the same.
    let max = -Infinity;
    for (let k = 0; k < n; k++) max = Math.max(max, src[offset + k * stride]);
    let sum = 0;
    for (let k = 0; k < n; k++) sum += Math.exp(src[offset + k * stride] - max);
    const logSum = Math.log(sum);
    for (let k = 0; k < n; k++) {
      const v = src[offset + k * stride] - max;
      dst[offset + k * stride] = log ? v - logSum : Math.exp(v) / sum;
    }
  });
  return out;
}

const softmaxOp = defineOp<number>({
  name: "softmax",
  gradFnName: "SoftmaxBackward0",
  forward: ([x], dim) => softmaxForward(x, dim, false),
  // dx = y · (g − Σ g·y)
  backward: ({ output: y, attrs: dim }, g) => [y.mul(g.sub(g.mul(y).sum(dim, true)))],
  saves: { output: true },
});

const logSoftmaxOp = defineOp<number>({
  name: "logSoftmax",
  gradFnName: "LogSoftmaxBackward0",
  forward: ([x], dim) => softmaxForward(x, dim, true),
  // dx = g − exp(y) · Σ g
  backward: ({ output: y, attrs: dim }, g) => [g.sub(y.exp().mul(g.sum(dim, true)))],
  saves: { output: true },
});

export function softmax(x: Tensor, dim: number): Tensor {
  return apply(softmaxOp, [x], x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim));
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  return apply(logSoftmaxOp, [x], x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim));
}
