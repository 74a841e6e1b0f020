/**
 * float32 tanh as PyTorch 1.13's vectorised kernel computes it: SLEEF 3.5's Sleef_tanhf8_u10 (AVX2 build), lane by
 * lane: e = exp(|x|) in double-float, tanh = (e − 1/e)/(e + 1/e) in double-float, 1 past |x| > 8.66, with x's sign.
 */
import { f, mulsign } from "./bits";
import { R, addDD, div, recD } from "./df";
import { expk2 } from "./exp";
import { fmaf } from "./fma";

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

export function tanhArray(src: Float32Array, out: Float32Array): void {
  for (let i = 0; i < src.length; i++) out[i] = tanhf(src[i]);
}

/** tanh_backward(grad, output) = grad·(1 − output²), with 1 − output² one fused multiply-add (as GCC contracts
 * ATen's `one - b * b` in both the vectorised and the scalar formula). */
export function tanhBackward(g: number, y: number): number {
  return f(g * fmaf(-y, y, 1));
}

export function tanhBackwardArray(grad: Float32Array, output: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = tanhBackward(grad[i], output[i]);
}
