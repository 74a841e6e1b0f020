/**
 * float32 tanh as PyTorch 1.13's vectorised kernel computes it: SLEEF 3.5's Sleef_tanhf8_u10 (AVX2 build), lane by
 * lane: e = exp(|x|) in double-float, tanh = (e − 1/e)/(e + 1/e) in double-float, 1 past |x| > 8.66, with x's sign.
 */
import { f, mulsign } from "./bits";
import { R, addDD, div, recD } from "./df";
import { expk2, expk2Lanes } from "./exp";
import { fmaf } from "./fma";
import type { F4, Lanes } from "./lanes";
import * as lanes from "./lanes_df";
import { type LaneKernel, runLanes, unaryKernel } from "./lanes_run";

/** Past this, tanh is ±1 (compared in float, against the constant rounded to float). */
const TANH_ONE = f(8.664339742);

/** Sleef_tanhf8_u10, one lane. */
export function tanhf(x: number): number {
  const a = Math.abs(x);
  expk2(a, 0);
  const dh = R[0];
  const dl = R[1];
  recD(dh, dl);
  const eh = R[0];
  const el = R[1];
  addDD(dh, dl, -eh, -el);
  const nh = R[0];
  const nl = R[1];
  addDD(dh, dl, eh, el);
  div(nh, nl, R[0], R[1]);
  let y = f(R[0] + R[1]);
  if (a > TANH_ONE || y !== y) y = 1;
  y = mulsign(y, x);
  return x !== x ? NaN : y;
}

/** tanhf's steps four lanes at a time (lanes.ts). */
export function emitTanh(L: Lanes, x: F4): F4 {
  const a = L.abs(x);
  const d = expk2Lanes(L, [a, L.c(0)]);
  const e = lanes.recD(L, d);
  const q = lanes.div(L, lanes.addDD(L, d, lanes.neg(L, e)), lanes.addDD(L, d, e));
  let y = L.add(q[0], q[1]);
  y = L.select(L.or(L.gt(a, L.c(TANH_ONE)), L.isNaN(y)), L.c(1), y);
  y = L.mulsign(y, x);
  return L.select(L.isNaN(x), x, y);
}

function tanhRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = tanhf(src[i]);
}

const TANH_LANES = unaryKernel("tanh", emitTanh, tanhRange);

export function tanhArray(src: Float32Array, out: Float32Array): void {
  if (!runLanes(TANH_LANES, [src], out)) tanhRange(src, out, 0, src.length);
}

/** tanh_backward(grad, output) = grad·(1 − output²), with 1 − output² one fused multiply-add (as GCC contracts
 * ATen's `one - b * b` in both the vectorised and the scalar formula). */
export function tanhBackward(g: number, y: number): number {
  return f(g * fmaf(-y, y, 1));
}

function tanhBackwardRange(grad: Float32Array, output: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = tanhBackward(grad[i], output[i]);
}

const TANH_BACKWARD_LANES: LaneKernel = {
  name: "tanh backward",
  inputs: 2,
  emit: (L, [g], [y]) => [L.mul(g, L.fma(L.neg(y), y, L.c(1)))],
  exact: ([g, y], out, from, to) => tanhBackwardRange(g, y, out, from, to),
};

export function tanhBackwardArray(grad: Float32Array, output: Float32Array, out: Float32Array): void {
  if (!runLanes(TANH_BACKWARD_LANES, [grad, output], out)) tanhBackwardRange(grad, output, out, 0, out.length);
}
