/**
 * Pooling as PyTorch 1.13 records it. Average and adaptive-average pooling are plane maps (AvgPool2DBackward0,
 * AdaptiveAvgPool2DBackward0); max pooling is in max_pool.ts. The 1-D forms run the 2-D ops on an unsqueezed input,
 * leaving PyTorch's Unsqueeze/Squeeze nodes around them.
 */
import { RuntimeError } from "../errors";
import type { Tensor } from "../tensor";
import { type IntOrTuple, checkFloating, expandInts } from "./layer_args";
import { type AdaptiveSize, type Pool2dAttrs, adaptiveEnd, adaptiveSizes, adaptiveStart, attrs1d, check1d, checkPool, outputSizes, pool2dAttrs } from "./pool_args";
import { MapCache, PlaneMapBuilder, applyPlaneMap } from "./plane_map";

export { maxPool1d, maxPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d } from "./max_pool";
export type { MaxPoolOptions, AdaptiveMaxOptions } from "./max_pool";
export type { AdaptiveSize } from "./pool_args";

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
