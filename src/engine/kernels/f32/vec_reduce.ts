/**
 * ATen's horizontal reductions over a contiguous run (vec::reduce_all, map_reduce_all, map2_reduce_all in
 * functional_base.h, AVX2 build): the run is folded into one vector of 8 lanes — the first 8 elements, then each
 * further whole vector, then a partial last vector into its first lanes only — and the lanes are combined as a
 * tree (lane i with lane i+4, then i with i+2, then 0 with 1). A run shorter than 8 is folded lane by lane in order.
 */
import { f } from "./bits";
import { fmaf } from "./fma";

export type Fold = (acc: number, x: number) => number;

/** ATen's vec::maximum: NaN wins. */
export const maximum: Fold = (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
export const add: Fold = (a, b) => f(a + b);

const lanes = new Float64Array(8);

function tree(fold: Fold): number {
  const w0 = fold(lanes[0], lanes[4]);
  const w1 = fold(lanes[1], lanes[5]);
  const w2 = fold(lanes[2], lanes[6]);
  const w3 = fold(lanes[3], lanes[7]);
  return fold(fold(w0, w2), fold(w1, w3));
}

/**
 * map_reduce_all over `size` elements: `map(i)` gives element i's mapped value; `fused(acc, i)`, when given, is
 * how a mapped element is folded into the accumulating vector when the compiler fuses the two (acc + x·y as one
 * fma); short runs and the first vector never fuse.
 */
export function reduceAll(size: number, map: (i: number) => number, fold: Fold, fused?: (acc: number, i: number) => number): number {
  if (size < 8) {
    let acc = map(0);
    for (let i = 1; i < size; i++) acc = fold(acc, map(i));
    return acc;
  }
  for (let l = 0; l < 8; l++) lanes[l] = map(l);
  let d = 8;
  const whole = size - (size % 8);
  for (; d < whole; d += 8) for (let l = 0; l < 8; l++) lanes[l] = fused ? fused(lanes[l], d + l) : fold(lanes[l], map(d + l));
  for (let l = 0; d + l < size; l++) lanes[l] = fused ? fused(lanes[l], d + l) : fold(lanes[l], map(d + l));
  return tree(fold);
}

/** Σ x[i]·y[i] as map2_reduce_all with x·y and +, the product fused into the running sum past the first vector. */
export function dotAll(x: Float32Array, y: Float32Array, at: number, size: number): number {
  return reduceAll(size, (i) => f(x[at + i] * y[at + i]), add, (acc, i) => fmaf(x[at + i], y[at + i], acc));
}

/**
 * reduce_all's order for a max or a float32 sum of x[at..at+size), the same as reduceAll with that fold, spelled
 * out with eight accumulators so that a long row costs no call per element.
 */
function foldRun(x: Float32Array, at: number, size: number, isMax: boolean): number {
  const fold = isMax ? maximum : add;
  if (size < 8) {
    let acc = x[at];
    for (let i = 1; i < size; i++) acc = fold(acc, x[at + i]);
    return acc;
  }
  let l0 = x[at], l1 = x[at + 1], l2 = x[at + 2], l3 = x[at + 3], l4 = x[at + 4], l5 = x[at + 5], l6 = x[at + 6], l7 = x[at + 7];
  const whole = size - (size % 8);
  let d = 8;
  if (isMax) {
    for (; d < whole; d += 8) {
      const p = at + d;
      l0 = maximum(l0, x[p]); l1 = maximum(l1, x[p + 1]); l2 = maximum(l2, x[p + 2]); l3 = maximum(l3, x[p + 3]);
      l4 = maximum(l4, x[p + 4]); l5 = maximum(l5, x[p + 5]); l6 = maximum(l6, x[p + 6]); l7 = maximum(l7, x[p + 7]);
    }
  } else {
    for (; d < whole; d += 8) {
      const p = at + d;
      l0 = f(l0 + x[p]); l1 = f(l1 + x[p + 1]); l2 = f(l2 + x[p + 2]); l3 = f(l3 + x[p + 3]);
      l4 = f(l4 + x[p + 4]); l5 = f(l5 + x[p + 5]); l6 = f(l6 + x[p + 6]); l7 = f(l7 + x[p + 7]);
    }
  }
  lanes[0] = l0; lanes[1] = l1; lanes[2] = l2; lanes[3] = l3; lanes[4] = l4; lanes[5] = l5; lanes[6] = l6; lanes[7] = l7;
  for (let l = 0; d + l < size; l++) lanes[l] = fold(lanes[l], x[at + d + l]);
  return tree(fold);
}

/** reduceAll(size, (i) => x[at + i], maximum), without a call per element. */
export function maxAll(x: Float32Array, at: number, size: number): number {
  return foldRun(x, at, size, true);
}

/** reduceAll(size, (i) => x[at + i], add), without a call per element. */
export function sumAll(x: Float32Array, at: number, size: number): number {
  return foldRun(x, at, size, false);
}
