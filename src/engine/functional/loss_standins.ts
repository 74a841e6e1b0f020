/**
 * Three ops the losses' graphs contain (clamp_min with a number, xlogy, log_sigmoid), kept private here until the op
 * catalogue that owns them (ops/binary_math.ts, functional/activation_more.ts) reaches this branch; then these give way
 * to those. Each records PyTorch's node name, so the losses' graphs are PyTorch's already.
 */
import { binaryForward } from "../ops/arith";
import { apply, defineOp } from "../ops/op";
import { empty, operand, promote } from "../ops/operands";
import type { Tensor } from "../tensor";

const clampMinOp = defineOp<number>({
  name: "clampMin",
  gradFnName: "ClampMinBackward0",
  forward: ([x], min) => {
    const m = operand(min);
    return binaryForward(x, m, promote(x, m), (v, lo) => (v !== v || lo !== lo ? NaN : Math.max(v, lo)));
  },
  backward: ({ inputs: [x], attrs: min }, g) => [g.mul(x.ge(min))],
  saves: { inputs: [0] },
});

/** `at::clamp_min(x, min)` with a number (ClampMinBackward0). */
export function clampMinScalar(x: Tensor, min: number): Tensor {
  return apply(clampMinOp, [x], min);
}

function xlogyValue(x: number, y: number): number {
  if (y !== y) return NaN;
  if (x === 0) return 0;
  return x * Math.log(y);
}

const xlogyOp = defineOp({
  name: "xlogy",
  gradFnName: "XlogyBackward0",
  forward: ([x, y]) => binaryForward(x, y, promote(x, y), xlogyValue),
  backward: ({ inputs: [x, y], needsInputGrad: [dx, dy] }, g) => [
    // d/dx = log(y), read as 0 where x = 0 and y <= 0 (PyTorch's xlogy(grad, y) masked there).
    dx ? xlogyTensors(g, y).mul(x.ne(0).logicalOr(y.gt(0))) : null,
    dy ? g.mul(x).div(y) : null,
  ],
  saves: { inputs: [0, 1] },
});

/** `xlogy(x, y)` = x·log(y), 0 where x = 0 (XlogyBackward0). */
export function xlogyTensors(x: Tensor, y: Tensor): Tensor {
  return apply(xlogyOp, [x, y], undefined);
}

const logSigmoidOp = defineOp({
  name: "logSigmoid",
  gradFnName: "LogSigmoidBackward0",
  forward: ([x]) => {
    const out = empty(x.shape.slice(), x.dtype);
    const src = x._data;
    const dst = out._data;
    // log σ(x) = min(x, 0) − log1p(exp(−|x|)), finite for every x.
    for (let i = 0; i < src.length; i++) dst[i] = Math.min(src[i], 0) - Math.log1p(Math.exp(-Math.abs(src[i])));
    return out;
  },
  backward: ({ inputs: [x] }, g) => [g.mul(x.neg().sigmoid())],
  saves: { inputs: [0] },
});

/** `F.logsigmoid(x)` (LogSigmoidBackward0). */
export function logSigmoidOf(x: Tensor): Tensor {
  return apply(logSigmoidOp, [x], undefined);
}
