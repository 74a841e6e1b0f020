/**
 * Max pooling as PyTorch 1.13 records it: one op with two outputs, the values and the int64 position of each maximum
 * in its plane (MaxPool2DWithIndicesBackward0, AdaptiveMaxPool2DBackward0). Its gradient scatters into those
 * positions, and the gradient of that gathers from them. The 1-D forms run the 2-D op on an unsqueezed input, leaving
 * PyTorch's Unsqueeze/Squeeze nodes around it.
 */
import { type OpDef, apply, applyMulti, defineMultiOp, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import type { Tensor } from "../tensor";
import { type IntOrTuple, checkFloating, expandInts } from "./layer_args";
import { type AdaptiveSize, type Pool2dAttrs, adaptiveEnd, adaptiveSizes, adaptiveStart, attrs1d, check1d, checkPool, outputSizes, pool2dAttrs } from "./pool_args";

// ---- max pooling: values and positions ----

function maxPoolForward(x: Tensor, a: Pool2dAttrs): Tensor[] {
  const [outH, outW] = outputSizes(x, a);
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  const shape = [...x.shape.slice(0, -2), outH, outW];
  const values = empty(shape, x.dtype);
  const indices = empty(shape.slice(), "int64");
  const src = x._data;
  const vs = values._data;
  const is = indices._data;
  const planes = x.numel() / (h * w);
  const [kH, kW] = a.kernel;
  const [sH, sW] = a.stride;
  const [pH, pW] = a.padding;
  const [dH, dW] = a.dilation;
  // Each window's first and one-past-last row and column inside the input, worked out once per call, not per window.
  const [hStart, hEnd] = windowBounds(outH, sH, pH, kH, dH, h);
  const [wStart, wEnd] = windowBounds(outW, sW, pW, kW, dW, w);
  let k = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = hStart[oh];
      const h1 = hEnd[oh];
      for (let ow = 0; ow < outW; ow++, k++) {
        const w0 = wStart[ow];
        const w1 = wEnd[ow];
        let best = -Infinity;
        let at = h0 * w + w0;
        for (let ih = h0; ih < h1; ih += dH) {
          for (let iw = w0; iw < w1; iw += dW) {
            const v = src[base + ih * w + iw];
            // A NaN wins and stays, as in ATen's kernel.
            if (v > best || v !== v) {
              best = v;
              at = ih * w + iw;
              if (v !== v) break;
            }
          }
          if (best !== best) break;
        }
        vs[k] = best;
        is[k] = at;
      }
    }
  }
  return [values, indices];
}

/** For each of `count` windows along one dim: its first tap inside the input and the end of its taps (clipped). */
function windowBounds(count: number, stride: number, pad: number, kernel: number, dilation: number, size: number): [Int32Array, Int32Array] {
  const start = new Int32Array(count);
  const end = new Int32Array(count);
  for (let o = 0; o < count; o++) {
    let first = o * stride - pad;
    end[o] = Math.min(first + (kernel - 1) * dilation + 1, size);
    while (first < 0) first += dilation;
    start[o] = first;
  }
  return [start, end];
}

interface ScatterAttrs {
  /** The gradient node's name (MaxPool2DWithIndicesBackwardBackward0, AdaptiveMaxPool2DBackwardBackward0). */
  readonly name: string;
  readonly indices: Tensor;
  /** Spatial dims the indices count positions in (2 unless given; 3 for max_pool3d). */
  readonly dims?: number;
}

/** The number of positions in the last `dims` dims of `t`. */
function planeSize(t: Tensor, dims = 2): number {
  let n = 1;
  for (let i = t.ndim - dims; i < t.ndim; i++) n *= t.shape[i];
  return n;
}

/** grad_input: each output's gradient added at the position its maximum came from. */
const scatterToMaxOp: OpDef<ScatterAttrs> = defineOp<ScatterAttrs>({
  name: "maxPoolBackward",
  gradFnName: (a) => a.name,
  forward: ([g, x], { indices, dims }) => {
    const out = empty(x.shape.slice(), x.dtype);
    const plane = planeSize(x, dims);
    const pooled = planeSize(indices, dims);
    const gs = g._data;
    const is = indices._data;
    const os = out._data;
    for (let k = 0; k < gs.length; k++) os[Math.floor(k / pooled) * plane + is[k]] += gs[k];
    return out;
  },
  backward: ({ inputs: [, x], attrs }, gg) => [apply(gatherAtMaxOp, [gg], attrs), empty(x.shape.slice(), x.dtype)],
});

/** The gradient of the scatter: each output reads the gradient at its maximum's position (ATen's
 * max_pool_double_backward, a gather). */
const gatherAtMaxOp: OpDef<ScatterAttrs> = defineOp<ScatterAttrs>({
  name: "maxPoolGather",
  gradFnName: "GatherBackward0",
  forward: ([gg], { indices, dims }) => {
    const out = empty(indices.shape.slice(), gg.dtype);
    const plane = planeSize(gg, dims);
    const pooled = planeSize(indices, dims);
    const src = gg._data;
    const is = indices._data;
    const os = out._data;
    for (let k = 0; k < os.length; k++) os[k] = src[Math.floor(k / pooled) * plane + is[k]];
    return out;
  },
  backward: ({ inputs: [gg], attrs }, g) => [apply(scatterToMaxOp, [g, gg], attrs)],
});

/** @internal A max pooling op with two outputs (values, int64 positions in the last `dims` dims); its gradient
 * scatters into those positions. */
export function maxWithIndicesOp<A>(name: string, backwardName: string, forward: (x: Tensor, a: A) => Tensor[], dims = 2) {
  return defineMultiOp<A>({
    name,
    gradFnName: `${name}Backward0`,
    forward: ([x], a) => forward(x, a),
    backward: ({ inputs: [x], outputs: [, indices] }, [g]) => [g ? apply(scatterToMaxOp, [g, x], { name: backwardName, indices, dims }) : null],
    saves: { inputs: [0], output: true },
  });
}

const maxPool2dOp = maxWithIndicesOp("MaxPool2DWithIndices", "MaxPool2DWithIndicesBackwardBackward0", maxPoolForward);

export interface MaxPoolOptions {
  /** The step between windows; PyTorch's default is the kernel size. */
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  /** Count a last, partial window (ceil instead of floor in the output size). */
  ceilMode?: boolean;
  /** Also return the position of each maximum within its plane (int64), as PyTorch's return_indices. */
  returnIndices?: boolean;
}


/** [values, indices] of a 2-D max pooling with checked attrs. */
function maxPool2dWithIndices(x: Tensor, a: Pool2dAttrs): [Tensor, Tensor] {
  checkFloating(x, "max_pool2d");
  const [outH, outW] = outputSizes(x, a);
  checkPool(x, a, outH, outW);
  const [values, indices] = applyMulti(maxPool2dOp, [x], a);
  return [values, indices];
}

/** torch.nn.functional.max_pool2d over [N, C, H, W] or [C, H, W]; with `returnIndices`, [values, indices]. */
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  const result = maxPool2dWithIndices(input, pool2dAttrs(kernelSize, options, "max_pool2d"));
  return options.returnIndices ? result : result[0];
}


/** torch.nn.functional.max_pool1d over [N, C, L] or [C, L]. */
export function maxPool1d(input: Tensor, kernelSize: IntOrTuple, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  check1d(input, "max_pool1d");
  const [values, indices] = maxPool2dWithIndices(input.unsqueeze(-2), attrs1d(kernelSize, options, "max_pool1d"));
  const squeezed = values.squeeze(-2);
  return options.returnIndices ? [squeezed, indices.squeeze(-2)] : squeezed;
}


interface AdaptiveMaxAttrs extends Pool2dAttrs {
  readonly outH: number;
  readonly outW: number;
}

function adaptiveMaxForward(x: Tensor, a: Pool2dAttrs): Tensor[] {
  const { outH, outW } = a as AdaptiveMaxAttrs;
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  const shape = [...x.shape.slice(0, -2), outH, outW];
  const values = empty(shape, x.dtype);
  const indices = empty(shape.slice(), "int64");
  const src = x._data;
  const planes = x.numel() / (h * w);
  let k = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = adaptiveStart(oh, h, outH);
      const h1 = adaptiveEnd(oh, h, outH);
      for (let ow = 0; ow < outW; ow++, k++) {
        const w0 = adaptiveStart(ow, w, outW);
        const w1 = adaptiveEnd(ow, w, outW);
        let best = -Infinity;
        let at = h0 * w + w0;
        for (let ih = h0; ih < h1 && best === best; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const v = src[base + ih * w + iw];
            if (v > best || v !== v) {
              best = v;
              at = ih * w + iw;
              if (v !== v) break;
            }
          }
        }
        values._data[k] = best;
        indices._data[k] = at;
      }
    }
  }
  return [values, indices];
}

const adaptiveMaxOp = maxWithIndicesOp("AdaptiveMaxPool2D", "AdaptiveMaxPool2DBackwardBackward0", adaptiveMaxForward);

export interface AdaptiveMaxOptions {
  returnIndices?: boolean;
}

function adaptiveMax2d(input: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  checkFloating(input, "adaptive_max_pool2d");
  const [outH, outW] = adaptiveSizes(input, outputSize, "adaptive_max_pool2d");
  const attrs: AdaptiveMaxAttrs = { kernel: [1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], ceilMode: false, outH, outW };
  const [values, indices] = applyMulti(adaptiveMaxOp, [input], attrs);
  return [values, indices];
}

/** torch.nn.functional.adaptive_max_pool2d; with `returnIndices`, [values, indices]. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options: AdaptiveMaxOptions = {}): Tensor | [Tensor, Tensor] {
  const result = adaptiveMax2d(input, outputSize);
  return options.returnIndices ? result : result[0];
}

/** torch.nn.functional.adaptive_max_pool1d over [N, C, L] or [C, L]. */
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], options: AdaptiveMaxOptions = {}): Tensor | [Tensor, Tensor] {
  check1d(input, "adaptive_max_pool1d");
  const size = expandInts(outputSize, 1, "output_size", "adaptive_max_pool1d")[0];
  const [values, indices] = adaptiveMax2d(input.unsqueeze(-2), [1, size]);
  const squeezed = values.squeeze(-2);
  return options.returnIndices ? [squeezed, indices.squeeze(-2)] : squeezed;
}
