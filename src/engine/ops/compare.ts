/** Comparisons and logical ops: bool results that never require grad. */
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import { binaryForward } from "./binary_forward";
import { apply, defineOp } from "./op";
import { operand, promote } from "./operands";

function comparison(name: string, f: (x: number, y: number) => boolean) {
  const op = defineOp({
    name,
    gradFnName: "None",
    differentiable: false,
    // Operands meet in their promoted type first, so `int tensor == 2.5` compares as floats.
    forward: ([a, b]) => binaryForward(a, b, promote(a, b), (x, y) => (f(x, y) ? 1 : 0), "bool"),
    backward: () => [null, null],
  });
  return (a: Tensor, b: TensorOrScalar | boolean): Tensor => apply(op, [a, operand(b)], undefined);
}

export const eq = comparison("eq", (x, y) => x === y);
export const ne = comparison("ne", (x, y) => x !== y);
export const gt = comparison("gt", (x, y) => x > y);
export const ge = comparison("ge", (x, y) => x >= y);
export const lt = comparison("lt", (x, y) => x < y);
export const le = comparison("le", (x, y) => x <= y);
export const logicalAnd = comparison("logicalAnd", (x, y) => x !== 0 && y !== 0);
export const logicalOr = comparison("logicalOr", (x, y) => x !== 0 || y !== 0);
export const logicalXor = comparison("logicalXor", (x, y) => (x !== 0) !== (y !== 0));

export function logicalNot(t: Tensor): Tensor {
  return eq(t, 0);
}

declare module "../tensor" {
  interface Tensor {
    eq(other: TensorOrScalar): Tensor;
    ne(other: TensorOrScalar): Tensor;
    gt(other: TensorOrScalar): Tensor;
    ge(other: TensorOrScalar): Tensor;
    lt(other: TensorOrScalar): Tensor;
    le(other: TensorOrScalar): Tensor;
    logicalAnd(other: TensorOrScalar | boolean): Tensor;
    logicalOr(other: TensorOrScalar | boolean): Tensor;
    logicalXor(other: TensorOrScalar | boolean): Tensor;
    logicalNot(): Tensor;
  }
}

addMethods({
  eq(this: Tensor, other: TensorOrScalar) {
    return eq(this, other);
  },
  ne(this: Tensor, other: TensorOrScalar) {
    return ne(this, other);
  },
  gt(this: Tensor, other: TensorOrScalar) {
    return gt(this, other);
  },
  ge(this: Tensor, other: TensorOrScalar) {
    return ge(this, other);
  },
  lt(this: Tensor, other: TensorOrScalar) {
    return lt(this, other);
  },
  le(this: Tensor, other: TensorOrScalar) {
    return le(this, other);
  },
  logicalAnd(this: Tensor, other: TensorOrScalar | boolean) {
    return logicalAnd(this, other);
  },
  logicalOr(this: Tensor, other: TensorOrScalar | boolean) {
    return logicalOr(this, other);
  },
  logicalXor(this: Tensor, other: TensorOrScalar | boolean) {
    return logicalXor(this, other);
  },
  logicalNot(this: Tensor) {
    return logicalNot(this);
  },
});
