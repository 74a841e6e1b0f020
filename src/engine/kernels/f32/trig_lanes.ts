/**
 * float32 sin, cos and tan over arrays: trig.ts's SLEEF functions, eight lanes at a time (two vectors, as SLEEF's
 * own range test is over eight lanes) in WebAssembly SIMD (lanes.ts), with the same steps. A group of eight with any
 * lane at or past 125 in magnitude (or NaN) takes SLEEF's Payne–Hanek path for all its lanes; those groups, and the
 * ones whose reduced argument is so small that the fused sums could reach the subnormal grid, are left to the JS code.
 */
import type { F4, I4, M4, Lanes } from "./lanes";
import * as lanes from "./lanes_df";
import { type LaneKernel, type Range, runLanes } from "./lanes_run";
import { M_1_PI, M_2_PI, PI_A2, PI_B2, PI_C2, RANGE_MAX2, S1, S2, S3, S4, T1, T2, T3, T4, T5, T6, T7, cosRange, sinRange, tanRange } from "./trig";

/** Flags the group when any of its lanes is large (or NaN): SLEEF reduces all eight by Payne–Hanek then. */
function flagLarge(L: Lanes, x: F4[]): void {
  const large = x.map((v) => L.not(L.lt(L.abs(v), L.c(RANGE_MAX2))));
  L.flag(large.reduce((a, b) => L.or(a, b)));
}

function sinPoly(L: Lanes, s: lanes.Pair): F4 {
  const s2 = lanes.squ(L, s);
  let u = L.fma(L.c(S1), s2[0], L.c(S2));
  u = L.fma(u, s2[0], L.c(S3));
  const r = lanes.addFD(L, L.c(1), lanes.mulDD(L, lanes.addFF(L, L.c(S4), L.mul(u, s2[0])), s2));
  return lanes.mulDDtoF(L, s, r);
}

const isNegZero = (L: Lanes, d: F4): M4 => L.ieq(L.bits(d), L.i(-2147483648));
const odd = (L: Lanes, q: I4): M4 => L.ieq(L.iand(q, L.i(1)), L.i(1));

function emitSin(L: Lanes, d: F4): F4 {
  const u = L.rint(L.mul(d, L.c(M_1_PI)));
  const q = L.cvtRound(u);
  const v = L.fma(u, L.c(-PI_A2), d);
  const s = lanes.addDF(L, lanes.add2FF(L, v, L.mul(u, L.c(-PI_B2))), L.mul(u, L.c(-PI_C2)));
  L.flagTiny(s[0], 2 ** -25);
  let r = sinPoly(L, s);
  r = L.select(odd(L, q), L.neg(r), r);
  return L.select(isNegZero(L, d), d, r);
}

function emitCos(L: Lanes, d: F4): F4 {
  const dq = L.fma(L.rint(L.fma(d, L.c(M_1_PI), L.c(-0.5))), L.c(2), L.c(1));
  const q = L.cvtRound(dq);
  let s = lanes.add2FF(L, d, L.mul(dq, L.c(-PI_A2 * 0.5)));
  s = lanes.add2DF(L, s, L.mul(dq, L.c(-PI_B2 * 0.5)));
  s = lanes.add2DF(L, s, L.mul(dq, L.c(-PI_C2 * 0.5)));
  L.flagTiny(s[0], 2 ** -25);
  const r = sinPoly(L, s);
  return L.select(L.ieq(L.iand(q, L.i(2)), L.i(0)), L.neg(r), r);
}

function emitTan(L: Lanes, d: F4): F4 {
  const u = L.rint(L.mul(d, L.c(M_2_PI)));
  const q = L.cvtRound(u);
  const v = L.fma(u, L.c(-PI_A2 * 0.5), d);
  let s = lanes.addDF(L, lanes.add2FF(L, v, L.mul(u, L.c(-PI_B2 * 0.5))), L.mul(u, L.c(-PI_C2 * 0.5)));
  L.flagTiny(s[0], 2 ** -25);
  const isOdd = odd(L, q);
  s = [L.select(isOdd, L.neg(s[0]), s[0]), L.select(isOdd, L.neg(s[1]), s[1])];
  const s2 = lanes.normalize(L, lanes.squ(L, s));
  let p = L.fma(L.c(T1), s2[0], L.c(T2));
  p = L.fma(p, s2[0], L.c(T3));
  p = L.fma(p, s2[0], L.c(T4));
  p = L.fma(p, s2[0], L.c(T5));
  let r = lanes.mulDD(L, s2, lanes.addFF(L, L.c(T6), L.mul(p, s2[0])));
  r = lanes.addFD(L, L.c(1), lanes.mulDD(L, lanes.addFD(L, L.c(T7), r), s2));
  r = lanes.mulDD(L, s, r);
  const inverse = lanes.recD(L, r);
  r = [L.select(isOdd, inverse[0], r[0]), L.select(isOdd, inverse[1], r[1])];
  const t = L.add(r[0], r[1]);
  return L.select(isNegZero(L, d), d, t);
}

function kernel(name: string, emit: (L: Lanes, d: F4) => F4, range: Range): LaneKernel {
  return {
    name,
    vectors: 2,
    emit: (L, x) => {
      flagLarge(L, x);
      return x.map((d) => emit(L, d));
    },
    exact: ([src], out, from, to) => range(src, out, from, to),
  };
}

const SIN_LANES = kernel("sin", emitSin, sinRange);
const COS_LANES = kernel("cos", emitCos, cosRange);
const TAN_LANES = kernel("tan", emitTan, tanRange);

export function sinArray(src: Float32Array, out: Float32Array): void {
  if (!runLanes(SIN_LANES, [src], out)) sinRange(src, out, 0, src.length);
}

export function cosArray(src: Float32Array, out: Float32Array): void {
  if (!runLanes(COS_LANES, [src], out)) cosRange(src, out, 0, src.length);
}

export function tanArray(src: Float32Array, out: Float32Array): void {
  if (!runLanes(TAN_LANES, [src], out)) tanRange(src, out, 0, src.length);
}
