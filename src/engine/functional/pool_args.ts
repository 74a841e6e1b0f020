/** What the pooling layers share: their window attributes (PyTorch's _pair and its messages), output sizes and checks. */
import { RuntimeError } from "../errors";
import { formatShape } from "../shape";
import type { Tensor } from "../tensor";
import { type IntOrTuple, expandInts } from "./layer_args";

export interface Pool2dAttrs {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;
}

/** ATen's pooling_output_shape: windows that start inside the input or its left padding. */
export function pooledSize(size: number, kernel: number, pad: number, stride: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

export function outputSizes(x: Tensor, a: Pool2dAttrs): [number, number] {
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  return [
    pooledSize(h, a.kernel[0], a.padding[0], a.stride[0], a.dilation[0], a.ceilMode),
    pooledSize(w, a.kernel[1], a.padding[1], a.stride[1], a.dilation[1], a.ceilMode),
  ];
}

export function checkPool(x: Tensor, a: Pool2dAttrs, outH: number, outW: number): void {
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


/** PyTorch's words for a 2-D pooling parameter of the wrong length (they differ from parameter to parameter). */
const POOL2D_LENGTH: Record<string, string> = {
  kernel_size: "kernel_size must either be a single int, or a tuple of two ints",
  stride: "stride must either be omitted, a single int, or a tuple of two ints",
  padding: "padding must either be a single int, or a tuple of two ints",
  dilation: "dilation must be either a single int, or a tuple of two ints",
};

export function pool2dAttrs(kernelSize: IntOrTuple, o: { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean }, where: string): Pool2dAttrs {
  const pair = (v: IntOrTuple, name: string) => {
    const message = name === "padding" && where === "max_pool2d" ? "padding must be either be a single int, or a tuple of two ints" : POOL2D_LENGTH[name];
    return expandInts(v, 2, name, where, () => `${where}: ${message}`) as [number, number];
  };
  const kernel = pair(kernelSize, "kernel_size");
  const stride = o.stride === undefined || o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0) ? kernel : pair(o.stride, "stride");
  if (stride.some((s) => s === 0)) throw new RuntimeError("stride should not be zero");
  return { kernel, stride, padding: pair(o.padding ?? 0, "padding"), dilation: pair(o.dilation ?? 1, "dilation"), ceilMode: o.ceilMode ?? false };
}


export function attrs1d(kernelSize: IntOrTuple, o: { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean }, where: string): Pool2dAttrs {
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

export function check1d(input: Tensor, where: string): void {
  if (input.ndim !== 2 && input.ndim !== 3) throw new RuntimeError(`${where}() Expected 2D or 3D input tensor, but got ${formatShape(input.shape)}`);
}


/** Window i of `outSize` over `inSize`: [floor(i·in/out), ceil((i+1)·in/out)). */
export function adaptiveStart(i: number, inSize: number, outSize: number): number {
  return Math.floor((i * inSize) / outSize);
}

export function adaptiveEnd(i: number, inSize: number, outSize: number): number {
  return Math.ceil(((i + 1) * inSize) / outSize);
}

export type AdaptiveSize = number | null | ReadonlyArray<number | null>;

export function adaptiveSizes(x: Tensor, size: AdaptiveSize, where: string): [number, number] {
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
