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
import { expk, expkLanes } from "./exp";
import type { F4, Lanes } from "./lanes";
import { mulDF as mulDFLanes } from "./lanes_df";
import { type LaneKernel, runLanes } from "./lanes_run";
import { logk, logkLanes } from "./log";
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

/** powf's steps four lanes at a time (lanes.ts): the same selections, in the same order. */
function emitPow(L: Lanes, x: F4, y: F4): F4 {
  const ay = L.abs(y);
  const yIsInt = L.or(L.eq(L.trunc(y), y), L.gt(ay, L.c(TWO24)));
  const yIsOdd = L.and(L.and(L.ieq(L.iand(L.cvtTrunc(y), L.i(1)), L.i(1)), yIsInt), L.lt(ay, L.c(TWO24)));
  const ax = L.abs(x);
  let result = expkLanes(L, mulDFLanes(L, logkLanes(L, ax), y));
  result = L.select(L.isNaN(result), L.c(Infinity), result);
  const sign = L.select(L.gt(x, L.c(0)), L.c(1), L.select(yIsInt, L.select(yIsOdd, L.c(-1), L.c(1)), L.c(NaN)));
  result = L.mul(result, sign);
  const efx = L.mulsign(L.sub(ax, L.c(1)), y);
  const yInfinite = L.eq(ay, L.c(Infinity));
  result = L.select(yInfinite, L.select(L.lt(efx, L.c(0)), L.c(0), L.select(L.eq(efx, L.c(0)), L.c(1), L.c(Infinity))), result);
  const xZero = L.eq(x, L.c(0));
  const oddSign = L.select(yIsOdd, L.float(L.ior(L.i(0x3f800000), L.iand(L.bits(x), L.i(-2147483648)))), L.c(1));
  const edge = L.mul(oddSign, L.select(L.lt(L.select(xZero, L.neg(y), y), L.c(0)), L.c(0), L.c(Infinity)));
  result = L.select(L.or(L.eq(ax, L.c(Infinity)), xZero), edge, result);
  result = L.select(L.or(L.isNaN(x), L.isNaN(y)), L.c(NaN), result);
  return L.select(L.or(L.eq(y, L.c(0)), L.eq(x, L.c(1))), L.c(1), result);
}

/** Sleef_powf8_u10 over arrays of bases and exponents (a number exponent is a parameter). */
const POW_LANES: LaneKernel = {
  name: "pow",
  inputs: 2,
  emit: (L, [x], [y]) => [emitPow(L, x, y)],
  exact: ([x, y], out, from, to) => {
    for (let i = from; i < to; i++) out[i] = powf(x[i], y[i]);
  },
};

const POW_SCALAR_LANES: LaneKernel = {
  name: "pow by a number",
  emit: (L, [x], _, [e]) => [emitPow(L, x, e)],
  exact: ([x], out, from, to, [e]) => {
    for (let i = from; i < to; i++) out[i] = powf(x[i], e);
  },
};

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
  if (!runLanes(POW_SCALAR_LANES, [src], out, 0, split, [ef])) POW_SCALAR_LANES.exact([src], out, 0, split, [ef]);
  for (let i = split; i < n; i++) out[i] = scalarPow(src[i], e);
}

/** pow(x, y) elementwise over same-length contiguous float32 data. */
export function powArray(x: Float32Array, y: Float32Array, out: Float32Array): void {
  const n = out.length;
  const split = n - (n % VECTOR_BLOCK);
  if (!runLanes(POW_LANES, [x, y], out, 0, split)) POW_LANES.exact([x, y], out, 0, split, []);
  for (let i = split; i < n; i++) out[i] = libmPowf(x[i], y[i]);
}
