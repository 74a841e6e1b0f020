/**
 * float32 exp and expm1 as PyTorch 1.13's vectorised kernels compute them: SLEEF 3.5's Sleef_expf8_u10 and
 * Sleef_expm1f8_u10 (AVX2 build), lane by lane. exp reduces x by multiples of ln 2 (split in two parts so the
 * reduction is exact) and evaluates a degree-6 polynomial with fused multiply-adds; expm1 carries the reduction and
 * the polynomial in double-float (df.ts) so that small results keep their accuracy.
 *
 * `expk2` and `expk` are the double-float kernels other functions (tanh, erf, pow) are built on.
 */
import { cvtRound, f, isNegZero, ldexp, ldexp2 } from "./bits";
import { R, add2DD, add2DF, addDD, addFD, mulDD, mulDF, normalize, squ } from "./df";
import { fmaf } from "./fma";
import type { F4, I4, Lanes } from "./lanes";
import * as lanes from "./lanes_df";
import { runLanes, unaryKernel } from "./lanes_run";

export const R_LN2 = f(1.4426950408889634);
export const L2U = 0.693145751953125;
export const L2L = f(1.428606765330187045e-6);

const E1 = f(0.000198527617612853646278381);
const E2 = f(0.00139304355252534151077271);
const E3 = f(0.00833336077630519866943359);
const E4 = f(0.0416664853692054748535156);
const E5 = f(0.166666671633720397949219);

/**
 * Sleef_expf8_u10, one lane.
 *
 * The two reduction steps are SLEEF's fused multiply-adds, computed here as one double expression rounded once,
 * which is the same thing because nothing is lost before that rounding. Where the result is not overridden, |q| ≤ 150
 * (8 bits); L2U has 15 significant bits, so q·L2U is a float32 and d − q·L2U is a sum of two floats, correctly rounded
 * through a double. q·L2L has 32 bits, its lowest at or above 2^−43; the first s is 0 < |s| < 1 and a multiple of
 * 2^−25 (d's ulp, as |d| ≥ ln2/2 when q ≠ 0), so s − q·L2L spans at most 43 bits: exact in a double.
 */
export function expf(d: number): number {
  const q = cvtRound(f(d * R_LN2));
  let s = f(d - q * L2U);
  s = f(s - q * L2L);
  let u = fmaf(E1, s, E2);
  u = fmaf(u, s, E3);
  u = fmaf(u, s, E4);
  u = fmaf(u, s, E5);
  u = fmaf(u, s, 0.5);
  u = f(1 + fmaf(f(s * s), u, s));
  u = ldexp2(u, q);
  if (d < -104) u = 0;
  if (d > 100) u = Infinity;
  return u;
}

const K1 = f(0.1980960224e-3);
const K2 = f(0.1394256484e-2);
const K3 = f(0.8333456703e-2);
const K4 = f(0.4166637361e-1);
const K5 = f(0.16666665941423425);

/** SLEEF's expk2f: exp of a double-float (dh, dl), result in R as a double-float. */
export function expk2(dh: number, dl: number): void {
  const q = cvtRound(f(f(dh + dl) * R_LN2));
  const qf = f(q);
  add2DF(dh, dl, f(qf * -L2U));
  add2DF(R[0], R[1], f(qf * -L2L));
  const sh = R[0];
  const sl = R[1];
  let u = fmaf(K1, sh, K2);
  u = fmaf(u, sh, K3);
  u = fmaf(u, sh, K4);
  mulDF(sh, sl, u);
  add2DF(R[0], R[1], K5);
  mulDD(sh, sl, R[0], R[1]);
  add2DF(R[0], R[1], 0.5);
  const th = R[0];
  const tl = R[1];
  squ(sh, sl);
  mulDD(R[0], R[1], th, tl);
  add2DD(sh, sl, R[0], R[1]);
  addFD(1, R[0], R[1]);
  if (dh < -104) {
    R[0] = 0;
    R[1] = 0;
  } else {
    R[0] = ldexp2(R[0], q);
    R[1] = ldexp2(R[1], q);
  }
}

/** expk2's steps four lanes at a time. Its double-float products carry error terms near 2^−48 times the square of
 * the reduced argument; below 2^−25 those could reach the subnormal grid, so such lanes are left to JS. */
export function expk2Lanes(L: Lanes, d: lanes.Pair): lanes.Pair {
  const q = L.cvtRound(L.mul(L.add(d[0], d[1]), L.c(R_LN2)));
  const qf = L.toFloat(q);
  const s = lanes.add2DF(L, lanes.add2DF(L, d, L.mul(qf, L.c(-L2U))), L.mul(qf, L.c(-L2L)));
  L.flagTiny(s[0], 2 ** -25);
  let u = L.fma(L.c(K1), s[0], L.c(K2));
  u = L.fma(u, s[0], L.c(K3));
  u = L.fma(u, s[0], L.c(K4));
  const t = lanes.add2DF(L, lanes.mulDD(L, s, lanes.add2DF(L, lanes.mulDF(L, s, u), L.c(K5))), L.c(0.5));
  const e = lanes.addFD(L, L.c(1), lanes.add2DD(L, s, lanes.mulDD(L, lanes.squ(L, s), t)));
  const under = L.lt(d[0], L.c(-104));
  return [L.select(under, L.c(0), ldexp2Lanes(L, e[0], q)), L.select(under, L.c(0), ldexp2Lanes(L, e[1], q))];
}

const P1 = f(0.00136324646882712841033936);
const P2 = f(0.00836596917361021041870117);
const P3 = f(0.0416710823774337768554688);
const P4 = f(0.166665524244308471679688);
const P5 = f(0.499999850988388061523438);

/** SLEEF's expkf: exp of a double-float, rounded to one float (pow's second half). */
export function expk(dh: number, dl: number): number {
  const q = cvtRound(f(f(dh + dl) * R_LN2));
  const qf = f(q);
  add2DF(dh, dl, f(qf * -L2U));
  add2DF(R[0], R[1], f(qf * -L2L));
  normalize(R[0], R[1]);
  const sh = R[0];
  const sl = R[1];
  let u = fmaf(P1, sh, P2);
  u = fmaf(u, sh, P3);
  u = fmaf(u, sh, P4);
  u = fmaf(u, sh, P5);
  squ(sh, sl);
  mulDF(R[0], R[1], u);
  addDD(sh, sl, R[0], R[1]);
  addFD(1, R[0], R[1]);
  const v = ldexp(f(R[0] + R[1]), q);
  return dh < -104 ? 0 : v;
}

/** SLEEF's vldexp four lanes at a time: d · 2^q in steps that stay in range. */
function ldexpLanes(L: Lanes, x: F4, q: I4): F4 {
  let m = L.sar(q, 31);
  m = L.shl(L.isub(L.sar(L.iadd(m, q), 6), m), 4);
  q = L.isub(q, L.shl(m, 2));
  m = L.iadd(m, L.i(0x7f));
  m = L.select(L.ilt(m, L.i(0)), L.i(0), m);
  m = L.select(L.ilt(L.i(0xff), m), L.i(0xff), m);
  const u = L.float(L.shl(m, 23));
  x = L.mul(L.mul(L.mul(L.mul(x, u), u), u), u);
  return L.mul(x, L.float(L.shl(L.iadd(q, L.i(0x7f)), 23)));
}

/** expk's steps four lanes at a time (pow's second half); like expk2Lanes, lanes whose reduced argument is below
 * 2^−25 are left to JS. */
export function expkLanes(L: Lanes, d: lanes.Pair): F4 {
  const q = L.cvtRound(L.mul(L.add(d[0], d[1]), L.c(R_LN2)));
  const qf = L.toFloat(q);
  const s = lanes.normalize(L, lanes.add2DF(L, lanes.add2DF(L, d, L.mul(qf, L.c(-L2U))), L.mul(qf, L.c(-L2L))));
  L.flagTiny(s[0], 2 ** -25);
  let u = L.fma(L.c(P1), s[0], L.c(P2));
  u = L.fma(u, s[0], L.c(P3));
  u = L.fma(u, s[0], L.c(P4));
  u = L.fma(u, s[0], L.c(P5));
  const e = lanes.addFD(L, L.c(1), lanes.addDD(L, s, lanes.mulDF(L, lanes.squ(L, s), u)));
  return L.select(L.lt(d[0], L.c(-104)), L.c(0), ldexpLanes(L, L.add(e[0], e[1]), q));
}

/** Below this, expm1 is -1 (SLEEF compares in float, against the constant rounded to float). */
const EXPM1_MIN = f(-16.635532333438686);

/** Sleef_expm1f8_u10, one lane. */
export function expm1f(a: number): number {
  expk2(a, 0);
  add2DF(R[0], R[1], -1);
  let x = f(R[0] + R[1]);
  if (a > 88.72283172607421875) x = Infinity;
  if (a < EXPM1_MIN) x = -1;
  if (isNegZero(a)) x = -0;
  return x;
}

/** expf's steps four lanes at a time (lanes.ts): the same operations, in the same order. */
export function emitExp(L: Lanes, d: F4): F4 {
  const q = L.cvtRound(L.mul(d, L.c(R_LN2)));
  const qf = L.toFloat(q);
  let s = L.sub(d, L.mul(qf, L.c(L2U)));
  s = L.subExact(s, qf, L.c(L2L));
  let u = L.fma(L.c(E1), s, L.c(E2));
  u = L.fma(u, s, L.c(E3));
  u = L.fma(u, s, L.c(E4));
  u = L.fma(u, s, L.c(E5));
  u = L.fma(u, s, L.c(0.5));
  // The last sum is within 6% of s, so it is tiny only where s is.
  L.flagTiny(s, 2 ** -100);
  u = L.add(L.c(1), L.fma(L.mul(s, s), u, s));
  u = ldexp2Lanes(L, u, q);
  u = L.select(L.lt(d, L.c(-104)), L.c(0), u);
  return L.select(L.gt(d, L.c(100)), L.c(Infinity), u);
}

/** ldexp2 four lanes at a time: 2^h from its exponent field, as pow2i builds it for every h. */
export function ldexp2Lanes(L: Lanes, u: F4, q: I4): F4 {
  const h = L.sar(q, 1);
  const pow2 = (e: I4): F4 => L.float(L.shl(L.iadd(e, L.i(0x7f)), 23));
  return L.mul(L.mul(u, pow2(h)), pow2(L.isub(q, h)));
}

function expRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = expf(src[i]);
}

const EXP_LANES = unaryKernel("exp", emitExp, expRange);

/** exp over an array (vml's vexp: every element, tail included, through the vector function). */
export function expArray(src: Float32Array, out: Float32Array): void {
  expOver(src, out, 0, src.length);
}

/** out[from..to) = exp(src[from..to)), SLEEF's exp for every element (out may be src). */
export function expOver(src: Float32Array, out: Float32Array, from: number, to: number): void {
  if (!runLanes(EXP_LANES, [src], out, from, to)) expRange(src, out, from, to);
}

function emitExpm1(L: Lanes, a: F4): F4 {
  const e = lanes.add2DF(L, expk2Lanes(L, [a, L.c(0)]), L.c(-1));
  let x = L.add(e[0], e[1]);
  x = L.select(L.gt(a, L.c(88.72283172607421875)), L.c(Infinity), x);
  x = L.select(L.lt(a, L.c(EXPM1_MIN)), L.c(-1), x);
  return L.select(L.ieq(L.bits(a), L.i(-2147483648)), L.c(-0), x);
}

function expm1Range(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = expm1f(src[i]);
}

const EXPM1_LANES = unaryKernel("expm1", emitExpm1, expm1Range);

export function expm1Array(src: Float32Array, out: Float32Array): void {
  if (!runLanes(EXPM1_LANES, [src], out)) expm1Range(src, out, 0, src.length);
}
