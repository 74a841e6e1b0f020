/**
 * The values of a 3-D convolution op (5-D input) and of its gradients, for conv.ts's `convolution` and
 * `convolutionBackward` ops, which keep one node each (ConvolutionBackward0, ConvolutionBackwardBackward0) whatever
 * the rank. A transposed convolution is the adjoint of the plain one from its output back to its input.
 */
import { type Conv3dPlan, conv3dForward, conv3dInputGrad, conv3dWeightGrad } from "../kernels/conv3d";
import type { FloatArray } from "../kernels/matmul_types";
import { Tensor } from "../tensor";

export interface Conv3dAttrs {
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly outputPadding: readonly number[];
  readonly transposed: boolean;
  readonly groups: number;
}

type Triple = [number, number, number];

/** The plain convolution underneath (for a transposed one, the one it is the adjoint of). */
export function plan3d(xShape: readonly number[], wShape: readonly number[], a: Conv3dAttrs): Conv3dPlan {
  const kernel = wShape.slice(2) as Triple;
  const xSize = xShape.slice(2) as Triple;
  const common = { batch: xShape[0], groups: a.groups, kernel, stride: a.stride, padding: a.padding, dilation: a.dilation };
  if (!a.transposed) {
    const outSize = xSize.map((s, i) => Math.floor((s + 2 * a.padding[i] - a.dilation[i] * (kernel[i] - 1) - 1) / a.stride[i]) + 1) as Triple;
    return { ...common, inChannels: xShape[1], outChannels: wShape[0], inSize: xSize, outSize };
  }
  const ySize = xSize.map((s, i) => (s - 1) * a.stride[i] - 2 * a.padding[i] + a.dilation[i] * (kernel[i] - 1) + a.outputPadding[i] + 1) as Triple;
  return { ...common, inChannels: wShape[1] * a.groups, outChannels: wShape[0], inSize: ySize, outSize: xSize };
}

const data = (t: Tensor) => t._data as FloatArray;

function withBias(out: FloatArray, bias: Tensor | undefined, channels: number, batch: number): FloatArray {
  if (!bias) return out;
  const b = bias._data;
  // out is [N, C, vol].
  const vol = out.length / (batch * channels);
  for (let k = 0; k < out.length; k++) out[k] += b[Math.floor(k / vol) % channels];
  return out;
}

/** convolution(x, w, bias) for 5-D x. */
export function conv3dValues(x: Tensor, w: Tensor, bias: Tensor | undefined, a: Conv3dAttrs): Tensor {
  const p = plan3d(x.shape, w.shape, a);
  if (!a.transposed) {
    const out = conv3dForward(data(x), data(w), p);
    return Tensor.fromData(withBias(out, bias, p.outChannels, p.batch), [p.batch, p.outChannels, ...p.outSize], x.dtype);
  }
  const out = conv3dInputGrad(data(x), data(w), p);
  return Tensor.fromData(withBias(out, bias, p.inChannels, p.batch), [p.batch, p.inChannels, ...p.inSize], x.dtype);
}

/** The gradients of x and w (null where not asked) for the output gradient g. */
export function conv3dGradValues(g: Tensor, x: Tensor, w: Tensor, a: Conv3dAttrs, wantX: boolean, wantW: boolean): [Tensor | null, Tensor | null] {
  const p = plan3d(x.shape, w.shape, a);
  const gx = wantX ? Tensor.fromData(a.transposed ? conv3dForward(data(g), data(w), p) : conv3dInputGrad(data(g), data(w), p), x.shape.slice(), x.dtype) : null;
  const gw = wantW ? Tensor.fromData(a.transposed ? conv3dWeightGrad(data(g), data(x), p) : conv3dWeightGrad(data(x), data(g), p), w.shape.slice(), w.dtype) : null;
  return [gx, gw];
}
