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
