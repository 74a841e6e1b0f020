/**
 * 3-D pooling as PyTorch 1.13 records it: max_pool3d is one op with values and int64 positions in the volume
 * (MaxPool3DWithIndicesBackward0, its gradient a scatter into them as in 2-D), avg_pool3d a plane map over the
 * volume (AvgPool3DBackward0, AvgPool3DBackwardBackward0).
 */
import { RuntimeError } from "../errors";
import { applyMulti } from "../ops/op";
import { empty } from "../ops/operands";
import type { Tensor } from "../tensor";
import { type IntOrTuple, checkFloating, expandInts } from "./layer_args";
import { type AvgPoolOptions, type MaxPoolOptions } from "./pooling";
import { maxWithIndicesOp } from "./max_pool";
import { MapCache, PlaneMapBuilder, applyPlaneMap } from "./plane_map";
import { pooledSize } from "./pool_args";

type Triple = readonly [number, number, number];

interface Pool3dAttrs {
  readonly kernel: Triple;
  readonly stride: Triple;
  readonly padding: Triple;
  readonly dilation: Triple;
  readonly ceilMode: boolean;
}

const MAX_LENGTH: Record<string, string> = {
  kernel_size: "kernel_size must either be a single int, or a tuple of three ints",
  stride: "stride must either be omitted, a single int, or a tuple of three ints",
  padding: "padding must either be a single int, or a tuple of three ints",
  dilation: "dilation must be either a single int, or a tuple of three ints",
};
const AVG_LENGTH: Record<string, string> = {
  kernel_size: "kernel_size must be a single int, or a tuple of three ints",
  stride: "stride must be omitted, a single int, or a tuple of three ints",
  padding: "padding must be a single int, or a tuple of three ints",
};

function attrs3d(kernelSize: IntOrTuple, o: { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean }, where: "max_pool3d" | "avg_pool3d"): Pool3dAttrs {
  const triple = (v: IntOrTuple, name: string) => {
    const message = name === "padding" && where === "max_pool3d" ? "padding must be either be a single int, or a tuple of three ints" : (where === "max_pool3d" ? MAX_LENGTH : AVG_LENGTH)[name];
    return expandInts(v, 3, name, where, () => `${where}: ${message}`) as unknown as Triple;
  };
  const kernel = triple(kernelSize, "kernel_size");
  const stride = o.stride === undefined || o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0) ? kernel : triple(o.stride, "stride");
  if (stride.some((s) => s === 0)) throw new RuntimeError("stride should not be zero");
  return { kernel, stride, padding: triple(o.padding ?? 0, "padding"), dilation: triple(o.dilation ?? 1, "dilation"), ceilMode: o.ceilMode ?? false };
}

/** ATen's pooling_output_shape per dim (with its padding check) and pool3d_shape_check. */
function outputSizes3d(x: Tensor, a: Pool3dAttrs, checkInputSize: boolean): number[] {
  const size = x.shape.slice(-3);
  for (let i = 0; i < 3; i++) {
    if (a.padding[i] > a.kernel[i] / 2) throw new RuntimeError(`pad should be at most half of kernel size, but got pad=${a.padding[i]} and kernel_size=${a.kernel[i]}`);
  }
  const out = size.map((s, i) => pooledSize(s, a.kernel[i], a.padding[i], a.stride[i], a.dilation[i], a.ceilMode));
  const [kT, kH, kW] = a.kernel;
  if (a.kernel.some((k) => k <= 0)) throw new RuntimeError(`kernel size should be greater than zero, but got kT: ${kT} kH: ${kH} kW: ${kW}`);
  if (a.stride.some((s) => s <= 0)) throw new RuntimeError(`stride should be greater than zero, but got dT: ${a.stride[0]} dH: ${a.stride[1]} dW: ${a.stride[2]}`);
  if (a.dilation.some((d) => d <= 0)) throw new RuntimeError(`dilation should be greater than zero, but got dilationT: ${a.dilation[0]} dilationH: ${a.dilation[1]} dilationW: ${a.dilation[2]}`);
  if (!(x.ndim === 4 || x.ndim === 5) || x.shape.slice(x.ndim - 4).some((d, i) => d === 0 && i > 0)) {
    throw new RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input");
  }
  if (checkInputSize && size.some((s, i) => s < a.kernel[i])) {
    throw new RuntimeError(`input image (T: ${size[0]} H: ${size[1]} W: ${size[2]}) smaller than kernel size (kT: ${kT} kH: ${kH} kW: ${kW})`);
  }
  if (out.some((o) => o < 1)) {
    const c = x.shape[x.ndim - 4];
    throw new RuntimeError(`Given input size: (${c}x${size.join("x")}). Calculated output size: (${c}x${out.join("x")}). Output size is too small`);
  }
  return out;
}

// ---- max pooling ----

interface MaxPool3dAttrs extends Pool3dAttrs {
  readonly out: readonly number[];
}

function maxPool3dForward(x: Tensor, a: MaxPool3dAttrs): Tensor[] {
  const [iT, iH, iW] = x.shape.slice(-3);
  const [oT, oH, oW] = a.out;
  const shape = [...x.shape.slice(0, -3), oT, oH, oW];
  const values = empty(shape, x.dtype);
  const indices = empty(shape.slice(), "int64");
  const src = x._data;
  const vs = values._data;
  const is = indices._data;
  const vol = iT * iH * iW;
  const planes = vol === 0 ? 0 : x.numel() / vol;
  const [kT, kH, kW] = a.kernel;
  const [sT, sH, sW] = a.stride;
  const [pT, pH, pW] = a.padding;
  const [dT, dH, dW] = a.dilation;
  const first = (o: number, s: number, p: number, d: number) => {
    let f = o * s - p;
    while (f < 0) f += d;
    return f;
  };
  let k = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * vol;
    for (let ot = 0; ot < oT; ot++) {
      const t0 = first(ot, sT, pT, dT);
      const t1 = Math.min(ot * sT - pT + (kT - 1) * dT + 1, iT);
      for (let oh = 0; oh < oH; oh++) {
        const h0 = first(oh, sH, pH, dH);
        const h1 = Math.min(oh * sH - pH + (kH - 1) * dH + 1, iH);
        for (let ow = 0; ow < oW; ow++, k++) {
          const w0 = first(ow, sW, pW, dW);
          const w1 = Math.min(ow * sW - pW + (kW - 1) * dW + 1, iW);
          let best = -Infinity;
          let at = (t0 * iH + h0) * iW + w0;
          search: for (let it = t0; it < t1; it += dT) {
            for (let ih = h0; ih < h1; ih += dH) {
              for (let iw = w0; iw < w1; iw += dW) {
                const idx = (it * iH + ih) * iW + iw;
                const v = src[base + idx];
                // A NaN wins and stays, as in ATen's kernel.
                if (v > best || v !== v) {
                  best = v;
                  at = idx;
                  if (v !== v) break search;
                }
              }
            }
          }
          vs[k] = best;
          is[k] = at;
        }
      }
    }
  }
  return [values, indices];
}

const maxPool3dOp = maxWithIndicesOp<MaxPool3dAttrs>("MaxPool3DWithIndices", "MaxPool3DWithIndicesBackwardBackward0", maxPool3dForward, 3);

/** torch.nn.functional.max_pool3d over [N, C, D, H, W] or [C, D, H, W]; with `returnIndices`, [values, indices]
 * (positions within each D·H·W volume). */
export function maxPool3d(input: Tensor, kernelSize: IntOrTuple, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool3d(input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  const a = attrs3d(kernelSize, options, "max_pool3d");
  checkFloating(input, "max_pool3d");
  const out = outputSizes3d(input, a, false);
  const [values, indices] = applyMulti(maxPool3dOp, [input], { ...a, out });
  return options.returnIndices ? [values, indices] : values;
}

// ---- average pooling ----

const avgMaps = new MapCache();

/** ATen's avg_pool3d: the window clipped to input + padding sets the divisor with count_include_pad, the window clipped
 * to the input otherwise; a window wholly in the padding gives 0. */
function avgPool3dMap(size: readonly number[], out: readonly number[], a: Pool3dAttrs, includePad: boolean, divisorOverride: number | null) {
  const key = [...size, ...out, ...a.kernel, ...a.stride, ...a.padding, includePad, divisorOverride].join(",");
  return avgMaps.get(key, () => {
    const [iT, iH, iW] = size;
    const b = new PlaneMapBuilder(iT * iH * iW, out[0] * out[1] * out[2]);
    for (let ot = 0; ot < out[0]; ot++) {
      for (let oh = 0; oh < out[1]; oh++) {
        for (let ow = 0; ow < out[2]; ow++) {
          const start = [ot, oh, ow].map((o, i) => o * a.stride[i] - a.padding[i]);
          const end = start.map((s, i) => Math.min(s + a.kernel[i], size[i] + a.padding[i]));
          const poolSize = (end[0] - start[0]) * (end[1] - start[1]) * (end[2] - start[2]);
          const lo = start.map((s) => Math.max(s, 0));
          const hi = end.map((e, i) => Math.min(e, size[i]));
          if (lo.some((l, i) => l >= hi[i])) {
            b.next();
            continue;
          }
          for (let it = lo[0]; it < hi[0]; it++) {
            for (let ih = lo[1]; ih < hi[1]; ih++) for (let iw = lo[2]; iw < hi[2]; iw++) b.add((it * iH + ih) * iW + iw);
          }
          b.next(divisorOverride ?? (includePad ? poolSize : (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2])));
        }
      }
    }
    return b.build();
  });
}

/** torch.nn.functional.avg_pool3d over [N, C, D, H, W] or [C, D, H, W]. */
export function avgPool3d(input: Tensor, kernelSize: IntOrTuple, options: AvgPoolOptions = {}): Tensor {
  const a = attrs3d(kernelSize, { ...options, dilation: 1 }, "avg_pool3d");
  checkFloating(input, "avg_pool3d");
  const divisor = options.divisorOverride ?? null;
  if (divisor !== null && (!Number.isInteger(divisor) || divisor === 0)) throw new RuntimeError("divisor must be not zero");
  const out = outputSizes3d(input, a, true);
  const size = input.shape.slice(-3);
  const map = avgPool3dMap(size, out, a, options.countIncludePad ?? true, divisor);
  const outShape = [...input.shape.slice(0, -3), ...out];
  return applyPlaneMap(input, { map, inShape: input.shape.slice(), outShape, names: ["AvgPool3DBackward0", "AvgPool3DBackwardBackward0"], selfInBackward: true });
}
