/**
 * Pooling as PyTorch 1.13 records it. Max pooling is one op with two outputs, the values and the int64 positions of
 * each maximum in its plane (MaxPool2DWithIndicesBackward0, AdaptiveMaxPool2DBackward0); its gradient scatters into
 * those positions, and the gradient of that gathers from them. Average pooling is a plane map (AvgPool2DBackward0).
 * The 1-D forms run the 2-D op on an unsqueezed input, leaving PyTorch's Unsqueeze/Squeeze nodes around it.
 */
import { RuntimeError } from "../errors";
import { apply, applyMulti, defineMultiOp, defineOp, type OpDef } from "../ops/op";
import { empty } from "../ops/operands";
import { formatShape } from "../shape";
import type { Tensor } from "../tensor";
import { type IntOrTuple, checkFloating, expandInts } from "./layer_args";
import { MapCache, PlaneMapBuilder, applyPlaneMap } from "./plane_map";

interface Pool2dAttrs {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;
}

/** ATen's pooling_output_shape: windows that start inside the input or its left padding. */
function pooledSize(size: number, kernel: number, pad: number, stride: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

function outputSizes(x: Tensor, a: Pool2dAttrs): [number, number] {
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  return [
    pooledSize(h, a.kernel[0], a.padding[0], a.stride[0], a.dilation[0], a.ceilMode),
    pooledSize(w, a.kernel[1], a.padding[1], a.stride[1], a.dilation[1], a.ceilMode),
  ];
}

function checkPool(x: Tensor, a: Pool2dAttrs, outH: number, outW: number): void {
  if (!(x.ndim === 3 || x.ndim === 4) || x.shape.slice(x.ndim - 3).some((d, i) => d === 0 && i > 0)) {
    throw new RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input");
  }
  if (a.kernel.some((k) => k <= 0)) throw new RuntimeError(`kernel size should be greater than zero, but got kH: ${a.kernel[0]} kW: ${a.kernel[1]}`);
  if (a.stride.some((s) => s <= 0)) throw new RuntimeError(`stride should be greater than zero, but got dH: ${a.stride[0]} dW: ${a.stride[1]}`);
  if (a.dilation.some((d) => d <= 0)) throw new RuntimeError(`dilation should be greater than zero, but got dilationH: ${a.dilation[0]} dilationW: ${a.dilation[1]}`);
  for (let i = 1; i >= 0; i--) {
    if (a.padding[i] > a.kernel[i] / 2) throw new RuntimeError(`pad should be at most half of kernel size, but got pad=${a.padding[i]} and kernel_size=${a.kernel[i]}`);
  }
  if (outH < 1 || outW < 1) {
    const c = x.shape[x.ndim - 3];
    throw new RuntimeError(`Given input size: (${c}x${x.shape[x.ndim - 2]}x${x.shape[x.ndim - 1]}). Calculated output size: (${c}x${outH}x${outW}). Output size is too small`);
  }
}

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
  let k = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oh = 0; oh < outH; oh++) {
      let h0 = oh * sH - pH;
      const h1 = Math.min(h0 + (kH - 1) * dH + 1, h);
      while (h0 < 0) h0 += dH;
      for (let ow = 0; ow < outW; ow++, k++) {
        let w0 = ow * sW - pW;
        const w1 = Math.min(w0 + (kW - 1) * dW + 1, w);
        while (w0 < 0) w0 += dW;
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

interface ScatterAttrs {
  /** The gradient node's name (MaxPool2DWithIndicesBackwardBackward0, AdaptiveMaxPool2DBackwardBackward0). */
  readonly name: string;
  readonly indices: Tensor;
}

/** grad_input: each output's gradient added at the position its maximum came from. */
const scatterToMaxOp: OpDef<ScatterAttrs> = defineOp<ScatterAttrs>({
  name: "maxPoolBackward",
  gradFnName: (a) => a.name,
  forward: ([g, x], { indices }) => {
    const out = empty(x.shape.slice(), x.dtype);
    const plane = x.shape[x.ndim - 2] * x.shape[x.ndim - 1];
    const pooled = indices.shape[indices.ndim - 2] * indices.shape[indices.ndim - 1];
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
  forward: ([gg], { indices }) => {
    const out = empty(indices.shape.slice(), gg.dtype);
    const plane = gg.shape[gg.ndim - 2] * gg.shape[gg.ndim - 1];
    const pooled = indices.shape[indices.ndim - 2] * indices.shape[indices.ndim - 1];
    const src = gg._data;
    const is = indices._data;
    const os = out._data;
    for (let k = 0; k < os.length; k++) os[k] = src[Math.floor(k / pooled) * plane + is[k]];
    return out;
  },
  backward: ({ inputs: [gg], attrs }, g) => [apply(scatterToMaxOp, [g, gg], attrs)],
});

function maxWithIndicesOp(name: string, backwardName: string, forward: (x: Tensor, a: Pool2dAttrs) => Tensor[]) {
  return defineMultiOp<Pool2dAttrs>({
    name,
    gradFnName: `${name}Backward0`,
    forward: ([x], a) => forward(x, a),
    backward: ({ inputs: [x], outputs: [, indices] }, [g]) => [g ? apply(scatterToMaxOp, [g, x], { name: backwardName, indices }) : null],
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

/** PyTorch's words for a 2-D pooling parameter of the wrong length (they differ from parameter to parameter). */
const POOL2D_LENGTH: Record<string, string> = {
  kernel_size: "kernel_size must either be a single int, or a tuple of two ints",
  stride: "stride must either be omitted, a single int, or a tuple of two ints",
  padding: "padding must either be a single int, or a tuple of two ints",
  dilation: "dilation must be either a single int, or a tuple of two ints",
};

function pool2dAttrs(kernelSize: IntOrTuple, o: { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean }, where: string): Pool2dAttrs {
  const pair = (v: IntOrTuple, name: string) => {
    const message = name === "padding" && where === "max_pool2d" ? "padding must be either be a single int, or a tuple of two ints" : POOL2D_LENGTH[name];
    return expandInts(v, 2, name, where, () => `${where}: ${message}`) as [number, number];
  };
  const kernel = pair(kernelSize, "kernel_size");
  const stride = o.stride === undefined || o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0) ? kernel : pair(o.stride, "stride");
  if (stride.some((s) => s === 0)) throw new RuntimeError("stride should not be zero");
  return { kernel, stride, padding: pair(o.padding ?? 0, "padding"), dilation: pair(o.dilation ?? 1, "dilation"), ceilMode: o.ceilMode ?? false };
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

function attrs1d(kernelSize: IntOrTuple, o: { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean }, where: string): Pool2dAttrs {
  const wrongLength = (name: string) => (list: number[]) =>
    where === "avg_pool1d"
      ? `avg_pool1d() argument '${name}' should contain one int (got ${list.length})`
      : `${where}() ${name} must be an int, list of ints or tuple of ints of size 1 but got size ${list.length}`;
  const one = (v: IntOrTuple | null | undefined, name: string, fill: number): [number, number] => [fill, expandInts(v ?? fill, 1, name, where, wrongLength(name))[0]];
  const kernel = one(kernelSize, "kernel_size", 1);
  const attrs: Pool2dAttrs = {
    kernel,
    stride: o.stride === undefined || o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0) ? kernel : one(o.stride, "stride", 1),
    padding: one(o.padding, "padding", 0),
    dilation: one(o.dilation, "dilation", 1),
    ceilMode: o.ceilMode ?? false,
  };
  if (attrs.stride[1] === 0) throw new RuntimeError("stride should not be zero");
  return attrs;
}

function check1d(input: Tensor, where: string): void {
  if (input.ndim !== 2 && input.ndim !== 3) throw new RuntimeError(`${where}() Expected 2D or 3D input tensor, but got ${formatShape(input.shape)}`);
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

// ---- average pooling ----

export interface AvgPoolOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  /** Count padded positions in the divisor (PyTorch's default, true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number | null;
}

const avgMaps = new MapCache();

/** ATen's avg_pool2d: the window clipped to input + padding sets the divisor with count_include_pad, the window
 * clipped to the input otherwise; a window wholly in the padding gives 0. */
function avgPoolMap(h: number, w: number, outH: number, outW: number, a: Pool2dAttrs, includePad: boolean, divisorOverride: number | null) {
  const key = [h, w, outH, outW, ...a.kernel, ...a.stride, ...a.padding, includePad, divisorOverride].join(",");
  return avgMaps.get(key, () => {
    const b = new PlaneMapBuilder(h * w, outH * outW, outH * outW * a.kernel[0] * a.kernel[1]);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let h0 = oh * a.stride[0] - a.padding[0];
        let w0 = ow * a.stride[1] - a.padding[1];
        let h1 = Math.min(h0 + a.kernel[0], h + a.padding[0]);
        let w1 = Math.min(w0 + a.kernel[1], w + a.padding[1]);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, h);
        w1 = Math.min(w1, w);
        if (h0 >= h1 || w0 >= w1) {
          b.next();
          continue;
        }
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) b.add(ih * w + iw);
        b.next(divisorOverride ?? (includePad ? poolSize : (h1 - h0) * (w1 - w0)));
      }
    }
    return b.build();
  });
}

function avgPool2dWith(x: Tensor, a: Pool2dAttrs, options: AvgPoolOptions, where: string): Tensor {
  checkFloating(x, where);
  const [outH, outW] = outputSizes(x, a);
  checkPool(x, a, outH, outW);
  const divisor = options.divisorOverride ?? null;
  if (divisor !== null && (!Number.isInteger(divisor) || divisor === 0)) throw new RuntimeError("divisor must be not zero");
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  const map = avgPoolMap(h, w, outH, outW, a, options.countIncludePad ?? true, divisor);
  const outShape = [...x.shape.slice(0, -2), outH, outW];
  return applyPlaneMap(x, { map, inShape: x.shape.slice(), outShape, names: ["AvgPool2DBackward0", "AvgPool2DBackwardBackward0"], selfInBackward: true });
}

/** torch.nn.functional.avg_pool2d over [N, C, H, W] or [C, H, W]. */
export function avgPool2d(input: Tensor, kernelSize: IntOrTuple, options: AvgPoolOptions = {}): Tensor {
  return avgPool2dWith(input, pool2dAttrs(kernelSize, options, "avg_pool2d"), options, "avg_pool2d");
}

/** torch.nn.functional.avg_pool1d over [N, C, L] or [C, L]. */
export function avgPool1d(input: Tensor, kernelSize: IntOrTuple, options: Omit<AvgPoolOptions, "divisorOverride"> = {}): Tensor {
  check1d(input, "avg_pool1d");
  return avgPool2dWith(input.unsqueeze(-2), attrs1d(kernelSize, options, "avg_pool1d"), options, "avg_pool1d").squeeze(-2);
}

// ---- adaptive pooling ----

/** Window i of `outSize` over `inSize`: [floor(i·in/out), ceil((i+1)·in/out)). */
function adaptiveStart(i: number, inSize: number, outSize: number): number {
  return Math.floor((i * inSize) / outSize);
}

function adaptiveEnd(i: number, inSize: number, outSize: number): number {
  return Math.ceil(((i + 1) * inSize) / outSize);
}

export type AdaptiveSize = number | null | ReadonlyArray<number | null>;

function adaptiveSizes(x: Tensor, size: AdaptiveSize, where: string): [number, number] {
  const list = Array.isArray(size) ? size : [size, size];
  if (list.length !== 2) throw new RuntimeError(`${where}: output_size must be 2`);
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  const out: [number, number] = [list[0] ?? h, list[1] ?? w];
  if (out.some((s) => !Number.isInteger(s) || s < 0)) throw new RuntimeError(`${where}: elements of output_size must be greater than or equal to 0 but received {${out.join(", ")}}`);
  if (!(x.ndim === 3 || x.ndim === 4) || x.shape.slice(x.ndim - 2).some((d) => d === 0)) {
    throw new RuntimeError(`${where}(): Expected 3D or 4D tensor, but got ${formatShape(x.shape)}`);
  }
  return out;
}

const adaptiveMaps = new MapCache();

function adaptiveAvgMap(h: number, w: number, outH: number, outW: number) {
  return adaptiveMaps.get(`${h},${w},${outH},${outW}`, () => {
    const b = new PlaneMapBuilder(h * w, outH * outW);
    for (let oh = 0; oh < outH; oh++) {
      const h0 = adaptiveStart(oh, h, outH);
      const h1 = adaptiveEnd(oh, h, outH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = adaptiveStart(ow, w, outW);
        const w1 = adaptiveEnd(ow, w, outW);
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) b.add(ih * w + iw);
        b.next((h1 - h0) * (w1 - w0));
      }
    }
    return b.build();
  });
}

/** torch.nn.functional.adaptive_avg_pool2d: `outputSize` windows per spatial dim (null keeps the input's size).
 * A 1×1 output is a mean over H and W, as PyTorch computes it (MeanBackward1). */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  checkFloating(input, "adaptive_avg_pool2d");
  const [outH, outW] = adaptiveSizes(input, outputSize, "adaptive_avg_pool2d");
  if (outH === 1 && outW === 1) return input.mean([-1, -2], true);
  const h = input.shape[input.ndim - 2];
  const w = input.shape[input.ndim - 1];
  const outShape = [...input.shape.slice(0, -2), outH, outW];
  const map = adaptiveAvgMap(h, w, outH, outW);
  return applyPlaneMap(input, { map, inShape: input.shape.slice(), outShape, names: ["AdaptiveAvgPool2DBackward0", "AdaptiveAvgPool2DBackwardBackward0"], selfInBackward: true });
}

/** torch.nn.functional.adaptive_avg_pool1d over [N, C, L] or [C, L]. */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  check1d(input, "adaptive_avg_pool1d");
  const size = expandInts(outputSize, 1, "output_size", "adaptive_avg_pool1d")[0];
  return adaptiveAvgPool2d(input.unsqueeze(-2), [1, size]).squeeze(-2);
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
