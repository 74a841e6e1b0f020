/**
 * float32 add, sub, mul and div of two same-length arrays, relu and relu's backward (threshold_backward), four
 * lanes at a time (lanes.ts). Each is one IEEE operation or a selection, correctly rounded in WebAssembly as in JS
 * (a double operation rounded to float32 is the float32 operation), so the results are the same; staging the
 * operands in the module's memory and back costs less than the JS loop saves on long arrays (the selections
 * without branches, which random signs mispredict), and nothing on short ones, which the JS loop keeps.
 */
import type { F4, Lanes } from "./lanes";
import { type LaneKernel, runLanes } from "./lanes_run";

/** Below this length the JS loop is as fast. */
const MIN_LENGTH = 1 << 13;

function kernel(name: string, op: (L: Lanes, x: F4, y: F4) => F4): LaneKernel {
  // Nothing is ever flagged: the JS path below is never taken.
  return { name, inputs: 2, emit: (L, [x], [y]) => [op(L, x, y)], exact: () => undefined };
}

const RELU: LaneKernel = {
  name: "relu",
  // clamp_min(x, 0): x where x is not below 0, so −0 stays −0 and NaN stays NaN.
  emit: (L, [x]) => [L.select(L.lt(x, L.c(0)), L.c(0), x)],
  exact: () => undefined,
};

const THRESHOLD_BACKWARD: LaneKernel = {
  name: "threshold backward",
  inputs: 2,
  emit: (L, [g], [x], [t]) => [L.select(L.le(x, t), L.c(0), g)],
  exact: () => undefined,
};

/** relu over a float32 array, or false for the caller's loop. */
export function reluLanes(src: Float32Array, out: Float32Array): boolean {
  return out.length >= MIN_LENGTH && runLanes(RELU, [src], out);
}

/** threshold_backward(g, x, t): 0 where x ≤ t, else g; t is a float32 value. */
export function thresholdBackwardLanes(g: Float32Array, x: Float32Array, t: number, out: Float32Array): boolean {
  return out.length >= MIN_LENGTH && runLanes(THRESHOLD_BACKWARD, [g, x], out, 0, out.length, [t]);
}

const KERNELS = {
  add: kernel("add", (L, x, y) => L.add(x, y)),
  sub: kernel("sub", (L, x, y) => L.sub(x, y)),
  mul: kernel("mul", (L, x, y) => L.mul(x, y)),
  div: kernel("div", (L, x, y) => L.div(x, y)),
};

/** out = a op b over float32 arrays of the same length, or false when the caller's loop should do it. */
export function arithLanes(op: keyof typeof KERNELS, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
  return out.length >= MIN_LENGTH && runLanes(KERNELS[op], [a, b], out);
}
