/**
 * What an ATen CPU kernel's arithmetic depends on when the same C++ template is compiled for float and for double
 * (AVX2 build): the lanes of a 256-bit vector, the rounding of each operation, the fused multiply-add, and how
 * vec::vec_reduce_all folds a whole vector into one value (AVX2's shuffle tree for float; lane after lane for
 * double, which has no specialisation).
 */
import { fmaf } from "./fma";
import { fma64 } from "./fma64";

export interface Precision {
  readonly lanes: 8 | 4;
  readonly round: (v: number) => number;
  /** fma(a, b, c) rounded once, computed in the order fastest on arbitrary operands. */
  readonly fma: (a: number, b: number, c: number) => number;
  /** The same function in the order fastest for accumulations whose factor is often 1 (a weight at its initial
   * value, a gradient of ones), where the sum in double is exact. */
  readonly fmaAcc: (a: number, b: number, c: number) => number;
  /** vec_reduce_all(+) of a whole vector's lanes. */
  readonly sumLanes: (lanes: Float64Array) => number;
}

const identity = (v: number): number => v;

/**
 * float32 fma(a, b, c) for float operands, rounded once, as fma.ts's fmaf in another order. a·b is exact in a double,
 * so s = a·b + c is off the exact value only by its own rounding error e (Knuth's TwoSum), and rounding s to float goes
 * wrong only when s lies exactly halfway between two floats and e ≠ 0. fmaf tests the midpoint first, which is
 * fastest on arbitrary operands (almost never a midpoint); here e is computed first, so that a sum exact in double —
 * a float product, from a factor of 1 — returns at once instead of taking unpredictable branches.
 */
function fmafAcc(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  const other = 2 * s - r;
  if (e === 0 || Math.fround(other) !== other) return r;
  return tieBroken(r, other, e);
}

/** s = a·b + c in double was halfway between the floats r and other, and the exact value is off s by e ≠ 0. */
function tieBroken(r: number, other: number, e: number): number {
  if (r === Infinity || r === -Infinity) return r;
  return e > 0 === other > r ? other : r;
}

export const FLOAT32: Precision = {
  lanes: 8,
  round: Math.fround,
  fma: fmaf,
  fmaAcc: fmafAcc,
  sumLanes: (l) => {
    const f = Math.fround;
    return f(f(f(l[0] + l[4]) + f(l[2] + l[6])) + f(f(l[1] + l[5]) + f(l[3] + l[7])));
  },
};

export const FLOAT64: Precision = {
  lanes: 4,
  round: identity,
  fma: fma64,
  fmaAcc: fma64,
  sumLanes: (l) => l[0] + l[1] + l[2] + l[3],
};

export type FloatArray = Float32Array | Float64Array;

export function precisionOf(a: FloatArray): Precision {
  return a instanceof Float32Array ? FLOAT32 : FLOAT64;
}
