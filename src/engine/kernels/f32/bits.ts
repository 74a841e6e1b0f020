/** float32 bit tricks of the AVX2 instruction set, one lane at a time: reinterpretation, rounding conversions, and
 * the exponent arithmetic SLEEF builds its range reduction from. */

const F = new Float32Array(1);
const I = new Int32Array(F.buffer);

export const f = Math.fround;

/** The float32's bits as a signed 32-bit integer. */
export function bitsOf(x: number): number {
  F[0] = x;
  return I[0];
}

export function fromBits(bits: number): number {
  I[0] = bits;
  return F[0];
}

/** 1.5·2^52: adding it to a double below 2^51 in magnitude leaves the integer nearest it, ties to even (the
 * FPU's own rounding), in the low bits; subtracting it again gives that integer as a double. One addition and one
 * subtraction instead of Math.round and a correction for ties. */
const ROUNDER = 6755399441055744;
const TWO51 = 2 ** 51;

/** vroundps to nearest: rounds half to even, keeps the sign of zero. */
export function rint(x: number): number {
  if (!(Math.abs(x) < TWO51)) return x;
  const r = x + ROUNDER - ROUNDER;
  return r === 0 ? x * 0 : r;
}

const INT_MIN = -2147483648;

/** vcvtps2dq: to int32, half to even; out of range (and NaN) gives INT_MIN, x86's "integer indefinite". (Past 2^51
 * the rounding trick is off, but such values are out of range either way.) */
export function cvtRound(x: number): number {
  const r = x + ROUNDER - ROUNDER;
  return r >= -2147483648 && r < 2147483648 ? r | 0 : INT_MIN;
}

/** vcvttps2dq: to int32 toward zero; out of range (and NaN) gives INT_MIN. */
export function cvtTrunc(x: number): number {
  const r = Math.trunc(x);
  return r >= -2147483648 && r < 2147483648 ? r | 0 : INT_MIN;
}

/** 2^q built from its exponent field (valid for q in [-126, 127]; other q wrap as the integer shift does). */
export function pow2i(q: number): number {
  return q >= -126 && q <= 127 ? POW2[q + 126] : fromBits(((q + 0x7f) << 23) | 0);
}
const POW2 = Float64Array.from({ length: 254 }, (_, i) => 2 ** (i - 126));

/** SLEEF's vldexp2: d · 2^(q>>1) · 2^(q − (q>>1)), two float multiplications. */
export function ldexp2(d: number, q: number): number {
  const h = q >> 1;
  return f(f(d * pow2i(h)) * pow2i(q - h));
}

/** SLEEF's vldexp3: adds q to the exponent field (no range check). */
export function ldexp3(d: number, q: number): number {
  return fromBits((bitsOf(d) + (q << 23)) | 0);
}

/** SLEEF's vldexp: scales by 2^q in steps that stay in range, for any q. */
export function ldexp(x: number, q: number): number {
  let m = q >> 31;
  m = ((((m + q) >> 6) - m) << 4) | 0;
  q = (q - (m << 2)) | 0;
  m = (m + 0x7f) | 0;
  m = m > 0 ? m : 0;
  m = m > 0xff ? 0xff : m;
  let u = fromBits(m << 23);
  x = f(f(f(f(x * u) * u) * u) * u);
  u = fromBits(((q + 0x7f) << 23) | 0);
  return f(x * u);
}

/** The unbiased exponent field (SLEEF's vilogb2k; no care for zero or subnormals). */
export function ilogb2k(d: number): number {
  return ((bitsOf(d) >>> 23) & 0xff) - 0x7f;
}

/** SLEEF's vilogbk: the exponent, scaling tiny values up first so subnormals count right. */
export function ilogbk(d: number): number {
  const tiny = d < 5.421010862427522e-20;
  if (tiny) d = f(1.8446744073709552e19 * d);
  return ((bitsOf(d) >>> 23) & 0xff) - (tiny ? 64 + 0x7f : 0x7f);
}

/** x with the sign bit of y xored in (SLEEF's vmulsign). */
export function mulsign(x: number, y: number): number {
  return fromBits(bitsOf(x) ^ (bitsOf(y) & INT_MIN));
}

/** x with the sign of y (copysign). */
export function copysign(x: number, y: number): number {
  return fromBits((bitsOf(x) & 0x7fffffff) | (bitsOf(y) & INT_MIN));
}

export function isNegZero(x: number): boolean {
  return x === 0 && 1 / x < 0;
}
