/**
 * float32 erf as PyTorch 1.13's vectorised kernel computes it: SLEEF 3.5's Sleef_erff8_u10 (AVX2 build), lane by
 * lane. Three polynomial pieces by |x| (below 1.1, 2.4, 4): the first gives erf directly as x·P(x²), the others
 * give an exponent whose exp is 1 − erf; every step past the first few is double-float.
 */
import { f, mulsign } from "./bits";
import { R, add2DD, addFD, mulDF, mulFF } from "./df";
import { expk2, expk2Lanes } from "./exp";
import { fmaf } from "./fma";
import type { F4, Lanes } from "./lanes";
import * as lanes from "./lanes_df";
import { runLanes, unaryKernel } from "./lanes_run";

/** The coefficients of the three pieces, highest degree first (float steps, then two double-float steps). */
const FLOAT_COEFFS = [
  [0.7089292194e-4, -0.7768311189e-3, 0.5159463733e-2, -0.2683781274e-1, 0.1128318012],
  [-0.1792667899e-4, 0.393763301e-3, -0.3949181177e-2, 0.244547464e-1, -0.107099615],
  [-0.9495757695e-5, 0.2481465926e-3, -0.2918176819e-2, 0.2059706673e-1, -0.9901899844e-1],
].map((row) => row.map((c) => f(c)));

const DOUBLE_COEFFS = [
  [-0.37612587600065744, 1.1283791602105915],
  [-0.6345889059084104, -1.128798558266945],
  [-0.6435980505478917, -1.1246148774284557],
];

/** SLEEF's vcast_vf2_d: a double as a float pair (its float, then the float of what is left). */
function pairOf(d: number): [number, number] {
  const h = f(d);
  return [h, f(d - h)];
}
const PAIRS = DOUBLE_COEFFS.map((row) => row.map(pairOf));

/** The bounds of the polynomial pieces, as SLEEF compares them: in float. */
const ERF_1 = f(1.1);
const ERF_2 = f(2.4);

/** Sleef_erff8_u10, one lane. */
export function erff(x: number): number {
  const a = Math.abs(x);
  const piece = a < ERF_1 ? 0 : a < ERF_2 ? 1 : 2;
  const u = piece === 0 ? f(a * a) : a;
  const c = FLOAT_COEFFS[piece];
  let t = fmaf(c[0], u, c[1]);
  t = fmaf(t, u, c[2]);
  t = fmaf(t, u, c[3]);
  t = fmaf(t, u, c[4]);
  const [p0, p1] = PAIRS[piece];
  mulFF(t, u);
  add2DD(R[0], R[1], p0[0], p0[1]);
  mulDF(R[0], R[1], u);
  add2DD(R[0], R[1], p1[0], p1[1]);
  mulDF(R[0], R[1], a);
  if (piece !== 0) {
    expk2(R[0], R[1]);
    addFD(1, -R[0], -R[1]);
  }
  const y = mulsign(a < 4 ? f(R[0] + R[1]) : 1, x);
  return a !== a ? NaN : y;
}

/** erff's steps four lanes at a time (lanes.ts): each lane's piece picks its coefficients by selection, and the
 * exponential is worked out for every lane and kept where the piece needs it. The products scale with |x| (and its
 * square) near 0: below 2^−25 their fused sums could reach the subnormal grid, so such lanes are left to JS. */
export function emitErf(L: Lanes, x: F4): F4 {
  const a = L.abs(x);
  L.flagTiny(a, 2 ** -25);
  const first = L.lt(a, L.c(ERF_1));
  const second = L.lt(a, L.c(ERF_2));
  const pick = (v: readonly number[]): F4 => L.select(first, L.c(v[0]), L.select(second, L.c(v[1]), L.c(v[2])));
  const u = L.select(first, L.mul(a, a), a);
  const c = FLOAT_COEFFS[0].map((_, k) => pick(FLOAT_COEFFS.map((row) => row[k])));
  let t = L.fma(c[0], u, c[1]);
  t = L.fma(t, u, c[2]);
  t = L.fma(t, u, c[3]);
  t = L.fma(t, u, c[4]);
  const pair = (k: number): lanes.Pair => [pick(PAIRS.map((row) => row[k][0])), pick(PAIRS.map((row) => row[k][1]))];
  let r = lanes.add2DD(L, lanes.mulFF(L, t, u), pair(0));
  r = lanes.add2DD(L, lanes.mulDF(L, r, u), pair(1));
  r = lanes.mulDF(L, r, a);
  const tail = lanes.addFD(L, L.c(1), lanes.neg(L, expk2Lanes(L, r)));
  r = [L.select(first, r[0], tail[0]), L.select(first, r[1], tail[1])];
  const y = L.mulsign(L.select(L.lt(a, L.c(4)), L.add(r[0], r[1]), L.c(1)), x);
  return L.select(L.isNaN(a), a, y);
}

function erfRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = erff(src[i]);
}

const ERF_LANES = unaryKernel("erf", emitErf, erfRange);

export function erfArray(src: Float32Array, out: Float32Array): void {
  if (!runLanes(ERF_LANES, [src], out)) erfRange(src, out, 0, src.length);
}
