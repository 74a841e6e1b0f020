/**
 * Elementwise functions of one tensor: forward as a scalar formula, backward beside it. float32 goes through the
 * bit-exact kernels of kernels/f32 (PyTorch's own SLEEF and libm results); float64 through the scalar formula.
 */
import { isFloating, type DType } from "../dtype";
import { absArray, mapUnary, negArray, reciprocalArray, reluArray, type UnaryFn } from "../kernels/elementwise";
import { expArray } from "../kernels/f32/exp";
import { logArray } from "../kernels/f32/log";
import { thresholdBackwardLanes } from "../kernels/f32/arith_lanes";
import { sigmoidArray, sigmoidBackwardArray } from "../kernels/f32/sigmoid";
import { sqrtArray } from "../kernels/f32/sqrt";
import { tanhArray, tanhBackwardArray } from "../kernels/f32/tanh";
import { cosArray, sinArray } from "../kernels/f32/trig_lanes";
import { Tensor, addMethods } from "../tensor";
import { apply, composite, defineOp, type OpDef } from "./op";
import { empty, valuesAs } from "./operands";

/** A float32 kernel over whole contiguous arrays (it may treat blocks of elements together, as ATen does). */
export type F32Kernel = (src: Float32Array, out: Float32Array) => void;

function unaryForward(t: Tensor, dtype: DType, f: UnaryFn, f32?: F32Kernel): Tensor {
  const out = empty(t.shape.slice(), dtype);
  if (f32 && dtype === "float32") f32(valuesAs(t, dtype) as Float32Array, out._data as Float32Array);
  else mapUnary(valuesAs(t, dtype), out._data, f);
  return out;
}

/** Functions such as exp and sin make floats of integer input, as in PyTorch. */
function floating(t: Tensor): DType {
  return isFloating(t.dtype) ? t.dtype : "float32";
}

interface UnarySpec {
  name: string;
  gradFnName: string;
  f: UnaryFn;
  /** The float32 kernel: where rounding differs from the double formula's, or a loop of its own for speed. */
  f32?: F32Kernel;
  keepsDType?: boolean;
  backward: OpDef<void>["backward"];
  saves: { inputs?: number[]; output?: boolean };
}

function unaryOp(spec: UnarySpec): (t: Tensor) => Tensor {
  const op = defineOp<void>({
    name: spec.name,
    gradFnName: spec.gradFnName,
    forward: ([t]) => unaryForward(t, spec.keepsDType ? t.dtype : floating(t), spec.f, spec.f32),
    backward: spec.backward,
    saves: spec.saves,
  });
  return (t) => apply(op, [t], undefined);
}

export const neg = unaryOp({
  name: "neg", gradFnName: "NegBackward0", keepsDType: true, f: (x) => -x, f32: negArray,
  backward: (_, g) => [g.neg()], saves: {},
});

export const abs = unaryOp({
  name: "abs", gradFnName: "AbsBackward0", keepsDType: true, f: Math.abs, f32: absArray,
  backward: ({ inputs: [x] }, g) => [g.mul(x.sign())], saves: { inputs: [0] },
});

export const sign = unaryOp({
  // ATen's (0 < x) − (x < 0): +0 for ±0 and for NaN.
  name: "sign", gradFnName: "SignBackward0", keepsDType: true, f: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  backward: (_, g) => [g.mul(0)], saves: {},
});

export const exp = unaryOp({
  name: "exp", gradFnName: "ExpBackward0", f: Math.exp, f32: expArray,
  backward: ({ output }, g) => [g.mul(output)], saves: { output: true },
});

export const log = unaryOp({
  name: "log", gradFnName: "LogBackward0", f: Math.log, f32: logArray,
  backward: ({ inputs: [x] }, g) => [g.div(x)], saves: { inputs: [0] },
});

export const reciprocal = unaryOp({
  name: "reciprocal", gradFnName: "ReciprocalBackward0", f: (x) => 1 / x, f32: reciprocalArray,
  backward: ({ output }, g) => [g.mul(output.mul(output)).neg()], saves: { output: true },
});

export const sqrt = unaryOp({
  name: "sqrt", gradFnName: "SqrtBackward0", f: Math.sqrt, f32: sqrtArray,
  backward: ({ output }, g) => [g.div(output.mul(2))], saves: { output: true },
});

export const sin = unaryOp({
  name: "sin", gradFnName: "SinBackward0", f: Math.sin, f32: sinArray,
  backward: ({ inputs: [x] }, g) => [g.mul(x.cos())], saves: { inputs: [0] },
});

export const cos = unaryOp({
  name: "cos", gradFnName: "CosBackward0", f: Math.cos, f32: cosArray,
  backward: ({ inputs: [x] }, g) => [g.mul(x.sin().neg())], saves: { inputs: [0] },
});

export const tanh = unaryOp({
  name: "tanh", gradFnName: "TanhBackward0", f: Math.tanh, f32: tanhArray,
  backward: ({ output }, g) => [tanhBackward(g, output)], saves: { output: true },
});

export const sigmoid = unaryOp({
  name: "sigmoid", gradFnName: "SigmoidBackward0", f: (x) => 1 / (1 + Math.exp(-x)), f32: sigmoidArray,
  backward: ({ output }, g) => [sigmoidBackward(g, output)], saves: { output: true },
});

/** ATen's tanh_backward(grad, output) as an op of its own, so that it rounds as PyTorch's kernel does (a fused
 * 1 − y², kernels/f32/tanh.ts) and a second derivative goes through PyTorch's TanhBackwardBackward0. */
const tanhBackwardOp = defineOp({
  name: "tanhBackward",
  gradFnName: "TanhBackwardBackward0",
  forward: ([g, y]) => pairForward(g, y, tanhBackwardArray, (a, b) => a * (1 - b * b)),
  backward: ({ inputs: [g, y], needsInputGrad: [dg, dy] }, gg) => [
    dg ? tanhBackward(gg, y) : null,
    dy ? gg.mul(y.mul(-2).mul(g)) : null,
  ],
  saves: { inputs: [0, 1] },
});

function tanhBackward(g: Tensor, y: Tensor): Tensor {
  return apply(tanhBackwardOp, [g, y], undefined);
}

const sigmoidBackwardOp = defineOp({
  name: "sigmoidBackward",
  gradFnName: "SigmoidBackwardBackward0",
  forward: ([g, y]) => pairForward(g, y, sigmoidBackwardArray, (a, b) => a * (1 - b) * b),
  backward: ({ inputs: [g, y], needsInputGrad: [dg, dy] }, gg) => [
    dg ? sigmoidBackward(gg, y) : null,
    dy ? gg.mul(g).mul(y.mul(-2).add(1)) : null,
  ],
  saves: { inputs: [0, 1] },
});

function sigmoidBackward(g: Tensor, y: Tensor): Tensor {
  return apply(sigmoidBackwardOp, [g, y], undefined);
}

/** A backward kernel of two same-shape tensors (grad and a saved tensor), float32 through its exact kernel. */
function pairForward(
  a: Tensor,
  b: Tensor,
  f32: (a: Float32Array, b: Float32Array, out: Float32Array) => void,
  f: (a: number, b: number) => number,
): Tensor {
  const dtype = a.dtype === "float64" || b.dtype === "float64" ? "float64" : "float32";
  const x = a.numel() === b.numel() ? a : composite(() => a.expand(b.shape));
  const out = empty(b.shape.slice(), dtype);
  const xa = valuesAs(x, dtype);
  const yb = valuesAs(b, dtype);
  if (dtype === "float32") f32(xa as Float32Array, yb as Float32Array, out._data as Float32Array);
  else {
    const od = out._data;
    for (let i = 0; i < od.length; i++) od[i] = f(xa[i], yb[i]);
  }
  return out;
}

export const relu = unaryOp({
  // clamp_min(x, 0): max(x, 0) keeps x when it is not below 0, so −0 stays −0 and NaN stays NaN.
  name: "relu", gradFnName: "ReluBackward0", keepsDType: true, f: (x) => (x < 0 ? 0 : x), f32: reluArray,
  backward: ({ output }, g) => [thresholdBackward(g, output, 0)], saves: { output: true },
});

/** ATen's threshold_backward(grad, x, t): 0 where x ≤ t, else grad (a selection, so no −0 from multiplying). */
const thresholdBackwardOp = defineOp<number>({
  name: "thresholdBackward",
  gradFnName: "ThresholdBackwardBackward0",
  forward: ([g, x], t) => {
    const dtype = g.dtype;
    const out = empty(x.shape.slice(), dtype);
    const gd = valuesAs(g.numel() === x.numel() ? g : composite(() => g.expand(x.shape).contiguous()), dtype);
    const xd = x._data;
    const od = out._data;
    if (od instanceof Float32Array && gd instanceof Float32Array && xd instanceof Float32Array && Math.fround(t) === t && thresholdBackwardLanes(gd, xd, t, od)) return out;
    for (let i = 0; i < od.length; i++) od[i] = xd[i] <= t ? 0 : gd[i];
    return out;
  },
  backward: ({ inputs: [, x], attrs: t, needsInputGrad: [dg] }, gg) => [dg ? thresholdBackward(gg, x, t) : null, null],
  saves: { inputs: [1] },
});

function thresholdBackward(g: Tensor, x: Tensor, t: number): Tensor {
  return apply(thresholdBackwardOp, [g, x], t);
}

const clampOp = defineOp<{ min: number | null; max: number | null }>({
  name: "clamp",
  gradFnName: "ClampBackward1",
  forward: ([t], { min, max }) =>
    unaryForward(t, t.dtype, (x) => {
      if (x !== x) return x;
      if (min !== null && x < min) x = min;
      if (max !== null && x > max) x = max;
      return x;
    }),
  backward: ({ inputs: [x], attrs: { min, max } }, g) => {
    let mask = g;
    if (min !== null) mask = mask.mul(x.ge(min));
    if (max !== null) mask = mask.mul(x.le(max));
    return [mask];
  },
  saves: { inputs: [0] },
});

export function clamp(t: Tensor, min: number | null, max: number | null): Tensor {
  if (min === null && max === null) throw new TypeError("clamp: at least one of 'min' or 'max' must not be None");
  return apply(clampOp, [t], { min, max });
}

declare module "../tensor" {
  interface Tensor {
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    reciprocal(): Tensor;
    sqrt(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
  }
}

const unaryMethods = { neg, abs, sign, exp, log, reciprocal, sqrt, sin, cos, tanh, sigmoid, relu };
addMethods(Object.fromEntries(Object.entries(unaryMethods).map(([name, fn]) => [name, function (this: Tensor) { return fn(this); }])));

