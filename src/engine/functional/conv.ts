/**
 * Convolutions as PyTorch 1.13 records them: one `convolution` op (ConvolutionBackward0) for conv1d, conv2d and the
 * transposed ones, whose backward is one op with three outputs (ConvolutionBackwardBackward0: the gradients of input,
 * weight and bias). A convolution is bilinear in input and weight, so the backward of the backward is again made of
 * these two ops, and gradients of any order exist, as in PyTorch.
 */
import { RuntimeError } from "../errors";
import { type ConvPlan, channelSums, convForward, convInputGrad, convWeightGrad } from "../kernels/conv";
import type { Strided4d } from "../kernels/im2col";
import type { FloatArray } from "../kernels/matmul_types";
import { sumInto } from "../kernels/reduce";
import { apply, applyMulti, defineMultiOp, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { warn } from "../recorder";
import { formatShape } from "../shape";
import { Tensor } from "../tensor";
import { conv3dGradValues, conv3dValues, plan3d } from "./conv3d_values";
import { type IntOrTuple, checkFloating, checkSameDType, expandInts } from "./layer_args";
import { pad } from "./padding";

export interface ConvAttrs {
  /** Per spatial dim (1 or 2 entries). */
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly outputPadding: readonly number[];
  readonly transposed: boolean;
  readonly groups: number;
  readonly hasBias: boolean;
}

/** A 3-D (one spatial dim) or 4-D tensor as the kernels read it: [N, C, H, W], a 1-D signal having H = 1. */
function strided4d(t: Tensor): Strided4d {
  const s = t._strides;
  return {
    data: t._storage.data,
    offset: t._offset,
    strides: t.ndim === 3 ? [s[0], s[1], 0, s[2]] : [s[0], s[1], s[2], s[3]],
  };
}

/** The spatial sizes as 2-D (a 1-D signal of length L is 1×L). */
function spatial2d(shape: readonly number[]): [number, number] {
  return shape.length === 3 ? [1, shape[2]] : [shape[2], shape[3]];
}

function params2d(values: readonly number[], fill: number): [number, number] {
  return values.length === 1 ? [fill, values[0]] : [values[0], values[1]];
}

/** The plain convolution underneath: for a transposed convolution, the one it is the adjoint of (from the output
 * back to the input). */
function planOf(xShape: readonly number[], wShape: readonly number[], a: ConvAttrs): ConvPlan {
  const [kH, kW] = spatial2d(wShape);
  const [strideH, strideW] = params2d(a.stride, 1);
  const [padH, padW] = params2d(a.padding, 0);
  const [dilationH, dilationW] = params2d(a.dilation, 1);
  const [xH, xW] = spatial2d(xShape);
  const window = { kH, kW, strideH, strideW, padH, padW, dilationH, dilationW };
  if (!a.transposed) {
    const outH = Math.floor((xH + 2 * padH - dilationH * (kH - 1) - 1) / strideH) + 1;
    const outW = Math.floor((xW + 2 * padW - dilationW * (kW - 1) - 1) / strideW) + 1;
    return { ...window, batch: xShape[0], inChannels: xShape[1], outChannels: wShape[0], groups: a.groups, inH: xH, inW: xW, outH, outW };
  }
  const [outPadH, outPadW] = params2d(a.outputPadding, 0);
  const yH = (xH - 1) * strideH - 2 * padH + dilationH * (kH - 1) + outPadH + 1;
  const yW = (xW - 1) * strideW - 2 * padW + dilationW * (kW - 1) + outPadW + 1;
  return { ...window, batch: xShape[0], inChannels: wShape[1] * a.groups, outChannels: wShape[0], groups: a.groups, inH: yH, inW: yW, outH: xH, outW: xW };
}

/** [N, C, ...spatial] with the spatial rank of `like` (1-D signals drop the H of 1). */
function shapeOf(like: readonly number[], n: number, c: number, h: number, w: number): number[] {
  return like.length === 3 ? [n, c, w] : [n, c, h, w];
}

function tensorOf(values: FloatArray, shape: number[], like: Tensor): Tensor {
  return Tensor.fromData(values, shape, like.dtype);
}

function addBias(out: FloatArray, bias: Tensor, channels: number, plane: number): void {
  const b = bias._data;
  for (let i = 0, n = out.length / plane; i < n; i++) {
    const v = b[i % channels];
    for (let k = i * plane, end = k + plane; k < end; k++) out[k] += v;
  }
}

function convolutionForward(x: Tensor, w: Tensor, bias: Tensor | undefined, a: ConvAttrs): Tensor {
  if (x.ndim === 5) return conv3dValues(x, w, bias, a);
  const p = planOf(x.shape, w.shape, a);
  const weight = w._data as FloatArray;
  if (!a.transposed) {
    const out = convForward(strided4d(x), weight, p);
    if (bias) addBias(out, bias, p.outChannels, p.outH * p.outW);
    return tensorOf(out, shapeOf(x.shape, p.batch, p.outChannels, p.outH, p.outW), x);
  }
  const out = convInputGrad(strided4d(x), weight, p);
  if (bias) addBias(out, bias, p.inChannels, p.inH * p.inW);
  return tensorOf(out, shapeOf(x.shape, p.batch, p.inChannels, p.inH, p.inW), x);
}

export const convolutionOp = defineOp<ConvAttrs>({
  name: "convolution",
  gradFnName: "ConvolutionBackward0",
  forward: ([x, w, b], a) => convolutionForward(x, w, b, a),
  backward: ({ inputs: [x, w], attrs, needsInputGrad: [dx, dw, db] }, g) => {
    const mask: Mask = [dx, dw, db === true];
    const [gx, gw, gb] = convolutionBackward(g, x, w, attrs, mask);
    return [dx ? gx : null, dw ? gw : null, attrs.hasBias && db ? gb : null];
  },
  saves: { inputs: [0, 1] },
});

type Mask = readonly [boolean, boolean, boolean];

interface BackwardAttrs {
  readonly conv: ConvAttrs;
  /** Which of (input, weight, bias) gradients to compute; the others are returned empty. */
  readonly mask: Mask;
}

/** The gradients of input, weight and bias of `convolution(x, w, b)` for the output gradient g. */
const convolutionBackwardOp = defineMultiOp<BackwardAttrs>({
  name: "convolutionBackward",
  gradFnName: "ConvolutionBackwardBackward0",
  forward: ([g, x, w], { conv, mask }) => {
    if (x.ndim === 5) return conv3dBackwardValues(g, x, w, conv, mask);
    const p = planOf(x.shape, w.shape, conv);
    const weight = w._data as FloatArray;
    const none = empty([0], x.dtype);
    const g4 = strided4d(g);
    const x4 = strided4d(x);
    let gx = none;
    let gw = none;
    let gb = none;
    if (mask[0]) gx = tensorOf(conv.transposed ? convForward(g4, weight, p) : convInputGrad(g4, weight, p), x.shape.slice(), x);
    if (mask[1]) gw = tensorOf(conv.transposed ? convWeightGrad(g4, x4, p, weight) : convWeightGrad(x4, g4, p, weight), w.shape.slice(), w);
    if (mask[2] && x.dtype === "float64") {
      // float64 takes ATen's slow_conv2d, whose bias gradient is at::sum over every dim but the channels.
      gb = empty([g.shape[1]], x.dtype);
      sumInto(g._storage.data, g.shape, g.shape.map((_, i) => i).filter((i) => i !== 1), gb._data, g._strides, g._offset);
    } else if (mask[2]) {
      const [h, wd] = spatial2d(g.shape);
      gb = tensorOf(channelSums(g4, g.shape[0], g.shape[1], h, wd, weight), [g.shape[1]], x);
    }
    return [gx, gw, gb];
  },
  // The gradients are linear in g and each bilinear in (g, x) or (g, w): differentiating them gives convolutions again.
  backward: ({ inputs: [g, x, w], attrs: { conv }, needsInputGrad: [dg, dx, dw] }, [ggx, ggw, ggb]) => {
    let gradG: Tensor | null = null;
    if (dg) {
      const parts: Tensor[] = [];
      if (ggx) parts.push(convolution(ggx, w, ggb && conv.hasBias ? ggb : null, conv));
      if (ggw) parts.push(convolution(x, ggw, null, conv));
      if (ggb && conv.hasBias && !ggx) parts.push(ggb.reshape(biasShape(g)).expand(g.shape));
      gradG = parts.length ? parts.reduce((sum, t) => sum.add(t)) : null;
    }
    const gradX = dx && ggw ? convolutionBackward(g, x, ggw, conv, [true, false, false])[0] : null;
    const gradW = dw && ggx ? convolutionBackward(g, ggx, w, conv, [false, true, false])[1] : null;
    return [gradG, gradX, gradW];
  },
  saves: { inputs: [0, 1, 2] },
});

/** The three gradients of a 3-D convolution; the bias's is the sum over every dim but the channels. */
function conv3dBackwardValues(g: Tensor, x: Tensor, w: Tensor, conv: ConvAttrs, mask: Mask): Tensor[] {
  const none = empty([0], x.dtype);
  const [gx, gw] = conv3dGradValues(g, x, w, conv, mask[0], mask[1]);
  let gb = none;
  if (mask[2]) {
    gb = empty([g.shape[1]], x.dtype);
    sumInto(g._storage.data, g.shape, [0, 2, 3, 4], gb._data, g._strides, g._offset);
  }
  return [gx ?? none, gw ?? none, gb];
}

function biasShape(g: Tensor): number[] {
  return g.shape.map((d, i) => (i === 1 ? d : 1));
}

/** @internal One convolution op with attrs already checked. */
export function convolution(x: Tensor, w: Tensor, bias: Tensor | null, attrs: ConvAttrs): Tensor {
  const hasBias = bias !== null;
  const a2 = attrs.hasBias === hasBias ? attrs : { ...attrs, hasBias };
  return apply(convolutionOp, hasBias ? [x, w, bias] : [x, w], a2);
}

function convolutionBackward(g: Tensor, x: Tensor, w: Tensor, conv: ConvAttrs, mask: Mask): Tensor[] {
  return applyMulti(convolutionBackwardOp, [g, x, w], { conv, mask });
}

// ---- the functional forms, with PyTorch's checks ----

export type ConvPadding = IntOrTuple | "same" | "valid";

export interface ConvOptions {
  stride?: IntOrTuple;
  /** A number, one per spatial dim, or "valid" (no padding) or "same" (output as large as the input; stride 1). */
  padding?: ConvPadding;
  dilation?: IntOrTuple;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputPadding?: IntOrTuple;
  groups?: number;
  dilation?: IntOrTuple;
}

function checkGroups(groups: number): void {
  if (!Number.isInteger(groups)) throw new TypeError(`groups must be an integer, but got ${groups}`);
  if (groups <= 0) throw new RuntimeError("non-positive groups is not supported");
}

function checkInputRank(input: Tensor, dims: number, name: string): boolean {
  const batched = dims + 2;
  if (input.ndim !== batched && input.ndim !== batched - 1) {
    throw new RuntimeError(`Expected ${batched - 1}D (unbatched) or ${batched}D (batched) input to ${name}, but got input of size: ${formatShape(input.shape)}`);
  }
  return input.ndim === batched;
}

function checkGeometry(x: Tensor, w: Tensor, bias: Tensor | null, a: ConvAttrs): void {
  checkFloating(x, "slow_conv2d_cpu");
  checkSameDType(x, w);
  if (bias) checkSameDType(x, bias);
  if (w.ndim !== x.ndim) {
    throw new RuntimeError(`Expected ${w.ndim}-dimensional input for ${w.ndim}-dimensional weight ${formatShape(w.shape)}, but got ${x.ndim}-dimensional input of size ${formatShape(x.shape)} instead`);
  }
  if (a.stride.some((s) => s <= 0)) throw new RuntimeError("non-positive stride is not supported");
  if (a.padding.some((p) => p < 0)) throw new RuntimeError("negative padding is not supported");
  if (a.dilation.some((d) => d <= 0)) throw new RuntimeError(`dilation should be greater than zero, but got [${a.dilation.join(", ")}]`);
  if (a.outputPadding.some((p) => p < 0)) throw new RuntimeError("negative output_padding is not supported");
  const channels = x.shape[1];
  if (!a.transposed) {
    if (w.shape[0] % a.groups !== 0) throw new RuntimeError("Given groups=" + a.groups + ", expected weight to be divisible by " + a.groups + " at dimension 0, but got weight of size " + formatShape(w.shape) + " instead");
    if (channels !== w.shape[1] * a.groups) {
      throw new RuntimeError(`Given groups=${a.groups}, weight of size ${formatShape(w.shape)}, expected input${formatShape(x.shape)} to have ${w.shape[1] * a.groups} channels, but got ${channels} channels instead`);
    }
    const outChannels = w.shape[0];
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
      throw new RuntimeError(`Given weight of size ${formatShape(w.shape)}, expected bias to be 1-dimensional with ${outChannels} elements, but got bias of size ${formatShape(bias.shape)} instead`);
    }
    const sizes = x.shape.slice(2);
    const padded = sizes.map((s, i) => s + 2 * a.padding[i]);
    const kernel = w.shape.slice(2).map((k, i) => a.dilation[i] * (k - 1) + 1);
    if (padded.some((s, i) => s < kernel[i])) {
      throw new RuntimeError(`Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: (${kernel.join(" x ")}). Kernel size can't be greater than actual input size`);
    }
    return;
  }
  if (channels !== w.shape[0]) {
    throw new RuntimeError(`Given transposed=1, weight of size ${formatShape(w.shape)}, expected input${formatShape(x.shape)} to have ${w.shape[0]} channels, but got ${channels} channels instead`);
  }
  if (w.shape[0] % a.groups !== 0) throw new RuntimeError(`Given groups=${a.groups}, expected weight to be divisible by ${a.groups} at dimension 0, but got weight of size ${formatShape(w.shape)} instead`);
  const outChannels = w.shape[1] * a.groups;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new RuntimeError(`Given transposed=1, weight of size ${formatShape(w.shape)}, expected bias to be 1-dimensional with ${outChannels} elements, but got bias of size ${formatShape(bias.shape)} instead`);
  }
  const tooBig = a.outputPadding.some((p, i) => p >= a.stride[i] && p >= a.dilation[i]);
  if (tooBig) {
    const names = a.stride.length === 1 ? ["", ""] : a.stride.length === 3 ? ["_depth", "_height", "_width"] : ["_height", "_width"];
    const part = (label: string, v: readonly number[]) => v.map((x, i) => `${label}${names[i]}: ${x}`).join(" ");
    throw new RuntimeError(`output padding must be smaller than either stride or dilation, but got ${part("output_padding", a.outputPadding)} ${part("stride", a.stride)} ${part("dilation", a.dilation)}`);
  }
  const outSizes = x.ndim === 5 ? plan3d(x.shape, w.shape, a).inSize : ((p) => (x.ndim === 3 ? [p.inW] : [p.inH, p.inW]))(planOf(x.shape, w.shape, a));
  if (outSizes.some((s) => s <= 0)) {
    throw new RuntimeError(`Given input size per channel: (${x.shape.slice(2).join(" x ")}). Calculated output size per channel: (${outSizes.join(" x ")}). Output size is too small`);
  }
}

/** Left and right padding for "same": the kernel's reach split evenly, the odd one on the right (as PyTorch). */
function samePadding(kernel: readonly number[], dilation: readonly number[]): { left: number[]; right: number[] } {
  const total = kernel.map((k, i) => dilation[i] * (k - 1));
  const left = total.map((t) => Math.floor(t / 2));
  return { left, right: total.map((t, i) => t - left[i]) };
}

/** PyTorch's message for a parameter list of the wrong length. */
function convParam(v: IntOrTuple, dims: number, name: string, where: string): number[] {
  return expandInts(v, dims, name, where, (list) => `expected ${name} to be a single integer value or a list of ${dims} values to match the convolution dimensions, but got ${name}=[${list.join(", ")}]`);
}

function convNd(input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvOptions, dims: number, name: string): Tensor {
  const batched = checkInputRank(input, dims, name);
  const x = batched ? input : input.unsqueeze(0);
  const stride = convParam(options.stride ?? 1, dims, "stride", name);
  const dilation = convParam(options.dilation ?? 1, dims, "dilation", name);
  const groups = options.groups ?? 1;
  checkGroups(groups);
  const paddingOption = options.padding ?? 0;
  let padding: number[];
  let padded = x;
  if (typeof paddingOption === "string") {
    if (paddingOption === "valid") padding = new Array<number>(dims).fill(0);
    else if (paddingOption === "same") {
      if (stride.some((s) => s !== 1)) throw new RuntimeError("padding='same' is not supported for strided convolutions");
      const { left, right } = samePadding(weight.shape.slice(2), dilation);
      padding = left;
      const extra = right.map((r, i) => r - left[i]);
      if (extra.some((e) => e > 0)) {
        // An even kernel reaches one further right: that column is padded first, the rest symmetrically.
        warn("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded copy of the input be created");
        const pads: number[] = [];
        for (let i = dims - 1; i >= 0; i--) pads.push(0, extra[i]);
        padded = pad(x, pads);
      }
    } else throw new RuntimeError(`Invalid padding string: '${String(paddingOption)}'`);
  } else padding = convParam(paddingOption, dims, "padding", name);
  const attrs: ConvAttrs = { stride, padding, dilation, outputPadding: new Array<number>(dims).fill(0), transposed: false, groups, hasBias: !!bias };
  checkGeometry(padded, weight, bias ?? null, attrs);
  const out = convolution(padded, weight, bias ?? null, attrs);
  return batched ? out : out.squeeze(0);
}

function convTransposeNd(input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvTransposeOptions, dims: number, name: string): Tensor {
  const batched = checkInputRank(input, dims, name);
  const x = batched ? input : input.unsqueeze(0);
  if (typeof options.padding === "string") throw new TypeError(`${name}(): argument 'padding' must be tuple of ints, not str`);
  const groups = options.groups ?? 1;
  checkGroups(groups);
  const attrs: ConvAttrs = {
    stride: convParam(options.stride ?? 1, dims, "stride", name),
    padding: convParam(options.padding ?? 0, dims, "padding", name),
    dilation: convParam(options.dilation ?? 1, dims, "dilation", name),
    outputPadding: convParam(options.outputPadding ?? 0, dims, "output_padding", name),
    transposed: true,
    groups,
    hasBias: !!bias,
  };
  checkGeometry(x, weight, bias ?? null, attrs);
  const out = convolution(x, weight, bias ?? null, attrs);
  return batched ? out : out.squeeze(0);
}

/** torch.nn.functional.conv1d: input [N, C, L] (or [C, L]), weight [out, C/groups, k]. */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  return convNd(input, weight, bias, options, 1, "conv1d");
}

/** torch.nn.functional.conv2d: input [N, C, H, W] (or [C, H, W]), weight [out, C/groups, kH, kW]. */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  return convNd(input, weight, bias, options, 2, "conv2d");
}

/** torch.nn.functional.conv3d: input [N, C, D, H, W] (or [C, D, H, W]), weight [out, C/groups, kD, kH, kW]. */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  return convNd(input, weight, bias, options, 3, "conv3d");
}

/** torch.nn.functional.conv_transpose3d: weight [C, out/groups, kD, kH, kW]. */
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(input, weight, bias, options, 3, "conv_transpose3d");
}

/** torch.nn.functional.conv_transpose1d: weight [C, out/groups, k]. */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(input, weight, bias, options, 1, "conv_transpose1d");
}

/** torch.nn.functional.conv_transpose2d: weight [C, out/groups, kH, kW]. */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(input, weight, bias, options, 2, "conv_transpose2d");
}
