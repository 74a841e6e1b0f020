/**
 * float32 log and log1p as PyTorch 1.13's vectorised kernels compute them: SLEEF 3.5's Sleef_logf8_u10 and
 * Sleef_log1pf8_u10 (AVX2 build), lane by lane. Both split x = m · 2^e with m in [0.75, 1.5), take
 * x' = (m − 1)/(m + 1) in double-float, and sum e·ln 2 + 2x' + x'³·P(x'²) in double-float before one final
 * rounding. `logk` is the double-float log pow is built on.
 */
import { f, ilogb2k, isNegZero, ldexp3 } from "./bits";
import { R, add2DD, add2FF, addDD, addDF, addFF, div, mulDD, mulDF, scale, squ } from "./df";
import { fmaf } from "./fma";
import type { F4, I4, Lanes } from "./lanes";
import * as lanes from "./lanes_df";
import { runLanes, unaryKernel } from "./lanes_run";

const FLT_MIN = 2 ** -126;
const TWO64 = 2 ** 64;
const INV075 = f(1 / 0.75);
const LN2H = f(0.69314718246459960938);
const LN2L = f(-1.904654323148236017e-9);
const L1 = f(0.3027294874);
const L2 = f(0.3996108174);
const L3 = f(0.666669488);

/** The shared tail: s = e·ln2 (in R on entry) + 2x + x³·(L1 x⁴ + L2 x² + L3), for x = (xh, xl). */
function logTail(sh: number, sl: number, xh: number, xl: number): number {
  const x2 = f(xh * xh);
  let t = fmaf(L1, x2, L2);
  t = fmaf(t, x2, L3);
  scale(xh, xl, 2);
  addDD(sh, sl, R[0], R[1]);
  addDF(R[0], R[1], f(f(x2 * xh) * t));
  return f(R[0] + R[1]);
}

/** Sleef_logf8_u10, one lane. */
export function logf(d: number): number {
  const tiny = d < FLT_MIN;
  if (tiny) d = f(d * TWO64);
  let e = ilogb2k(f(d * INV075));
  const m = ldexp3(d, -e);
  if (tiny) e -= 64;
  mulDF(LN2H, LN2L, f(e));
  const sh = R[0];
  const sl = R[1];
  add2FF(-1, m);
  const nh = R[0];
  const nl = R[1];
  add2FF(1, m);
  div(nh, nl, R[0], R[1]);
  let r = logTail(sh, sl, R[0], R[1]);
  if (d === Infinity) r = Infinity;
  if (d < 0 || d !== d) r = NaN;
  if (d === 0) r = -Infinity;
  return r;
}

const LOG1P_HUGE = f(1e38);

/** Sleef_log1pf8_u10, one lane. */
export function log1pf(d: number): number {
  let dp1 = f(d + 1);
  const tiny = dp1 < FLT_MIN;
  if (tiny) dp1 = f(dp1 * TWO64);
  let e = ilogb2k(f(dp1 * INV075));
  const t = ldexp3(1, -e);
  const m = fmaf(d, t, f(t - 1));
  if (tiny) e -= 64;
  mulDF(LN2H, LN2L, f(e));
  const sh = R[0];
  const sl = R[1];
  addFF(2, m);
  div(m, 0, R[0], R[1]);
  let r = logTail(sh, sl, R[0], R[1]);
  if (d > LOG1P_HUGE) r = Infinity;
  if (-1 > d || d !== d) r = NaN;
  if (d === -1) r = -Infinity;
  if (isNegZero(d)) r = -0;
  return r;
}

const K1 = f(0.2403203547000885);
const K2 = f(0.285112679004669189453125);
const K3 = f(0.4000079929828644);
const CH = f(0.66666662693023681640625);
const CL = f(3.69183861259614332084311e-9);

/** SLEEF's logkf: log of d > 0 as a double-float, left in R. */
export function logk(d: number): void {
  const tiny = d < FLT_MIN;
  if (tiny) d = f(d * TWO64);
  let e = ilogb2k(f(d * INV075));
  const m = ldexp3(d, -e);
  if (tiny) e -= 64;
  add2FF(-1, m);
  const nh = R[0];
  const nl = R[1];
  add2FF(1, m);
  div(nh, nl, R[0], R[1]);
  const xh = R[0];
  const xl = R[1];
  squ(xh, xl);
  const x2h = R[0];
  const x2l = R[1];
  let t = fmaf(K1, x2h, K2);
  t = fmaf(t, x2h, K3);
  mulDF(x2h, x2l, t);
  add2DD(R[0], R[1], CH, CL);
  const ph = R[0];
  const pl = R[1];
  mulDD(x2h, x2l, xh, xl);
  mulDD(R[0], R[1], ph, pl);
  const qh = R[0];
  const ql = R[1];
  mulDF(LN2H, LN2L, f(e));
  const sh = R[0];
  const sl = R[1];
  scale(xh, xl, 2);
  addDD(sh, sl, R[0], R[1]);
  addDD(R[0], R[1], qh, ql);
}

// ---- four lanes at a time (lanes.ts): the same steps ----

/** The exponent field of x less the bias (ilogb2k). */
function ilogb2kLanes(L: Lanes, x: F4): I4 {
  return L.isub(L.iand(L.shr(L.bits(x), 23), L.i(0xff)), L.i(0x7f));
}

/** x with `by` added to its exponent field (ldexp3). */
function ldexp3Lanes(L: Lanes, x: F4, by: I4): F4 {
  return L.float(L.iadd(L.bits(x), L.shl(by, 23)));
}

function logTailLanes(L: Lanes, s: lanes.Pair, x: lanes.Pair): F4 {
  const x2 = L.mul(x[0], x[0]);
  let t = L.fma(L.c(L1), x2, L.c(L2));
  t = L.fma(t, x2, L.c(L3));
  const r = lanes.addDF(L, lanes.addDD(L, s, lanes.scale(L, x, L.c(2))), L.mul(L.mul(x2, x[0]), t));
  return L.add(r[0], r[1]);
}

function emitLog(L: Lanes, x: F4): F4 {
  const tiny = L.lt(x, L.c(FLT_MIN));
  const d = L.select(tiny, L.mul(x, L.c(TWO64)), x);
  let e = ilogb2kLanes(L, L.mul(d, L.c(INV075)));
  const m = ldexp3Lanes(L, d, L.isub(L.i(0), e));
  e = L.select(tiny, L.isub(e, L.i(64)), e);
  const s = lanes.mulDF(L, [L.c(LN2H), L.c(LN2L)], L.toFloat(e));
  const q = lanes.div(L, lanes.add2FF(L, L.c(-1), m), lanes.add2FF(L, L.c(1), m));
  let r = logTailLanes(L, s, q);
  r = L.select(L.eq(d, L.c(Infinity)), L.c(Infinity), r);
  r = L.select(L.or(L.lt(d, L.c(0)), L.isNaN(d)), L.c(NaN), r);
  return L.select(L.eq(d, L.c(0)), L.c(-Infinity), r);
}

/** log1p's quantities scale with its argument near 0: below 2^−50 their fused sums could reach the subnormal grid,
 * so such lanes are left to JS. */
export function emitLog1p(L: Lanes, d: F4): F4 {
  let dp1 = L.add(d, L.c(1));
  const tiny = L.lt(dp1, L.c(FLT_MIN));
  dp1 = L.select(tiny, L.mul(dp1, L.c(TWO64)), dp1);
  let e = ilogb2kLanes(L, L.mul(dp1, L.c(INV075)));
  const t = ldexp3Lanes(L, L.c(1), L.isub(L.i(0), e));
  const m = L.fma(d, t, L.sub(t, L.c(1)));
  L.flagTiny(m, 2 ** -50);
  e = L.select(tiny, L.isub(e, L.i(64)), e);
  const s = lanes.mulDF(L, [L.c(LN2H), L.c(LN2L)], L.toFloat(e));
  let r = logTailLanes(L, s, lanes.div(L, [m, L.c(0)], lanes.addFF(L, L.c(2), m)));
  r = L.select(L.gt(d, L.c(LOG1P_HUGE)), L.c(Infinity), r);
  r = L.select(L.or(L.lt(d, L.c(-1)), L.isNaN(d)), L.c(NaN), r);
  r = L.select(L.eq(d, L.c(-1)), L.c(-Infinity), r);
  return L.select(L.ieq(L.bits(d), L.i(-2147483648)), L.c(-0), r);
}

/** logk's steps four lanes at a time: log d as a double-float. x = (m − 1)/(m + 1) is 0 or at least 2^−25; near
 * 2^−25 (d within a few ulps of a power of two times 1) its cubed terms' fused sums could reach the subnormal
 * grid, so lanes with 0 < |x| < 2^−20 are left to JS. */
export function logkLanes(L: Lanes, x: F4): lanes.Pair {
  const tiny = L.lt(x, L.c(FLT_MIN));
  const d = L.select(tiny, L.mul(x, L.c(TWO64)), x);
  let e = ilogb2kLanes(L, L.mul(d, L.c(INV075)));
  const m = ldexp3Lanes(L, d, L.isub(L.i(0), e));
  e = L.select(tiny, L.isub(e, L.i(64)), e);
  const q = lanes.div(L, lanes.add2FF(L, L.c(-1), m), lanes.add2FF(L, L.c(1), m));
  L.flagTiny(q[0], 2 ** -20);
  const x2 = lanes.squ(L, q);
  let t = L.fma(L.c(K1), x2[0], L.c(K2));
  t = L.fma(t, x2[0], L.c(K3));
  const p = lanes.add2DD(L, lanes.mulDF(L, x2, t), [L.c(CH), L.c(CL)]);
  const cubic = lanes.mulDD(L, lanes.mulDD(L, x2, q), p);
  const s = lanes.mulDF(L, [L.c(LN2H), L.c(LN2L)], L.toFloat(e));
  return lanes.addDD(L, lanes.addDD(L, s, lanes.scale(L, q, L.c(2))), cubic);
}

function logRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = logf(src[i]);
}

function log1pRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = log1pf(src[i]);
}

const LOG_LANES = unaryKernel("log", emitLog, logRange);
const LOG1P_LANES = unaryKernel("log1p", emitLog1p, log1pRange);

export function logArray(src: Float32Array, out: Float32Array): void {
  if (!runLanes(LOG_LANES, [src], out)) logRange(src, out, 0, src.length);
}

export function log1pArray(src: Float32Array, out: Float32Array): void {
  if (!runLanes(LOG1P_LANES, [src], out)) log1pRange(src, out, 0, src.length);
}
