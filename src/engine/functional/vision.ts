/**
 * Vision layers that move or blend elements by a fixed pattern, each one plane map with PyTorch 1.13's node names:
 * pixel_shuffle / pixel_unshuffle (each the other's gradient), unfold / fold (im2col / col2im, likewise), and
 * interpolate (nearest, linear, bilinear; "area" is adaptive average pooling, as in PyTorch).
 */
import { NotImplementedError, RuntimeError, ValueError } from "../errors";
import { formatShape } from "../shape";
import type { Tensor } from "../tensor";
import { type IntOrTuple, expandInts } from "./layer_args";
import { MapCache, PlaneMapBuilder, applyPlaneMap } from "./plane_map";
import { adaptiveAvgPool1d, adaptiveAvgPool2d } from "./pooling";

const maps = new MapCache(64);

// ---- pixel shuffle ----

/** The map of pixel_shuffle on one sample: [C·r², H, W] → [C, H·r, W·r]. */
function shuffleMap(c: number, h: number, w: number, r: number) {
  return maps.get(`shuffle:${c},${h},${w},${r}`, () => {
    const b = new PlaneMapBuilder(c * r * r * h * w, c * r * r * h * w);
    for (let ch = 0; ch < c; ch++) {
      for (let oh = 0; oh < h * r; oh++) {
        for (let ow = 0; ow < w * r; ow++) {
          const source = ch * r * r + (oh % r) * r + (ow % r);
          b.add((source * h + Math.floor(oh / r)) * w + Math.floor(ow / r));
          b.next();
        }
      }
    }
    return b.build();
  });
}

const SHUFFLE_NAMES: [string, string] = ["PixelShuffleBackward0", "PixelUnshuffleBackward0"];

/** torch.nn.functional.pixel_shuffle: [*, C·r², H, W] → [*, C, H·r, W·r]. */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  if (input.ndim < 3) throw new RuntimeError(`pixel_shuffle expects input to have at least 3 dimensions, but got input with ${input.ndim} dimension(s)`);
  if (!Number.isInteger(upscaleFactor) || upscaleFactor <= 0) throw new RuntimeError(`pixel_shuffle expects a positive upscale_factor, but got ${upscaleFactor}`);
  const [c, h, w] = input.shape.slice(-3);
  const r = upscaleFactor;
  if (c % (r * r) !== 0) {
    throw new RuntimeError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`);
  }
  const outShape = [...input.shape.slice(0, -3), c / (r * r), h * r, w * r];
  return applyPlaneMap(input, { map: shuffleMap(c / (r * r), h, w, r), inShape: input.shape.slice(), outShape, names: SHUFFLE_NAMES, selfInBackward: false });
}

/** torch.nn.functional.pixel_unshuffle: [*, C, H·r, W·r] → [*, C·r², H, W]. */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  if (input.ndim < 3) throw new RuntimeError(`pixel_unshuffle expects input to have at least 3 dimensions, but got input with ${input.ndim} dimension(s)`);
  if (!Number.isInteger(downscaleFactor) || downscaleFactor <= 0) throw new RuntimeError(`pixel_unshuffle expects a positive downscale_factor, but got ${downscaleFactor}`);
  const [c, hr, wr] = input.shape.slice(-3);
  const r = downscaleFactor;
  if (hr % r !== 0) throw new RuntimeError(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${hr} is not divisible by ${r}`);
  if (wr % r !== 0) throw new RuntimeError(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${wr} is not divisible by ${r}`);
  const shuffledShape = [...input.shape.slice(0, -3), c * r * r, hr / r, wr / r];
  // Unshuffling is the transpose of shuffling (a permutation), so the pair's names swap.
  return applyPlaneMap(input, { map: shuffleMap(c, hr / r, wr / r, r), inShape: shuffledShape, outShape: input.shape.slice(), names: SHUFFLE_NAMES, selfInBackward: false }, true);
}

// ---- unfold / fold ----

interface Im2col {
  kernel: number[];
  dilation: number[];
  padding: number[];
  stride: number[];
}

function im2colArgs(kernelSize: IntOrTuple, o: { dilation?: IntOrTuple; padding?: IntOrTuple; stride?: IntOrTuple }, where: string): Im2col {
  return {
    kernel: expandInts(kernelSize, 2, "kernel_size", where),
    dilation: expandInts(o.dilation ?? 1, 2, "dilation", where),
    padding: expandInts(o.padding ?? 0, 2, "padding", where),
    stride: expandInts(o.stride ?? 1, 2, "stride", where),
  };
}

function blocks(size: number, k: number, d: number, p: number, s: number): number {
  return Math.floor((size + 2 * p - (d * (k - 1) + 1)) / s) + 1;
}

/** im2col on one sample of [C, H, W]: row (c, i, j), column l = (oh, ow). */
function im2colMap(c: number, h: number, w: number, a: Im2col) {
  const bh = blocks(h, a.kernel[0], a.dilation[0], a.padding[0], a.stride[0]);
  const bw = blocks(w, a.kernel[1], a.dilation[1], a.padding[1], a.stride[1]);
  return maps.get(`im2col:${c},${h},${w},${JSON.stringify(a)}`, () => {
    const rows = c * a.kernel[0] * a.kernel[1];
    const b = new PlaneMapBuilder(c * h * w, rows * bh * bw);
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < a.kernel[0]; i++) {
        for (let j = 0; j < a.kernel[1]; j++) {
          for (let oh = 0; oh < bh; oh++) {
            const ih = oh * a.stride[0] - a.padding[0] + i * a.dilation[0];
            for (let ow = 0; ow < bw; ow++) {
              const iw = ow * a.stride[1] - a.padding[1] + j * a.dilation[1];
              if (ih >= 0 && ih < h && iw >= 0 && iw < w) b.add((ch * h + ih) * w + iw);
              b.next();
            }
          }
        }
      }
    }
    return b.build();
  });
}

const IM2COL_NAMES: [string, string] = ["Im2ColBackward0", "Col2ImBackward0"];

function describe(a: Im2col, withStride: boolean): string {
  const t = (v: number[]) => `(${v.join(", ")})`;
  return `kernel_size=${t(a.kernel)}, dilation=${t(a.dilation)}, padding=${t(a.padding)}${withStride ? `, stride=${t(a.stride)}` : ""}`;
}

export interface UnfoldOptions {
  dilation?: IntOrTuple;
  padding?: IntOrTuple;
  stride?: IntOrTuple;
}

/** torch.nn.functional.unfold (im2col): [N, C, H, W] → [N, C·kH·kW, L], the sliding blocks as columns. */
export function unfold(input: Tensor, kernelSize: IntOrTuple, options: UnfoldOptions = {}): Tensor {
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new RuntimeError(`Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${formatShape(input.shape)}`);
  }
  const a = im2colArgs(kernelSize, options, "unfold");
  const [c, h, w] = input.shape.slice(-3);
  const bh = blocks(h, a.kernel[0], a.dilation[0], a.padding[0], a.stride[0]);
  const bw = blocks(w, a.kernel[1], a.dilation[1], a.padding[1], a.stride[1]);
  if (bh < 1 || bw < 1) {
    throw new RuntimeError(`Given input with spatial size (${h}, ${w}), ${describe(a, false)}, calculated shape of the array of sliding blocks as (${bh}, ${bw}), but its components must be at least one.`);
  }
  const outShape = [...input.shape.slice(0, -3), c * a.kernel[0] * a.kernel[1], bh * bw];
  return applyPlaneMap(input, { map: im2colMap(c, h, w, a), inShape: input.shape.slice(), outShape, names: IM2COL_NAMES, selfInBackward: false });
}

/** torch.nn.functional.fold (col2im): [N, C·kH·kW, L] → [N, C, H, W], overlapping blocks summed. */
export function fold(input: Tensor, outputSize: IntOrTuple, kernelSize: IntOrTuple, options: UnfoldOptions = {}): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new RuntimeError(`Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and non-zero dimensions for input, but got: ${formatShape(input.shape)}`);
  }
  const a = im2colArgs(kernelSize, options, "fold");
  const [h, w] = expandInts(outputSize, 2, "output_size", "fold");
  const [rows, length] = input.shape.slice(-2);
  const perBlock = a.kernel[0] * a.kernel[1];
  if (rows % perBlock !== 0) {
    throw new RuntimeError(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${rows} and kernel_size=(${a.kernel.join(", ")})`);
  }
  const bh = blocks(h, a.kernel[0], a.dilation[0], a.padding[0], a.stride[0]);
  const bw = blocks(w, a.kernel[1], a.dilation[1], a.padding[1], a.stride[1]);
  if (bh * bw !== length) {
    throw new RuntimeError(`Given output_size=(${h}, ${w}), ${describe(a, true)}, expected size of input's dimension 2 to match the calculated number of sliding blocks ${bh} * ${bw} = ${bh * bw}, but got input.size(2)=${length}.`);
  }
  const c = rows / perBlock;
  const outShape = [...input.shape.slice(0, -2), c, h, w];
  return applyPlaneMap(input, { map: im2colMap(c, h, w, a), inShape: outShape, outShape: input.shape.slice(), names: IM2COL_NAMES, selfInBackward: false }, true);
}

// ---- interpolate ----

export type InterpolateMode = "nearest" | "linear" | "bilinear" | "area";

export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

type Round = (v: number) => number;

/** ATen's compute_scales_value: 1/scale when a scale factor was given, else in/out, in the kernel's precision. */
function scaleValue(scale: number | null, inSize: number, outSize: number, r: Round): number {
  return scale !== null && scale > 0 ? r(1 / scale) : r(r(inSize) / outSize);
}

/** nearest_idx: output position o reads input floor(o·scale), with the exact shortcuts ATen takes. */
function nearestIndex(o: number, inSize: number, outSize: number, scale: number | null): number {
  if (outSize === inSize) return o;
  if (outSize === 2 * inSize) return o >> 1;
  const s = scaleValue(scale, inSize, outSize, Math.fround);
  return Math.min(Math.floor(Math.fround(o * s)), inSize - 1);
}

/** The two taps and weights of linear interpolation at output o (area_pixel_compute_source_index). */
function linearTaps(o: number, inSize: number, outSize: number, alignCorners: boolean, scale: number | null, r: Round): [number, number, number, number] {
  const s = alignCorners ? (outSize > 1 ? r(r(inSize - 1) / (outSize - 1)) : 0) : scaleValue(scale, inSize, outSize, r);
  let source = alignCorners ? r(s * o) : r(r(s * r(o + 0.5)) - 0.5);
  if (!alignCorners && source < 0) source = 0;
  const i0 = Math.min(Math.trunc(source), inSize - 1);
  const i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
  const lambda1 = Math.min(Math.max(r(source - i0), 0), 1);
  return [i0, i1, r(1 - lambda1), lambda1];
}

function interpolateMap(mode: "nearest" | "linear", inSizes: number[], outSizes: number[], alignCorners: boolean, scales: Array<number | null>, r: Round) {
  const key = `${mode}:${inSizes}:${outSizes}:${alignCorners}:${scales}:${r === Math.fround}`;
  return maps.get(key, () => {
    const [inH, inW] = inSizes.length === 1 ? [1, inSizes[0]] : inSizes;
    const [outH, outW] = outSizes.length === 1 ? [1, outSizes[0]] : outSizes;
    const [scaleH, scaleW] = scales.length === 1 ? [null, scales[0]] : scales;
    const b = new PlaneMapBuilder(inH * inW, outH * outW, outH * outW * (mode === "nearest" ? 1 : 4));
    const tapsH = Array.from({ length: outH }, (_, o) => (inSizes.length === 1 ? ([0, 0, 1, 0] as const) : linearTaps(o, inH, outH, alignCorners, scaleH, r)));
    const tapsW = Array.from({ length: outW }, (_, o) => linearTaps(o, inW, outW, alignCorners, scaleW, r));
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        if (mode === "nearest") {
          const ih = inSizes.length === 1 ? 0 : nearestIndex(oh, inH, outH, scaleH);
          b.add(ih * inW + nearestIndex(ow, inW, outW, scaleW));
        } else {
          const [h0, h1, hl0, hl1] = tapsH[oh];
          const [w0, w1, wl0, wl1] = tapsW[ow];
          b.add(h0 * inW + w0, hl0 * wl0);
          b.add(h0 * inW + w1, hl0 * wl1);
          if (inSizes.length === 2) {
            b.add(h1 * inW + w0, hl1 * wl0);
            b.add(h1 * inW + w1, hl1 * wl1);
          }
        }
        b.next();
      }
    }
    return b.build();
  });
}

function listOf(v: number | readonly number[], dims: number): number[] {
  return typeof v === "number" ? new Array<number>(dims).fill(v) : [...v];
}

/** torch.nn.functional.interpolate for [N, C, L] (nearest, linear, area) and [N, C, H, W] (nearest, bilinear, area). */
export function interpolate(input: Tensor, options: InterpolateOptions = {}): Tensor {
  const mode = options.mode ?? "nearest";
  const dims = input.ndim - 2;
  let alignCorners = options.alignCorners ?? null;
  if (mode === "nearest" || mode === "area") {
    if (alignCorners !== null) throw new ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
  } else alignCorners ??= false;
  const size = options.size ?? null;
  const scaleFactor = options.scaleFactor ?? null;
  let outSizes: number[] | null = null;
  let scales: Array<number | null> | null = null;
  const spatial = input.shape.slice(2);
  if (size !== null && scaleFactor !== null) throw new ValueError("only one of size or scale_factor should be defined");
  if (size !== null) {
    outSizes = listOf(size, dims);
    if (outSizes.length !== dims) {
      throw new ValueError(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${spatial.join(", ")}] and output size of [${outSizes.join(", ")}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
    }
  } else if (scaleFactor !== null) {
    scales = listOf(scaleFactor, dims);
    if (scales.length !== dims) {
      throw new ValueError(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${spatial.join(", ")}] and scale_factor of shape [${scales.join(", ")}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
    }
  } else throw new ValueError("either size or scale_factor should be defined");
  const recompute = options.recomputeScaleFactor ?? null;
  if (recompute && size !== null) throw new ValueError("recompute_scale_factor is not meaningful with an explicit size.");
  if ((recompute || mode === "area") && scales !== null) {
    outSizes = spatial.map((s, i) => Math.floor(s * (scales![i] as number)));
    scales = null;
  }
  const notImplemented = () =>
    new NotImplementedError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
  if (mode === "area") {
    if (dims === 1) return adaptiveAvgPool1d(input, outSizes![0]);
    if (dims === 2) return adaptiveAvgPool2d(input, outSizes!);
    throw notImplemented();
  }
  if (mode === "bilinear" && dims !== 2) throw dims === 1 ? new NotImplementedError("Got 3D input, but bilinear mode needs 4D input") : notImplemented();
  if (mode === "linear" && dims !== 1) throw dims === 2 ? new NotImplementedError("Got 4D input, but linear mode needs 3D input") : notImplemented();
  if ((mode !== "nearest" && mode !== "linear" && mode !== "bilinear") || (dims !== 1 && dims !== 2)) throw notImplemented();
  // The C++ op: sizes from the scale factors (truncated), and the scale factors passed on to the kernel.
  const out = outSizes ?? spatial.map((s, i) => Math.trunc(s * (scales![i] as number)));
  if (out.some((s) => s <= 0)) {
    throw new RuntimeError(`Input and output sizes should be greater than 0, but got input (${spatial.map((s, i) => `${"DHW".slice(-dims)[i]}: ${s}`).join(", ")}) output (${out.map((s, i) => `${"DHW".slice(-dims)[i]}: ${s}`).join(", ")})`);
  }
  const r: Round = input.dtype === "float32" ? Math.fround : (v) => v;
  const kind = mode === "nearest" ? "nearest" : "linear";
  const map = interpolateMap(kind, spatial, out, alignCorners ?? false, scales ?? spatial.map(() => null), r);
  const name = mode === "nearest" ? `UpsampleNearest${dims}D` : dims === 1 ? "UpsampleLinear1D" : "UpsampleBilinear2D";
  const outShape = [...input.shape.slice(0, 2), ...out];
  return applyPlaneMap(input, { map, inShape: input.shape.slice(), outShape, names: [`${name}Backward1`, `${name}BackwardBackward1`], selfInBackward: false });
}
