/**
 * float32 pow as PyTorch 1.13 computes it (PowKernel.cpp).
 *
 * With a number exponent: 0 fills 1, 1 copies, 0.5 is sqrt, −0.5 rsqrt, −1 reciprocal, 2 is x·x, 3 is x·x·x, −2 is
 * 1/(x·x); any other exponent goes through SLEEF's Sleef_powf8_u10 in the vectorised blocks and through the C
 * library's double pow (`std::pow(float, double)`, rounded to float) for the leftover elements.
 * With a tensor exponent: Sleef_powf8_u10 in the blocks, the C library's powf for the rest.
 */
import { cvtTrunc, f, mulsign, copysign } from "./bits";
import { R, mulDF } from "./df";
import { expk } from "./exp";
import { logk } from "./log";
import { libmPowf } from "./libm_pow";
import { VECTOR_BLOCK } from "./loops";
import { rsqrtf } from "./sqrt";

const TWO24 = 2 ** 24;

/** Sleef_powf8_u10, one lane. */
export function powf(x: number, y: number): number {
  const yIsInt = Math.trunc(y) === y || Math.abs(y) > TWO24;
  const yIsOdd = (cvtTrunc(y) & 1) === 1 && yIsInt && Math.abs(y) < TWO24;
  logk(Math.abs(x));
  mulDF(R[0], R[1], y);
  let result = expk(R[0], R[1]);
  if (result !== result) result = Infinity;
  result = f(result * (x > 0 ? 1 : yIsInt ? (yIsOdd ? -1 : 1) : NaN));
  const efx = mulsign(f(Math.abs(x) - 1), y);
  if (y === Infinity || y === -Infinity) result = efx < 0 ? 0 : efx === 0 ? 1 : Infinity;
  if (x === Infinity || x === -Infinity || x === 0) {
    result = f((yIsOdd ? copysign(1, x) : 1) * ((x === 0 ? -y : y) < 0 ? 0 : Infinity));
  }
  if (x !== x || y !== y) result = NaN;
  if (y === 0 || x === 1) result = 1;
  return result;
}

/** The scalar (leftover-element) formula for a number exponent: double pow, rounded to float. */
function scalarPow(x: number, e: number): number {
  return f(Math.pow(x, e));
}

/** pow(x, e) for a number exponent over contiguous float32 data. */
export function powScalarArray(src: Float32Array, e: number, out: Float32Array): void {
  const n = src.length;
  if (e === 0) {
    out.fill(1);
    return;
  }
  if (e === 1) {
    out.set(src);
    return;
  }
  if (e === 0.5) {
    for (let i = 0; i < n; i++) out[i] = Math.sqrt(src[i]);
    return;
  }
  if (e === -0.5) {
    for (let i = 0; i < n; i++) out[i] = rsqrtf(src[i]);
    return;
  }
  if (e === -1) {
    for (let i = 0; i < n; i++) out[i] = 1 / src[i];
    return;
  }
  if (e === 2) {
    for (let i = 0; i < n; i++) out[i] = src[i] * src[i];
    return;
  }
  if (e === 3) {
    for (let i = 0; i < n; i++) {
      const x = src[i];
      out[i] = f(x * x) * x;
    }
    return;
  }
  if (e === -2) {
    for (let i = 0; i < n; i++) out[i] = 1 / f(src[i] * src[i]);
    return;
  }
  const ef = f(e);
  const split = n - (n % VECTOR_BLOCK);
  for (let i = 0; i < split; i++) out[i] = powf(src[i], ef);
  for (let i = split; i < n; i++) out[i] = scalarPow(src[i], e);
}

/** pow(x, y) elementwise over same-length contiguous float32 data. */
export function powArray(x: Float32Array, y: Float32Array, out: Float32Array): void {
  const n = out.length;
  const split = n - (n % VECTOR_BLOCK);
  for (let i = 0; i < split; i++) out[i] = powf(x[i], y[i]);
  for (let i = split; i < n; i++) out[i] = libmPowf(x[i], y[i]);
}
