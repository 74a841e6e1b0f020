/**
 * float32 log, sin and cos exactly as PyTorch's AVX2 normal kernel computes them: `log256_ps` and `sincos256_ps`
 * of avx_mathfun.h (Cephes polynomials, after Pommier's sse_mathfun), as GCC compiles them with FMA contraction
 * (a product feeding a sum is fused; when two products feed one sum, the one computed first is fused). Every
 * operation is one float32 rounding, so each is spelled out with Math.fround or fmaf.
 */
import { fmaf } from "./fused";

const f = Math.fround;

const SQRTHF = f(0.7071067811865476); // Cephes SQRTHF, 0.707106781186547524
const LOG_P0 = f(7.0376836292e-2);
const LOG_P1 = f(-1.1514610310e-1);
const LOG_P2 = f(1.1676998740e-1);
const LOG_P3 = f(-1.2420140846e-1);
const LOG_P4 = f(1.4249322787e-1);
const LOG_P5 = f(-1.6668057665e-1);
const LOG_P6 = f(2.0000714765e-1);
const LOG_P7 = f(-2.4999993993e-1);
const LOG_P8 = f(3.3333331174e-1);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);

const bits = new Float32Array(1);
const bitsU = new Uint32Array(bits.buffer);
const MIN_NORM_POS = 2 ** -126;

/** log256_ps for one lane, for x > 0 (the kernel only passes 1 - u with u in [0, 1)). */
export function logAvx(x: number): number {
  bits[0] = Math.max(x, MIN_NORM_POS);
  const word = bitsU[0];
  let e = (word >>> 23) - 0x7f + 1;
  bitsU[0] = (word & ~0x7f800000) | 0x3f000000;
  let m = bits[0]; // in [0.5, 1)
  // Both branches are exact in float32: m - 1 by Sterbenz, and 2m - 1 fits in 24 bits.
  if (m < SQRTHF) {
    e -= 1;
    m = m - 1 + m;
  } else {
    m = m - 1;
  }
  const z = f(m * m);
  let y = fmaf(LOG_P0, m, LOG_P1);
  y = fmaf(y, m, LOG_P2);
  y = fmaf(y, m, LOG_P3);
  y = fmaf(y, m, LOG_P4);
  y = fmaf(y, m, LOG_P5);
  y = fmaf(y, m, LOG_P6);
  y = fmaf(y, m, LOG_P7);
  y = fmaf(y, m, LOG_P8);
  y = f(y * m);
  y = fmaf(y, z, f(e * LOG_Q1));
  y = fmaf(z, -0.5, y);
  return fmaf(e, LOG_Q2, f(m + y));
}

const FOPI = f(1.27323954473516);
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853515625e-4);
const MINUS_DP3 = f(-3.774894977445941e-8); // Cephes DP3, 3.77489497744594108e-8
const SINCOF_P0 = f(-1.9515295891e-4);
const SINCOF_P1 = f(8.3321608736e-3);
const SINCOF_P2 = f(-1.6666654611e-1);
const COSCOF_P0 = f(2.443315711809948e-5);
const COSCOF_P1 = f(-1.388731625493765e-3);
const COSCOF_P2 = f(4.166664568298827e-2);

/** sincos256_ps for one lane; the sine goes to `out[0]`, the cosine to `out[1]`. */
export function sinCosAvx(x: number, out: Float64Array): void {
  const negative = x < 0;
  let a = Math.abs(x);
  // Octant j = (trunc(|x| * 4/pi) + 1) & ~1, even, so the reduced argument lies in [-pi/4, pi/4].
  const j = ((f(a * FOPI) | 0) + 1) & ~1;
  const y = j;
  a = fmaf(y, MINUS_DP1, a);
  a = fmaf(y, MINUS_DP2, a);
  a = fmaf(y, MINUS_DP3, a);
  const z = f(a * a);

  let c = fmaf(COSCOF_P0, z, COSCOF_P1);
  c = fmaf(c, z, COSCOF_P2);
  c = f(c * z);
  c = fmaf(c, z, -f(z * 0.5));
  c = f(c + 1);

  let s = fmaf(SINCOF_P0, z, SINCOF_P1);
  s = fmaf(s, z, SINCOF_P2);
  s = f(s * z);
  s = fmaf(s, a, a);

  // Octants 2 and 6 (j & 2) swap the polynomials; the sign of the sine flips from octant 4 on, and with the
  // sign of x; the sign of the cosine flips for octants 2 to 5.
  const swap = (j & 2) !== 0;
  let sin = swap ? c : s;
  let cos = swap ? s : c;
  if (((j & 4) !== 0) !== negative) sin = -sin;
  if (((j - 2) & 4) === 0) cos = -cos;
  out[0] = sin;
  out[1] = cos;
}
