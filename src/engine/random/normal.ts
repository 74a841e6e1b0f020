/**
 * normal_ / randn, as PyTorch 1.13's CPU kernel: contiguous tensors of 16 or more elements are first filled with
 * uniforms, then transformed 16 at a time by Box-Muller (u1 from the first 8, u2 from the next 8), and when the
 * size is not a multiple of 16, the last 16 elements are drawn again and transformed again. float32 takes the AVX2
 * kernel (Cephes log/sincos in float32); float64 takes the scalar kernel (libm in double). Smaller tensors draw
 * one scalar at a time from Box-Muller pairs in double, keeping the second half of each pair for the next draw.
 */
import { RuntimeError } from "../errors";
import { logAvx, sinCosAvx } from "./avx2_math";
import { fma, fmaf } from "./fused";
import type { Generator } from "./generator";
import { libmCos, libmLog, libmSin } from "./libm";

const f = Math.fround;
const TWO_PI = 2 * Math.PI;
const TWO_PI_F = f(TWO_PI);
/** PyTorch vectorises normal_ from this many elements on. */
const BLOCK = 16;
const HALF = 8;

export function checkNormalArgs(std: number): void {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
}

/** Box-Muller on data[at .. at + 16) in place, float32, as `normal_fill_16_AVX2`. */
function transformBlockFloat(data: Float32Array, at: number, mean: number, std: number, sinCos: Float64Array): void {
  for (let j = at; j < at + HALF; j++) {
    const radius = f(Math.sqrt(f(-2 * logAvx(f(1 - data[j])))));
    sinCosAvx(f(TWO_PI_F * data[j + HALF]), sinCos);
    data[j] = fmaf(f(radius * sinCos[1]), std, mean);
    data[j + HALF] = fmaf(f(radius * sinCos[0]), std, mean);
  }
}

/** Box-Muller on data[at .. at + 16) in place, float64, as `normal_fill_16<double>`. */
function transformBlockDouble(data: Float64Array, at: number, mean: number, std: number): void {
  for (let j = at; j < at + HALF; j++) {
    const radius = Math.sqrt(-2 * libmLog(1 - data[j]));
    const theta = TWO_PI * data[j + HALF];
    data[j] = fma(radius * libmCos(theta), std, mean);
    data[j + HALF] = fma(radius * libmSin(theta), std, mean);
  }
}

function fillBlocks(out: Float32Array | Float64Array, mean: number, std: number, gen: Generator): void {
  const n = out.length;
  if (out instanceof Float32Array) {
    const m = f(mean);
    const s = f(std);
    const sinCos = new Float64Array(2);
    for (let i = 0; i < n; i++) out[i] = gen.nextFloat();
    for (let i = 0; i + BLOCK <= n; i += BLOCK) transformBlockFloat(out, i, m, s, sinCos);
    if (n % BLOCK !== 0) {
      for (let i = n - BLOCK; i < n; i++) out[i] = gen.nextFloat();
      transformBlockFloat(out, n - BLOCK, m, s, sinCos);
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = gen.nextDouble();
    for (let i = 0; i + BLOCK <= n; i += BLOCK) transformBlockDouble(out, i, mean, std);
    if (n % BLOCK !== 0) {
      for (let i = n - BLOCK; i < n; i++) out[i] = gen.nextDouble();
      transformBlockDouble(out, n - BLOCK, mean, std);
    }
  }
}

/** One draw of `at::normal_distribution<double>`: the cached half of the last pair if there is one. */
export function nextNormal(gen: Generator, mean: number, std: number): number {
  let v = gen.nextDoubleNormal;
  if (v === null) {
    const u1 = gen.nextDouble();
    const u2 = gen.nextDouble();
    const r = Math.sqrt(-2 * libmLog(1 - u2));
    const theta = TWO_PI * u1;
    gen.nextDoubleNormal = r * libmSin(theta);
    v = r * libmCos(theta);
  } else {
    gen.nextDoubleNormal = null;
  }
  return fma(v, std, mean);
}

/** normal_(mean, std) on a contiguous tensor's data. */
export function fillNormalWith(out: Float32Array | Float64Array, mean: number, std: number, gen: Generator): void {
  checkNormalArgs(std);
  if (out.length >= BLOCK) fillBlocks(out, mean, std, gen);
  else fillNormalSerialWith(out, mean, std, gen);
}

/** normal_ as PyTorch runs it on a tensor that is not contiguous, or has fewer than 16 elements: one scalar draw
 * per element, in the order of `out`. */
export function fillNormalSerialWith(out: Float32Array | Float64Array, mean: number, std: number, gen: Generator): void {
  checkNormalArgs(std);
  for (let i = 0; i < out.length; i++) out[i] = nextNormal(gen, mean, std);
}
