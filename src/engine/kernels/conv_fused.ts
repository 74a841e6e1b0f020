/**
 * float32 convolutions on the WebAssembly gemm kernel with im2col and col2im fused into its packing and unpacking.
 * The column matrix im2col would build (kH·kW times the input) never exists: each sample chunk of the input is
 * staged once, zero-padded, in the kernel's memory, where every element of the column matrix is the float64 at a
 * position's offset plus a tap's offset, and the kernel gathers its panels from there. The input gradient's columns
 * do exist (col2im must add them row after row, which the order of the product's blocks is not), but in the
 * kernel's memory, where the module adds them into a staged, padded gradient.
 *
 * The products are the same sums in the same order as conv.ts's gemm calls on the column matrix (float64, from
 * zero, over the depth in order, rounded once), the column values are rounded to float32 before they are added into
 * the input gradient as there, and the weight gradient of a batch of several chunks is the sum of the chunks'
 * float32 products as there: results are identical, bit for bit. Where conv.ts's gemm would take another path (the
 * float32 fma chains of OpenBLAS's order), for float64, and where the staging would not fit, these return false and
 * conv.ts does the work itself.
 */
import { OPENBLAS_SINGLE_THREAD_MAX_WORK } from "./f32/matmul_openblas";
import type { Strided4d, Window2d } from "./im2col";
import { blockedGemm } from "./matmul_packed";
import { createWasmKernel, type WasmKernel } from "./matmul_wasm";

/** What conv.ts knows of a convolution (its ConvPlan and the sizes derived from it). */
export interface FusedPlan extends Window2d {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly plane: number;
  readonly inPlane: number;
  readonly inPerGroup: number;
  readonly outPerGroup: number;
  readonly depth: number;
  readonly chunk: number;
}

/** Largest staging area (bytes): past it conv.ts's own loops, which work in bounded pieces, take over. */
const MAX_STAGING = 64 << 20;
/** Below this many multiply-adds per chunk the staging costs more than the column matrix. */
const MIN_WORK = 1 << 15;

/** Whether the fused paths are taken (tests turn them off to compare with the column matrix). */
export const fusion = { enabled: true };

let kernel: WasmKernel | null | undefined;

/** The convolutions' own kernel instance, made again over a larger memory when a convolution needs more room. */
function kernelWith(bytes: number): WasmKernel | null {
  if (!fusion.enabled || kernel === null || bytes > MAX_STAGING) return null;
  if (kernel === undefined || kernel.stagingBytes < bytes) kernel = createWasmKernel(Math.max(bytes, kernel?.stagingBytes ?? 0));
  return kernel;
}

/** The float32 gemm of conv.ts would run OpenBLAS's order (kernels/f32/matmul_openblas.ts) for these sizes. */
function chained(m: number, n: number, k: number): boolean {
  return m < 4 || n < 4 || m * n * k <= OPENBLAS_SINGLE_THREAD_MAX_WORK;
}

/** Whether every chunk's product takes the float64 path (a last, smaller chunk too), and there is enough work. */
function fusable(p: FusedPlan, shape: (width: number) => [number, number, number]): boolean {
  const last = p.batch % p.chunk || p.chunk;
  for (const count of [Math.min(p.chunk, p.batch), last]) {
    const [m, n, k] = shape(count * p.plane);
    if (chained(m, n, k) || m * n * k < MIN_WORK) return false;
  }
  return true;
}

/** Byte layout of one chunk's staging: regions of `sizes` bytes each, 8-aligned, in order. */
function layout(base: number, ...sizes: number[]): number[] {
  const at: number[] = [];
  let next = base;
  for (const size of sizes) {
    at.push(next);
    next += Math.ceil(size / 8) * 8;
  }
  at.push(next);
  return at;
}

interface Views {
  f64: Float64Array;
  f32: Float32Array;
  i32: Int32Array;
}

function views(k: WasmKernel): Views {
  const buffer = k.memory.buffer;
  return { f64: new Float64Array(buffer), f32: new Float32Array(buffer), i32: new Int32Array(buffer) };
}

const padded = (p: FusedPlan): [number, number] => [p.inH + 2 * p.padH, p.inW + 2 * p.padW];

/** Stages channels firstChannel.. of samples first.. of x as float64, zero-padded: [count, channels, Hp, Wp]. */
function stageInput(v: Views, at: number, x: Strided4d, p: FusedPlan, first: number, count: number, firstChannel: number): void {
  const [hp, wp] = padded(p);
  const channels = p.inPerGroup;
  const base = at / 8;
  v.f64.fill(0, base, base + count * channels * hp * wp);
  const [sN, sC, sH, sW] = x.strides;
  const { data } = x;
  for (let b = 0; b < count; b++) {
    for (let c = 0; c < channels; c++) {
      const from = x.offset + (first + b) * sN + (firstChannel + c) * sC;
      const to = base + ((b * channels + c) * hp + p.padH) * wp + p.padW;
      for (let h = 0; h < p.inH; h++) {
        const src = from + h * sH;
        const dst = to + h * wp;
        if (sW === 1) v.f64.set(data.subarray(src, src + p.inW), dst);
        else for (let w = 0; w < p.inW; w++) v.f64[dst + w] = data[src + w * sW];
      }
    }
  }
}

/** Stages output channels firstChannel.. of samples first.. of an output gradient as float64: [count, channels, plane]. */
function stageOutputGrad(v: Views, at: number, g: Strided4d, p: FusedPlan, first: number, count: number, firstChannel: number): void {
  const channels = p.outPerGroup;
  const [sN, sC, sH, sW] = g.strides;
  const { data } = g;
  let dst = at / 8;
  for (let b = 0; b < count; b++) {
    for (let c = 0; c < channels; c++) {
      const from = g.offset + (first + b) * sN + (firstChannel + c) * sC;
      if (sW === 1 && (sH === p.outW || p.outH === 1)) {
        v.f64.set(data.subarray(from, from + p.plane), dst);
        dst += p.plane;
        continue;
      }
      for (let h = 0; h < p.outH; h++) for (let w = 0; w < p.outW; w++) v.f64[dst++] = data[from + h * sH + w * sW];
    }
  }
}

/** Byte offsets, into the staged padded input, of each output position's top-left tap ([count, outH, outW]). */
function positionOffsets(v: Views, at: number, p: FusedPlan, count: number, elementBytes: number): void {
  const [hp, wp] = padded(p);
  let k = at / 4;
  for (let b = 0; b < count; b++) {
    for (let oh = 0; oh < p.outH; oh++) {
      const row = (b * p.inPerGroup * hp + oh * p.strideH) * wp;
      for (let ow = 0; ow < p.outW; ow++) v.i32[k++] = (row + ow * p.strideW) * elementBytes;
    }
  }
}

/** Byte offsets, into the staged padded input, of each tap (c, i, j) relative to its position's top-left tap. */
function tapOffsets(v: Views, at: number, p: FusedPlan, elementBytes: number): void {
  const [hp, wp] = padded(p);
  let k = at / 4;
  for (let c = 0; c < p.inPerGroup; c++) {
    for (let i = 0; i < p.kH; i++) {
      for (let j = 0; j < p.kW; j++) v.i32[k++] = ((c * hp + i * p.dilationH) * wp + j * p.dilationW) * elementBytes;
    }
  }
}

/** Byte offsets into a staged output gradient ([count, channels, plane]): of each position, and of each channel. */
function gradOffsets(v: Views, positionsAt: number, channelsAt: number, p: FusedPlan, count: number): void {
  let k = positionsAt / 4;
  for (let b = 0; b < count; b++) for (let s = 0; s < p.plane; s++) v.i32[k++] = (b * p.outPerGroup * p.plane + s) * 8;
  for (let c = 0; c < p.outPerGroup; c++) v.i32[channelsAt / 4 + c] = c * p.plane * 8;
}

/** out[N, outChannels, outH, outW] = weight ⋆ x, or false for conv.ts to compute it. */
export function convForwardFused(x: Strided4d, weight: Float32Array, p: FusedPlan, out: Float32Array): boolean {
  if (!fusable(p, (width) => [p.outPerGroup, width, p.depth])) return false;
  const [hp, wp] = padded(p);
  const positions = p.chunk * p.plane;
  const sizes = [p.chunk * p.inPerGroup * hp * wp * 8, positions * 4, p.depth * 4];
  const k = kernelWith(layout(0, ...sizes)[sizes.length]);
  if (!k) return false;
  const [xAt, posAt, tapAt] = layout(k.stagingByte, ...sizes);
  const v = views(k);
  tapOffsets(v, tapAt, p, 8);
  for (let first = 0; first < p.batch; first += p.chunk) {
    const count = Math.min(p.chunk, p.batch - first);
    positionOffsets(v, posAt, p, count, 8);
    for (let g = 0; g < p.groups; g++) {
      stageInput(v, xAt, x, p, first, count, g * p.inPerGroup);
      const wOffset = g * p.outPerGroup * p.depth;
      blockedGemm(k, p.outPerGroup, count * p.plane, p.depth, {
        packA: (i0, mc, p0, kc) => k.pack("a", weight, wOffset + i0 * p.depth + p0, p.depth, 1, mc, kc),
        packB: (j0, nc, p0, kc) => k.gatherPanels("b", xAt, posAt + 4 * j0, tapAt + 4 * p0, nc, kc),
        unpack: (i0, mc, j0, nc) => unpackToPlanes(k, v, out, p, first, g * p.outPerGroup + i0, mc, j0, nc),
      });
    }
  }
  return true;
}

/** Rows (output channels) of the product block into their planes of `out`, rounding each sum once to float32. */
function unpackToPlanes(k: WasmKernel, v: Views, out: Float32Array, p: FusedPlan, first: number, channel: number, rows: number, j0: number, cols: number): void {
  const stride = k.productRowBytes() / 8;
  const c0 = k.productByte / 8;
  for (let r = 0; r < rows; r++) {
    let j = j0;
    while (j < j0 + cols) {
      const b = Math.floor(j / p.plane);
      const s = j - b * p.plane;
      const run = Math.min(p.plane - s, j0 + cols - j);
      const from = c0 + r * stride + (j - j0);
      const to = ((first + b) * p.outChannels + channel + r) * p.plane + s;
      if (run >= 24) out.set(v.f64.subarray(from, from + run), to);
      else for (let t = 0; t < run; t++) out[to + t] = v.f64[from + t];
      j += run;
    }
  }
}

/** dx[N, inChannels, inH, inW] for the output gradient g: col2im(Wᵀ·g), or false for conv.ts to compute it. */
export function convInputGradFused(g: Strided4d, weight: Float32Array, p: FusedPlan, dx: Float32Array): boolean {
  if (!fusable(p, (width) => [p.depth, width, p.outPerGroup])) return false;
  const [hp, wp] = padded(p);
  const positions = p.chunk * p.plane;
  const sizes = [p.chunk * p.outPerGroup * p.plane * 8, positions * 4, p.outPerGroup * 4, p.chunk * p.inPerGroup * hp * wp * 4, positions * 4, p.depth * 4, p.depth * positions * 8];
  const k = kernelWith(layout(0, ...sizes)[sizes.length]);
  if (!k) return false;
  const [gAt, gPosAt, gChanAt, dxAt, dxPosAt, dxTapAt, colsAt] = layout(k.stagingByte, ...sizes);
  const v = views(k);
  tapOffsets(v, dxTapAt, p, 4);
  for (let first = 0; first < p.batch; first += p.chunk) {
    const count = Math.min(p.chunk, p.batch - first);
    gradOffsets(v, gPosAt, gChanAt, p, count);
    positionOffsets(v, dxPosAt, p, count, 4);
    for (let grp = 0; grp < p.groups; grp++) {
      stageOutputGrad(v, gAt, g, p, first, count, grp * p.outPerGroup);
      v.f32.fill(0, dxAt / 4, dxAt / 4 + count * p.inPerGroup * hp * wp);
      const wOffset = grp * p.outPerGroup * p.depth;
      const width = count * p.plane;
      blockedGemm(k, p.depth, width, p.outPerGroup, {
        packA: (i0, mc, p0, kc) => k.pack("a", weight, wOffset + i0 + p0 * p.depth, 1, p.depth, mc, kc),
        packB: (j0, nc, p0, kc) => k.gatherPanels("b", gAt, gPosAt + 4 * j0, gChanAt + 4 * p0, nc, kc),
        unpack: (i0, mc, j0, nc) => {
          const stride = k.productRowBytes() / 8;
          const c0 = k.productByte / 8;
          for (let r = 0; r < mc; r++) v.f64.copyWithin(colsAt / 8 + (i0 + r) * width + j0, c0 + r * stride, c0 + r * stride + nc);
        },
      });
      k.scatterAddF32(colsAt, width * 8, p.depth, width, dxTapAt, dxPosAt, dxAt);
      // The interior of the padded gradient is this chunk's and group's part of dx.
      for (let b = 0; b < count; b++) {
        for (let c = 0; c < p.inPerGroup; c++) {
          const from = dxAt / 4 + ((b * p.inPerGroup + c) * hp + p.padH) * wp + p.padW;
          const to = ((first + b) * p.inChannels + grp * p.inPerGroup + c) * p.inPlane;
          for (let h = 0; h < p.inH; h++) dx.set(v.f32.subarray(from + h * wp, from + h * wp + p.inW), to + h * p.inW);
        }
      }
    }
  }
  return true;
}

/** dW[outChannels, inChannels/groups, kH, kW] = Σ over samples of g · cols(x)ᵀ, or false for conv.ts. */
export function convWeightGradFused(x: Strided4d, g: Strided4d, p: FusedPlan, dw: Float32Array): boolean {
  if (!fusable(p, (width) => [p.outPerGroup, p.depth, width])) return false;
  const [hp, wp] = padded(p);
  const positions = p.chunk * p.plane;
  const sizes = [p.chunk * p.inPerGroup * hp * wp * 8, positions * 4, p.depth * 4, p.chunk * p.outPerGroup * p.plane * 8, positions * 4, p.outPerGroup * 4];
  const k = kernelWith(layout(0, ...sizes)[sizes.length]);
  if (!k) return false;
  const [xAt, xPosAt, xTapAt, gAt, gPosAt, gChanAt] = layout(k.stagingByte, ...sizes);
  const v = views(k);
  tapOffsets(v, xTapAt, p, 8);
  // Several chunks: each chunk's product is rounded to float32 and the chunks summed in float64, as conv.ts does.
  const chunked = p.batch > p.chunk;
  const product = chunked ? new Float32Array(p.outPerGroup * p.depth) : dw;
  const sums = chunked ? new Float64Array(dw.length) : null;
  for (let first = 0; first < p.batch; first += p.chunk) {
    const count = Math.min(p.chunk, p.batch - first);
    positionOffsets(v, xPosAt, p, count, 8);
    gradOffsets(v, gPosAt, gChanAt, p, count);
    for (let grp = 0; grp < p.groups; grp++) {
      stageInput(v, xAt, x, p, first, count, grp * p.inPerGroup);
      stageOutputGrad(v, gAt, g, p, first, count, grp * p.outPerGroup);
      const at = grp * p.outPerGroup * p.depth;
      const target = chunked ? 0 : at;
      blockedGemm(k, p.outPerGroup, p.depth, count * p.plane, {
        packA: (i0, mc, p0, kc) => k.gatherPanels("a", gAt, gChanAt + 4 * i0, gPosAt + 4 * p0, mc, kc),
        packB: (j0, nc, p0, kc) => k.gatherPanels("b", xAt, xTapAt + 4 * j0, xPosAt + 4 * p0, nc, kc),
        unpack: (i0, mc, j0, nc) => k.unpack(product, target + i0 * p.depth + j0, p.depth, mc, nc),
      });
      if (sums) for (let i = 0; i < product.length; i++) sums[at + i] += product[i];
    }
  }
  if (sums) dw.set(sums);
  return true;
}
