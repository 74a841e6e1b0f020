/**
 * float32 sin, cos and tan as PyTorch 1.13's vectorised kernels compute them: SLEEF 3.5's Sleef_sinf8_u10,
 * Sleef_cosf8_u10 and Sleef_tanf8_u10 (AVX2 build).
 *
 * These functions branch per vector, not per lane: when every one of the 8 lanes is below 125 in magnitude, the
 * argument is reduced by multiples of π (π/2 for tan) in three float pieces; when any lane is larger, all 8 go
 * through the Payne–Hanek reduction (rempi.ts), whose result differs in the last bits. So one lane's result depends
 * on its neighbours, and the array kernels walk the data in blocks of 8 as ATen's vml loop does (the last, partial
 * block padded with zeros).
 */
import { cvtRound, f, isNegZero, mulsign, rint } from "./bits";
import { R, add2DD, add2DF, add2FF, addDF, addFD, addFF, mulDD, mulDDtoF, normalize, recD, squ } from "./df";
import { fmaf } from "./fma";
import { rempi } from "./rempi";

export const M_1_PI = f(0.3183098861837907);
export const M_2_PI = f(2 * 0.3183098861837907);
export const PI_A2 = 3.1414794921875;
export const PI_B2 = f(0.00011315941810607910156);
export const PI_C2 = f(1.9841872589410058936e-9);
export const RANGE_MAX2 = 125;
const HALF_PI_H = f(3.1415927410125732422 * -0.5);
const HALF_PI_L = f(-8.7422776573475857731e-8 * -0.5);

export const S1 = f(2.6083159809786593541503e-6);
export const S2 = f(-0.0001981069071916863322258);
export const S3 = f(0.00833307858556509017944336);
export const S4 = f(-0.166666597127914428710938);

/** The shared polynomial of sin and cos on the reduced argument (sh, sl); the sign is the caller's. */
function sinPoly(sh: number, sl: number): number {
  squ(sh, sl);
  const s2h = R[0];
  const s2l = R[1];
  let u = fmaf(S1, s2h, S2);
  u = fmaf(u, s2h, S3);
  addFF(S4, f(u * s2h));
  mulDD(R[0], R[1], s2h, s2l);
  addFD(1, R[0], R[1]);
  return mulDDtoF(sh, sl, R[0], R[1]);
}

function notFinite(d: number): boolean {
  return d !== d || d === Infinity || d === -Infinity;
}

/** Sleef_sinf8_u10 for one lane; `large` says whether any lane of its vector is ≥ 125 in magnitude (or NaN). */
export function sinf(d: number, large: boolean): number {
  let q: number;
  let sh: number;
  let sl: number;
  if (!large) {
    const u = rint(f(d * M_1_PI));
    q = cvtRound(u);
    const v = fmaf(u, -PI_A2, d);
    add2FF(v, f(u * -PI_B2));
    addDF(R[0], R[1], f(u * -PI_C2));
    sh = R[0];
    sl = R[1];
  } else {
    const quarter = rempi(d);
    let rh = R[0];
    let rl = R[1];
    q = ((quarter & 3) * 2 + (rh > 0 ? 2 : 1)) >> 2;
    if ((quarter & 1) === 1) {
      add2DD(rh, rl, mulsign(HALF_PI_H, rh), mulsign(HALF_PI_L, rh));
      rh = R[0];
      rl = R[1];
    }
    normalize(rh, rl);
    sh = notFinite(d) ? NaN : R[0];
    sl = R[1];
  }
  let u = sinPoly(sh, sl);
  if ((q & 1) === 1) u = -u;
  return isNegZero(d) ? d : u;
}

/** Sleef_cosf8_u10 for one lane; `large` as for sinf. */
export function cosf(d: number, large: boolean): number {
  let q: number;
  let sh: number;
  let sl: number;
  if (!large) {
    const dq = fmaf(rint(fmaf(d, M_1_PI, -0.5)), 2, 1);
    q = cvtRound(dq);
    add2FF(d, f(dq * f(-PI_A2 * 0.5)));
    add2DF(R[0], R[1], f(dq * f(-PI_B2 * 0.5)));
    add2DF(R[0], R[1], f(dq * f(-PI_C2 * 0.5)));
    sh = R[0];
    sl = R[1];
  } else {
    const quarter = rempi(d);
    let rh = R[0];
    let rl = R[1];
    q = ((quarter & 3) * 2 + (rh > 0 ? 8 : 7)) >> 1;
    if ((quarter & 1) === 0) {
      const y = rh > 0 ? 0 : -1;
      add2DD(rh, rl, mulsign(HALF_PI_H, y), mulsign(HALF_PI_L, y));
      rh = R[0];
      rl = R[1];
    }
    normalize(rh, rl);
    sh = notFinite(d) ? NaN : R[0];
    sl = R[1];
  }
  const u = sinPoly(sh, sl);
  return (q & 2) === 0 ? -u : u;
}

export const T1 = f(0.00446636462584137916564941);
export const T2 = f(-8.3920182078145444393158e-5);
export const T3 = f(0.0109639242291450500488281);
export const T4 = f(0.0212360303848981857299805);
export const T5 = f(0.0540687143802642822265625);
export const T6 = f(0.133325666189193725585938);
export const T7 = f(0.33333361148834228515625);

/** Sleef_tanf8_u10 for one lane; `large` as for sinf. */
export function tanf(d: number, large: boolean): number {
  let q: number;
  let sh: number;
  let sl: number;
  if (!large) {
    const u = rint(f(d * M_2_PI));
    q = cvtRound(u);
    const v = fmaf(u, f(-PI_A2 * 0.5), d);
    add2FF(v, f(u * f(-PI_B2 * 0.5)));
    addDF(R[0], R[1], f(u * f(-PI_C2 * 0.5)));
    sh = R[0];
    sl = R[1];
  } else {
    q = rempi(d);
    sh = R[0];
    sl = R[1];
    if (notFinite(d)) sh = sl = NaN;
  }
  const odd = (q & 1) === 1;
  if (odd) {
    sh = -sh;
    sl = -sl;
  }
  squ(sh, sl);
  normalize(R[0], R[1]);
  const s2h = R[0];
  const s2l = R[1];
  let u = fmaf(T1, s2h, T2);
  u = fmaf(u, s2h, T3);
  u = fmaf(u, s2h, T4);
  u = fmaf(u, s2h, T5);
  addFF(T6, f(u * s2h));
  mulDD(s2h, s2l, R[0], R[1]);
  addFD(T7, R[0], R[1]);
  mulDD(R[0], R[1], s2h, s2l);
  addFD(1, R[0], R[1]);
  mulDD(sh, sl, R[0], R[1]);
  if (odd) recD(R[0], R[1]);
  u = f(R[0] + R[1]);
  return isNegZero(d) ? d : u;
}

/** Whether SLEEF takes its large-argument path for the vector of lanes [at, at + 8) of `src` (padded with 0). */
function anyLarge(src: Float32Array, at: number, end: number): boolean {
  for (let i = at; i < Math.min(at + 8, end); i++) if (!(Math.abs(src[i]) < RANGE_MAX2)) return true;
  return false;
}

// One loop per function (not a shared loop taking the lane function), so that V8 inlines each lane's call. Each
// works on [from, to) in vectors of 8 from `from`, the last one padded with zeros.

export function sinRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let at = from; at < to; at += 8) {
    const large = anyLarge(src, at, to);
    const end = Math.min(at + 8, to);
    for (let i = at; i < end; i++) out[i] = sinf(src[i], large);
  }
}

export function cosRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let at = from; at < to; at += 8) {
    const large = anyLarge(src, at, to);
    const end = Math.min(at + 8, to);
    for (let i = at; i < end; i++) out[i] = cosf(src[i], large);
  }
}

export function tanRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let at = from; at < to; at += 8) {
    const large = anyLarge(src, at, to);
    const end = Math.min(at + 8, to);
    for (let i = at; i < end; i++) out[i] = tanf(src[i], large);
  }
}
