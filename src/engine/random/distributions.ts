/**
 * exponential_, bernoulli and multinomial as PyTorch 1.13's CPU kernels draw them (ATen built without MKL, as
 * Debian's and most source builds are; checked against such a build):
 * - exponential_(lambd): one double uniform per element, `-1 / lambd * log(1 - u)` in double (glibc's log), then
 *   rounded to the tensor's dtype.
 * - bernoulli_(p) for a number p: one double uniform per element, 1 where u < p (dropout's mask).
 * - bernoulli(probs) / bernoulli_(probs tensor): one uniform per element in the probabilities' dtype (24 bits for
 *   float32), 1 where u < p.
 * - multinomial without replacement: q ~ Exp(1) drawn into a tensor like the probabilities, then the indices of the
 *   largest p / q (Gumbel-top-k): argmax for one sample, topk for more.
 * - multinomial with replacement (one sample included): the cumulative sums, divided by their total, in the
 *   probabilities' dtype, then one double uniform per sample and a binary search for the first bucket >= u.
 * Elements are drawn in row-major order, one after the other.
 */
import { RuntimeError } from "../errors";
import type { Generator } from "./generator";
import { libmLog } from "./libm";

type FloatArray = Float32Array | Float64Array;

export function fillExponentialWith(out: FloatArray, lambd: number, gen: Generator): void {
  if (!(lambd >= 0)) throw new RuntimeError(`exponential_ expects lambda >= 0.0, but found lambda=${lambd}`);
  const scale = -1 / lambd;
  for (let i = 0; i < out.length; i++) out[i] = scale * libmLog(1 - gen.nextDouble());
}

/** bernoulli_(p) with a number p in [0, 1]. `out` may be any numeric array (the tensor's dtype). */
export function fillBernoulliScalarWith(out: { length: number; [i: number]: number }, p: number, gen: Generator): void {
  if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  for (let i = 0; i < out.length; i++) out[i] = gen.nextDouble() < p ? 1 : 0;
}

/** bernoulli with a tensor of probabilities `probs` (same length as out, already broadcast). */
export function fillBernoulliTensorWith(out: { length: number; [i: number]: number }, probs: FloatArray, gen: Generator): void {
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (!(p >= 0 && p <= 1)) throw new RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)");
  }
  const single = probs instanceof Float32Array;
  for (let i = 0; i < out.length; i++) out[i] = (single ? gen.nextFloat() : gen.nextDouble()) < probs[i] ? 1 : 0;
}

/** Checks PyTorch makes before multinomial draws; `rows` of `categories` probabilities. */
function checkProbabilities(probs: FloatArray, rows: number, categories: number, withReplacement: boolean): void {
  if (!withReplacement) {
    let ok = true;
    for (const p of probs) if (!(p < Infinity && p >= 0)) ok = false;
    if (!ok) throw new RuntimeError("probability tensor contains either `inf`, `nan` or element < 0");
    for (let r = 0; r < rows; r++) {
      let any = false;
      for (let c = 0; c < categories; c++) if (probs[r * categories + c] !== 0) any = true;
      if (!any) throw new RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)");
    }
  }
}

/** `rows` x `samples` category indices drawn from each row of `probs` (`rows` x `categories`, row-major). */
export function multinomialWith(probs: FloatArray, rows: number, categories: number, samples: number, withReplacement: boolean, gen: Generator): Float64Array {
  checkProbabilities(probs, rows, categories, withReplacement);
  const out = new Float64Array(rows * samples);
  const r = probs instanceof Float32Array ? Math.fround : (v: number) => v;
  if (!withReplacement) {
    const q = probs instanceof Float32Array ? new Float32Array(probs.length) : new Float64Array(probs.length);
    fillExponentialWith(q, 1, gen);
    for (let i = 0; i < q.length; i++) q[i] = r(probs[i] / q[i]);
    for (let row = 0; row < rows; row++) {
      const base = row * categories;
      const order = Array.from({ length: categories }, (_, c) => c);
      // topk: largest first; equal keys keep the lower index first (PyTorch leaves ties unspecified)
      order.sort((a, b) => q[base + b] - q[base + a] || a - b);
      for (let s = 0; s < samples; s++) out[row * samples + s] = order[s];
    }
    return out;
  }
  const cumulative = probs instanceof Float32Array ? new Float32Array(categories) : new Float64Array(categories);
  for (let row = 0; row < rows; row++) {
    let sum = 0;
    for (let c = 0; c < categories; c++) {
      const v = probs[row * categories + c];
      if (!(v >= 0)) throw new RuntimeError("invalid multinomial distribution (encountering probability entry < 0)");
      if (!Number.isFinite(v)) throw new RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
      sum = r(sum + v);
      cumulative[c] = sum;
    }
    if (!(sum > 0)) throw new RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)");
    for (let c = 0; c < categories; c++) cumulative[c] = r(cumulative[c] / sum);
    for (let s = 0; s < samples; s++) {
      const u = gen.nextDouble();
      cumulative[categories - 1] = 1;
      let left = 0;
      let right = categories;
      while (right - left > 0) {
        const mid = left + Math.floor((right - left) / 2);
        if (cumulative[mid] < u) left = mid + 1;
        else right = mid;
      }
      out[row * samples + s] = left;
    }
  }
  return out;
}

/** `random_()` on an int64 tensor: a 64-bit draw modulo 2^63 (DataLoader's seeds). Returned as a bigint, exact. */
export function randomInt64With(gen: Generator): bigint {
  return gen.random64() % 2n ** 63n;
}
