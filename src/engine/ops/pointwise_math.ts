/** Elementwise functions of one tensor beyond unary.ts: logs and exponentials in other bases, hyperbolic and inverse
 * trigonometric functions, sgn, logit, angle conversions. Forward in float64 rounded once; backward beside it, written
 * with differentiable ops (PyTorch's derivatives.yaml formulas). */
import { expm1Array } from "../kernels/f32/exp";
import { log1pArray } from "../kernels/f32/log";
import { rsqrtArray } from "../kernels/f32/sqrt";
import { tanArray } from "../kernels/f32/trig_lanes";
import { Tensor, addMethods } from "../tensor";
import { pow } from "./arith";
import { empty } from "./operands";
import { unaryOp, zeroGrad } from "./pointwise_op";

export const log1p = unaryOp({
  name: "log1p", gradFnName: "Log1PBackward0", f: Math.log1p, f32: log1pArray,
  backward: ({ inputs: [x] }, g) => [g.div(x.add(1))],
});

export const expm1 = unaryOp({
  name: "expm1", gradFnName: "Expm1Backward0", f: Math.expm1, f32: expm1Array,
  backward: ({ output }, g) => [g.mul(output.add(1))], saves: { output: true },
});

export const log2 = unaryOp({
  name: "log2", gradFnName: "Log2Backward0", f: Math.log2,
  backward: ({ inputs: [x] }, g) => [g.div(x.mul(Math.LN2))],
});

export const log10 = unaryOp({
  name: "log10", gradFnName: "Log10Backward0", f: Math.log10,
  backward: ({ inputs: [x] }, g) => [g.div(x.mul(Math.LN10))],
});

export const exp2 = unaryOp({
  name: "exp2", gradFnName: "Exp2Backward0", f: (x) => Math.pow(2, x),
  backward: ({ output }, g) => [g.mul(output.mul(Math.LN2))], saves: { output: true },
});

export const rsqrt = unaryOp({
  name: "rsqrt", gradFnName: "RsqrtBackward0", f: (x) => 1 / Math.sqrt(x), f32: rsqrtArray,
  // −0.5·grad·result³, multiplied in that order as PyTorch does.
  backward: ({ output }, g) => [g.mul(-0.5).mul(output.pow(3))], saves: { output: true },
});

export const sinh = unaryOp({
  name: "sinh", gradFnName: "SinhBackward0", f: Math.sinh,
  backward: ({ inputs: [x] }, g) => [g.mul(x.cosh())],
});

export const cosh = unaryOp({
  name: "cosh", gradFnName: "CoshBackward0", f: Math.cosh,
  backward: ({ inputs: [x] }, g) => [g.mul(x.sinh())],
});

export const tan = unaryOp({
  name: "tan", gradFnName: "TanBackward0", f: Math.tan, f32: tanArray,
  backward: ({ output }, g) => [g.mul(output.pow(2).add(1))], saves: { output: true },
});

export const asin = unaryOp({
  name: "asin", gradFnName: "AsinBackward0", f: Math.asin,
  backward: ({ inputs: [x] }, g) => [g.mul(x.pow(2).neg().add(1).rsqrt())],
});

export const acos = unaryOp({
  name: "acos", gradFnName: "AcosBackward0", f: Math.acos,
  backward: ({ inputs: [x] }, g) => [g.mul(x.pow(2).neg().add(1).rsqrt()).neg()],
});

export const atan = unaryOp({
  name: "atan", gradFnName: "AtanBackward0", f: Math.atan,
  backward: ({ inputs: [x] }, g) => [g.div(x.pow(2).add(1))],
});

export const asinh = unaryOp({
  name: "asinh", gradFnName: "AsinhBackward0", f: Math.asinh,
  backward: ({ inputs: [x] }, g) => [g.mul(x.pow(2).add(1).rsqrt())],
});

export const acosh = unaryOp({
  name: "acosh", gradFnName: "AcoshBackward0", f: Math.acosh,
  backward: ({ inputs: [x] }, g) => [g.mul(x.pow(2).sub(1).rsqrt())],
});

export const atanh = unaryOp({
  name: "atanh", gradFnName: "AtanhBackward0", f: Math.atanh,
  backward: ({ inputs: [x] }, g) => [g.mul(x.pow(2).neg().add(1).reciprocal())],
});

export const deg2rad = unaryOp({
  name: "deg2rad", gradFnName: "Deg2RadBackward0", f: (x) => x * (Math.PI / 180),
  backward: (_, g) => [g.mul(Math.PI / 180)], saves: {},
});

export const rad2deg = unaryOp({
  name: "rad2deg", gradFnName: "Rad2DegBackward0", f: (x) => x * (180 / Math.PI),
  backward: (_, g) => [g.mul(180 / Math.PI)], saves: {},
});

/** sgn is sign for real tensors, with its own node and a zero gradient (PyTorch's sgn_backward for real x). */
export const sgn = unaryOp({
  name: "sgn", gradFnName: "SgnBackward0", result: "same", f: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  backward: (_, g) => [zeroGrad(g)], saves: {},
});

const logitOp = unaryOp<number | null>({
  name: "logit", gradFnName: "LogitBackward0",
  f: (x, eps) => {
    const z = eps === null ? x : Math.min(Math.max(x, eps), 1 - eps);
    return Math.log(z / (1 - z));
  },
  // Outside [eps, 1 - eps] the clamp makes the gradient 0; without eps it is NaN outside [0, 1].
  backward: ({ inputs: [x], attrs: eps }, g) => {
    const inner = g.div(x.mul(x.neg().add(1)));
    if (eps !== null) return [inner.mul(x.ge(eps).logicalAnd(x.le(1 - eps)))];
    const outside = empty(x.shape.slice(), g.dtype);
    x._data.forEach((v, i) => (outside._data[i] = v < 0 || v > 1 ? NaN : 0));
    return [inner.add(outside)];
  },
});

export function logit(t: Tensor, eps: number | null = null): Tensor {
  return logitOp(t, eps);
}

/** `square` is `pow(x, 2)` in PyTorch, node and all (PowBackward0; int64 for integer and bool input). */
export function square(t: Tensor): Tensor {
  return pow(t, 2);
}

declare module "../tensor" {
  interface Tensor {
    /** log(1 + x), accurate near 0. */
    log1p(): Tensor;
    /** exp(x) - 1, accurate near 0. */
    expm1(): Tensor;
    log2(): Tensor;
    log10(): Tensor;
    exp2(): Tensor;
    rsqrt(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    arcsin(): Tensor;
    arccos(): Tensor;
    arctan(): Tensor;
    arcsinh(): Tensor;
    arccosh(): Tensor;
    arctanh(): Tensor;
    deg2rad(): Tensor;
    rad2deg(): Tensor;
    sgn(): Tensor;
    logit(eps?: number | null): Tensor;
    square(): Tensor;
  }
}

const oneArgument = { log1p, expm1, log2, log10, exp2, rsqrt, sinh, cosh, tan, asin, acos, atan, asinh, acosh, atanh, deg2rad, rad2deg, sgn };
const aliases = { arcsin: asin, arccos: acos, arctan: atan, arcsinh: asinh, arccosh: acosh, arctanh: atanh };
addMethods(
  Object.fromEntries(
    Object.entries({ ...oneArgument, ...aliases }).map(([name, fn]) => [name, function (this: Tensor) { return fn(this, undefined); }]),
  ),
);
addMethods({
  logit(this: Tensor, eps?: number | null) {
    return logit(this, eps ?? null);
  },
  square(this: Tensor) {
    return square(this);
  },
});
