/** Activations and (log-)softmax along a dim. */
import * as special from "../kernels/special_functions";
import { geluArray, geluBackwardArray, type GeluApproximate } from "../kernels/f32/gelu";
import { onednnGeluArray, onednnGeluBackwardArray } from "../kernels/f32/onednn_gelu";
import { softplusArray, softplusBackwardArray } from "../kernels/f32/softplus";
import { softmaxBackward as softmaxBackwardKernel, softmaxForward as softmaxKernel, type Layout } from "../kernels/f32/softmax";
import { apply, composite, defineOp } from "../ops/op";
import { empty, valuesAs } from "../ops/operands";
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

function layoutOf(shape: readonly number[], dim: number): Layout {
  let outer = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  let inner = 1;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, dim: shape[dim], inner };
}

function softmaxForward(x: Tensor, dim: number, log: boolean): Tensor {
  const out = empty(x.shape.slice(), x.dtype);
  const src = x._data;
  const dst = out._data;
  if (x.ndim === 0) {
    dst[0] = log ? 0 : 1;
    return out;
  }
  if (x.dtype === "float32") {
    softmaxKernel(src as Float32Array, dst as Float32Array, layoutOf(x.shape, dim), log);
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

interface SoftmaxBackwardAttrs {
  dim: number;
  log: boolean;
}

/** ATen's _softmax_backward_data / _log_softmax_backward_data as an op: float32 through the exact kernel; its own
 * backward with differentiable ops (so a second derivative works). */
const softmaxBackwardOp = defineOp<SoftmaxBackwardAttrs>({
  name: "softmaxBackward",
  gradFnName: (a) => (a.log ? "LogSoftmaxBackwardDataBackward0" : "SoftmaxBackwardDataBackward0"),
  forward: ([g, y], { dim, log }) => {
    if (y.dtype === "float32" && y.ndim > 0) {
      const out = empty(y.shape.slice(), "float32");
      softmaxBackwardKernel(valuesAs(g, "float32") as Float32Array, y._data as Float32Array, out._data as Float32Array, layoutOf(y.shape, dim), log);
      return out;
    }
    return composite(() => softmaxBackwardFormula(g, y, dim, log));
  },
  backward: ({ inputs: [g, y], attrs: { dim, log } }, gg) => {
    if (log) {
      // dx = g − e^y·Σg: d/dg = gg − Σ(gg·e^y), d/dy = −gg·e^y·Σg
      const e = y.exp();
      return [gg.sub(gg.mul(e).sum(dim, true)), gg.mul(e).mul(g.sum(dim, true)).neg()];
    }
    // dx = y·(g − Σg·y): d/dg = y·(gg − Σgg·y), d/dy = gg·(g − Σg·y) − g·Σgg·y
    const ggy = gg.mul(y).sum(dim, true);
    return [y.mul(gg.sub(ggy)), gg.mul(g.sub(g.mul(y).sum(dim, true))).sub(g.mul(ggy))];
  },
  saves: { inputs: [0, 1] },
});

function softmaxBackwardFormula(g: Tensor, y: Tensor, dim: number, log: boolean): Tensor {
  // softmax: dx = y · (g − Σ g·y); log-softmax: dx = g − exp(y) · Σ g
  return log ? g.sub(y.exp().mul(g.sum(dim, true))) : y.mul(g.sub(g.mul(y).sum(dim, true)));
}

function softmaxBackward(g: Tensor, y: Tensor, dim: number, log: boolean): Tensor {
  if (y.ndim === 0) return g.mul(0);
  return apply(softmaxBackwardOp, [g, y], { dim, log });
}

const softmaxOp = defineOp<number>({
  name: "softmax",
  gradFnName: "SoftmaxBackward0",
  forward: ([x], dim) => softmaxForward(x, dim, false),
  backward: ({ output: y, attrs: dim }, g) => [softmaxBackward(g, y, dim, false)],
  saves: { output: true },
});

const logSoftmaxOp = defineOp<number>({
  name: "logSoftmax",
  gradFnName: "LogSoftmaxBackward0",
  forward: ([x], dim) => softmaxForward(x, dim, true),
  backward: ({ output: y, attrs: dim }, g) => [softmaxBackward(g, y, dim, true)],
  saves: { output: true },
});

export function softmax(x: Tensor, dim: number): Tensor {
  return apply(softmaxOp, [x], x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim));
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  return apply(logSoftmaxOp, [x], x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim));
}

// ---- GELU ----

const SQRT1_2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** A same-shape elementwise result: float32 through its exact kernel, float64 through the double formula. */
function elementwise(inputs: readonly Tensor[], f32: (data: Float32Array[], out: Float32Array) => void, f: (...x: number[]) => number): Tensor {
  const ref = inputs[inputs.length - 1];
  const dtype = inputs.some((t) => t.dtype === "float64") ? "float64" : "float32";
  const out = empty(ref.shape.slice(), dtype);
  const data = inputs.map((t) => valuesAs(t, dtype));
  if (dtype === "float32") f32(data as Float32Array[], out._data as Float32Array);
  else {
    const od = out._data;
    const args = new Array<number>(data.length);
    for (let i = 0; i < od.length; i++) {
      for (let k = 0; k < data.length; k++) args[k] = data[k][i];
      od[i] = f(...args);
    }
  }
  return out;
}

function geluBackwardDouble(dy: number, x: number, approximate: GeluApproximate): number {
  if (approximate === "tanh") {
    const beta = Math.SQRT2 * TWO_OVER_SQRT_PI * 0.5;
    const t = Math.tanh(beta * (x + 0.044715 * x * x * x));
    const inner = beta * (1 + 3 * 0.044715 * x * x);
    return dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner);
  }
  const cdf = 0.5 * (1 + erfOf(x * SQRT1_2));
  const pdf = TWO_OVER_SQRT_PI * SQRT1_2 * 0.5 * Math.exp(-0.5 * x * x);
  return dy * (cdf + x * pdf);
}

const erfOf = special.erf;

/** PyTorch 1.13 hands the erf form of a contiguous float32 tensor of more than one element to oneDNN
 * (Activation.cpp's use_mkldnn), forward and backward; everything else goes through ATen's kernel. */
function byOneDnn(x: Tensor, approximate: GeluApproximate): boolean {
  return approximate === "none" && x.numel() > 1;
}

const geluBackwardOp = defineOp<GeluApproximate>({
  name: "geluBackward",
  gradFnName: "GeluBackwardBackward0",
  forward: ([g, x], approximate) =>
    elementwise(
      [g, x],
      ([gd, xd], out) => (byOneDnn(x, approximate) ? onednnGeluBackwardArray(gd, xd, out) : geluBackwardArray(gd, xd, out, approximate)),
      (a, b) => geluBackwardDouble(a, b, approximate),
    ),
  backward: ({ inputs: [g, x], attrs: approximate, needsInputGrad: [dg, dx] }, gg) => [
    dg ? geluBackward(gg, x, approximate) : null,
    dx ? gg.mul(g).mul(geluSecondDerivative(x, approximate)) : null,
  ],
  saves: { inputs: [0, 1] },
});

/** d²gelu/dx², with differentiable ops (PyTorch's gelu_double_backward for the erf form). */
function geluSecondDerivative(x: Tensor, approximate: GeluApproximate): Tensor {
  if (approximate === "tanh") {
    const beta = Math.SQRT2 * TWO_OVER_SQRT_PI * 0.5;
    const kappa = 0.044715;
    const xSq = x.mul(x);
    const t = x.add(x.mul(xSq).mul(kappa)).mul(beta).tanh();
    const dt = t.mul(t).neg().add(1);
    const inner = xSq.mul(3 * kappa).add(1).mul(beta);
    // d/dx [½(1 + t) + ½x(1 − t²)·inner] = (1 − t²)·(inner − x·t·inner² + 3βκx²)
    return dt.mul(inner.sub(x.mul(t).mul(inner).mul(inner)).add(xSq.mul(3 * beta * kappa)));
  }
  const xSq = x.mul(x);
  const pdf = xSq.mul(-0.5).exp().mul(TWO_OVER_SQRT_PI * SQRT1_2 * 0.5);
  return pdf.mul(2).sub(xSq.mul(pdf));
}

/** GELU's float32 forward as PyTorch computes it: oneDNN's kernel for a contiguous tensor of more than one element
 * in the erf form, ATen's otherwise. For the catalogue's F.gelu (functional/activation_more.ts). */
export function geluF32(x: Tensor, src: Float32Array, out: Float32Array, approximate: GeluApproximate): void {
  if (byOneDnn(x, approximate)) onednnGeluArray(src, out);
  else geluArray(src, out, approximate);
}

/** @internal gelu_backward(grad, x) as an op (GeluBackwardBackward0 in a second derivative). */
export function geluBackward(g: Tensor, x: Tensor, approximate: GeluApproximate): Tensor {
  return apply(geluBackwardOp, [g, x], approximate);
}

// ---- softplus ----

export interface SoftplusAttrs {
  beta: number;
  threshold: number;
}

const softplusBackwardOp = defineOp<SoftplusAttrs>({
  name: "softplusBackward",
  gradFnName: "SoftplusBackwardBackward0",
  forward: ([g, x], { beta, threshold }) =>
    elementwise(
      [g, x],
      ([gd, xd], out) => softplusBackwardArray(gd, xd, out, Math.fround(beta), Math.fround(threshold)),
      (a, b) => (b * beta > threshold ? a : (a * Math.exp(b * beta)) / (Math.exp(b * beta) + 1)),
    ),
  backward: ({ inputs: [g, x], attrs, needsInputGrad: [dg, dx] }, gg) => {
    // softplus_double_backward: sigmoid_backward(gg·g, sigmoid(βx)) · (βx < threshold) · β
    const bx = x.mul(attrs.beta);
    const s = bx.sigmoid();
    return [
      dg ? softplusBackward(gg, x, attrs) : null,
      dx ? gg.mul(g).mul(s.neg().add(1)).mul(s).mul(bx.lt(attrs.threshold)).mul(attrs.beta) : null,
    ];
  },
  saves: { inputs: [0, 1] },
});

/** @internal softplus_backward(grad, x, beta, threshold) as an op (SoftplusBackwardBackward0 in a second derivative). */
export function softplusBackward(g: Tensor, x: Tensor, attrs: SoftplusAttrs): Tensor {
  return apply(softplusBackwardOp, [g, x], attrs);
}

/** softplus's float32 forward as PyTorch computes it (for the catalogue's F.softplus). */
export function softplusF32(src: Float32Array, out: Float32Array, beta: number, threshold: number): void {
  softplusArray(src, out, Math.fround(beta), Math.fround(threshold));
}
