/**
 * float32 batch norm over [N, C, S] planes (S > 1) through the WebAssembly SIMD kernels of batch_norm_wasm_module.ts:
 * the same bits as the JS kernels (batch_norm_forward.ts, batch_norm_backward.ts), faster, since f32x4 arithmetic
 * rounds like float32 itself where JavaScript needs Math.fround after every operation. Samples go through in blocks
 * that fit the module's fixed memory (never grown: growing detaches the buffer); a sample larger than a block, more
 * channels than the channel regions hold, or an engine without WebAssembly SIMD leaves the work to the JS kernels
 * (the functions return false). Per-channel scalars (k, grad_mean, dγ, dβ) are formed here, as the JS kernels do.
 */
import { instantiateOwnMemory } from "../wasm_instance";
import type { BatchNormChannels, BatchNormGrads, BatchNormLayout } from "./batch_norm_backward";
import { buildBatchNormModule } from "./batch_norm_wasm_module";

/** Floats per data region: the most elements of one block of samples. */
const CAPACITY = 1 << 18;
/** Room after each data region for the vectors that run past a plane's end. */
const PAD = 16;
/** The most channels. */
const CHANNELS = 1 << 14;
const PAGE = 65536;

/** Float offsets of the regions: x, dy, the output; per channel (f32) mean, k or alpha, grad_mean or beta, invstd,
 * weight; (f64, two floats each) the sums and dot products. */
const X = 0;
const DY = X + CAPACITY + PAD;
const OUT = DY + CAPACITY + PAD;
const MEAN = OUT + CAPACITY + PAD;
const K = MEAN + CHANNELS;
const GM = K + CHANNELS;
const INVSTD = GM + CHANNELS;
const W = INVSTD + CHANNELS;
const SUMS = W + CHANNELS;
const DOTS = SUMS + 2 * CHANNELS;
const END = DOTS + 2 * CHANNELS;

interface Kernels {
  f32: Float32Array;
  f64: Float64Array;
  apply: (x: number, n: number, c: number, s: number, alpha: number, beta: number, y: number) => void;
  reduce: (x: number, dy: number, n: number, c: number, s: number, mean: number, sums: number, dots: number) => void;
  dots: (x: number, dy: number, n: number, c: number, s: number, mean: number, dots: number) => void;
  gradInput: (x: number, dy: number, n: number, c: number, s: number, mean: number, k: number, gradMean: number, invstd: number, w: number, dx: number, mode: number) => void;
}

let kernels: Kernels | null | undefined;

function kernelsOf(e: WebAssembly.Exports, buffer: ArrayBuffer): Kernels {
  return {
    f32: new Float32Array(buffer),
    f64: new Float64Array(buffer),
    apply: e.apply as Kernels["apply"],
    reduce: e.reduce as Kernels["reduce"],
    dots: e.dots as Kernels["dots"],
    gradInput: e.gradInput as Kernels["gradInput"],
  };
}

/** The kernels, or null while they are not (yet) there: compiled synchronously where allowed, else in the background
 * (a browser's main thread refuses big modules synchronously), the JS kernels serving meanwhile. */
function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  if (typeof WebAssembly !== "object") return null;
  const pages = Math.ceil((END * 4) / PAGE);
  instantiateOwnMemory(buildBatchNormModule(pages), pages, (exports, buffer) => {
    kernels = kernelsOf(exports, buffer);
  });
  return kernels;
}

/** The kernels and the samples per block, or null when the JS kernels must do the work. */
function prepare({ n, c, s }: BatchNormLayout, capacity: number): { k: Kernels; block: number } | null {
  const perSample = c * s;
  if (s < 2 || c > CHANNELS || perSample === 0 || perSample > Math.min(capacity, CAPACITY) || n === 0) return null;
  const k = load();
  return k ? { k, block: Math.floor(Math.min(capacity, CAPACITY) / perSample) } : null;
}

/** Calls run(samples, first float) per block after copying each source block into its region. */
function forBlocks(k: Kernels, layout: BatchNormLayout, block: number, sources: ReadonlyArray<[Float32Array, number]>, run: (samples: number, from: number) => void): void {
  const perSample = layout.c * layout.s;
  for (let first = 0; first < layout.n; first += block) {
    const samples = Math.min(block, layout.n - first);
    const from = first * perSample;
    for (const [src, region] of sources) k.f32.set(src.subarray(from, from + samples * perSample), region);
    run(samples, from);
  }
}

function stageChannels(k: Kernels, ch: BatchNormChannels, c: number): void {
  const f = k.f32;
  for (let j = 0; j < c; j++) {
    f[MEAN + j] = ch.mean[j];
    f[INVSTD + j] = ch.invstd[j];
    f[W + j] = ch.weight ? ch.weight[j] : 1;
  }
}

/** y = fma(x, alpha, beta) per channel; false when the work is left to the JS kernels. `capacity`: the most elements
 * of a block (tests pass less, to go through many blocks). */
export function batchNormApplyWasm(x: Float32Array, layout: BatchNormLayout, alpha: ArrayLike<number>, beta: ArrayLike<number>, y: Float32Array, capacity = CAPACITY): boolean {
  const ready = prepare(layout, capacity);
  if (!ready) return false;
  const { k, block } = ready;
  for (let j = 0; j < layout.c; j++) {
    k.f32[K + j] = alpha[j];
    k.f32[GM + j] = beta[j];
  }
  forBlocks(k, layout, block, [[x, X]], (samples, from) => {
    k.apply(X * 4, samples, layout.c, layout.s, K * 4, GM * 4, OUT * 4);
    y.set(k.f32.subarray(OUT, OUT + samples * layout.c * layout.s), from);
  });
  return true;
}

/** dX from the staged channels and k, grad_mean; mode as gradInput's. `staged`: x and dy of the only block are in
 * place already. */
function gradInput(k: Kernels, dy: Float32Array, x: Float32Array, layout: BatchNormLayout, block: number, mode: number, dx: Float32Array, staged: boolean): void {
  const { c, s } = layout;
  const sources: Array<[Float32Array, number]> = staged ? [] : [[x, X], [dy, DY]];
  forBlocks(k, layout, block, sources, (samples, from) => {
    k.gradInput(X * 4, DY * 4, samples, c, s, MEAN * 4, K * 4, GM * 4, INVSTD * 4, W * 4, OUT * 4, mode);
    dx.set(k.f32.subarray(OUT, OUT + samples * c * s), from);
  });
}

/** k = float(dotp)·invstd·invstd / count and grad_mean = sum / count per channel, into their regions. */
function stageCoefficients(k: Kernels, c: number, count: number, sum: (f: number) => number, floatQuotient: boolean): void {
  const r = Math.fround;
  for (let f = 0; f < c; f++) {
    const invstd = k.f32[INVSTD + f];
    k.f32[K + f] = r(r(r(r(k.f64[DOTS / 2 + f]) * invstd) * invstd) / r(count));
    k.f32[GM + f] = floatQuotient ? r(sum(f) / r(count)) : r(sum(f) / count);
  }
}

/** The contiguous kernel (batchNormBackwardPlanes); false when the work is left to the JS kernels. */
export function batchNormBackwardPlanesWasm(dy: Float32Array, x: Float32Array, ch: BatchNormChannels, layout: BatchNormLayout, train: boolean, grads: BatchNormGrads, capacity = CAPACITY): boolean {
  const ready = prepare(layout, capacity);
  const { dx, dgamma, dbeta } = grads;
  if (!ready || !(dx === null || dx instanceof Float32Array)) return false;
  const { k, block } = ready;
  const { n, c, s } = layout;
  stageChannels(k, ch, c);
  k.f64.fill(0, SUMS / 2, SUMS / 2 + c);
  k.f64.fill(0, DOTS / 2, DOTS / 2 + c);
  const reduced = train || dgamma !== null || dbeta !== null;
  if (reduced) {
    forBlocks(k, layout, block, [[x, X], [dy, DY]], (samples) => k.reduce(X * 4, DY * 4, samples, c, s, MEAN * 4, SUMS * 4, DOTS * 4));
  }
  const sum = (f: number) => k.f64[SUMS / 2 + f];
  if (dx) {
    if (train) stageCoefficients(k, c, n * s, sum, false);
    gradInput(k, dy, x, layout, block, train ? 0 : 1, dx, reduced && block >= n);
  }
  for (let f = 0; f < c; f++) {
    if (dgamma) dgamma[f] = Math.fround(k.f64[DOTS / 2 + f] * k.f32[INVSTD + f]);
    if (dbeta) dbeta[f] = Math.fround(sum(f));
  }
  return true;
}

/** The TensorIterator loops (batchNormBackwardStrided), `sum` being at::sum of dy; false when the work is left to the
 * JS kernels. */
export function batchNormBackwardStridedWasm(dy: Float32Array, x: Float32Array, ch: BatchNormChannels, sum: ArrayLike<number>, layout: BatchNormLayout, train: boolean, grads: BatchNormGrads, capacity = CAPACITY): boolean {
  const ready = prepare(layout, capacity);
  const { dx, dgamma, dbeta } = grads;
  if (!ready || !(dx === null || dx instanceof Float32Array)) return false;
  const { k, block } = ready;
  const { n, c, s } = layout;
  stageChannels(k, ch, c);
  k.f64.fill(0, DOTS / 2, DOTS / 2 + c);
  const reduced = train || dgamma !== null;
  if (reduced) forBlocks(k, layout, block, [[x, X], [dy, DY]], (samples) => k.dots(X * 4, DY * 4, samples, c, s, MEAN * 4, DOTS * 4));
  if (dx) {
    if (train) stageCoefficients(k, c, n * s, (f) => sum[f], true);
    gradInput(k, dy, x, layout, block, train ? 2 : 1, dx, reduced && block >= n);
  }
  for (let f = 0; f < c; f++) {
    if (dgamma) dgamma[f] = Math.fround(k.f64[DOTS / 2 + f] * k.f32[INVSTD + f]);
    if (dbeta) dbeta[f] = sum[f];
  }
  return true;
}
