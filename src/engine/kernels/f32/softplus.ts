/**
 * float32 softplus and its backward as PyTorch 1.13 computes them (Activation.cpp): log1p(exp(βx))/β, or x where
 * βx > threshold; backward g·z/(z + 1) with z = exp(βx), or g past the threshold. SLEEF's exp and log1p in whole
 * 16-element blocks, the C library's expf and log1pf for the leftover elements.
 */
import { f } from "./bits";
import { emitExp, expf } from "./exp";
import { type LaneKernel, runLanes } from "./lanes_run";
import { libmExpf } from "./libm";
import { libmLog1pf } from "./libm_fdlibm";
import { emitLog1p, log1pf } from "./log";
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

/** The vectorised formulas four lanes at a time (lanes.ts), beta and threshold as parameters. */
const SOFTPLUS_LANES: LaneKernel = {
  name: "softplus",
  emit: (L, [x], _, [beta, threshold]) => {
    const bx = L.mul(x, beta);
    return [L.select(L.gt(bx, threshold), x, L.div(emitLog1p(L, emitExp(L, bx)), beta))];
  },
  exact: ([src], out, from, to, [beta, threshold]) => {
    for (let i = from; i < to; i++) out[i] = softplusOne(src[i], beta, threshold, expf, log1pf);
  },
};

const SOFTPLUS_BACKWARD_LANES: LaneKernel = {
  name: "softplus backward",
  inputs: 2,
  emit: (L, [g], [x], [beta, threshold]) => {
    const bx = L.mul(x, beta);
    const z = emitExp(L, bx);
    return [L.select(L.gt(bx, threshold), g, L.div(L.mul(g, z), L.add(z, L.c(1))))];
  },
  exact: ([grad, input], out, from, to, [beta, threshold]) => {
    for (let i = from; i < to; i++) out[i] = softplusBackwardOne(grad[i], input[i], beta, threshold, expf);
  },
};

/** beta and threshold are the float32 values of the op's arguments. */
export function softplusArray(src: Float32Array, out: Float32Array, beta: number, threshold: number): void {
  const split = vectorEnd(src.length);
  const params = [beta, threshold];
  if (!runLanes(SOFTPLUS_LANES, [src], out, 0, split, params)) SOFTPLUS_LANES.exact([src], out, 0, split, params);
  for (let i = split; i < src.length; i++) out[i] = softplusOne(src[i], beta, threshold, libmExpf, libmLog1pf);
}

/** softplus_backward(grad, input, beta, threshold). */
export function softplusBackwardArray(grad: Float32Array, input: Float32Array, out: Float32Array, beta: number, threshold: number): void {
  const split = vectorEnd(out.length);
  const params = [beta, threshold];
  if (!runLanes(SOFTPLUS_BACKWARD_LANES, [grad, input], out, 0, split, params)) SOFTPLUS_BACKWARD_LANES.exact([grad, input], out, 0, split, params);
  for (let i = split; i < out.length; i++) out[i] = softplusBackwardOne(grad[i], input[i], beta, threshold, libmExpf);
}
