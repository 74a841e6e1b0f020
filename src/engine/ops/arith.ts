/**
 * Binary arithmetic with PyTorch broadcasting. Each op: forward (a scalar formula over broadcast operands) and,
 * beside it, backward (gradients of the output's shape; the engine sums them down to each input's shape).
 */
import { isFloating, type DType } from "../dtype";
import { ADD, DIV, MUL, SUB, mapBinary } from "../kernels/elementwise";
import { fmaf } from "../kernels/f32/fma";
import { libmPowf } from "../kernels/f32/libm_pow";
import { binaryLoop } from "../kernels/f32/loops";
import { powArray, powf, powScalarArray } from "../kernels/f32/pow";
import { broadcastShapes, sameShape } from "../shape";
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import { binaryForward } from "./binary_forward";
import { apply, defineOp } from "./op";
import { floorDivide, roundedDiv, roundingModeOf, type RoundingMode } from "./rounding_div";
import { empty, operand, promote, valuesAs } from "./operands";
import { reciprocal } from "./unary";

/** True division always gives a floating result. */
function floatingResult(a: Tensor, b: Tensor): DType {
  const d = promote(a, b);
  return isFloating(d) ? d : "float32";
}

/** a + alpha·b as ATen's add kernel computes it: one fused multiply-add in float32 (alpha rounded to float first). */
function addScaled(a: Tensor, b: Tensor, alpha: number): Tensor {
  const dtype = promote(a, b);
  if (dtype !== "float32") return binaryForward(a, b, dtype, (x, y) => x + alpha * y);
  const scale = Math.fround(alpha);
  return binaryForward(a, b, dtype, (x, y) => fmaf(y, scale, x));
}

const addOp = defineOp<number>({
  name: "add",
  gradFnName: "AddBackward0",
  forward: ([a, b], alpha) => (alpha === 1 ? binaryForward(a, b, promote(a, b), (x, y) => x + y, undefined, ADD) : addScaled(a, b, alpha)),
  backward: ({ attrs: alpha }, g) => [g, alpha === 1 ? g : g.mul(alpha)],
});

const subOp = defineOp<number>({
  name: "sub",
  gradFnName: "SubBackward0",
  forward: ([a, b], alpha) => (alpha === 1 ? binaryForward(a, b, promote(a, b), (x, y) => x - y, undefined, SUB) : addScaled(a, b, -alpha)),
  backward: ({ attrs: alpha }, g) => [g, g.mul(-alpha)],
});

/** `number - tensor`: PyTorch's rsub. */
const rsubOp = defineOp({
  name: "rsub",
  gradFnName: "RsubBackward1",
  forward: ([a, b]) => binaryForward(a, b, promote(a, b), (x, y) => y - x),
  backward: (_, g) => [g.neg(), null],
});

/** What a product's backward reads: each factor, when the other factor's gradient is wanted (PyTorch's rule). */
export function crossSaved([da, db]: readonly boolean[]): number[] {
  return db ? (da ? [0, 1] : [0]) : da ? [1] : [];
}

const mulOp = defineOp({
  name: "mul",
  gradFnName: "MulBackward0",
  forward: ([a, b]) => binaryForward(a, b, promote(a, b), (x, y) => x * y, undefined, MUL),
  backward: ({ inputs: [a, b], needsInputGrad: [da, db] }, g) => [da ? g.mul(b) : null, db ? g.mul(a) : null],
  saves: { inputs: crossSaved },
});

const divOp = defineOp({
  name: "div",
  gradFnName: "DivBackward0",
  forward: ([a, b]) => binaryForward(a, b, floatingResult(a, b), (x, y) => x / y, undefined, DIV),
  backward: ({ inputs: [a, b], needsInputGrad: [da, db] }, g) => [
    da ? g.div(b) : null,
    db ? g.neg().mul(a).div(b.mul(b)) : null,
  ],
  // other for either gradient, self only for other's.
  saves: { inputs: ([da, db]) => (db ? [0, 1] : da ? [1] : []) },
});

/** pow(Tensor, Scalar), pow(Tensor, Tensor) and pow(Scalar, Tensor) are three ATen overloads, each its node. */
function powName(_: void, [base, exponent]: readonly Tensor[]): string {
  return exponent._wrappedNumber ? "PowBackward0" : base._wrappedNumber ? "PowBackward2" : "PowBackward1";
}

/** C's pow: 1 for a base of 1 or an exponent of 0 whatever the other is, unlike Math.pow. */
function cPow(x: number, y: number): number {
  return x === 1 || y === 0 ? 1 : x === -1 && (y === Infinity || y === -Infinity) ? 1 : Math.pow(x, y);
}

/** float32 pow as PyTorch's kernels compute it (kernels/f32/pow.ts): a number exponent has its own fast cases. */
function powForward(a: Tensor, b: Tensor): Tensor {
  const dtype = promote(a, b);
  if (dtype !== "float32") return binaryForward(a, b, dtype, cPow);
  if (b._wrappedNumber) {
    const out = empty(a.shape.slice(), dtype);
    powScalarArray(valuesAs(a, dtype) as Float32Array, b._data[0], out._data as Float32Array);
    return out;
  }
  const shape = broadcastShapes(a.shape, b.shape);
  const out = empty(shape, dtype);
  // Same shapes: one contiguous run, as binaryLoop would make it, through the array kernel.
  if (sameShape(a.shape, b.shape)) powArray(valuesAs(a, dtype) as Float32Array, valuesAs(b, dtype) as Float32Array, out._data as Float32Array);
  else binaryLoop(shape, valuesAs(a, dtype) as Float32Array, a.shape, valuesAs(b, dtype) as Float32Array, b.shape, out._data as Float32Array, powf, libmPowf);
  return out;
}

const powOp = defineOp({
  name: "pow",
  gradFnName: powName,
  forward: ([a, b]) => powForward(a, b),
  backward: ({ inputs: [a, b], output, needsInputGrad: [da, db] }, g) => {
    if (b._wrappedNumber) {
      // pow_backward: grad · (e · a^(e−1)), or zeros for e = 0.
      const e = b._data[0];
      return [da ? (e === 0 ? empty(a.shape.slice(), g.dtype) : g.mul(a.pow(e - 1).mul(e))) : null, null];
    }
    if (a._wrappedNumber) {
      // pow_backward_exponent with a number base: ln(base) is taken of the number, in double, as PyTorch's Scalar log.
      const base = a._data[0];
      const scaled = output.mul(Math.log(base));
      return [null, db ? g.mul(base === 0 ? zeroWhere(scaled, b.ge(0)) : scaled) : null];
    }
    return [
      // pow_backward_self: grad·(b·a^(b−1)), 0 where b = 0 (so 0^0 has no NaN gradient).
      da ? zeroWhere(g.mul(b.mul(a.pow(b.sub(1)))), b.eq(0)) : null,
      // pow_backward_exponent: grad·(a^b·ln a), with 0 for a^b·ln a where a = 0 and b ≥ 0.
      db ? g.mul(zeroWhere(output.mul(a.log()), a.eq(0).logicalAnd(b.ge(0)))) : null,
    ];
  },
  saves: { inputs: [0, 1], output: true },
});

/** where(mask, 0, value): a selection, so masked elements are +0 whatever value holds (inf and NaN included). */
const zeroWhereOp = defineOp({
  name: "zeroWhere",
  gradFnName: "WhereBackward0",
  forward: ([value, mask]) => {
    const shape = broadcastShapes(value.shape, mask.shape);
    const out = empty(shape, value.dtype);
    mapBinary(value._data, value.shape, mask._data, mask.shape, out._data, shape, (v, m) => (m ? 0 : v));
    return out;
  },
  backward: ({ inputs: [, mask] }, g) => [zeroWhere(g, mask), null],
  saves: { inputs: [1] },
});

/** @internal where(mask, 0, value), for backward formulas that masked_fill_ with 0. */
export function zeroWhere(value: Tensor, mask: Tensor): Tensor {
  return apply(zeroWhereOp, [value, mask], undefined);
}

/** Ties split the gradient evenly between the two inputs, as PyTorch 1.13 does. */
const maximumOp = defineOp({
  name: "maximum",
  gradFnName: "MaximumBackward0",
  forward: ([a, b]) => binaryForward(a, b, promote(a, b), (x, y) => (x !== x || y !== y ? NaN : x > y ? x : y)),
  backward: ({ inputs: [a, b] }, g) => tieSplit(g, a.gt(b), a.eq(b)),
  saves: { inputs: [0, 1] },
});

const minimumOp = defineOp({
  name: "minimum",
  gradFnName: "MinimumBackward0",
  forward: ([a, b]) => binaryForward(a, b, promote(a, b), (x, y) => (x !== x || y !== y ? NaN : x < y ? x : y)),
  backward: ({ inputs: [a, b] }, g) => tieSplit(g, a.lt(b), a.eq(b)),
  saves: { inputs: [0, 1] },
});

function tieSplit(g: Tensor, aWins: Tensor, tie: Tensor): [Tensor, Tensor] {
  const half = g.mul(0.5).mul(tie);
  return [g.mul(aWins).add(half), g.mul(aWins.logicalOr(tie).logicalNot()).add(half)];
}

function alphaOf(alpha: number | undefined): number {
  if (alpha === undefined) return 1;
  if (typeof alpha !== "number") throw new TypeError(`alpha must be a number, but got ${typeof alpha}`);
  return alpha;
}

export function add(a: TensorOrScalar, b: TensorOrScalar, alpha?: number): Tensor {
  // `2 + x` is `x.__radd__(2)` in PyTorch: the tensor stays the first input.
  if (typeof a === "number" && alpha === undefined) return apply(addOp, [operand(b), operand(a)], 1);
  return apply(addOp, [operand(a), operand(b)], alphaOf(alpha));
}

export function sub(a: TensorOrScalar, b: TensorOrScalar, alpha?: number): Tensor {
  if (typeof a === "number") return apply(rsubOp, [operand(b), operand(a)], undefined);
  return apply(subOp, [operand(a), operand(b)], alphaOf(alpha));
}

export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return typeof a === "number" ? apply(mulOp, [operand(b), operand(a)], undefined) : apply(mulOp, [operand(a), operand(b)], undefined);
}

export interface DivOptions {
  /** "trunc" or "floor" rounds the quotient (its gradient is zero); absent or null is true division. */
  roundingMode?: RoundingMode | null;
}

export function div(a: TensorOrScalar, b: TensorOrScalar, options?: DivOptions): Tensor {
  const mode = roundingModeOf(options?.roundingMode);
  if (mode) return roundedDiv(a, b, mode);
  // `2 / x` is `x.reciprocal() * 2` in PyTorch.
  if (typeof a === "number" && typeof b !== "number") return mul(reciprocal(b), a);
  return apply(divOp, [operand(a), operand(b)], undefined);
}

export { floorDivide };

export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return apply(powOp, [operand(a), operand(b)], undefined);
}

export function maximum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return apply(maximumOp, [operand(a), operand(b)], undefined);
}

export function minimum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return apply(minimumOp, [operand(a), operand(b)], undefined);
}

declare module "../tensor" {
  interface Tensor {
    add(other: TensorOrScalar, alpha?: number): Tensor;
    sub(other: TensorOrScalar, alpha?: number): Tensor;
    mul(other: TensorOrScalar): Tensor;
    div(other: TensorOrScalar, options?: DivOptions): Tensor;
    pow(exponent: TensorOrScalar): Tensor;
    floorDivide(other: TensorOrScalar): Tensor;
    maximum(other: TensorOrScalar): Tensor;
    minimum(other: TensorOrScalar): Tensor;
    /** Aliases PyTorch keeps for NumPy's names. */
    subtract(other: TensorOrScalar, alpha?: number): Tensor;
    multiply(other: TensorOrScalar): Tensor;
    divide(other: TensorOrScalar, options?: DivOptions): Tensor;
    trueDivide(other: TensorOrScalar): Tensor;
  }
}

addMethods({
  add(this: Tensor, other: TensorOrScalar, alpha?: number) {
    return add(this, other, alpha);
  },
  sub(this: Tensor, other: TensorOrScalar, alpha?: number) {
    return sub(this, other, alpha);
  },
  mul(this: Tensor, other: TensorOrScalar) {
    return mul(this, other);
  },
  div(this: Tensor, other: TensorOrScalar, options?: DivOptions) {
    return div(this, other, options);
  },
  pow(this: Tensor, exponent: TensorOrScalar) {
    return pow(this, exponent);
  },
  floorDivide(this: Tensor, other: TensorOrScalar) {
    return floorDivide(this, other);
  },
  maximum(this: Tensor, other: TensorOrScalar) {
    return maximum(this, other);
  },
  minimum(this: Tensor, other: TensorOrScalar) {
    return minimum(this, other);
  },
  subtract(this: Tensor, other: TensorOrScalar, alpha?: number) {
    return sub(this, other, alpha);
  },
  multiply(this: Tensor, other: TensorOrScalar) {
    return mul(this, other);
  },
  divide(this: Tensor, other: TensorOrScalar, options?: DivOptions) {
    return div(this, other, options);
  },
  trueDivide(this: Tensor, other: TensorOrScalar) {
    return div(this, other);
  },
});
