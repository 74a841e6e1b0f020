/**
 * Tests and logic: all/any, countNonzero, isnan/isinf/isfinite/isposinf/isneginf/signbit, nanToNum, isclose/allclose,
 * equal, and the bitwise ops on bool and int64 tensors.
 */
import { type DType, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { forEachReduced } from "../kernels/reduce";
import { normalizeDim, sameShape } from "../shape";
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import { binaryForward } from "./binary_forward";
import { apply, defineOp } from "./op";
import { empty, operand, promote } from "./operands";
import { refuse, scalarTypeName } from "./pointwise_op";
import { reduceAttrs, reducedShapes, type ReduceAttrs } from "./reduce";

function test(name: string, f: (x: number) => boolean) {
  const op = defineOp({
    name,
    gradFnName: "None",
    differentiable: false,
    forward: ([t]) => {
      const out = empty(t.shape.slice(), "bool");
      const src = t._data;
      const od = out._data;
      for (let i = 0; i < src.length; i++) od[i] = f(src[i]) ? 1 : 0;
      return out;
    },
    backward: () => [null],
  });
  return (t: Tensor): Tensor => apply(op, [t], undefined);
}

export const isnan = test("isnan", (x) => x !== x);
export const isinf = test("isinf", (x) => x === Infinity || x === -Infinity);
export const isfinite = test("isfinite", Number.isFinite);
export const isposinf = test("isposinf", (x) => x === Infinity);
export const isneginf = test("isneginf", (x) => x === -Infinity);
export const signbit = test("signbit", (x) => x < 0 || Object.is(x, -0));

function reduceBool(name: string, initial: boolean, combine: (acc: boolean, v: boolean) => boolean) {
  return defineOp<ReduceAttrs>({
    name,
    gradFnName: "None",
    differentiable: false,
    forward: ([t], attrs) => {
      const { kept, out } = reducedShapes(t.shape, attrs);
      const result = empty(out, "bool");
      result._data.fill(initial ? 1 : 0);
      const src = t._data;
      forEachReduced(t.shape, kept, (i, o) => (result._data[o] = combine(result._data[o] === 1, src[i] !== 0) ? 1 : 0));
      return result;
    },
    backward: () => [null],
  });
}

const allOp = reduceBool("all", true, (a, v) => a && v);
const anyOp = reduceBool("any", false, (a, v) => a || v);

export function all(t: Tensor, dim?: number | null, keepdim = false): Tensor {
  return apply(allOp, [t], reduceAttrs(t, dim === undefined || dim === null ? null : normalizeDim(dim, t.ndim), keepdim));
}

export function any(t: Tensor, dim?: number | null, keepdim = false): Tensor {
  return apply(anyOp, [t], reduceAttrs(t, dim === undefined || dim === null ? null : normalizeDim(dim, t.ndim), keepdim));
}

const countNonzeroOp = defineOp<ReduceAttrs>({
  name: "countNonzero",
  gradFnName: "None",
  differentiable: false,
  forward: ([t], attrs) => {
    const { kept, out } = reducedShapes(t.shape, attrs);
    const result = empty(out, "int64");
    const src = t._data;
    forEachReduced(t.shape, kept, (i, o) => (result._data[o] += src[i] !== 0 ? 1 : 0));
    return result;
  },
  backward: () => [null],
});

export function countNonzero(t: Tensor, dim?: number | number[] | null): Tensor {
  return apply(countNonzeroOp, [t], reduceAttrs(t, dim ?? null, false));
}

interface NanToNumAttrs {
  nan: number;
  posinf: number | null;
  neginf: number | null;
}

const FLOAT_MAX: Record<DType, number> = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE, int64: 0, bool: 0 };

const nanToNumOp = defineOp<NanToNumAttrs>({
  name: "nanToNum",
  gradFnName: "NanToNumBackward0",
  forward: ([t], { nan, posinf, neginf }) => {
    const out = empty(t.shape.slice(), t.dtype);
    const src = t._data;
    const max = FLOAT_MAX[t.dtype];
    const od = out._data;
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      od[i] = v !== v ? nan : v === Infinity ? (posinf ?? max) : v === -Infinity ? (neginf ?? -max) : v;
    }
    return out;
  },
  backward: ({ inputs: [x] }, g) => [g.mul(isfinite(x))],
  saves: { inputs: [0] },
});

/** NaN → nan (0), +inf → posinf (the dtype's largest), −inf → neginf (its lowest). */
export function nanToNum(t: Tensor, nan = 0, posinf: number | null = null, neginf: number | null = null): Tensor {
  if (!isFloating(t.dtype)) return t.clone();
  return apply(nanToNumOp, [t], { nan, posinf, neginf });
}

interface CloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

const iscloseOp = defineOp<Required<CloseOptions>>({
  name: "isclose",
  gradFnName: "None",
  differentiable: false,
  forward: ([a, b], { rtol, atol, equalNan }) =>
    binaryForward(a, b, promote(a, b), (x, y) => {
      if (x === y) return 1;
      if (x !== x || y !== y) return equalNan && x !== x && y !== y ? 1 : 0;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return 0;
      return Math.abs(x - y) <= atol + rtol * Math.abs(y) ? 1 : 0;
    }, "bool"),
  backward: () => [null, null],
});

/** |a − b| ≤ atol + rtol·|b|, elementwise. */
export function isclose(a: Tensor, b: Tensor, options: CloseOptions = {}): Tensor {
  if (a.dtype !== b.dtype) throw new RuntimeError(`${scalarTypeName(a.dtype)} did not match ${scalarTypeName(b.dtype)}`);
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-8;
  if (rtol < 0) throw new RuntimeError(`rtol must be greater than or equal to zero, but got ${rtol}`);
  if (atol < 0) throw new RuntimeError(`atol must be greater than or equal to zero, but got ${atol}`);
  return apply(iscloseOp, [a, b], { rtol, atol, equalNan: options.equalNan ?? false });
}

/** True when every element is close (a plain boolean, as PyTorch's allclose). */
export function allclose(a: Tensor, b: Tensor, options: CloseOptions = {}): boolean {
  return isclose(a, b, options)._data.every((v) => v === 1);
}

/** True when both have the same shape and the same values (a plain boolean). */
export function equal(a: Tensor, b: Tensor): boolean {
  if (!sameShape(a.shape, b.shape)) return false;
  const x = a._data;
  const y = b._data;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// ---- bitwise ----

const INT32 = 2 ** 31;

function bitwise(name: string, kernel: string, int32: (x: number, y: number) => number, big: (x: bigint, y: bigint) => bigint) {
  const op = defineOp({
    name,
    gradFnName: "None",
    differentiable: false,
    forward: ([a, b]) => {
      const dtype = promote(a, b);
      if (isFloating(dtype)) refuse(kernel, dtype);
      return binaryForward(a, b, dtype, (x, y) => {
        if (x >= -INT32 && x < INT32 && y >= -INT32 && y < INT32) return int32(x, y);
        return Number(BigInt.asIntN(64, big(BigInt(x), BigInt(y))));
      });
    },
    backward: () => [null, null],
  });
  return (a: Tensor, b: TensorOrScalar | boolean): Tensor => apply(op, [a, operand(b)], undefined);
}

export const bitwiseAnd = bitwise("bitwiseAnd", "bitwise_and_cpu", (x, y) => x & y, (x, y) => x & y);
export const bitwiseOr = bitwise("bitwiseOr", "bitwise_or_cpu", (x, y) => x | y, (x, y) => x | y);
export const bitwiseXor = bitwise("bitwiseXor", "bitwise_xor_cpu", (x, y) => x ^ y, (x, y) => x ^ y);

const bitwiseNotOp = defineOp({
  name: "bitwiseNot",
  gradFnName: "None",
  differentiable: false,
  forward: ([t]) => {
    const out = empty(t.shape.slice(), t.dtype);
    const src = t._data;
    const od = out._data;
    if (t.dtype === "bool") for (let i = 0; i < src.length; i++) od[i] = src[i] ? 0 : 1;
    else for (let i = 0; i < src.length; i++) od[i] = -src[i] - 1;
    return out;
  },
  backward: () => [null],
});

export function bitwiseNot(t: Tensor): Tensor {
  if (isFloating(t.dtype)) refuse("bitwise_not_cpu", t.dtype);
  return apply(bitwiseNotOp, [t], undefined);
}

declare module "../tensor" {
  interface Tensor {
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    isposinf(): Tensor;
    isneginf(): Tensor;
    signbit(): Tensor;
    all(dim?: number | null, keepdim?: boolean): Tensor;
    any(dim?: number | null, keepdim?: boolean): Tensor;
    countNonzero(dim?: number | number[] | null): Tensor;
    nanToNum(nan?: number, posinf?: number | null, neginf?: number | null): Tensor;
    isclose(other: Tensor, options?: CloseOptions): Tensor;
    allclose(other: Tensor, options?: CloseOptions): boolean;
    equal(other: Tensor): boolean;
    bitwiseAnd(other: TensorOrScalar | boolean): Tensor;
    bitwiseOr(other: TensorOrScalar | boolean): Tensor;
    bitwiseXor(other: TensorOrScalar | boolean): Tensor;
    bitwiseNot(): Tensor;
  }
}

const tests = { isnan, isinf, isfinite, isposinf, isneginf, signbit, bitwiseNot };
addMethods(Object.fromEntries(Object.entries(tests).map(([name, fn]) => [name, function (this: Tensor) { return fn(this); }])));
addMethods({
  all(this: Tensor, dim?: number | null, keepdim?: boolean) {
    return all(this, dim, keepdim);
  },
  any(this: Tensor, dim?: number | null, keepdim?: boolean) {
    return any(this, dim, keepdim);
  },
  countNonzero(this: Tensor, dim?: number | number[] | null) {
    return countNonzero(this, dim);
  },
  nanToNum(this: Tensor, nan?: number, posinf?: number | null, neginf?: number | null) {
    return nanToNum(this, nan, posinf, neginf);
  },
  isclose(this: Tensor, other: Tensor, options?: CloseOptions) {
    return isclose(this, other, options);
  },
  allclose(this: Tensor, other: Tensor, options?: CloseOptions) {
    return allclose(this, other, options);
  },
  equal(this: Tensor, other: Tensor) {
    return equal(this, other);
  },
  bitwiseAnd(this: Tensor, other: TensorOrScalar | boolean) {
    return bitwiseAnd(this, other);
  },
  bitwiseOr(this: Tensor, other: TensorOrScalar | boolean) {
    return bitwiseOr(this, other);
  },
  bitwiseXor(this: Tensor, other: TensorOrScalar | boolean) {
    return bitwiseXor(this, other);
  },
});
