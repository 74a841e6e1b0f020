/**
 * Elementwise functions of two (or three) tensors, broadcasting as PyTorch: atan2, remainder, fmod, hypot, logaddexp,
 * logaddexp2, xlogy, lerp, addcmul, addcdiv, and clamp with tensor bounds. Either operand may be a plain number where
 * PyTorch takes a Scalar (its node then has PyTorch's Scalar-overload name, e.g. RemainderBackward0).
 */
import { type DType, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import { apply, defineOp } from "./op";
import { empty, operand, promote } from "./operands";
import { binaryOp, broadcastValues, floatPromoted, promoteAll, refuse } from "./pointwise_op";
import { binaryForward } from "./binary_forward";
import { clamp } from "./unary";

/** The name of a node whose PyTorch overload depends on which operand was a plain number. */
function byScalar(tensorTensor: string, scalarOther: string, scalarSelf = tensorTensor) {
  return (_: unknown, [a, b]: readonly Tensor[]) => (b._wrappedNumber ? scalarOther : a._wrappedNumber ? scalarSelf : tensorTensor);
}

/** Float-only kernels refuse integer and bool operands with PyTorch's message. */
function floatingOnly(kernel: string) {
  return (a: Tensor, b: Tensor): DType => {
    const d = promote(a, b);
    if (!isFloating(d)) refuse(kernel, d);
    return d;
  };
}

const atan2Op = binaryOp({
  name: "atan2", gradFnName: "Atan2Backward0", f: Math.atan2, dtype: floatPromoted,
  backward: ({ inputs: [a, b], needsInputGrad: [da, db] }, g) => {
    const r2 = a.pow(2).add(b.pow(2));
    return [da ? g.mul(b).div(r2) : null, db ? g.mul(a.neg()).div(r2) : null];
  },
});

/** Python's modulo: the result takes the divisor's sign. */
function pythonMod(x: number, y: number, integral: boolean): number {
  if (integral && y === 0) throw new RuntimeError("ZeroDivisionError");
  const m = x % y;
  return m !== 0 && m < 0 !== y < 0 ? m + y : m;
}

const remainderOp = defineOp({
  name: "remainder",
  gradFnName: byScalar("RemainderBackward1", "RemainderBackward0"),
  forward: ([a, b]) => {
    const d = promote(a, b);
    return binaryForward(a, b, d, (x, y) => pythonMod(x, y, !isFloating(d)));
  },
  backward: ({ inputs: [a, b], needsInputGrad: [, db] }, g) => [g, db ? g.neg().mul(a.div(b).floor()) : null],
  saves: { inputs: [0, 1] },
});

const fmodOp = defineOp({
  name: "fmod",
  gradFnName: byScalar("FmodBackward1", "FmodBackward0"),
  forward: ([a, b]) => {
    const d = promote(a, b);
    return binaryForward(a, b, d, (x, y) => {
      if (!isFloating(d) && y === 0) throw new RuntimeError("ZeroDivisionError");
      return x % y;
    });
  },
  backward: ({ inputs: [a, b], needsInputGrad: [, db] }, g) => [g, db ? g.neg().mul(a.div(b).trunc()) : null],
  saves: { inputs: [0, 1] },
});

const hypotOp = binaryOp({
  name: "hypot", gradFnName: "HypotBackward0", f: (x, y) => Math.hypot(x, y), dtype: floatingOnly("hypot_cpu"),
  backward: ({ inputs: [a, b], output, needsInputGrad: [da, db] }, g) => [da ? g.mul(a).div(output) : null, db ? g.mul(b).div(output) : null],
  saves: { inputs: [0, 1], output: true },
});

function logAddExp(x: number, y: number): number {
  if (x === y && !Number.isFinite(x)) return x; // -inf + -inf stays -inf, inf + inf stays inf
  const m = Math.max(x, y);
  return m + Math.log1p(Math.exp(-Math.abs(x - y)));
}

const logaddexpOp = binaryOp({
  name: "logaddexp", gradFnName: "LogaddexpBackward0", f: logAddExp, dtype: floatingOnly("logaddexp_cpu"),
  backward: ({ inputs: [a, b], needsInputGrad: [da, db] }, g) => [
    da ? g.div(b.sub(a).exp().add(1)) : null,
    db ? g.div(a.sub(b).exp().add(1)) : null,
  ],
});

const logaddexp2Op = binaryOp({
  name: "logaddexp2", gradFnName: "Logaddexp2Backward0", dtype: floatingOnly("logaddexp2_cpu"),
  f: (x, y) => {
    if (x === y && !Number.isFinite(x)) return x;
    return Math.max(x, y) + Math.log1p(Math.pow(2, -Math.abs(x - y))) / Math.LN2;
  },
  backward: ({ inputs: [a, b], needsInputGrad: [da, db] }, g) => [
    da ? g.div(b.sub(a).exp2().add(1)) : null,
    db ? g.div(a.sub(b).exp2().add(1)) : null,
  ],
});

/** x·log(y), 0 where x = 0 (unless y is NaN). */
function xlogyScalar(x: number, y: number): number {
  if (Number.isNaN(y)) return NaN;
  if (x === 0) return 0;
  return x * Math.log(y);
}

const xlogyOp = binaryOp({
  name: "xlogy", gradFnName: byScalar("XlogyBackward0", "XlogyBackward2", "XlogyBackward1"), f: xlogyScalar, dtype: floatPromoted,
  backward: ({ inputs: [a, b], needsInputGrad: [da, db] }, g) => [
    // PyTorch: xlogy(grad, other), with 0 where self = 0 and other <= 0 (there other is read as 1, whose log is 0).
    da ? xlogyGradSelf(g, a, b) : null,
    db ? g.mul(a).div(b) : null,
  ],
});

function xlogyGradSelf(g: Tensor, a: Tensor, b: Tensor): Tensor {
  const masked = a.eq(0).logicalAnd(b.le(0));
  return xlogy(g, b.mul(masked.logicalNot()).add(masked));
}

export function atan2(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return apply(atan2Op, [operand(a), operand(b)], undefined);
}

/** remainder and fmod have no kernel for two bools. */
function notBoth(kernel: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (promote(a, b) === "bool") refuse(kernel, "bool");
  return [a, b];
}

export function remainder(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return apply(remainderOp, notBoth("remainder_cpu", operand(a), operand(b)), undefined);
}

export function fmod(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return apply(fmodOp, notBoth("fmod_cpu", operand(a), operand(b)), undefined);
}

export function hypot(a: Tensor, b: Tensor): Tensor {
  return apply(hypotOp, [a, operand(b)], undefined);
}

export function logaddexp(a: Tensor, b: Tensor): Tensor {
  return apply(logaddexpOp, [a, operand(b)], undefined);
}

export function logaddexp2(a: Tensor, b: Tensor): Tensor {
  return apply(logaddexp2Op, [a, operand(b)], undefined);
}

export function xlogy(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (typeof a === "number" && typeof b === "number") throw new TypeError("xlogy(): at least one of the arguments must be a Tensor");
  return apply(xlogyOp, [operand(a), operand(b)], undefined);
}

// ---- lerp, addcmul, addcdiv ----

function sameFloatDType(where: string, start: Tensor, others: Array<[string, Tensor]>): void {
  for (const [name, t] of others) {
    if (t.dtype !== start.dtype) throw new RuntimeError(`expected dtype ${cTypeName(start.dtype)} for \`${name}\` but got dtype ${cTypeName(t.dtype)}`);
  }
  if (!isFloating(start.dtype)) refuse(where, start.dtype);
}

function cTypeName(dtype: DType): string {
  return { float32: "float", float64: "double", int64: "long int", bool: "bool" }[dtype];
}

/** PyTorch's lerp kernel: from the start for weight < 0.5, from the end otherwise (exact at both ends). */
function lerpScalar(s: number, e: number, w: number): number {
  return Math.abs(w) < 0.5 ? s + w * (e - s) : e - (e - s) * (1 - w);
}

function lerpForward(start: Tensor, end: Tensor, weight: Tensor): Tensor {
  return threeWay(start, end, weight, start.dtype, lerpScalar);
}

const lerpOp = defineOp({
  name: "lerp",
  gradFnName: (_, [, , w]) => (w._wrappedNumber ? "LerpBackward0" : "LerpBackward1"),
  forward: ([start, end, weight]) => lerpForward(start, end, weight),
  backward: ({ inputs: [start, end, weight], needsInputGrad: [ds, de, dw] }, g) => [
    ds ? g.mul(weight.neg().add(1)) : null,
    de ? g.mul(weight) : null,
    dw && !weight._wrappedNumber ? g.mul(end.sub(start)) : null,
  ],
  saves: { inputs: [0, 1, 2] },
});

export function lerp(start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  if (weight instanceof Tensor) sameFloatDType("lerp_kernel_tensor", start, [["end", end], ["weight", weight]]);
  else sameFloatDType("lerp_kernel_scalar", start, [["end", end]]);
  return apply(lerpOp, [start, end, operand(weight)], undefined);
}

/** f over three operands broadcast together, computed in `dtype`. */
function threeWay(a: Tensor, b: Tensor, c: Tensor, dtype: DType, f: (x: number, y: number, z: number) => number): Tensor {
  const { shape, values: [av, bv, cv] } = broadcastValues([a, b, c], dtype);
  const out = empty(shape, dtype);
  const od = out._data;
  for (let i = 0; i < od.length; i++) od[i] = f(av[i], bv[i], cv[i]);
  return out;
}

function resultOf3(a: Tensor, b: Tensor, c: Tensor): DType {
  return promoteAll([a, b, c]);
}

const addcmulOp = defineOp<number>({
  name: "addcmul",
  gradFnName: "AddcmulBackward0",
  forward: ([s, t1, t2], value) => {
    const d = resultOf3(s, t1, t2);
    const v = isFloating(d) ? value : Math.trunc(value);
    return threeWay(s, t1, t2, d, (x, y, z) => x + v * y * z);
  },
  backward: ({ inputs: [, t1, t2], attrs: value, needsInputGrad: [ds, d1, d2] }, g) => [
    ds ? g : null,
    d1 ? g.mul(t2).mul(value) : null,
    d2 ? g.mul(t1).mul(value) : null,
  ],
  saves: { inputs: [1, 2] },
});

const addcdivOp = defineOp<number>({
  name: "addcdiv",
  gradFnName: "AddcdivBackward0",
  forward: ([s, t1, t2], value) => threeWay(s, t1, t2, resultOf3(s, t1, t2), (x, y, z) => x + (value * y) / z),
  backward: ({ inputs: [, t1, t2], attrs: value, needsInputGrad: [ds, d1, d2] }, g) => [
    ds ? g : null,
    d1 ? g.mul(value).div(t2) : null,
    d2 ? g.neg().mul(value).mul(t1).div(t2.pow(2)) : null,
  ],
  saves: { inputs: [1, 2] },
});

export function addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor {
  return apply(addcmulOp, [input, tensor1, tensor2], options?.value ?? 1);
}

export function addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor {
  if (!isFloating(tensor1.dtype) && !isFloating(tensor2.dtype)) {
    throw new RuntimeError(
      "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.",
    );
  }
  return apply(addcdivOp, [input, tensor1, tensor2], options?.value ?? 1);
}

// ---- clamp with tensor bounds ----

interface ClampAttrs {
  hasMin: boolean;
  hasMax: boolean;
}

function clampScalar(x: number, lo: number, hi: number): number {
  if (x !== x) return x;
  return Math.min(Math.max(x, lo), hi);
}

/** clamp(x, min, max) where a bound is a tensor: PyTorch's clamp.Tensor overload (ClampBackward0). A missing bound
 * is an input of NaN-free ±inf so that one formula serves. */
const clampTensorOp = defineOp<ClampAttrs>({
  name: "clampTensor",
  gradFnName: "ClampBackward0",
  forward: ([x, lo, hi], { hasMin, hasMax }) => {
    // A missing bound (±inf) takes no part in type promotion.
    const d = promoteAll([x, ...(hasMin ? [lo] : []), ...(hasMax ? [hi] : [])]);
    return threeWay(x, lo, hi, d, (v, a, b) => (a !== a || b !== b ? NaN : clampScalar(v, a, b)));
  },
  backward: ({ inputs: [x, lo, hi], attrs: { hasMin, hasMax }, needsInputGrad: [dx, dlo, dhi] }, g) => {
    const inside = x.ge(lo).logicalAnd(x.le(hi));
    let gMin: Tensor | null = null;
    let gMax: Tensor | null = null;
    if (hasMin && hasMax) {
      if (dlo) gMin = g.mul(x.lt(lo).logicalAnd(lo.lt(hi)));
      if (dhi) gMax = g.mul(x.gt(hi).logicalOr(hi.lt(lo)));
    } else if (hasMin && dlo) gMin = g.mul(x.lt(lo));
    else if (hasMax && dhi) gMax = g.mul(x.gt(hi));
    return [dx ? g.mul(inside) : null, gMin, gMax];
  },
  saves: { inputs: [0, 1, 2] },
});

const NO_BOUNDS = "torch.clamp: At least one of 'min' or 'max' must not be None";

function bound(v: TensorOrScalar, fallback: number): Tensor {
  return operand(v === null || v === undefined ? fallback : v);
}

/** `clamp(x, min, max)` where either bound may be a tensor (broadcast against x). */
export function clampTensor(x: Tensor, min: TensorOrScalar | null, max: TensorOrScalar | null): Tensor {
  if (min === null && max === null) throw new RuntimeError(NO_BOUNDS);
  return apply(clampTensorOp, [x, bound(min as TensorOrScalar, -Infinity), bound(max as TensorOrScalar, Infinity)], {
    hasMin: min !== null,
    hasMax: max !== null,
  });
}

const clampMinOp = binaryOp({
  name: "clampMin", gradFnName: byScalar("ClampMinBackward1", "ClampMinBackward0"),
  f: (x, lo) => (x !== x || lo !== lo ? NaN : Math.max(x, lo)),
  backward: ({ inputs: [x, lo], needsInputGrad: [dx, dlo] }, g) => [dx ? g.mul(x.ge(lo)) : null, dlo && !lo._wrappedNumber ? g.mul(x.lt(lo)) : null],
});

const clampMaxOp = binaryOp({
  name: "clampMax", gradFnName: byScalar("ClampMaxBackward1", "ClampMaxBackward0"),
  f: (x, hi) => (x !== x || hi !== hi ? NaN : Math.min(x, hi)),
  backward: ({ inputs: [x, hi], needsInputGrad: [dx, dhi] }, g) => [dx ? g.mul(x.le(hi)) : null, dhi && !hi._wrappedNumber ? g.mul(x.gt(hi)) : null],
});

export function clampMin(x: Tensor, min: TensorOrScalar): Tensor {
  return apply(clampMinOp, [x, operand(min)], undefined);
}

export function clampMax(x: Tensor, max: TensorOrScalar): Tensor {
  return apply(clampMaxOp, [x, operand(max)], undefined);
}

/** `clamp` with bounds that may be tensors: scalars keep unary.ts's ClampBackward1 op, a tensor bound takes PyTorch's
 * clamp.Tensor overload (ClampBackward0). */
/** PyTorch's keyword form, `clamp(min=0)`: `clamp({ min: 0 })`. */
export interface ClampBounds {
  min?: TensorOrScalar | null;
  max?: TensorOrScalar | null;
}

function isBounds(v: unknown): v is ClampBounds {
  return typeof v === "object" && v !== null && !(v instanceof Tensor);
}

export function clampAny(x: Tensor, min?: TensorOrScalar | null | ClampBounds, max?: TensorOrScalar | null): Tensor {
  if (isBounds(min)) {
    if (max !== undefined) throw new TypeError("clamp() takes the bounds as numbers or tensors, or as one object { min, max }, not both");
    const unknown = Object.keys(min).filter((k) => k !== "min" && k !== "max");
    if (unknown.length) throw new TypeError(`clamp() got an unexpected keyword argument '${unknown[0]}'`);
    return clampAny(x, min.min, min.max);
  }
  for (const [name, v] of [["min", min], ["max", max]] as const) {
    if (v !== undefined && v !== null && typeof v !== "number" && !(v instanceof Tensor)) {
      throw new TypeError(`clamp(): argument '${name}' must be a number or a Tensor, but got ${typeof v}`);
    }
  }
  if ((min ?? null) === null && (max ?? null) === null) throw new RuntimeError(NO_BOUNDS);
  if (min instanceof Tensor || max instanceof Tensor) return clampTensor(x, min ?? null, max ?? null);
  return clamp(x, (min as number | null | undefined) ?? null, (max as number | null | undefined) ?? null);
}

declare module "../tensor" {
  interface Tensor {
    /** `x.clamp(0, 1)`, `x.clamp(null, 1)`, or PyTorch's keywords `x.clamp({ min: 0 })`. */
    clamp(min?: TensorOrScalar | null | ClampBounds, max?: TensorOrScalar | null): Tensor;
    clip(min?: TensorOrScalar | null | ClampBounds, max?: TensorOrScalar | null): Tensor;
    atan2(other: TensorOrScalar): Tensor;
    arctan2(other: TensorOrScalar): Tensor;
    /** Python's modulo: the result has the divisor's sign. */
    remainder(other: TensorOrScalar): Tensor;
    /** C's fmod: the result has the dividend's sign. */
    fmod(other: TensorOrScalar): Tensor;
    hypot(other: Tensor): Tensor;
    logaddexp(other: Tensor): Tensor;
    logaddexp2(other: Tensor): Tensor;
    xlogy(other: TensorOrScalar): Tensor;
    lerp(end: Tensor, weight: TensorOrScalar): Tensor;
    addcmul(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor;
    addcdiv(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor;
    clampMin(min: TensorOrScalar): Tensor;
    clampMax(max: TensorOrScalar): Tensor;
  }
}

addMethods({
  clamp(this: Tensor, min?: TensorOrScalar | null | ClampBounds, max?: TensorOrScalar | null) {
    return clampAny(this, min, max);
  },
  clip(this: Tensor, min?: TensorOrScalar | null | ClampBounds, max?: TensorOrScalar | null) {
    return clampAny(this, min, max);
  },
  atan2(this: Tensor, other: TensorOrScalar) {
    return atan2(this, other);
  },
  arctan2(this: Tensor, other: TensorOrScalar) {
    return atan2(this, other);
  },
  remainder(this: Tensor, other: TensorOrScalar) {
    return remainder(this, other);
  },
  fmod(this: Tensor, other: TensorOrScalar) {
    return fmod(this, other);
  },
  hypot(this: Tensor, other: Tensor) {
    return hypot(this, other);
  },
  logaddexp(this: Tensor, other: Tensor) {
    return logaddexp(this, other);
  },
  logaddexp2(this: Tensor, other: Tensor) {
    return logaddexp2(this, other);
  },
  xlogy(this: Tensor, other: TensorOrScalar) {
    return xlogy(this, other);
  },
  lerp(this: Tensor, end: Tensor, weight: TensorOrScalar) {
    return lerp(this, end, weight);
  },
  addcmul(this: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: number }) {
    return addcmul(this, tensor1, tensor2, options);
  },
  addcdiv(this: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: number }) {
    return addcdiv(this, tensor1, tensor2, options);
  },
  clampMin(this: Tensor, min: TensorOrScalar) {
    return clampMin(this, min);
  },
  clampMax(this: Tensor, max: TensorOrScalar) {
    return clampMax(this, max);
  },
});
