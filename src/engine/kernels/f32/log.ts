/**
 * float32 log and log1p as PyTorch 1.13's vectorised kernels compute them: SLEEF 3.5's Sleef_logf8_u10 and
 * Sleef_log1pf8_u10 (AVX2 build), lane by lane. Both split x = m · 2^e with m in [0.75, 1.5), take
 * x' = (m − 1)/(m + 1) in double-float, and sum e·ln 2 + 2x' + x'³·P(x'²) in double-float before one final
 * rounding. `logk` is the double-float log pow is built on.
 */
import { f, ilogb2k, isNegZero, ldexp3 } from "./bits";
import { R, add2DD, add2FF, addDD, addDF, addFF, div, mulDD, mulDF, scale, squ } from "./df";
import { fmaf } from "./fma";

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

export function logArray(src: Float32Array, out: Float32Array): void {
  for (let i = 0; i < src.length; i++) out[i] = logf(src[i]);
}

export function log1pArray(src: Float32Array, out: Float32Array): void {
  for (let i = 0; i < src.length; i++) out[i] = log1pf(src[i]);
}
