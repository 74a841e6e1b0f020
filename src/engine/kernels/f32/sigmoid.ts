/**
 * float32 sigmoid and its backward as PyTorch 1.13 computes them (UnaryOpsKernel.cpp, BinaryOpsKernel.cpp).
 * Forward: 1/(1 + exp(0 − x)) with SLEEF's exp in whole 16-element blocks, 1/(1 + expf(−x)) with the C library's
 * expf for the leftover elements. Backward: g·(1 − y)·y, left to right (no product feeds a sum, so nothing fuses).
 */
import { f } from "./bits";
import { emitExp, expf } from "./exp";
import { libmExpf } from "./libm";
import { runLanes, unaryKernel } from "./lanes_run";
import { vectorEnd } from "./loops";

/** The vectorised formula, one lane. */
export function sigmoidVec(x: number): number {
  return f(1 / f(1 + expf(f(0 - x))));
}

/** The scalar formula (leftover elements, broadcast and strided loops). */
export function sigmoidScalar(x: number): number {
  return f(1 / f(1 + libmExpf(-x)));
}

function sigmoidVecRange(src: Float32Array, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = sigmoidVec(src[i]);
}

/** The vectorised formula four lanes at a time (lanes.ts). */
const SIGMOID_LANES = unaryKernel("sigmoid", (L, x) => L.div(L.c(1), L.add(L.c(1), emitExp(L, L.sub(L.c(0), x)))), sigmoidVecRange);

export function sigmoidArray(src: Float32Array, out: Float32Array): void {
  const split = vectorEnd(src.length);
  if (!runLanes(SIGMOID_LANES, [src], out, 0, split)) sigmoidVecRange(src, out, 0, split);
  for (let i = split; i < src.length; i++) out[i] = sigmoidScalar(src[i]);
}

/** sigmoid_backward(grad, output) = grad·(1 − output)·output. */
export function sigmoidBackward(g: number, y: number): number {
  return f(f(g * f(1 - y)) * y);
}

export function sigmoidBackwardArray(grad: Float32Array, output: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = sigmoidBackward(grad[i], output[i]);
}
