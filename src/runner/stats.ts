/** Small numeric summaries the recorder takes while a snippet runs: norms, moments and sampled distributions. */
import type { Distribution, JsonNumber } from "./trace";
import { jsonNumber } from "./summary";

/** The L2 norm (NaN or Inf when a value is not finite). */
export function l2(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/** In one pass: ‖before‖, and ‖after − before‖ / ‖before‖ (0 when nothing changed). */
export function change(after: ArrayLike<number>, before: ArrayLike<number>): { norm: number; relative: number } {
  let d = 0;
  let n = 0;
  for (let i = 0; i < before.length; i++) {
    const diff = after[i] - before[i];
    d += diff * diff;
    n += before[i] * before[i];
  }
  const norm = Math.sqrt(n);
  return { norm, relative: d === 0 ? 0 : Math.sqrt(d) / norm };
}

export function normJson(values: ArrayLike<number>): JsonNumber {
  return jsonNumber(l2(values));
}

/** The index of the first value that is NaN or ±Inf, or -1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) return i;
  return -1;
}

export function anyNonZero(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) return true;
  return false;
}

/** Smallest and largest finite value (null when none), and how many are NaN or infinite. */
export function range(values: ArrayLike<number>): { min: number | null; max: number | null; nonFinite: number } {
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) nonFinite++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min === Infinity ? { min: null, max: null, nonFinite } : { min, max, nonFinite };
}

export interface Moments {
  mean: number;
  std: number;
  zeros: number;
  /** Values with |v| > 0.99 (tanh) and values below 0.01 or above 0.99 (sigmoid), counted separately. */
  nearOne: number;
  nearZeroOrOne: number;
}

export function moments(values: ArrayLike<number>): Moments {
  const n = values.length;
  let sum = 0;
  let zeros = 0;
  let nearOne = 0;
  let nearZeroOrOne = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    if (v === 0) zeros++;
    const a = Math.abs(v);
    if (a > 0.99) nearOne++;
    if (v < 0.01 || v > 0.99) nearZeroOrOne++;
  }
  const mean = n ? sum / n : NaN;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: n > 1 ? Math.sqrt(sq / (n - 1)) : 0, zeros, nearOne, nearZeroOrOne };
}

const SAMPLE = 1024;
const BINS = 24;
const QUANTILES = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];

/** An evenly strided copy of at most SAMPLE of the values (a module call keeps this, and summarises it later). */
export function strided(values: ArrayLike<number>): Float64Array {
  const stride = Math.max(1, Math.ceil(values.length / SAMPLE));
  const out = new Float64Array(Math.ceil(values.length / stride));
  for (let i = 0, k = 0; i < values.length; i += stride) out[k++] = values[i];
  return out;
}

/** Quantiles and a histogram of a sample (from `strided`). Sorts the sample in place: its order means nothing. */
export function distribution(sample: Float64Array, call: number): Distribution {
  // A typed array sorts numerically, NaN last, without a comparator call per step; ±Inf sit at the ends.
  sample.sort();
  let lo = 0;
  let hi = sample.length;
  while (hi > 0 && Number.isNaN(sample[hi - 1])) hi--;
  while (lo < hi && sample[lo] === -Infinity) lo++;
  while (hi > lo && sample[hi - 1] === Infinity) hi--;
  const n = hi - lo;
  const nonFinite = sample.length - n;
  if (!n) return { call, quantiles: null, histogram: [], nonFinite };
  const quantiles = QUANTILES.map((q) => sample[lo + Math.min(n - 1, Math.round(q * (n - 1)))]);
  const min = quantiles[0];
  const width = (quantiles[6] - min) / BINS;
  const histogram = new Array<number>(BINS).fill(0);
  for (let i = lo; i < hi; i++) histogram[width > 0 ? Math.min(BINS - 1, Math.floor((sample[i] - min) / width)) : 0]++;
  return { call, quantiles, histogram, nonFinite };
}
