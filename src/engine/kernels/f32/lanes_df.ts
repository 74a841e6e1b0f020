/**
 * df.ts's double-float operations four lanes at a time (lanes.ts): each is the same sequence of float32 operations
 * and fused multiply-adds as its one-lane version there, so the low parts carry the same rounding errors. A pair is
 * [hi, lo].
 *
 * The two exact error terms df.ts takes from a product and a reciprocal (x·y − RN(x·y) and 1 − d·RN(1/d)) are exact
 * in a double for every input, so here they are formed in float64 and rounded once, which is what df.ts's fma gives
 * too, with nothing to flag.
 */
import type { F4, Lanes } from "./lanes";

export type Pair = readonly [F4, F4];

/** (x + y) with its rounding error, for |x| ≥ |y|. */
export function addFF(L: Lanes, x: F4, y: F4): Pair {
  const s = L.add(x, y);
  return [s, L.add(L.sub(x, s), y)];
}

/** (x + y) with its rounding error, any x, y (TwoSum). */
export function add2FF(L: Lanes, x: F4, y: F4): Pair {
  const s = L.add(x, y);
  const v = L.sub(s, x);
  return [s, L.add(L.sub(x, L.sub(s, v)), L.sub(y, v))];
}

/** (xh, xl) + y, |xh| ≥ |y|. */
export function addDF(L: Lanes, [xh, xl]: Pair, y: F4): Pair {
  const s = L.add(xh, y);
  return [s, L.add(L.add(L.sub(xh, s), y), xl)];
}

/** (xh, xl) + y, any magnitudes. */
export function add2DF(L: Lanes, [xh, xl]: Pair, y: F4): Pair {
  const s = L.add(xh, y);
  const v = L.sub(s, xh);
  const t = L.add(L.sub(xh, L.sub(s, v)), L.sub(y, v));
  return [s, L.add(t, xl)];
}

/** x + (yh, yl), |x| ≥ |yh|. */
export function addFD(L: Lanes, x: F4, [yh, yl]: Pair): Pair {
  const s = L.add(x, yh);
  return [s, L.add(L.add(L.sub(x, s), yh), yl)];
}

/** (xh, xl) + (yh, yl), |xh| ≥ |yh|. */
export function addDD(L: Lanes, [xh, xl]: Pair, [yh, yl]: Pair): Pair {
  const s = L.add(xh, yh);
  return [s, L.add(L.add(L.add(L.sub(xh, s), yh), xl), yl)];
}

/** (xh, xl) + (yh, yl), any magnitudes. */
export function add2DD(L: Lanes, [xh, xl]: Pair, [yh, yl]: Pair): Pair {
  const s = L.add(xh, yh);
  const v = L.sub(s, xh);
  const t = L.add(L.sub(xh, L.sub(s, v)), L.sub(yh, v));
  return [s, L.add(t, L.add(xl, yl))];
}

export function normalize(L: Lanes, [h, l]: Pair): Pair {
  const s = L.add(h, l);
  return [s, L.add(L.sub(h, s), l)];
}

export function scale(L: Lanes, [h, l]: Pair, s: F4): Pair {
  return [L.mul(h, s), L.mul(l, s)];
}

export function neg(L: Lanes, [h, l]: Pair): Pair {
  return [L.neg(h), L.neg(l)];
}

/** x·y − s for s = RN(x·y): exact in float64, rounded once (df.ts's productError). */
function productError(L: Lanes, x: F4, y: F4, s: F4): F4 {
  return L.subExact(L.neg(s), L.neg(x), y);
}

/** 1 − d·s for s = RN(1/d), likewise (df.ts's reciprocalError). */
function reciprocalError(L: Lanes, d: F4, s: F4): F4 {
  return L.subExact(L.c(1), d, s);
}

/** x · y exactly, as a pair. */
export function mulFF(L: Lanes, x: F4, y: F4): Pair {
  const s = L.mul(x, y);
  return [s, productError(L, x, y, s)];
}

/** (xh, xl) · y. */
export function mulDF(L: Lanes, [xh, xl]: Pair, y: F4): Pair {
  const s = L.mul(xh, y);
  return [s, L.fma(xl, y, productError(L, xh, y, s))];
}

/** (xh, xl) · (yh, yl). */
export function mulDD(L: Lanes, [xh, xl]: Pair, [yh, yl]: Pair): Pair {
  const s = L.mul(xh, yh);
  return [s, L.fma(xh, yl, L.fma(xl, yh, productError(L, xh, yh, s)))];
}

/** (xh, xl) · (yh, yl), rounded to one float. */
export function mulDDtoF(L: Lanes, [xh, xl]: Pair, [yh, yl]: Pair): F4 {
  return L.fma(xh, yh, L.fma(xl, yh, L.mul(xh, yl)));
}

/** (xh, xl)². */
export function squ(L: Lanes, [xh, xl]: Pair): Pair {
  const s = L.mul(xh, xh);
  return [s, L.fma(L.add(xh, xh), xl, productError(L, xh, xh, s))];
}

/** 1 / d as a pair. */
export function recF(L: Lanes, d: F4): Pair {
  const s = L.div(L.c(1), d);
  return [s, L.mul(s, reciprocalError(L, d, s))];
}

/** 1 / (dh, dl) as a pair. */
export function recD(L: Lanes, [dh, dl]: Pair): Pair {
  const s = L.div(L.c(1), dh);
  return [s, L.mul(s, L.fma(L.neg(dl), s, reciprocalError(L, dh, s)))];
}

/** (nh, nl) / (dh, dl). */
export function div(L: Lanes, [nh, nl]: Pair, [dh, dl]: Pair): Pair {
  const t = L.div(L.c(1), dh);
  const s = L.mul(nh, t);
  const u = productError(L, t, nh, s);
  const v = L.fma(L.neg(dl), t, reciprocalError(L, dh, t));
  return [s, L.fma(s, v, L.fma(nl, t, u))];
}
