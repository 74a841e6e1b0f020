/**
 * "Double-float" arithmetic: a value carried as an unevaluated sum hi + lo of two float32s, the way SLEEF's
 * float functions get about 48 bits of precision in their critical steps. Each operation is SLEEF's own sequence of
 * float32 additions, multiplications and fused multiply-adds (its AVX2 build, which has FMA), so the low parts carry
 * the very same rounding errors.
 *
 * Results are written to the shared register `R` (R[0], R[1]) instead of allocating a pair: callers copy them out
 * before the next call.
 */
import { f } from "./bits";
import { fmaf } from "./fma";

export const R = new Float64Array(2);

function set(h: number, l: number): void {
  R[0] = h;
  R[1] = l;
}

/** (x + y) with its rounding error, for |x| ≥ |y|. */
export function addFF(x: number, y: number): void {
  const s = f(x + y);
  set(s, f(f(x - s) + y));
}

/** (x + y) with its rounding error, for any x, y (TwoSum). */
export function add2FF(x: number, y: number): void {
  const s = f(x + y);
  const v = f(s - x);
  set(s, f(f(x - f(s - v)) + f(y - v)));
}

/** x + (yh, yl), any magnitudes. */
export function add2FD(x: number, yh: number, yl: number): void {
  const s = f(x + yh);
  const v = f(s - x);
  set(s, f(f(f(x - f(s - v)) + f(yh - v)) + yl));
}

/** (xh, xl) + y, |xh| ≥ |y|. */
export function addDF(xh: number, xl: number, y: number): void {
  const s = f(xh + y);
  set(s, f(f(f(xh - s) + y) + xl));
}

/** (xh, xl) + y, any magnitudes. */
export function add2DF(xh: number, xl: number, y: number): void {
  const s = f(xh + y);
  const v = f(s - xh);
  const t = f(f(xh - f(s - v)) + f(y - v));
  set(s, f(t + xl));
}

/** x + (yh, yl), |x| ≥ |yh|. */
export function addFD(x: number, yh: number, yl: number): void {
  const s = f(x + yh);
  set(s, f(f(f(x - s) + yh) + yl));
}

/** (xh, xl) + (yh, yl), |xh| ≥ |yh|. */
export function addDD(xh: number, xl: number, yh: number, yl: number): void {
  const s = f(xh + yh);
  set(s, f(f(f(f(xh - s) + yh) + xl) + yl));
}

/** (xh, xl) + (yh, yl), any magnitudes. */
export function add2DD(xh: number, xl: number, yh: number, yl: number): void {
  const s = f(xh + yh);
  const v = f(s - xh);
  const t = f(f(xh - f(s - v)) + f(yh - v));
  set(s, f(t + f(xl + yl)));
}

/** (xh, xl) − y. */
export function subDF(xh: number, xl: number, y: number): void {
  const s = f(xh - y);
  set(s, f(f(f(xh - s) - y) + xl));
}

/** (xh, xl) − (yh, yl), |xh| ≥ |yh|. */
export function subDD(xh: number, xl: number, yh: number, yl: number): void {
  const s = f(xh - yh);
  let t = f(xh - s);
  t = f(t - yh);
  t = f(t + xl);
  set(s, f(t - yl));
}

export function normalize(h: number, l: number): void {
  const s = f(h + l);
  set(s, f(f(h - s) + l));
}

export function scale(h: number, l: number, s: number): void {
  set(f(h * s), f(l * s));
}

/**
 * x·y − RN(x·y), which SLEEF gets from an fma: the error of a float product is itself a float (away from
 * underflow), and x·y is exact in a double, so one double subtraction gives it exactly, with no rounding to fix.
 * Near underflow the fma's own rounding is kept.
 */
function productError(x: number, y: number, s: number): number {
  return Math.abs(s) > TINY ? x * y - s : fmaf(x, y, -s);
}
const TINY = 2 ** -100;

/** 1 − d·RN(1/d), likewise exact (the remainder of a correctly rounded division is a float). */
function reciprocalError(d: number, s: number): number {
  return Math.abs(s) > TINY && Math.abs(d) > TINY ? 1 - d * s : fmaf(-d, s, 1);
}

/** x · y exactly, as a pair. */
export function mulFF(x: number, y: number): void {
  const s = f(x * y);
  set(s, productError(x, y, s));
}

/** (xh, xl) · y. */
export function mulDF(xh: number, xl: number, y: number): void {
  const s = f(xh * y);
  set(s, fmaf(xl, y, productError(xh, y, s)));
}

/** (xh, xl) · (yh, yl). */
export function mulDD(xh: number, xl: number, yh: number, yl: number): void {
  const s = f(xh * yh);
  set(s, fmaf(xh, yl, fmaf(xl, yh, productError(xh, yh, s))));
}

/** (xh, xl) · (yh, yl), rounded to one float. */
export function mulDDtoF(xh: number, xl: number, yh: number, yl: number): number {
  return fmaf(xh, yh, fmaf(xl, yh, f(xh * yl)));
}

/** (xh, xl)². */
export function squ(xh: number, xl: number): void {
  const s = f(xh * xh);
  set(s, fmaf(f(xh + xh), xl, productError(xh, xh, s)));
}

/** 1 / d as a pair. */
export function recF(d: number): void {
  const s = f(1 / d);
  set(s, f(s * reciprocalError(d, s)));
}

/** 1 / (dh, dl) as a pair. */
export function recD(dh: number, dl: number): void {
  const s = f(1 / dh);
  set(s, f(s * fmaf(-dl, s, reciprocalError(dh, s))));
}

/** (nh, nl) / (dh, dl). */
export function div(nh: number, nl: number, dh: number, dl: number): void {
  const t = f(1 / dh);
  const s = f(nh * t);
  const u = productError(t, nh, s);
  const v = fmaf(-dl, t, reciprocalError(dh, t));
  set(s, fmaf(s, v, fmaf(nl, t, u)));
}
