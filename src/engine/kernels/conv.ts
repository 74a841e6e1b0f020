/**
 * A 2-D convolution and its two adjoints as im2col + gemm: out = W·cols(x), dx = col2im(Wᵀ·dout), dW = dout·cols(x)ᵀ.
 * A transposed convolution is the same three products with forward and input-gradient swapped. Samples are taken a
 * chunk at a time, so one gemm covers many samples (LeNet's small planes make per-sample products too thin) while the
 * column buffer stays bounded.
 */
import { convForwardFused, convInputGradFused, convWeightGradFused } from "./conv_fused";
import { type Strided4d, type Window2d, col2im, im2col } from "./im2col";
import { gemm } from "./matmul";
import type { FloatArray } from "./matmul_types";

/** The convolution that maps [batch, inChannels, inH, inW] to [batch, outChannels, outH, outW]. */
export interface ConvPlan extends Window2d {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
}

/** Largest column buffer, in elements (16 MB of float64). */
const MAX_COLUMNS = 1 << 21;

function alike(a: FloatArray, n: number): FloatArray {
  return a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** Column buffers and staged gradients are reused from call to call (a training loop would otherwise allocate and
 * collect megabytes per step); three slots, per dtype, each kept while it is at most MAX_COLUMNS long. */
const scratch: Array<{ f32: Float32Array; f64: Float64Array }> = [0, 1, 2].map(() => ({ f32: new Float32Array(0), f64: new Float64Array(0) }));

function scratchLike(a: FloatArray, n: number, slot: number): FloatArray {
  const s = scratch[slot];
  if (a instanceof Float32Array) {
    if (s.f32.length < n) {
      const fresh = new Float32Array(n);
      if (n <= MAX_COLUMNS) s.f32 = fresh;
      return fresh;
    }
    return s.f32.subarray(0, n);
  }
  if (s.f64.length < n) {
    const fresh = new Float64Array(n);
    if (n <= MAX_COLUMNS) s.f64 = fresh;
    return fresh;
  }
  return s.f64.subarray(0, n);
}

interface Sizes {
  plane: number;
  inPlane: number;
  inPerGroup: number;
  outPerGroup: number;
  depth: number;
  chunk: number;
}

function sizesOf(p: ConvPlan): Sizes {
  const plane = p.outH * p.outW;
  const inPerGroup = p.inChannels / p.groups;
  const depth = inPerGroup * p.kH * p.kW;
  return {
    plane,
    inPlane: p.inH * p.inW,
    inPerGroup,
    outPerGroup: p.outChannels / p.groups,
    depth,
    chunk: Math.max(1, Math.min(p.batch, Math.floor(MAX_COLUMNS / Math.max(1, depth * plane)))),
  };
}

/** Rows firstChannel.. of an [N, C, plane] tensor for samples first..first+count-1, as [channels, count·plane]. */
function gatherChannelsMajor(src: Strided4d, p: ConvPlan, first: number, count: number, firstChannel: number, channels: number, out: FloatArray): void {
  const { data, offset } = src;
  const [sN, sC, sH, sW] = src.strides;
  let k = 0;
  for (let c = 0; c < channels; c++) {
    for (let b = 0; b < count; b++) {
      const base = offset + (first + b) * sN + (firstChannel + c) * sC;
      for (let h = 0; h < p.outH; h++) {
        let q = base + h * sH;
        for (let w = 0; w < p.outW; w++, q += sW) out[k++] = data[q];
      }
    }
  }
}

function isRowMajor(src: Strided4d, p: ConvPlan, channels: number): boolean {
  const [sN, sC, sH, sW] = src.strides;
  return sW === 1 && sH === p.outW && sC === p.outH * p.outW && sN === channels * p.outH * p.outW;
}

/** out[N, outChannels, outH, outW] = weight[outChannels, inChannels/groups, kH, kW] ⋆ x[N, inChannels, inH, inW]. */
export function convForward(x: Strided4d, weight: FloatArray, p: ConvPlan): FloatArray {
  const s = sizesOf(p);
  const out = alike(weight, p.batch * p.outChannels * s.plane);
  if (weight instanceof Float32Array && convForwardFused(x, weight, { ...p, ...s }, out as Float32Array)) return out;
  const col = scratchLike(weight, s.depth * s.chunk * s.plane, 0);
  const product = scratchLike(weight, s.outPerGroup * s.chunk * s.plane, 1);
  for (let first = 0; first < p.batch; first += s.chunk) {
    const count = Math.min(s.chunk, p.batch - first);
    const width = count * s.plane;
    for (let g = 0; g < p.groups; g++) {
      im2col(x, p, first, count, g * s.inPerGroup, s.inPerGroup, col);
      const wOffset = g * s.outPerGroup * s.depth;
      if (count === 1) {
        gemm(s.outPerGroup, width, s.depth, weight, wOffset, false, col, 0, false, out, (first * p.outChannels + g * s.outPerGroup) * s.plane);
        continue;
      }
      gemm(s.outPerGroup, width, s.depth, weight, wOffset, false, col, 0, false, product, 0);
      for (let c = 0; c < s.outPerGroup; c++) {
        for (let b = 0; b < count; b++) {
          const from = c * width + b * s.plane;
          out.set(product.subarray(from, from + s.plane), ((first + b) * p.outChannels + g * s.outPerGroup + c) * s.plane);
        }
      }
    }
  }
  return out;
}

/** dx[N, inChannels, inH, inW] for dout[N, outChannels, outH, outW]: col2im(Wᵀ · dout). */
export function convInputGrad(gout: Strided4d, weight: FloatArray, p: ConvPlan): FloatArray {
  const s = sizesOf(p);
  const dx = alike(weight, p.batch * p.inChannels * s.inPlane);
  if (weight instanceof Float32Array && convInputGradFused(gout, weight, { ...p, ...s }, dx as Float32Array)) return dx;
  const cols = scratchLike(weight, s.depth * s.chunk * s.plane, 0);
  const rowMajor = isRowMajor(gout, p, p.outChannels);
  const goutRows = scratchLike(weight, s.outPerGroup * s.chunk * s.plane, 1);
  for (let first = 0; first < p.batch; first += s.chunk) {
    const count = Math.min(s.chunk, p.batch - first);
    const width = count * s.plane;
    for (let g = 0; g < p.groups; g++) {
      let b: FloatArray = goutRows;
      let bOffset = 0;
      if (count === 1 && rowMajor && gout.data instanceof weight.constructor) {
        b = gout.data as FloatArray;
        bOffset = gout.offset + first * gout.strides[0] + g * s.outPerGroup * gout.strides[1];
      } else {
        gatherChannelsMajor(gout, p, first, count, g * s.outPerGroup, s.outPerGroup, goutRows);
      }
      gemm(s.depth, width, s.outPerGroup, weight, g * s.outPerGroup * s.depth, true, b, bOffset, false, cols, 0);
      col2im(cols, p, first, count, g * s.inPerGroup, s.inPerGroup, p.inChannels, dx);
    }
  }
  return dx;
}

/** dW[outChannels, inChannels/groups, kH, kW] = Σ over samples of dout · cols(x)ᵀ. */
export function convWeightGrad(x: Strided4d, gout: Strided4d, p: ConvPlan, like: FloatArray): FloatArray {
  const s = sizesOf(p);
  const dw = alike(like, p.outChannels * s.depth);
  if (like instanceof Float32Array && convWeightGradFused(x, gout, { ...p, ...s }, dw as Float32Array)) return dw;
  const col = scratchLike(like, s.depth * s.chunk * s.plane, 0);
  const goutRows = scratchLike(like, s.outPerGroup * s.chunk * s.plane, 1);
  const product = scratchLike(like, s.outPerGroup * s.depth, 2);
  const sums = new Float64Array(p.outChannels * s.depth);
  let chunks = 0;
  for (let first = 0; first < p.batch; first += s.chunk, chunks++) {
    const count = Math.min(s.chunk, p.batch - first);
    const width = count * s.plane;
    for (let g = 0; g < p.groups; g++) {
      im2col(x, p, first, count, g * s.inPerGroup, s.inPerGroup, col);
      gatherChannelsMajor(gout, p, first, count, g * s.outPerGroup, s.outPerGroup, goutRows);
      const at = g * s.outPerGroup * s.depth;
      if (p.batch <= s.chunk) {
        gemm(s.outPerGroup, s.depth, width, goutRows, 0, false, col, 0, true, dw, at);
        continue;
      }
      gemm(s.outPerGroup, s.depth, width, goutRows, 0, false, col, 0, true, product, 0);
      for (let i = 0; i < product.length; i++) sums[at + i] += product[i];
    }
  }
  if (chunks > 1) dw.set(sums);
  return dw;
}

/** The sum of each channel of an [N, C, H, W] tensor (a convolution's bias gradient). */
export function channelSums(t: Strided4d, batch: number, channels: number, height: number, width: number, like: FloatArray): FloatArray {
  const sums = alike(like, channels);
  const { data, offset } = t;
  const [sN, sC, sH, sW] = t.strides;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let n = 0; n < batch; n++) {
      for (let h = 0; h < height; h++) {
        let q = offset + n * sN + c * sC + h * sH;
        for (let w = 0; w < width; w++, q += sW) sum += data[q];
      }
    }
    sums[c] = sum;
  }
  return sums;
}
