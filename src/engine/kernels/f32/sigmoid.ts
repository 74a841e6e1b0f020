/**
 * float32 sigmoid and its backward as PyTorch 1.13 computes them (UnaryOpsKernel.cpp, BinaryOpsKernel.cpp).
 * Forward: 1/(1 + exp(0 − x)) with SLEEF's exp in whole 16-element blocks, 1/(1 + expf(−x)) with the C library's
 * expf for the leftover elements. Backward: g·(1 − y)·y, left to right (no product feeds a sum, so nothing fuses).
 */
import { f } from "./bits";
import { expf } from "./exp";
import { libmExpf } from "./libm";
import { vectorEnd } from "./loops";

/** The vectorised formula, one lane. */
export function sigmoidVec(x: number): number {
  return f(1 / f(1 + expf(f(0 - x))));
}

/** The scalar formula (leftover elements, broadcast and strided loops). */
export function sigmoidScalar(x: number): number {
  return f(1 / f(1 + libmExpf(-x)));
}

export function sigmoidArray(src: Float32Array, out: Float32Array): void {
  const split = vectorEnd(src.length);
  for (let i = 0; i < split; i++) out[i] = sigmoidVec(src[i]);
  for (let i = split; i < src.length; i++) out[i] = sigmoidScalar(src[i]);
}

/** sigmoid_backward(grad, output) = grad·(1 − output)·output. */
export function sigmoidBackward(g: number, y: number): number {
  return f(f(g * f(1 - y)) * y);
}

export function sigmoidBackwardArray(grad: Float32Array, output: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = sigmoidBackward(grad[i], output[i]);
}
