/**
 * GELU (erf form) and its derivative as oneDNN 2.6's JIT eltwise kernel computes them. PyTorch 1.13 hands a
 * contiguous float32 tensor of more than one element to oneDNN (`use_mkldnn` in Activation.cpp) for the erf form,
 * forward and backward; only the tanh form and single elements stay in ATen's own kernel (gelu.ts).
 *
 * oneDNN approximates erf with Abramowitz and Stegun's 7.1.26 — erf x ≈ 1 − t·P(t)·e^(−x²), t = 1/(1 + p|x|) — and
 * its exp with a degree-5 polynomial after x = n·ln2 + r (n from floor(x·log2 e + ½)), all in float32 with fused
 * multiply-adds where the JIT code emits them. The constants are oneDNN's (bit patterns in its eltwise injector).
 */
import { f, fromBits, mulsign } from "./bits";
import { fmaf } from "./fma";
import type { F4, Lanes } from "./lanes";
import { type LaneKernel, runLanes, unaryKernel } from "./lanes_run";

const LOG2E = fromBits(0x3fb8aa3b);
const LN_FLT_MAX = fromBits(0x42b17218);
const LN_FLT_MIN = fromBits(0xc2aeac50 | 0);
const LN2 = fromBits(0x3f317218);
const EXP_P = [0x3f7ffffb, 0x3efffee3, 0x3e2aad40, 0x3d2b9d0d, 0x3c07cfce].map(fromBits);
const ONE_OVER_SQRT_TWO = fromBits(0x3f3504f3);
const ONE_OVER_SQRT_PI = fromBits(0x3f106eba);
const P = fromBits(0x3ea7ba05);
const ERF_P = [0x3e827906, 0xbe91a98e | 0, 0x3fb5f0e3, 0xbfba00e3 | 0, 0x3f87dc22].map(fromBits);

/** oneDNN's exp_compute_vector_fwd, one lane. */
export function onednnExp(x: number): number {
  const tooSmall = x < LN_FLT_MIN;
  // vminps/vmaxps return the second operand (the bound) for NaN.
  x = x < LN_FLT_MAX ? x : LN_FLT_MAX;
  x = x > LN_FLT_MIN ? x : LN_FLT_MIN;
  const n = Math.floor(f(f(x * LOG2E) + 0.5));
  const r = fmaf(-n, LN2, x);
  // 2^(n−1), then ·2 at the end, so that n = 128 stays representable.
  const scale = tooSmall ? 0 : fromBits((n - 1 + 127) << 23);
  let y = EXP_P[4];
  for (let i = 3; i >= 0; i--) y = fmaf(y, r, EXP_P[i]);
  y = fmaf(y, r, 1);
  return f(f(y * scale) * 2);
}

/** 1 − t·P(t)·e^(−x²) for x ≥ 0 given e^(−x²) and t = 1/(1 + p·x). */
function erfTail(expNegSq: number, t: number): number {
  let r = ERF_P[4];
  for (let i = 3; i >= 0; i--) r = fmaf(r, t, ERF_P[i]);
  return fmaf(f(-expNegSq * t), r, 1);
}

/** gelu_erf_compute_vector_fwd, one lane. */
export function onednnGelu(s: number): number {
  const x = f(s * ONE_OVER_SQRT_TWO);
  const t = f(1 / fmaf(P, Math.abs(x), 1));
  const e = onednnExp(-f(x * x));
  const erf = mulsign(erfTail(e, t), s);
  const half = f(s * 0.5);
  return fmaf(erf, half, half);
}

/** gelu_erf_compute_vector_bwd, one lane: d gelu(s)/ds. */
export function onednnGeluDerivative(s: number): number {
  const r = f(s * ONE_OVER_SQRT_TWO);
  const q = onednnExp(-f(r * r));
  const tt = f(f(r * ONE_OVER_SQRT_PI) * q);
  const w = f(1 / fmaf(P, Math.abs(r), 1));
  const erf = mulsign(erfTail(q, w), r);
  return fmaf(erf, 0.5, f(tt + 0.5));
}

// ---- four lanes at a time (lanes.ts): the same steps ----

function expLanes(L: Lanes, x: F4): F4 {
  const tooSmall = L.lt(x, L.c(LN_FLT_MIN));
  // vminps and vmaxps return the bound for NaN: `lt` and `gt` are false there.
  x = L.select(L.lt(x, L.c(LN_FLT_MAX)), x, L.c(LN_FLT_MAX));
  x = L.select(L.gt(x, L.c(LN_FLT_MIN)), x, L.c(LN_FLT_MIN));
  const n = L.floor(L.add(L.mul(x, L.c(LOG2E)), L.c(0.5)));
  const r = L.fma(L.neg(n), L.c(LN2), x);
  const scale = L.select(tooSmall, L.c(0), L.float(L.shl(L.iadd(L.cvtTrunc(n), L.i(126)), 23)));
  let y = L.c(EXP_P[4]);
  for (let i = 3; i >= 0; i--) y = L.fma(y, r, L.c(EXP_P[i]));
  y = L.fma(y, r, L.c(1));
  return L.mul(L.mul(y, scale), L.c(2));
}

function erfTailLanes(L: Lanes, expNegSq: F4, t: F4): F4 {
  let r = L.c(ERF_P[4]);
  for (let i = 3; i >= 0; i--) r = L.fma(r, t, L.c(ERF_P[i]));
  return L.fma(L.mul(L.neg(expNegSq), t), r, L.c(1));
}

/** Below 2^−100 in magnitude the last fused sum (about s/2) could reach the subnormal grid: left to JS. */
function emitGelu(L: Lanes, s: F4): F4 {
  L.flagTiny(s, 2 ** -100);
  const x = L.mul(s, L.c(ONE_OVER_SQRT_TWO));
  const t = L.div(L.c(1), L.fma(L.c(P), L.abs(x), L.c(1)));
  const e = expLanes(L, L.neg(L.mul(x, x)));
  const erf = L.mulsign(erfTailLanes(L, e, t), s);
  const half = L.mul(s, L.c(0.5));
  return L.fma(erf, half, half);
}

function emitGeluDerivative(L: Lanes, s: F4): F4 {
  const r = L.mul(s, L.c(ONE_OVER_SQRT_TWO));
  const q = expLanes(L, L.neg(L.mul(r, r)));
  const tt = L.mul(L.mul(r, L.c(ONE_OVER_SQRT_PI)), q);
  const w = L.div(L.c(1), L.fma(L.c(P), L.abs(r), L.c(1)));
  const erf = L.mulsign(erfTailLanes(L, q, w), r);
  return L.fma(erf, L.c(0.5), L.add(tt, L.c(0.5)));
}

function geluRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = onednnGelu(src[i]);
}

function geluBackwardRange(grad: Float32Array, input: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = f(onednnGeluDerivative(input[i]) * grad[i]);
}

const GELU_LANES = unaryKernel("onednn gelu", emitGelu, geluRange);
const GELU_BACKWARD_LANES: LaneKernel = {
  name: "onednn gelu backward",
  inputs: 2,
  emit: (L, [g], [x]) => [L.mul(emitGeluDerivative(L, x), g)],
  exact: ([g, x], out, from, to) => geluBackwardRange(g, x, out, from, to),
};

export function onednnGeluArray(src: Float32Array, out: Float32Array): void {
  if (!runLanes(GELU_LANES, [src], out)) geluRange(src, out, 0, src.length);
}

/** eltwise_backward: diff_src = diff_dst · gelu'(src). */
export function onednnGeluBackwardArray(grad: Float32Array, input: Float32Array, out: Float32Array): void {
  if (!runLanes(GELU_BACKWARD_LANES, [grad, input], out)) geluBackwardRange(grad, input, out, 0, out.length);
}
