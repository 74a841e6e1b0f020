/**
 * float32 layer norm through the WebAssembly SIMD kernels of layer_norm_wasm_module.ts: the same bits as the JS
 * kernels (moments.ts, layer_norm.ts), several times faster, since f32x4 arithmetic rounds like float32 itself where
 * JavaScript needs Math.fround after every operation. Rows go through in blocks that fit the module's fixed memory
 * (grown never: growing detaches the buffer, which deoptimises typed-array code everywhere); a row longer than a
 * block, or an engine without WebAssembly SIMD, leaves the work to the JS kernels (the functions return false).
 */
import { instantiateOwnMemory } from "../wasm_instance";
import { FIXED_END, WEIGHTS, buildLayerNormModule } from "./layer_norm_wasm_module";

/** Floats per region: the most elements of one block of rows. */
const CAPACITY = 1 << 16;
/** Room after each region for the vector loads that run past a row's end (their lanes are discarded). */
const PAD = 16;
const REGION = CAPACITY + PAD;
const PAGE = 65536;

const enum Region { X, Y, DY, MEAN, RSTD, GAMMA, BETA, DGAMMA, DBETA, COUNT }

interface Kernels {
  f32: Float32Array;
  /** Float index of a region. */
  at: (r: Region) => number;
  stats: (x: number, rows: number, size: number, mean: number, rstd: number, eps: number) => void;
  apply: (x: number, gamma: number, beta: number, rows: number, size: number, mean: number, rstd: number, y: number) => void;
  backward: (dy: number, x: number, mean: number, rstd: number, gamma: number, rows: number, size: number, dx: number, dgamma: number, dbeta: number, flags: number) => void;
}

let kernels: Kernels | null | undefined;

function kernelsOf(exports: WebAssembly.Exports, buffer: ArrayBuffer, base: number): Kernels {
  const f32 = new Float32Array(buffer);
  for (let j = 0; j < 16; j++) f32[WEIGHTS / 4 + j] = 1 / (j + 1);
  return {
    f32,
    at: (r) => base + r * REGION,
    stats: exports.stats as Kernels["stats"],
    apply: exports.apply as Kernels["apply"],
    backward: exports.backward as Kernels["backward"],
  };
}

/** The kernels, or null while they are not (yet) there (the module, about 10 KB, may compile in the background). */
function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  if (typeof WebAssembly !== "object") return null;
  const base = Math.ceil(FIXED_END / 64) * 16;
  const pages = Math.ceil(((base + Region.COUNT * REGION) * 4) / PAGE);
  instantiateOwnMemory(buildLayerNormModule(pages), pages, (exports, buffer) => {
    kernels = kernelsOf(exports, buffer, base);
  });
  return kernels;
}

/** γ (or ones) and β (or zeros) into their regions. */
function stageAffine(k: Kernels, gamma: Float32Array | null, beta: Float32Array | null, size: number): void {
  if (gamma) k.f32.set(gamma, k.at(Region.GAMMA));
  else k.f32.fill(1, k.at(Region.GAMMA), k.at(Region.GAMMA) + size);
  if (beta) k.f32.set(beta, k.at(Region.BETA));
  else k.f32.fill(0, k.at(Region.BETA), k.at(Region.BETA) + size);
}

/**
 * y, and each row's mean and rstd, for `rows` rows of `size`; false when the work is left to the JS kernels.
 * `capacity`: the most elements of a block (tests pass less, to go through many blocks).
 */
export function layerNormForwardWasm(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, rows: number, size: number, eps: number, y: Float32Array, mean: Float32Array, rstd: Float32Array, capacity = CAPACITY): boolean {
  const k = size > 0 && size <= Math.min(capacity, CAPACITY) ? load() : null;
  if (!k) return false;
  const f = k.f32;
  const [X, Y, M, R] = [k.at(Region.X), k.at(Region.Y), k.at(Region.MEAN), k.at(Region.RSTD)];
  stageAffine(k, gamma, beta, size);
  const block = Math.floor(Math.min(capacity, CAPACITY) / size);
  for (let first = 0; first < rows; first += block) {
    const n = Math.min(block, rows - first);
    const from = first * size;
    f.set(x.subarray(from, from + n * size), X);
    k.stats(X * 4, n, size, M * 4, R * 4, eps);
    k.apply(X * 4, k.at(Region.GAMMA) * 4, k.at(Region.BETA) * 4, n, size, M * 4, R * 4, Y * 4);
    y.set(f.subarray(Y, Y + n * size), from);
    mean.set(f.subarray(M, M + n), first);
    rstd.set(f.subarray(R, R + n), first);
  }
  return true;
}

/** The gradients (each filled when given); false when the work is left to the JS kernels. `capacity` as above. */
export function layerNormBackwardWasm(
  dy: Float32Array, x: Float32Array, mean: Float32Array, rstd: Float32Array, gamma: Float32Array | null, rows: number, size: number,
  dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null, capacity = CAPACITY,
): boolean {
  const k = size > 0 && size <= Math.min(capacity, CAPACITY) ? load() : null;
  if (!k) return false;
  const f = k.f32;
  const [X, DX, DY, M, R, G, DG, DB] = [Region.X, Region.Y, Region.DY, Region.MEAN, Region.RSTD, Region.GAMMA, Region.DGAMMA, Region.DBETA].map(k.at);
  if (gamma) f.set(gamma, G);
  f.fill(0, DG, DG + size);
  f.fill(0, DB, DB + size);
  const flags = (dx ? 1 : 0) | (dgamma ? 2 : 0) | (dbeta ? 4 : 0) | (gamma ? 8 : 0);
  const block = Math.floor(Math.min(capacity, CAPACITY) / size);
  for (let first = 0; first < rows; first += block) {
    const n = Math.min(block, rows - first);
    const from = first * size;
    f.set(dy.subarray(from, from + n * size), DY);
    f.set(x.subarray(from, from + n * size), X);
    f.set(mean.subarray(first, first + n), M);
    f.set(rstd.subarray(first, first + n), R);
    k.backward(DY * 4, X * 4, M * 4, R * 4, G * 4, n, size, DX * 4, DG * 4, DB * 4, flags);
    if (dx) dx.set(f.subarray(DX, DX + n * size), from);
  }
  // The per-thread buffers summed into a zero: a −0 comes out +0.
  if (dgamma) for (let j = 0; j < size; j++) dgamma[j] = f[DG + j] + 0;
  if (dbeta) for (let j = 0; j < size; j++) dbeta[j] = f[DB + j] + 0;
  return true;
}
