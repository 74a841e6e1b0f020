/**
 * Fused multiply-add, rounded once. PyTorch's CPU kernels and glibc's libm are compiled with FMA contraction, so
 * `x * (to - from) + from`, `v * std + mean` and many polynomial steps are fused there; JavaScript has no fma, so
 * it is emulated here exactly (away from overflow and underflow, which is where these numbers live).
 *
 * Both versions compute the exact result as a rounded sum plus the error terms of error-free transformations
 * (Knuth's TwoSum, Dekker's product), round once, and then fix the single case where that can differ from one
 * rounding of the exact value: the rounded sum landing exactly halfway between two representable numbers while
 * the discarded error says the exact value lies on one side.
 */

/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134217729;

/** 2^28 + 1: Veltkamp's splitter that keeps the top 25 significant bits of a double. */
const SPLITTER_25 = 268435457;

/** float32 fma(a, b, c) for float32 operands. a * b is exact in a double, so the double sum s is off the exact
 * value only by its own rounding, and rounding s to float32 can go wrong only when s is exactly halfway between two
 * floats (25 significant bits, and not a float itself): then the sum's rounding error breaks the tie. */
export function fmaf(a: number, b: number, c: number): number {
  const s = a * b + c;
  const t = SPLITTER_25 * s;
  // More than 25 significant bits (nearly every sum): neither a float nor a tie, one rounding is right. Tested
  // first because this branch is almost always taken, where `r !== s` would depend on the data.
  if (t - (t - s) !== s) return Math.fround(s);
  const r = Math.fround(s);
  if (r !== s) {
    const p = a * b;
    const bb = s - p;
    const err = p - (s - bb) + (c - bb);
    const other = 2 * s - r;
    if (err !== 0) return err > 0 === other > r ? other : r;
  }
  return r;
}

/** float64 fma(a, b, c): the product split exactly (Dekker), c + product summed exactly (TwoSum). */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pErr = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = c + p;
  let bb = s - c;
  const sErr = c - (s - bb) + (p - bb);
  // exact = s + sErr + pErr; v is their rounded tail, r the one rounding of s + v.
  const v = sErr + pErr;
  const r = s + v;
  bb = r - s;
  const e = s - (r - bb) + (v - bb);
  if (e !== 0 && r + 2 * e - r === 2 * e) {
    // s + v was a tie, broken to even; the part of the tail lost in v decides it instead.
    bb = v - sErr;
    const vErr = sErr - (v - bb) + (pErr - bb);
    if (vErr !== 0 && vErr > 0 === e > 0) return r + 2 * e;
  }
  return r;
}
