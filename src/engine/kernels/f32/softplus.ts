/**
 * float32 softplus and its backward as PyTorch 1.13 computes them (Activation.cpp): log1p(exp(βx))/β, or x where
 * βx > threshold; backward g·z/(z + 1) with z = exp(βx), or g past the threshold. SLEEF's exp and log1p in whole
 * 16-element blocks, the C library's expf and log1pf for the leftover elements.
 */
import { f } from "./bits";
import { expf } from "./exp";
import { libmExpf } from "./libm";
import { libmLog1pf } from "./libm_fdlibm";
import { log1pf } from "./log";
import { vectorEnd } from "./loops";

type Fn = (x: number) => number;

function softplusOne(x: number, beta: number, threshold: number, exp: Fn, log1p: Fn): number {
  const bx = f(x * beta);
  return bx > threshold ? x : f(log1p(exp(bx)) / beta);
}

function softplusBackwardOne(g: number, x: number, beta: number, threshold: number, exp: Fn): number {
  const bx = f(x * beta);
  if (bx > threshold) return g;
  const z = exp(bx);
  return f(f(g * z) / f(z + 1));
}

/** beta and threshold are the float32 values of the op's arguments. */
export function softplusArray(src: Float32Array, out: Float32Array, beta: number, threshold: number): void {
  const split = vectorEnd(src.length);
  for (let i = 0; i < split; i++) out[i] = softplusOne(src[i], beta, threshold, expf, log1pf);
  for (let i = split; i < src.length; i++) out[i] = softplusOne(src[i], beta, threshold, libmExpf, libmLog1pf);
}

/** softplus_backward(grad, input, beta, threshold). */
export function softplusBackwardArray(grad: Float32Array, input: Float32Array, out: Float32Array, beta: number, threshold: number): void {
  const split = vectorEnd(out.length);
  for (let i = 0; i < split; i++) out[i] = softplusBackwardOne(grad[i], input[i], beta, threshold, expf);
  for (let i = split; i < out.length; i++) out[i] = softplusBackwardOne(grad[i], input[i], beta, threshold, libmExpf);
}
