/** random_(from, to) / randint and randperm, as PyTorch 1.13's CPU kernels draw them. */
import { RuntimeError } from "../errors";
import type { Generator } from "./generator";

const TWO_POW_32 = 4294967296;

/** randint(low, high): each element is `draw % (high - low) + low`, where the draw is one 32-bit output when the
 * range fits in 32 bits, else a 64-bit one (two outputs, the first the high half). */
export function fillRandintWith(out: Float64Array, low: number, high: number, gen: Generator): void {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new TypeError(`randint(): low and high must be integers in (-2^53, 2^53), but got low=${low}, high=${high}`);
  }
  if (!(low < high)) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const range = high - low;
  if (range < TWO_POW_32) {
    for (let i = 0; i < out.length; i++) out[i] = (gen.random() % range) + low;
  } else {
    const bigRange = BigInt(range);
    for (let i = 0; i < out.length; i++) out[i] = Number(gen.random64() % bigRange) + low;
  }
}

/** randperm(n): the identity, then for i = 0 .. n-2 swap element i with element i + (draw % (n - i)), one 32-bit
 * draw each (a Fisher-Yates shuffle from the front). Values are int64 indices held in a Float64Array. */
export function randpermWith(n: number, gen: Generator): Float64Array {
  if (!Number.isSafeInteger(n)) throw new TypeError(`randperm(): n must be an integer, but got ${n}`);
  if (n < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${n}: [${n}]`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const j = i + (gen.random() % (n - i));
    const held = out[i];
    out[i] = out[j];
    out[j] = held;
  }
  return out;
}
