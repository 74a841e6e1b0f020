/** Elementwise functions of one tensor: forward as a scalar formula, backward beside it. */
import { isFloating, type DType } from "../dtype";
import { mapUnary, type UnaryFn } from "../kernels/elementwise";
import { Tensor, addMethods } from "../tensor";
import { apply, defineOp, type OpDef } from "./op";
import { empty, valuesAs } from "./operands";

function unaryForward(t: Tensor, dtype: DType, f: UnaryFn): Tensor {
  const out = empty(t.shape.slice(), dtype);
  mapUnary(valuesAs(t, dtype), out._data, f);
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
  keepsDType?: boolean;
  backward: OpDef<void>["backward"];
  saves: { inputs?: number[]; output?: boolean };
}

function unaryOp(spec: UnarySpec): (t: Tensor) => Tensor {
  const op = defineOp<void>({
    name: spec.name,
    gradFnName: spec.gradFnName,
    forward: ([t]) => unaryForward(t, spec.keepsDType ? t.dtype : floating(t), spec.f),
    backward: spec.backward,
    saves: spec.saves,
  });
  return (t) => apply(op, [t], undefined);
}

export const neg = unaryOp({
  name: "neg", gradFnName: "NegBackward0", keepsDType: true, f: (x) => -x,
  backward: (_, g) => [g.neg()], saves: {},
});

export const abs = unaryOp({
  name: "abs", gradFnName: "AbsBackward0", keepsDType: true, f: Math.abs,
  backward: ({ inputs: [x] }, g) => [g.mul(x.sign())], saves: { inputs: [0] },
});

export const sign = unaryOp({
  name: "sign", gradFnName: "SignBackward0", keepsDType: true, f: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  backward: (_, g) => [g.mul(0)], saves: {},
});

export const exp = unaryOp({
  name: "exp", gradFnName: "ExpBackward0", f: Math.exp,
  backward: ({ output }, g) => [g.mul(output)], saves: { output: true },
});

export const log = unaryOp({
  name: "log", gradFnName: "LogBackward0", f: Math.log,
  backward: ({ inputs: [x] }, g) => [g.div(x)], saves: { inputs: [0] },
});

export const reciprocal = unaryOp({
  name: "reciprocal", gradFnName: "ReciprocalBackward0", f: (x) => 1 / x,
  backward: ({ output }, g) => [g.mul(output.mul(output)).neg()], saves: { output: true },
});

export const sqrt = unaryOp({
  name: "sqrt", gradFnName: "SqrtBackward0", f: Math.sqrt,
  backward: ({ output }, g) => [g.div(output.mul(2))], saves: { output: true },
});

export const sin = unaryOp({
  name: "sin", gradFnName: "SinBackward0", f: Math.sin,
  backward: ({ inputs: [x] }, g) => [g.mul(x.cos())], saves: { inputs: [0] },
});

export const cos = unaryOp({
  name: "cos", gradFnName: "CosBackward0", f: Math.cos,
  backward: ({ inputs: [x] }, g) => [g.mul(x.sin().neg())], saves: { inputs: [0] },
});

export const tanh = unaryOp({
  name: "tanh", gradFnName: "TanhBackward0", f: Math.tanh,
  backward: ({ output }, g) => [g.mul(output.mul(output).neg().add(1))], saves: { output: true },
});

export const sigmoid = unaryOp({
  name: "sigmoid", gradFnName: "SigmoidBackward0", f: (x) => 1 / (1 + Math.exp(-x)),
  backward: ({ output }, g) => [g.mul(output.mul(output.neg().add(1)))], saves: { output: true },
});

export const relu = unaryOp({
  name: "relu", gradFnName: "ReluBackward0", keepsDType: true, f: (x) => (x > 0 ? x : x !== x ? x : 0),
  backward: ({ output }, g) => [g.mul(output.gt(0))], saves: { output: true },
});

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

